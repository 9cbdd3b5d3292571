"""What it costs to hand data to another process, measured per channel and payload size.

Every measurement is a round trip with one child process that stays up for the whole series:
the parent hands over a payload of ``size`` bytes, the child takes it and answers with a tiny
acknowledgement (the payload's length and last byte, so nothing is skipped). The time of that
round trip is what a learner waits for. Channels (:data:`CHANNELS`):

* ``queue``  – ``multiprocessing.Queue``: pickled, written through a pipe by a feeder thread;
* ``pipe``   – ``Pipe().send_bytes``: the bytes through a pipe, no queue machinery;
* ``manager`` – a ``Manager().dict()``: pickled to the manager's process, then again to the child;
* ``array``  – a ``multiprocessing.Array`` made before the child started: the parent copies the
  payload in, the child reads it in place;
* ``shared_memory`` – a fresh ``multiprocessing.shared_memory.SharedMemory`` block per payload:
  the parent creates it, copies the payload in, the child attaches by name and reads in place;
  the parent unlinks it (always, on every exit path).

Every child process is joined, every Manager shut down and every block unlinked before a
function returns or raises, ``KeyboardInterrupt`` included. A Ctrl-C (or ■, which Jupyter sends to the kernel's
whole process group) ends an echo child quietly, without a traceback; the parent stops and reaps it either way. An
echo child whose parent was killed outright ends by itself within a second (:func:`echo_child`).
:class:`EchoChannel` is the one implementation of "an echo child behind a channel": notebook 12 measures with it
(:func:`measure_channel`) and so does the benchmark (:mod:`helpers.bench.moving`).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .engine import validate
from .charts.style import human_size
from .engine.config import resolve_start_method, time_scale

CHANNELS = ("queue", "pipe", "manager", "array", "shared_memory")
KB, MB = 1000, 1000 * 1000
#: The course's payload sizes: 1 KB to 100 MB, a factor 10 apart.
FULL_SIZES = (1 * KB, 10 * KB, 100 * KB, 1 * MB, 10 * MB, 100 * MB)
#: The largest payload any function here accepts.
MAX_SIZE = 200 * MB
#: How many times the largest payload must fit in the memory still available (copies in flight).
MEMORY_FACTOR = 8
#: Seconds one round trip may take before the measurement gives up.
ROUND_TRIP_TIMEOUT = 60.0


def check_size(size: Any) -> int:
    """Return ``size`` if it is a whole number of bytes from 1 to :data:`MAX_SIZE`, else raise ValueError."""
    return validate.whole_number(size, "a payload size in bytes", 1, MAX_SIZE)


def check_channel(channel: Any) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}; you gave {channel!r}.")
    return channel


def available_memory() -> int:
    """Bytes of memory this machine can still hand out (psutil's ``available``)."""
    import psutil

    return int(psutil.virtual_memory().available)


def course_sizes() -> tuple[list[int], str]:
    """The payload sizes to measure here, and a sentence saying why they stop where they do.

    1 KB to 100 MB; under test (``COURSE_TIME_SCALE`` < 1) up to 1 MB; never a size whose
    :data:`MEMORY_FACTOR` copies would not fit in the memory still available, nor one whose
    shared-memory block would not fit in ``/dev/shm`` (:func:`helpers.engine.limits.fit_to_shm`).
    """
    free = available_memory()
    sizes = [s for s in FULL_SIZES if s * MEMORY_FACTOR <= free]
    reasons = []
    if time_scale() < 1:
        sizes = [s for s in sizes if s <= 1 * MB]
        reasons.append("COURSE_TIME_SCALE < 1 (a test run) stops at 1 MB")
    if len(sizes) < len(FULL_SIZES) and FULL_SIZES[len(sizes)] * MEMORY_FACTOR > free:
        reasons.append(f"{free / MB:,.0f} MB of memory is available: a payload needs about {MEMORY_FACTOR} "
                       "times its size while it crosses")
    # Shared memory lives in /dev/shm (64 MB under Docker and Binder): a block bigger than its free space
    # is made without complaint and the first write past it kills the process with SIGBUS.
    from .engine.limits import fit_to_shm, shm_space

    sizes, shm_reason = fit_to_shm(sizes, shm_space())
    if shm_reason:
        reasons.append(shm_reason)
    note = "; ".join(reasons) or f"{free / MB:,.0f} MB of memory is available: enough for 100 MB payloads"
    return sizes or [1 * KB], note


def payload(size: int) -> bytes:
    """``size`` bytes that are not all alike (so nothing can cheat by compressing)."""
    check_size(size)
    block = bytes(range(256))
    return (block * (size // 256 + 1))[:size]


def attach_shared_memory(name: str) -> Any:
    """Open an existing block by name, leaving its unlinking to the process that created it.

    From 3.13, ``track=False`` says so. Before, attaching registers the block with the resource
    tracker; a child started by ``multiprocessing`` shares its parent's tracker, which counts a
    name once, so the parent's ``unlink()`` clears that registration and nothing is reported.
    """
    from multiprocessing import shared_memory

    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    return shared_memory.SharedMemory(name=name)


# --- the child's side: take the payload, answer with (length, last byte) ----------------------------


def acknowledge(data: Any) -> tuple[int, int]:
    """What a child answers about a payload: its length and last byte (so it must really have it)."""
    view = memoryview(data)
    return len(view), view[-1] if len(view) else -1


Child = TypeVar("Child", bound=Callable[..., None])
#: Seconds between an echo child's looks at whether its parent process is still there.
PARENT_CHECK_SECONDS = 0.5


def echo_child(child: Child) -> Child:
    """Make ``child`` an echo child that ends quietly on Ctrl-C (or ■) and ends by itself once its parent is gone.

    A terminal's Ctrl-C and Jupyter's ■ signal the whole process group, children included. Left alone, each
    child would print a ``KeyboardInterrupt`` traceback; ignoring the signal instead would leave the children of
    notebook 12's plain cells running after ■ (those cells have no ``finally`` to stop them). So the child ends,
    quietly, and its parent reaps it (:meth:`EchoChannel.close`, or the course's reaper after a cell).

    A parent that is killed outright (SIGKILL, the kernel killed) stops nothing: the child would wait for its next
    payload for ever (a forked child holds both ends of its pipe and queue, so no end-of-file comes). A daemon
    thread in the child watches the parent (``multiprocessing.parent_process()``: the process that started it,
    also under forkserver, where the operating system's parent is the fork server, which lives as long as any of
    its children: CPython Lib/multiprocessing/forkserver.py, ``connect_to_new_process`` hands each child the fork
    server's "alive" pipe end) and ends the child within :data:`PARENT_CHECK_SECONDS` of the parent's end (seen
    here: watching ``os.getppid()`` alone, a forkserver queue child of a killed parent still ran 80 s later).
    """
    @functools.wraps(child)
    def quietly(*args: Any) -> None:
        threading.Thread(target=_end_when_orphaned, daemon=True, name="course-parent-watch").start()
        try:
            child(*args)
        except KeyboardInterrupt:
            pass

    return quietly  # type: ignore[return-value]  # same signature: wraps() keeps the name spawn imports it by


def _end_when_orphaned() -> None:
    import psutil

    parent = multiprocessing.parent_process()
    try:
        # psutil remembers the process's start time: a new process that got the same pid is not the parent.
        watched = psutil.Process(parent.pid if parent is not None and parent.pid else os.getppid())
        # A parent that has ended but was not yet reaped is a zombie: gone, for this purpose.
        while watched.is_running() and watched.status() != psutil.STATUS_ZOMBIE:
            time.sleep(PARENT_CHECK_SECONDS)
    except psutil.NoSuchProcess:
        pass  # gone already
    except psutil.Error:
        return  # AccessDenied (a sandbox): no way to watch; the parent's close() is the only stop left
    os._exit(0)  # nobody is left to answer; the kernel frees this process's memory and maps


@echo_child
def echo_queue(inbox: Any, outbox: Any) -> None:
    """Child: take payloads from ``inbox`` until ``None``; answer each on ``outbox``."""
    while (data := inbox.get()) is not None:
        outbox.put(acknowledge(data))


@echo_child
def echo_pipe(conn: Any) -> None:
    """Child: receive byte messages until an empty one; answer each."""
    while data := conn.recv_bytes():
        conn.send(acknowledge(data))


@echo_child
def echo_manager(store: Any, conn: Any) -> None:
    """Child: on each word from ``conn``, read the payload from the managed dict and answer."""
    while conn.recv():
        conn.send(acknowledge(store["payload"]))


@echo_child
def echo_array(array: Any, conn: Any) -> None:
    """Child: on each length from ``conn``, read that many bytes of the shared array in place."""
    view = memoryview(array.get_obj()).cast("B")
    while size := conn.recv():
        conn.send(acknowledge(view[:size]))
    view.release()


@echo_child
def echo_shared_memory(conn: Any) -> None:
    """Child: on each (name, size) from ``conn``, attach to the block, read in place, close."""
    while message := conn.recv():
        name, size = message
        block = attach_shared_memory(name)
        try:
            conn.send(acknowledge(block.buf[:size]))
        finally:
            block.close()


def sum_shared_array(name: str, length: int, results: Any) -> None:
    """Child: attach to the block ``name``, see its first ``length`` float64 numbers as a NumPy array (no copy), put
    their sum on ``results``. Needs NumPy (notebook 12 skips its cell without it)."""
    import numpy as np

    block = attach_shared_memory(name)
    try:
        numbers = np.ndarray((length,), dtype=np.float64, buffer=block.buf)  # the block's memory, seen as an array
        total = float(numbers.sum())
        del numbers  # the array must let go of the block before close()
    finally:
        block.close()
    results.put(total)


def reap_process(process: Any) -> None:
    """Join ``process``; kill it if it has not ended within 5 s."""
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join(5)


# --- the parent's side -------------------------------------------------------------------------


@dataclass
class Transfer:
    """Best round-trip time per payload size for one channel."""

    channel: str
    start_method: str
    sizes: list[int]
    seconds: list[float]

    def throughput(self) -> list[float]:
        """Bytes per second, per size."""
        return [size / max(t, 1e-9) for size, t in zip(self.sizes, self.seconds)]

    def table(self) -> str:
        rows = [f"{self.channel} ({self.start_method}):"]
        for size, t, rate in zip(self.sizes, self.seconds, self.throughput()):
            rows.append(f"  {human_size(size):>7}: {t * 1000:9.3f} ms a round trip, {rate / MB:9.1f} MB/s")
        return "\n".join(rows)


class EchoChannel:
    """One echo child process and the means to hand it payloads; closed on every exit path.

    ``channel`` is one of :data:`CHANNELS`; ``largest`` the biggest payload it will carry (the ``Array`` is made
    that big). :meth:`round_trip` times one payload there and back; :meth:`close` (or leaving a ``with`` block)
    stops the child, reaps it and frees the channel, whatever happened before.
    """

    def __init__(self, channel: str, context: Any, largest: int) -> None:
        self.channel = channel
        self.context = context
        self.manager: Any = None
        self.queues: tuple[Any, Any] | None = None
        self.conn: Any = None
        self.array: Any = None
        self.blocks: list[Any] = []
        self.process: Any = None
        try:
            self._start(channel, context, largest)
        except BaseException:  # an interrupt while starting: stop what did start
            self.close()
            raise

    def __enter__(self) -> EchoChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, channel: str, context: Any, largest: int) -> None:
        target: Callable[..., None]
        args: tuple[Any, ...]
        if channel == "queue":
            self.queues = (context.Queue(), context.Queue())
            target, args = echo_queue, self.queues
        else:
            self.conn, theirs = context.Pipe()
            if channel == "pipe":
                target, args = echo_pipe, (theirs,)
            elif channel == "manager":
                self.manager = context.Manager()
                self.store = self.manager.dict()
                target, args = echo_manager, (self.store, theirs)
            elif channel == "array":
                self.array = context.Array("B", largest)
                target, args = echo_array, (self.array, theirs)
            else:
                # The child must report its attachments to *our* resource tracker: started after the
                # child, a tracker of the child's own would "clean up" (and warn about) our blocks.
                from multiprocessing import resource_tracker

                resource_tracker.ensure_running()
                target, args = echo_shared_memory, (theirs,)
        self.process = context.Process(target=target, args=args, daemon=True, name=f"course-echo-{channel}")
        self.process.start()
        if self.conn is not None:
            theirs.close()

    def _answer(self) -> tuple[int, int]:
        import queue

        deadline = time.monotonic() + ROUND_TRIP_TIMEOUT
        while time.monotonic() < deadline:
            if self.queues is not None:
                try:
                    return self.queues[1].get(timeout=0.1)
                except queue.Empty:
                    pass
            elif self.conn.poll(0.1):
                return self.conn.recv()
            if not self.process.is_alive():
                raise RuntimeError(f"the {self.channel} child process died (exit code {self.process.exitcode})")
        raise TimeoutError(f"the {self.channel} child did not answer within {ROUND_TRIP_TIMEOUT:.0f} s")

    def round_trip(self, data: bytes) -> float:
        """Seconds to hand ``data`` over and hear back from the child."""
        start = time.perf_counter()
        if self.channel == "queue":
            self.queues[0].put(data)  # type: ignore[index]
        elif self.channel == "pipe":
            self.conn.send_bytes(data)
        elif self.channel == "manager":
            self.store["payload"] = data
            self.conn.send(True)
        elif self.channel == "array":
            memoryview(self.array.get_obj()).cast("B")[:len(data)] = data
            self.conn.send(len(data))
        else:
            from multiprocessing import shared_memory

            block = shared_memory.SharedMemory(create=True, size=len(data))
            self.blocks.append(block)
            try:
                assert block.buf is not None  # None only once the block is closed
                block.buf[:len(data)] = data
                self.conn.send((block.name, len(data)))
                answer = self._answer()
            finally:
                block.close()
                block.unlink()
                self.blocks.remove(block)
            elapsed = time.perf_counter() - start
            self._verify(answer, data)
            return elapsed
        answer = self._answer()
        elapsed = time.perf_counter() - start
        self._verify(answer, data)
        return elapsed

    @staticmethod
    def _verify(answer: tuple[int, int], data: bytes) -> None:
        if tuple(answer) != (len(data), data[-1]):
            raise RuntimeError(f"the child saw {answer}, expected {(len(data), data[-1])}")

    def close(self) -> None:
        """Ask the child to stop, reap it (killed after 5 s), unlink any block in flight, close the ends."""
        try:
            if self.process is not None and self.process.is_alive():
                if self.queues is not None:
                    self.queues[0].put(None)
                elif self.channel == "pipe":
                    self.conn.send_bytes(b"")
                else:
                    self.conn.send(0 if self.channel == "array" else None)
        except (OSError, ValueError):
            pass
        if self.process is not None and self.process.pid is not None:
            reap_process(self.process)
        for block in list(self.blocks):  # an interrupt between create and the end of round_trip's unlink
            block.close()
            try:
                block.unlink()
            except FileNotFoundError:  # the interrupt came inside unlink(), after the block was gone
                pass
        self.blocks.clear()
        close_ends(self.queues, self.conn, self.manager)


def close_ends(queues: Sequence[Any] | None, conn: Any, manager: Any) -> None:
    """Free a channel's own ends: its queues (not a manager's: the manager owns those), its pipe end, its manager.

    ``cancel_join_thread`` first, so that closing never waits on a queue's feeder thread for a child that is gone.
    """
    if queues is not None and manager is None:
        for q in queues:
            q.cancel_join_thread()
            q.close()
    if conn is not None:
        conn.close()
    if manager is not None:
        manager.shutdown()


def measure_channel(channel: str, sizes: Sequence[int], *, repeats: int = 3,
                    start_method: str | None = None) -> Transfer:
    """Best-of-``repeats`` round-trip time for each payload size, through one channel."""
    check_channel(channel)
    sizes = [check_size(size) for size in sizes]
    if not sizes:
        raise ValueError("give at least one payload size.")
    validate.whole_number(repeats, "repeats", 1, 50)
    method = resolve_start_method(start_method)
    context = multiprocessing.get_context(method)
    with EchoChannel(channel, context, max(sizes)) as link:
        link.round_trip(payload(16))  # the child is up and the channel warm before timing
        best = []
        for size in sizes:
            data = payload(size)
            best.append(min(link.round_trip(data) for _ in range(repeats)))
            del data
    return Transfer(channel, method, sizes, best)


def measure_channels(sizes: Sequence[int], channels: Sequence[str] = CHANNELS, *, repeats: int = 3,
                     start_method: str | None = None) -> dict[str, Transfer]:
    """:func:`measure_channel` for each channel in turn."""
    for channel in channels:
        check_channel(channel)
    return {channel: measure_channel(channel, sizes, repeats=repeats, start_method=start_method)
            for channel in channels}


def crossover(slow: Transfer, fast: Transfer) -> int | None:
    """The smallest measured size from which ``fast`` beats ``slow`` at every larger size, or None."""
    if slow.sizes != fast.sizes:
        raise ValueError("the two transfers were measured at different sizes.")
    found = None
    for size, a, b in zip(slow.sizes, slow.seconds, fast.seconds):
        if b < a:
            found = size if found is None else found
        else:
            found = None
    return found


# --- the exercise's worker -------------------------------------------------------------------------

def checksum_shared_block(name: str, size: int, results: Any) -> None:
    """Child: attach to the shared block ``name``, checksum its first ``size`` bytes in place, report.

    Puts ``(checksum, name, pid, proof)`` on ``results``; ``proof`` ties the three to the block's
    first 16 bytes (random, in a checker's data), which only a reader of the block has.
    """
    import os
    import zlib

    block = attach_shared_memory(name)
    try:
        checksum = zlib.crc32(block.buf[:size])
        head = bytes(block.buf[:16])
    finally:
        block.close()
    pid = os.getpid()
    results.put((checksum, name, pid, block_proof(head, name, pid, checksum)))


def block_proof(head: bytes, name: str, pid: int, checksum: int) -> str:
    """What :func:`checksum_shared_block` reports as proof of having read the block."""
    import hashlib

    return hashlib.sha256(head + f":{name}:{pid}:{checksum}".encode()).hexdigest()


# --- the benchmark's measurement (benchmarks/bench_shared_memory.py, helpers.bench) ----------------------


def compare_shared_memory_and_queue(sizes: Sequence[int] = FULL_SIZES, repeats: int = 3,
                                    start_method: str | None = None) -> dict[str, Any]:
    """Queue vs shared memory (a fresh block per payload, and a reused block: the ``Array``), per size.

    Returns the three :class:`Transfer` results, the Queue/shared-memory time ratios at the
    largest size, and the crossover size from which a fresh block beats the Queue (None if none).
    """
    transfers = measure_channels(sizes, ["queue", "shared_memory", "array"], repeats=repeats,
                                 start_method=start_method)
    queue, fresh, reused = transfers["queue"], transfers["shared_memory"], transfers["array"]
    return {"transfers": transfers, "largest": queue.sizes[-1],
            "ratio_fresh": queue.seconds[-1] / fresh.seconds[-1],
            "ratio_reused": queue.seconds[-1] / reused.seconds[-1],
            "crossover": crossover(queue, fresh), "crossover_reused": crossover(queue, reused)}

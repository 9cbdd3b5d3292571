"""Moving data between processes: ``Queue``, ``Pipe``, a ``Manager`` queue and shared memory, by payload size.

One child process per channel echoes: the parent sends a payload, the child makes it its
own and answers with its length. A round trip therefore counts every copy and every
pickling the data needs to arrive; throughput is payload bytes / round-trip time (one
way). Small payloads measure the channel's latency, large ones its bandwidth. The child
is started with the course's start method, and stopped (then killed if need be) whatever
happens, Ctrl-C included.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing import shared_memory
from typing import Any

from ..engine.config import start_context
from ..data_transfer import close_ends
from ..engine.relay import stop
from .work import CHILD_TIMEOUT, echo_pipe, echo_queue, echo_shared_memory

CHANNELS = ("Queue", "Pipe", "Manager", "shared memory")


class Channel:
    """A parent's end of one echo child: :meth:`round_trip` a payload, :meth:`close` when done."""

    def __init__(self, kind: str, method: str, largest: int) -> None:
        if kind not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {kind!r}.")
        self.kind = kind
        context = start_context(method)
        self._manager: Any = None
        self._block: shared_memory.SharedMemory | None = None
        self._conn: Any = None
        self._queues: tuple[Any, Any] | None = None
        target: Callable[..., None]
        args: tuple[Any, ...]
        if kind in ("Queue", "Manager"):
            if kind == "Manager":
                self._manager = context.Manager()
                self._queues = (self._manager.Queue(), self._manager.Queue())
            else:
                self._queues = (context.Queue(), context.Queue())
            target, args = echo_queue, self._queues
        else:
            self._conn, child_end = context.Pipe()
            if kind == "Pipe":
                target, args = echo_pipe, (child_end,)
            else:
                self._block = shared_memory.SharedMemory(create=True, size=max(1, largest))
                target, args = echo_shared_memory, (child_end, self._block.name)
        self._child = context.Process(target=target, args=args, daemon=True, name=f"bench-echo-{kind}")
        try:
            self._child.start()
        except BaseException:
            self.close()
            raise
        if self._conn is not None:
            child_end.close()

    def round_trip(self, payload: bytes) -> None:
        """Send ``payload`` and wait for the child's answer (at most :data:`CHILD_TIMEOUT` s)."""
        if self._queues is not None:
            self._queues[0].put(payload)
            answer = self._queues[1].get(timeout=CHILD_TIMEOUT)
        else:
            if self._block is not None:
                assert self._block.buf is not None  # None only once the block is closed
                self._block.buf[:len(payload)] = payload
                self._conn.send(len(payload))
            else:
                self._conn.send_bytes(payload)
            if not self._conn.poll(CHILD_TIMEOUT):
                raise TimeoutError(f"the {self.kind} echo child did not answer within {CHILD_TIMEOUT:g} s")
            answer = self._conn.recv()
        if answer != len(payload):
            raise RuntimeError(f"the {self.kind} echo child got {answer} bytes instead of {len(payload)}")

    def close(self) -> None:
        """Tell the child to stop, stop it if it does not, and free the channel's resources."""
        try:
            if self._child.pid is not None and self._child.is_alive():
                if self._queues is not None:
                    self._queues[0].put(None)
                elif self._block is not None:
                    self._conn.send(None)
                else:
                    self._conn.send_bytes(b"")
                self._child.join(2)
        except (OSError, EOFError, ValueError, BrokenPipeError):
            pass  # the child is gone already: stop() below reaps it
        finally:
            stop(self._child)
            close_ends(self._queues, self._conn, self._manager)
            if self._block is not None:
                self._block.close()
                self._block.unlink()


def time_round_trips(channel: Channel, size: int, seconds: float) -> dict[str, Any]:
    """Round trips of ``size`` bytes for about ``seconds`` s (at least 3, after one to warm up)."""
    payload = b"\x01" * size
    channel.round_trip(payload)
    count, start = 0, time.perf_counter()
    while count < 3 or (time.perf_counter() - start < seconds and count < 100_000):
        channel.round_trip(payload)
        count += 1
    each = (time.perf_counter() - start) / count
    return {"channel": channel.kind, "bytes": size, "round_trip_ms": each * 1000, "mb_per_s": size / each / 1e6,
            "round_trips": count}


def measure_moving(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """Every channel at every payload size of the plan, one echo child per channel."""
    rows = []
    for kind in CHANNELS:
        note(f"{kind}: starting its echo child ({plan.course_method})")
        channel = Channel(kind, plan.course_method, max(plan.payloads))
        try:
            for size in plan.payloads:
                note(f"{kind}: round trips of {size:,} bytes")
                rows.append(time_round_trips(channel, size, plan.seconds_per_payload))
        finally:
            channel.close()
    return {"method": plan.course_method, "rows": rows}

"""When processes break (notebook 18): what cannot be pickled, set-up a worker does not see, pool defaults.

Every function that runs in a worker process is here, importable under spawn and forkserver:
:func:`configure` / :func:`read_setting` (an ``initializer=`` and the task that reads what it set),
:func:`raise_unpicklable` and :func:`return_generator` (a failure and a result that cannot travel back),
:func:`pause_then_pid`. The measuring functions (:func:`try_pickling`, :func:`measure_chunking`,
:func:`measure_map_intake`) start pools of their own and close them on every exit path.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import pickle
import socket
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .engine import validate
from .engine.config import seconds

# --- set-up a worker sees, or does not -------------------------------------------------------

#: This process's settings: empty until :func:`configure` fills it (in the worker, as its initializer).
SETTINGS: dict[str, Any] = {}
_configured = 0  # how many times configure() ran in this process
_configured_in = 0  # the pid that ran configure(): a forked child inherits its parent's
_configured_as_task = False  # configure() ran as one of a pool's tasks, not as its initializer


def _running_as_a_task() -> bool:
    """Whether the caller runs as a task of a process pool (not its ``initializer``): the pool's worker loop,
    up the stack, already holds the task it is running (``call_item`` in ``concurrent.futures.process.
    _process_worker``, ``task`` in ``multiprocessing.pool.worker``; the same on 3.10-3.15). The exercise's
    checker reads this: a task that happened to land in every worker looks like set-up otherwise."""
    frame: types.FrameType | None = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        name, local = frame.f_code.co_name, frame.f_locals
        if name == "_process_worker" and frame.f_globals.get("__name__") == "concurrent.futures.process":
            return "call_item" in local
        if name == "worker" and frame.f_globals.get("__name__") == "multiprocessing.pool":
            return "task" in local
        frame = frame.f_back
    return False


class SettingSeen(NamedTuple):
    """What a worker saw: the value of ``key`` (``None`` if unset), its pid, how often :func:`configure` ran
    in it, whether that was in this very process (``False``: the settings were copied from a parent by fork),
    and whether it ran as one of the pool's tasks instead of as its initializer."""

    key: str
    value: Any
    pid: int
    configured: int
    configured_here: bool
    configured_as_task: bool = False


def configure(settings: dict[str, Any]) -> None:
    """Store ``settings`` in this process's :data:`SETTINGS`: pass it as a pool's ``initializer=``.

    Raises TypeError unless ``settings`` is a dict with string keys.
    """
    global _configured, _configured_in, _configured_as_task
    if not isinstance(settings, dict) or not all(isinstance(key, str) for key in settings):
        raise TypeError(f"settings must be a dict with str keys; you gave {type(settings).__name__} {settings!r:.60}.")
    SETTINGS.clear()
    SETTINGS.update(settings)
    _configured += 1
    _configured_in = os.getpid()
    _configured_as_task = _configured_as_task or _running_as_a_task()  # for the exercise's checker


def read_setting(key: str) -> SettingSeen:
    """The task: the value of ``key`` in this process's :data:`SETTINGS`, with the pid that read it."""
    if not isinstance(key, str):
        raise TypeError(f"key must be a str; you gave {type(key).__name__} {key!r:.40}.")
    time.sleep(0.02)  # a little work, so that every worker of a pool gets some of the keys
    return SettingSeen(key, SETTINGS.get(key), os.getpid(), _configured, _configured_in == os.getpid(),
                       _configured_as_task)


def forget_settings() -> None:
    """Empty this process's :data:`SETTINGS` (the checker does it before and after a learner's answer)."""
    global _configured, _configured_in, _configured_as_task
    SETTINGS.clear()
    _configured = _configured_in = 0
    _configured_as_task = False


def pause_then_pid(pause: float) -> int:
    """Sleep ``pause`` s (scaled) and return this worker's pid."""
    validate.seconds(pause, "pause", 60, zero=True)
    time.sleep(seconds(pause))
    return os.getpid()


@dataclass
class BoundedRun:
    """A script run with a time limit: whether it finished, its exit code, output, and how long it ran."""

    finished: bool
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float


def run_script_bounded(code: str, *, timeout: float, start_method: str | None = None) -> BoundedRun:
    """Run ``code`` as a script in a fresh Python, in a process group of its own; after ``timeout`` s the whole
    group (the script and any worker it started) is killed: a script that hangs cannot leave anything behind.

    Raises ValueError for code that is not a str or a timeout outside 0.1-300 s.
    """
    import subprocess

    from .engine.config import START_METHOD_ENV, resolve_start_method

    if not isinstance(code, str):
        raise ValueError(f"code must be a str; you gave {type(code).__name__}.")
    validate.number(timeout, "timeout", 0.1, 300, unit="seconds")
    env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
    env.update({"PYTHONUNBUFFERED": "1", "NO_COLOR": "1", START_METHOD_ENV: resolve_start_method(start_method)})
    own_group = hasattr(os, "killpg")  # POSIX: the script leads a process group that can be killed whole
    with tempfile.TemporaryDirectory(prefix="course-script-", ignore_cleanup_errors=True) as folder:
        env["TMPDIR"] = folder  # a script killed at the timeout cannot remove its own temp files (pymp-*)
        path = os.path.join(folder, "script.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(code)
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, text=True, env=env, cwd=folder,
                                   start_new_session=own_group)
        try:
            out, err = process.communicate(timeout=timeout)
            return BoundedRun(True, process.returncode, out, err, time.perf_counter() - start)
        except subprocess.TimeoutExpired:
            elapsed = time.perf_counter() - start
            if own_group:
                import signal

                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            process.kill()
            out, err = process.communicate(timeout=30)
            return BoundedRun(False, None, out, err, elapsed)


# --- what cannot cross -----------------------------------------------------------------------

class NeedsTwoArguments(Exception):
    """An exception that pickles but cannot be unpickled: ``__init__`` takes two arguments, ``args`` holds one."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


def raise_unpicklable(path: str) -> None:
    """Raise :class:`NeedsTwoArguments` (its pickle fails to load in the parent)."""
    raise NeedsTwoArguments(path, "not found")


def return_generator(n: int) -> Iterator[int]:
    """Return a generator: a result that cannot be pickled back to the parent."""
    return (i * i for i in range(n))


def _nested_function() -> Any:
    def inner() -> None:
        pass

    return inner


def _generator() -> Iterator[int]:
    yield 1


class PickleOutcome(NamedTuple):
    what: str
    error: str  # the exception's type name, "" when it pickled
    message: str


def try_pickling() -> list[PickleOutcome]:
    """Pickle each thing a learner tends to send to a process; what each one raised (all are closed after)."""
    handle = tempfile.TemporaryFile()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        candidates = {
            "a lambda": lambda x: x,
            "a function defined inside a function": _nested_function(),
            "a threading.Lock": threading.Lock(),
            "an open file": handle,
            "a socket": sock,
            "a generator": _generator(),
            "an int, a str, a dict (for contrast)": {"n": 1, "s": "text"},
        }
        outcomes = []
        for what, thing in candidates.items():
            try:
                pickle.dumps(thing)
            except Exception as error:  # each kind raises its own type, and the types differ by version
                outcomes.append(PickleOutcome(what, type(error).__name__, str(error)))
            else:
                outcomes.append(PickleOutcome(what, "", ""))
        return outcomes
    finally:
        handle.close()
        sock.close()


# --- Pool against ProcessPoolExecutor: chunks -------------------------------------------------

def pool_default_chunksize(tasks: int, workers: int) -> int:
    """The chunk size ``multiprocessing.Pool.map`` picks when not told: ``ceil(tasks / (4 * workers))``.

    Source: CPython ``Lib/multiprocessing/pool.py``, ``Pool._map_async``
    (``divmod(len(iterable), len(self._pool) * 4)``).
    ``ProcessPoolExecutor.map`` uses 1 unless told (``Lib/concurrent/futures/process.py``, ``map``).
    """
    _check_count(tasks, "tasks")
    _check_count(workers, "workers")
    return max(1, math.ceil(tasks / (4 * workers)))


@dataclass
class ChunkRun:
    label: str
    chunksize: int
    seconds: float


def measure_chunking(tasks: int, workers: int, context: Any) -> list[ChunkRun]:
    """``tasks`` calls of :func:`helpers.executors.square` on ``workers`` processes, start-up included:
    ``Pool.map`` with its own chunk size, ``ProcessPoolExecutor.map`` with its default (1) and with Pool's size.

    Each pool is closed by its ``with`` block. Raises ValueError for counts out of range.
    """
    from .executors import square

    _check_count(tasks, "tasks", most=200_000)
    _check_count(workers, "workers", most=64)
    numbers = range(tasks)
    expected = [n * n for n in numbers]
    pool_size = pool_default_chunksize(tasks, workers)
    with context.Pool(1) as pool:  # so that a fork server's first start is not charged to the first pool measured
        pool.map(square, [0])
    runs = []
    start = time.perf_counter()
    with context.Pool(workers) as pool:
        assert pool.map(square, numbers) == expected
    runs.append(ChunkRun("Pool.map (chunk size chosen by the pool)", pool_size, time.perf_counter() - start))
    for label, chunksize in [("ProcessPoolExecutor.map (default)", 1),
                             ("ProcessPoolExecutor.map, chunksize=Pool's", pool_size)]:
        start = time.perf_counter()
        with cf.ProcessPoolExecutor(workers, mp_context=context) as executor:
            assert list(executor.map(square, numbers, chunksize=chunksize)) == expected
        runs.append(ChunkRun(label, chunksize, time.perf_counter() - start))
    return runs


# --- map takes every item at once; 3.14's buffersize= -----------------------------------------

def has_buffersize() -> bool:
    """True when ``Executor.map`` accepts ``buffersize=`` (Python 3.14+)."""
    return sys.version_info >= (3, 14)


@dataclass
class Intake:
    """When the parent drew each item from the input, and when each result came back (seconds from the start)."""

    label: str
    drawn: list[float] = field(default_factory=list)
    returned: list[float] = field(default_factory=list)
    peak_bytes: int = 0


def _payloads(count: int, size: int, intake: Intake, start: float) -> Iterator[bytes]:
    for _ in range(count):
        intake.drawn.append(time.perf_counter() - start)
        yield bytes(size)


def measure_map_intake(count: int, size: int, workers: int, context: Any, buffersize: int | None = None) -> Intake:
    """``ProcessPoolExecutor.map(len, items)`` over a generator of ``count`` blocks of ``size`` bytes.

    Records when each block was drawn from the generator, when each result came back, and the peak of
    memory allocated in this process (``tracemalloc``) while it ran. ``buffersize`` (3.14+) is passed to
    ``map``; on older Pythons it raises ValueError. The pool is closed on every exit path.
    """
    import tracemalloc

    _check_count(count, "count", most=10_000)
    _check_count(size, "size", most=50_000_000)
    _check_count(workers, "workers", most=64)
    if buffersize is not None:
        if not has_buffersize():
            raise ValueError(f"buffersize= needs Python 3.14+; this is {sys.version.split()[0]}.")
        _check_count(buffersize, "buffersize", most=10_000)
    intake = Intake("map()" if buffersize is None else f"map(buffersize={buffersize})")
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        with cf.ProcessPoolExecutor(workers, mp_context=context) as executor:
            start = time.perf_counter()
            extra = {} if buffersize is None else {"buffersize": buffersize}
            for length in executor.map(_slow_len, _payloads(count, size, intake, start), **extra):
                assert length == size
                intake.returned.append(time.perf_counter() - start)
        intake.peak_bytes = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return intake


def _slow_len(block: bytes) -> int:
    time.sleep(0.005)  # each task a little work, so that the input runs ahead of the results
    return len(block)


def _check_count(value: Any, name: str, most: int = 1_000_000) -> None:
    validate.whole_number(value, name, 1, most)

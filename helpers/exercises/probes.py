"""What the checkers observe: calls recorded by the workers themselves, and a child's start-up.

:func:`watching` swaps a worker (``print_numbers``, ``job_task`` …) for a :class:`Recorded`
copy while the learner's function runs: in the learner's globals and in the worker's own
module, so ``print_numbers``, ``workers.print_numbers`` and a local ``from … import`` all
reach it. Each call notes its pid, thread ident, ``time.perf_counter()`` at start and end (a
clock shared by the processes of one machine), its arguments and result (or the exception
it raised). A call in this process is kept in this module's memory; a call in a child
process appends a line to a file in a private temporary folder. Neither is an attribute of
the copy the learner's code holds, and a line in the file that claims this process's pid is
not believed (such calls never go to the file). A call that never happened leaves no
record. :class:`Recorded` pickles by the worker's importable name, so spawn and forkserver
children (and process pools) get it too.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass
class Call:
    """One recorded call of a watched worker."""

    pid: int
    thread: int
    start: float
    end: float | None  # None: it never finished (still running, or stopped)
    args: list[Any]
    kwargs: dict[str, Any]
    result: Any = None
    sent: float | None = None  # when its process or thread was started (pickled, forked, start()); None: unknown
    error: str | None = None  # repr of what it raised, if it raised (then ``end`` is when)


def started_after(later: Call, earlier: Call) -> bool:
    """True when ``later``'s process was started only after ``earlier`` had finished.

    Tells "started one after the other" from "started together, but one was slow to start
    up": ``sent`` is when ``Process.start()`` pickled the worker in the parent (spawn,
    forkserver) or forked it (fork), or when ``Thread.start()`` was called; without it, the
    call's own start.
    """
    return earlier.end is not None and (later.sent if later.sent is not None else later.start) >= earlier.end


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool, type(None), list, tuple, dict)) else repr(value)


#: When this process last forked (``time.perf_counter()``, written just before each fork): a forked
#: child inherits the value, so it knows when its parent started it, however late it then ran.
_FORKED_AT: float | None = None


def _about_to_fork() -> None:
    global _FORKED_AT
    _FORKED_AT = time.perf_counter()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(before=_about_to_fork)


#: Where the calls of each watch go: in this process, a list (by the watch's token); in a child, the file's path.
_MEMORY: dict[str, list[dict[str, Any]]] = {}
_FILES: dict[str, str] = {}


class Recorded:
    """``func`` that notes when each call starts and ends (or raises), where the learner cannot write it."""

    def __init__(self, func: Callable[..., Any], token: str, sent: float | None = None,
                 home: int | None = None) -> None:
        self.func = func
        self._token = token
        self.sent = sent
        self.home = os.getpid() if home is None else home  # the checker's process: calls elsewhere go to the file
        self.__name__ = getattr(func, "__name__", "worker")
        self.__qualname__ = getattr(func, "__qualname__", self.__name__)
        self.__doc__ = getattr(func, "__doc__", None)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled in the parent by Process.start() (spawn, forkserver) or a pool: the moment it was sent.
        return _rebuild, (self.func.__module__, self.func.__qualname__, self._token,
                          _FILES.get(self._token, ""), time.perf_counter(), self.home)

    def _write(self, line: dict[str, Any]) -> None:
        memory = _MEMORY.get(self._token) if os.getpid() == self.home else None
        if memory is not None:
            memory.append(line)
            return
        path = _FILES.get(self._token)
        if path:
            with open(path, "a", encoding="utf-8") as file:
                file.write(json.dumps(line, default=repr) + "\n")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = f"{os.getpid()}-{threading.get_ident()}-{time.perf_counter_ns()}"
        start = time.perf_counter()
        sent = self.sent
        if sent is None:  # not pickled: a forked child, or a thread here (its start() noted by watching())
            sent = (_FORKED_AT if os.getpid() != self.home
                    else getattr(threading.current_thread(), "_course_start_called", None))
        self._write({"key": key, "pid": os.getpid(), "thread": threading.get_ident(), "start": start,
                     "sent": sent, "args": [_plain(a) for a in args],
                     "kwargs": {k: _plain(v) for k, v in kwargs.items()}})
        try:
            result = self.func(*args, **kwargs)
        except BaseException as exc:
            self._write({"key": key, "end": time.perf_counter(), "result": None, "error": repr(exc)})
            raise
        self._write({"key": key, "end": time.perf_counter(), "result": _plain(result)})
        return result


def _rebuild(module: str, qualname: str, token: str, path: str, sent: float, home: int) -> Recorded:
    func = getattr(importlib.import_module(module), qualname)
    if isinstance(func, Recorded):  # a forked child of a parent that was watching
        func = func.func
    if path:
        _FILES[token] = path
    return Recorded(func, token, sent, home)


class Recorder:
    """Where :class:`Recorded` workers note their calls; ``calls()`` reads them back.

    The calls made in this process are kept in memory; those of child processes in a file in a
    private temporary folder (mode 0700) removed by :meth:`close`. A line of that file that
    claims this process's pid was not written by a call (those stay in memory) and is ignored.
    """

    def __init__(self) -> None:
        import secrets

        self.token = secrets.token_hex(16)
        self._folder = tempfile.mkdtemp(prefix="course-check-")
        _FILES[self.token] = os.path.join(self._folder, "calls.jsonl")
        _MEMORY[self.token] = []
        self.home = os.getpid()

    def calls(self, pids: set[int] | None = None) -> list[Call]:
        """Every call recorded; ``pids``: believe calls of child processes only from these pids."""
        started: dict[str, Call] = {}
        lines: list[Any] = list(_MEMORY.get(self.token, []))
        try:
            with open(_FILES.get(self.token, ""), encoding="utf-8") as file:
                text = file.read().splitlines()
        except OSError:
            text = []
        for raw in text:
            try:
                line = json.loads(raw)
            except ValueError:
                continue  # a line cut short by a process stopped mid-write
            if not isinstance(line, dict):
                continue
            if "start" in line and (line.get("pid") == self.home or (pids is not None and line.get("pid") not in pids)):
                continue  # not written by a call in a child process this checker saw started
            lines.append(line)
        for line in lines:
            try:
                if "start" in line:
                    started[line["key"]] = Call(line["pid"], line["thread"], line["start"], None,
                                                line["args"], line["kwargs"], sent=line.get("sent"))
                elif line.get("key") in started:
                    call = started[line["key"]]
                    call.end, call.result, call.error = line["end"], line["result"], line.get("error")
            except (KeyError, TypeError):
                continue
        return sorted(started.values(), key=lambda c: c.start)

    def close(self) -> None:
        import shutil

        _MEMORY.pop(self.token, None)
        _FILES.pop(self.token, None)
        shutil.rmtree(self._folder, ignore_errors=True)


@contextmanager
def watching(learner: Any, worker: Callable[..., Any]) -> Iterator[Recorder]:
    """While inside, calls of ``worker`` made by ``learner``'s code are recorded; yields the recorder.

    Read ``recorder.calls()`` before leaving: the file is removed on the way out. The worker
    is replaced in ``learner.__globals__`` (every name bound to it) and in its
    own module; ``threading.Thread.start`` notes when each thread was started (a call's
    ``sent``); all are put back on the way out, whatever happens.
    """
    recorder = Recorder()
    wrapper = Recorded(worker, recorder.token)
    places: list[tuple[dict[str, Any], str]] = []
    namespaces = [getattr(learner, "__globals__", None), vars(sys.modules[worker.__module__])]
    helpers_package = sys.modules.get("helpers")
    if helpers_package is not None:
        namespaces.append(vars(helpers_package))
    for namespace in namespaces:
        if namespace is None:
            continue
        for name, value in list(namespace.items()):
            if value is worker:
                places.append((namespace, name))
                namespace[name] = wrapper
    original_start = threading.Thread.start

    def start_noted(self: threading.Thread) -> None:  # replaces Thread.start: the same signature
        self._course_start_called = time.perf_counter()  # type: ignore[attr-defined]
        original_start(self)

    threading.Thread.start = start_noted  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        if threading.Thread.start is start_noted:
            threading.Thread.start = original_start  # type: ignore[method-assign]
        for namespace, name in places:
            if namespace.get(name) is wrapper:
                namespace[name] = worker
        recorder.close()


def overlap(calls: list[Call]) -> float:
    """Seconds during which every call of ``calls`` was running at once (0 when they never all met)."""
    if not calls or any(c.end is None for c in calls):
        return 0.0
    return max(0.0, min(c.end for c in calls if c.end is not None) - max(c.start for c in calls))


def most_at_once(calls: list[Call]) -> int:
    """The largest number of ``calls`` running at the same moment."""
    from ..engine.overlap import most_at_once as peak

    return peak((c.start, c.end) for c in calls)


# --- a child's start-up, under the active start method -------------------------------------

def mark_started(started: Any) -> None:
    """Body of the start-up probe: write the moment the child's code began into ``started``."""
    started.value = time.perf_counter()


_STARTUP: dict[str, float] = {}


def child_startup() -> float:
    """Seconds from ``Process.start()`` to the child's first line of code, here, now.

    Measured twice under ``$COURSE_START_METHOD`` (or the platform's default) and the
    slower one kept; remembered for the rest of the session, and measured again whenever
    a later reading is needed with a different start method.
    """
    import multiprocessing

    from ..engine.config import resolve_start_method
    from ..engine.relay import Process, stop

    method = resolve_start_method()
    if method in _STARTUP:
        return _STARTUP[method]
    context = multiprocessing.get_context(method)
    slowest = 0.0
    for _ in range(2):
        started = context.Value("d", 0.0, lock=False)
        child = Process(target=mark_started, args=(started,))
        before = time.perf_counter()
        child.start()
        child.join(30)
        stop(child)
        slowest = max(slowest, (started.value or time.perf_counter()) - before)
    _STARTUP[method] = slowest
    return slowest


def put_unguessable(queue: Any, numbers: list[int], pause: float, sentinel_sent: Any) -> None:
    """A producer the learner cannot predict: ``numbers`` (chosen at random by the checker), then the sentinel.

    ``pause`` s (already scaled) before each number; ``sentinel_sent.value`` gets the
    moment the sentinel was handed to the queue.
    """
    from ..workers import SENTINEL

    for number in numbers:
        time.sleep(pause)
        queue.put(number)
    sentinel_sent.value = time.perf_counter()
    queue.put(SENTINEL)


def sleep_and_mark(duration: float, started: Any, ended: Any) -> None:
    """Sleep ``duration`` s (unscaled), writing the moments this child began and finished."""
    started.value = time.perf_counter()
    time.sleep(duration)
    ended.value = time.perf_counter()

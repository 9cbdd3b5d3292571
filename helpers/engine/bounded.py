"""Calling code that may never return (a learner's function), in bounded time.

:func:`call_within` runs ``func()`` and raises :class:`DidNotReturn` once it has run ``limit``
seconds. How it is stopped:

* In the main thread, where ``signal.setitimer`` exists (Linux, macOS): ``func`` runs right here,
  and a ``SIGALRM`` timer raises :class:`DidNotReturn` inside it. A Python signal handler runs
  between bytecodes of the main thread, and a blocking call that a signal interrupts (``time.sleep``,
  ``Lock.acquire``, ``Thread.join``, ``Queue.get``, ``Connection.recv``) returns early when the handler
  raises (PEP 475: a call is only retried when the handler returns normally; CPython
  Modules/timemodule.c: ``pysleep``, Python/thread_pthread.h: ``PyThread_acquire_lock_timed``
  with ``intr_flag``). The timer repeats every :data:`REPEAT` s, so code that catches the first
  exception and waits again in an ``except``/``finally`` is interrupted again.
* Elsewhere (a thread, Windows): ``func`` runs on a daemon thread, the caller waits ``limit`` s, then
  :class:`DidNotReturn` is raised inside that thread with ``PyThreadState_SetAsyncExc`` (seen at its
  next Python instruction: a thread stuck inside one C call sees it only when that call returns).

:class:`DidNotReturn` is a ``BaseException``, so a learner's ``except Exception`` does not swallow it.
The caller cleans up what the call started (see ``helpers.exercises.base.call_learner``).
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .config import number_from_env

T = TypeVar("T")

#: Environment variable: the time limit, in seconds, for every checked call (tests set a small one).
LIMIT_ENV = "COURSE_CHECK_TIMEOUT"
#: Seconds between repeated alarms once the limit has passed.
REPEAT = 0.5
#: Seconds a stopped thread is given to end.
GRACE = 2.0


class DidNotReturn(BaseException):
    """Raised inside a call that ran past its time limit (``limit``: that limit, in seconds)."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"did not return within {limit:g} s")
        self.limit = limit


def time_limit(default: float) -> float:
    """``$COURSE_CHECK_TIMEOUT`` when set (seconds above 0, at most an hour), else ``default``."""
    return number_from_env(LIMIT_ENV, default, 3600)


def _alarm_usable() -> bool:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return False
    if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, signal.SIG_IGN, None):
        return False  # someone else's alarm: do not take it over
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def call_within(func: Callable[[], T], limit: float) -> T:
    """``func()``, or :class:`DidNotReturn` raised once it has run ``limit`` seconds."""
    if _alarm_usable():
        return _with_alarm(func, limit)
    return _on_thread(func, limit)


def _with_alarm(func: Callable[[], T], limit: float) -> T:
    armed = [True]

    def on_alarm(signum: int, frame: Any) -> None:
        if armed[0]:
            raise DidNotReturn(limit)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit, REPEAT)
    try:
        return func()
    finally:
        # An alarm that lands before the next line raises DidNotReturn from here: the caller catches that too.
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)


def _on_thread(func: Callable[[], T], limit: float) -> T:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = func()
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=run, name="course-bounded-call", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        stop_threads([thread])
        raise DidNotReturn(limit)
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def stop_threads(threads: list[threading.Thread], grace: float = GRACE) -> list[threading.Thread]:
    """Raise ``SystemExit`` in each live thread of ``threads`` (``PyThreadState_SetAsyncExc``) and wait up to
    ``grace`` s; the threads still alive (each inside one C call that has not returned).

    ``SystemExit``, because :func:`threading.excepthook` ignores it silently (docs: threading.excepthook): a stopped
    thread ends without a traceback in the learner's output."""
    live = [t for t in threads if t.is_alive() and t.ident is not None and t is not threading.current_thread()]
    deadline = time.monotonic() + grace
    while live and time.monotonic() < deadline:
        for thread in live:
            if thread.ident is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                           ctypes.py_object(SystemExit))
        for thread in live:
            thread.join(min(0.2, max(0.0, deadline - time.monotonic())))
        live = [t for t in live if t.is_alive()]
    return live

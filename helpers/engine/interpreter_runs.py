"""The harness's "interpreters" mode (Python 3.14+): one subinterpreter per worker thread.

:func:`available` / :func:`unavailable_reason` say whether this Python has them (the engine's own probe;
:mod:`helpers.interpreters`, notebook 16's subject, re-exports them).

:func:`helpers.engine.harness.run` with ``mode="interpreters"`` uses :class:`InterpreterRun`: each
worker is a thread of this process that creates an interpreter of its own (with its own GIL,
PEP 684), imports the task's module in it (that is the worker's start-up, recorded as
"ready"), then runs its tasks there with ``Interpreter.call``. Every interpreter is closed by
its thread however the run ends; after a stop (error, timeout, ``KeyboardInterrupt``) the
harness waits up to :data:`INTERPRETER_CLOSE_WAIT` seconds for the running tasks to finish,
because a running interpreter cannot be interrupted.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .results import RunResult, WorkerDied
from .thread_runs import ThreadRun, describe, work_loop

#: The first Python with :mod:`concurrent.interpreters` (PEP 734).
REQUIRES = (3, 14)

#: Longest the harness waits, after a stop, for an interpreter to finish its task and close.
INTERPRETER_CLOSE_WAIT = 10.0


def available() -> bool:
    """True when this Python has :mod:`concurrent.interpreters` (3.14 and later)."""
    if sys.version_info < REQUIRES:
        return False
    try:
        import concurrent.interpreters  # noqa: F401
    except ImportError:
        return False
    return True


def unavailable_reason() -> str:
    """A sentence for the learner when :func:`available` is False (empty when it is True)."""
    if available():
        return ""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if sys.version_info < REQUIRES:
        return (f"This kernel runs Python {version}; subinterpreters (concurrent.interpreters, "
                f"InterpreterPoolExecutor) need Python {REQUIRES[0]}.{REQUIRES[1]} or later.")
    return f"This Python {version} was built without concurrent.interpreters."


# --- functions that run inside an interpreter -----------------------------------------------


def _interpreter_worker(func: Callable[[Any], Any], tasks: Any, events: Any, label: str,
                        stop: threading.Event, failures: list[str]) -> None:
    """Body of an interpreters-mode worker thread: its own interpreter, closed however it ends."""
    from concurrent import interpreters

    try:
        interp = interpreters.create()
    except Exception as exc:
        failures.append(f"{label} could not be created: {describe(exc)}")
        return
    try:
        interp.exec(f"import {func.__module__}")  # start-up: the task's module, imported in there

        def call(argument: Any) -> Any:
            try:
                return interp.call(func, argument)
            except interpreters.ExecutionFailed as exc:
                raise _same_exception(exc.excinfo.type.__name__, exc.excinfo.msg) from None

        work_loop(call, tasks, events, label, stop)
    except Exception as exc:
        failures.append(f"{label} could not import {func.__module__}: {describe(exc).splitlines()[0]}")
    finally:
        interp.close()


def _same_exception(name: str, message: str) -> Exception:
    """The task's exception, raised inside an interpreter, rebuilt here (built-in type) or named."""
    import builtins

    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(message)
        except Exception:
            pass
    return RuntimeError(f"{name}: {message}")


class InterpreterRun(ThreadRun):
    """One thread per worker, each running its tasks in an interpreter of its own (3.14+)."""

    def __init__(self, func: Callable[[Any], Any], items: list[Any], workers: int) -> None:
        super().__init__(func, items, workers, "threads")
        self._failures: list[str] = []
        self._threads = [
            threading.Thread(target=_interpreter_worker, name=f"interp-{n + 1}", daemon=True,
                             args=(func, self._tasks, self.events, f"interp-{n + 1}", self._stop,
                                   self._failures))
            for n in range(workers)
        ]

    def check_alive(self, result: RunResult) -> None:
        if self._failures:
            raise WorkerDied(f"{self._failures[0]}; the run was stopped.", result)

    def abort(self) -> None:
        # A running interpreter cannot be interrupted: it finishes its task, then closes.
        self._stop.set()
        deadline = time.perf_counter() + INTERPRETER_CLOSE_WAIT
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(max(0.0, deadline - time.perf_counter()))

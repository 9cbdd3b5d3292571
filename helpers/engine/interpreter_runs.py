"""The harness's "interpreters" mode (Python 3.14+): one subinterpreter per worker thread.

:func:`helpers.harness.run` with ``mode="interpreters"`` uses :class:`InterpreterRun`: each
worker is a thread of this process that creates an interpreter of its own (with its own GIL,
PEP 684), imports the task's module in it (that is the worker's start-up, recorded as
"ready"), then runs its tasks there with ``Interpreter.call``. Every interpreter is closed by
its thread however the run ends; after a stop (error, timeout, ``KeyboardInterrupt``) the
harness waits up to :data:`INTERPRETER_CLOSE_WAIT` seconds for the running tasks to finish,
because a running interpreter cannot be interrupted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .harness import RunResult, WorkerDied, _describe, _ThreadRun, _work_loop

#: Longest the harness waits, after a stop, for an interpreter to finish its task and close.
INTERPRETER_CLOSE_WAIT = 10.0


def _interpreter_worker(func: Callable[[Any], Any], tasks: Any, events: Any, label: str,
                        stop: threading.Event, failures: list[str]) -> None:
    """Body of an interpreters-mode worker thread: its own interpreter, closed however it ends."""
    from concurrent import interpreters

    try:
        interp = interpreters.create()
    except Exception as exc:
        failures.append(f"{label} could not be created: {_describe(exc)}")
        return
    try:
        interp.exec(f"import {func.__module__}")  # start-up: the task's module, imported in there

        def call(argument: Any) -> Any:
            try:
                return interp.call(func, argument)
            except interpreters.ExecutionFailed as exc:
                raise _same_exception(exc.excinfo.type.__name__, exc.excinfo.msg) from None

        _work_loop(call, tasks, events, label, stop)
    except Exception as exc:
        failures.append(f"{label} could not import {func.__module__}: {_describe(exc).splitlines()[0]}")
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


class InterpreterRun(_ThreadRun):
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

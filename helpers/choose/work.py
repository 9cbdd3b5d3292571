"""What runs inside the measured workers: the learner's function, wrapped so a run can be read.

Everything here is importable by name (spawn, forkserver and interpreters import it), cheap to
import, and keeps no state between calls except :class:`FunctionSource`'s compiled function.

* :class:`Timed` – one call with its wall time, CPU time and time spent queued for a CPU;
* :class:`RunCoroutine` – a coroutine function called like a plain one (``asyncio.run`` per call);
* :class:`GatherAll` – every call of a coroutine function at once in one event loop (the asyncio way);
* :class:`FunctionSource` – a function defined in a notebook cell, sent *by value* (its source and
  the modules it uses) to an interpreter, which cannot import ``__main__`` of a notebook.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

#: Where Linux keeps a thread's scheduler figures: time on a CPU, time waiting for one, slices (ns).
SCHEDSTAT = "/proc/thread-self/schedstat"


def queued_seconds() -> float | None:
    """Seconds this thread has spent ready to run but waiting for a CPU (Linux), else ``None``.

    It tells "waits for a CPU" (a busy machine) apart from "waits for the network or a sleep":
    both are wall time without CPU time, but only the second is the function's own waiting.
    """
    try:
        with open(SCHEDSTAT, encoding="ascii") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class TimedCall(NamedTuple):
    """One call as :class:`Timed` saw it (seconds)."""

    result: Any
    wall: float
    cpu: float
    queued: float | None


class Timed:
    """``func`` wrapped: each call returns a :class:`TimedCall` (result, wall, CPU, queued for a CPU).

    CPU time is this thread's (``time.thread_time``): not the kernel's other threads (a live chart redrawing),
    and not a C library's helper threads either (limit BLAS to one thread to measure it whole).
    """

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func

    def __call__(self, argument: Any) -> TimedCall:
        queued = queued_seconds()
        cpu, wall = time.thread_time(), time.perf_counter()
        result = self.func(argument)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        after = queued_seconds()
        return TimedCall(result, wall, cpu, None if queued is None or after is None else after - queued)


class RunCoroutine:
    """A coroutine function called like a plain one: ``asyncio.run(func(argument))`` per call."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func

    def __call__(self, argument: Any) -> Any:
        return asyncio.run(self.func(argument))


class GatherAll:
    """Every call of a coroutine function at once, in one event loop: the asyncio way.

    Called with the whole list of inputs (one task for the harness); returns the results in order.
    """

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func

    def __call__(self, inputs: Sequence[Any]) -> list[Any]:
        async def everything() -> list[Any]:
            return list(await asyncio.gather(*(self.func(x) for x in inputs)))

        return asyncio.run(everything())


#: Functions compiled from their source, per interpreter (each interpreter has its own copy of this module).
_COMPILED: dict[tuple[str, str], Callable[[Any], Any]] = {}


class FunctionSource:
    """A notebook function sent by value: its source, plus ``import`` lines for the modules it uses.

    An interpreter imports a task by name, and a notebook's ``__main__`` has no file to import it
    from; this object carries the text instead (pickled: two strings), compiles it once in each
    interpreter and calls it. Built by :func:`helpers.choose.inputs.by_value`, which refuses a
    function that needs anything else from the notebook.
    """

    def __init__(self, name: str, source: str) -> None:
        self.name, self.source = name, source
        self.__name__ = name

    def __call__(self, argument: Any) -> Any:
        key = (self.name, self.source)
        func = _COMPILED.get(key)
        if func is None:
            namespace: dict[str, Any] = {"__name__": "__course_by_value__"}
            exec(compile(self.source, f"<{self.name} sent by value>", "exec"), namespace)
            func = _COMPILED[key] = namespace[self.name]
        return func(argument)

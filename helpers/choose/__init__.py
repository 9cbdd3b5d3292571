"""Bring a function, get a measured answer: ``python -m helpers.choose`` and ``helpers.choose(f, inputs)``.

Measures the learner's own function on this machine every way Python can run it in parallel, through
the course's harness (:func:`helpers.harness.run`), and says which wins and why:

* :mod:`helpers.choose.inputs`    – the function and inputs, checked before anything starts
* :mod:`helpers.choose.work`      – what runs in the workers (timed calls, coroutines, by-value functions)
* :mod:`helpers.choose.measure`   – the measurement: probe, baseline, threads, processes, interpreters, asyncio
* :mod:`helpers.choose.freethreaded` – the same calls on a free-threaded build, in a child Python
* :mod:`helpers.choose.stopping`  – a first call that never returns: its thread asked to stop
* :mod:`helpers.choose.recommendation` – the answer, with reasons and figures (honest on busy/one-core machines)
* :mod:`helpers.choose.report`    – the table, the JSON document, the one-page PNG
* :mod:`helpers.choose.notebook`  – the notebook function (live timeline) and :func:`write_module`
* :mod:`helpers.choose.cli`       – the command line
* :mod:`helpers.choose.workloads` – the reference workloads of the benchmark and the tests

The module itself is callable: ``helpers.choose(f, inputs)`` is :func:`choose`. Importing it is cheap
(worker processes import :mod:`helpers.choose.work`).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["choose", "write_module"]


def choose(function: Callable[[Any], Any], inputs: Iterable[Any], **options: Any) -> Any:
    """Measure ``function`` over ``inputs`` every way; see :func:`helpers.choose.notebook.choose`."""
    from .notebook import choose as measure_and_answer

    return measure_and_answer(function, inputs, **options)


def write_module(function: Callable[[Any], Any], path: str = "mywork.py") -> Callable[[Any], Any]:
    """Put a notebook's function in a file and import it; see :func:`helpers.choose.notebook.write_module`."""
    from .notebook import write_module as write

    return write(function, path)


class _CallableModule(types.ModuleType):
    """``helpers.choose`` is both this package and the function: calling the module calls :func:`choose`."""

    def __call__(self, function: Callable[[Any], Any], inputs: Iterable[Any], **options: Any) -> Any:
        return choose(function, inputs, **options)


sys.modules[__name__].__class__ = _CallableModule

"""Interpreters (PEP 734, Python 3.14+): several interpreters in one process, each with its own GIL.

Everything here degrades to a sentence on older Pythons: :func:`unavailable_reason` says
why, and the callers record that sentence instead of a figure. The task function must be
importable (the interpreter imports it by name, as spawn does).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any


def unavailable_reason() -> str | None:
    """``None`` when this Python has ``concurrent.interpreters``; else why not, in words."""
    try:
        from concurrent import interpreters  # noqa: F401
        from concurrent.futures import InterpreterPoolExecutor  # type: ignore[attr-defined]  # noqa: F401  (3.14+)
    except ImportError:
        version = ".".join(map(str, sys.version_info[:3]))
        return f"not available on this Python ({version}; concurrent.interpreters arrived in 3.14)"
    return None


def time_interpreter_pool(func: Callable[[Any], Any], inputs: Sequence[Any], workers: int) -> float:
    """Seconds to run ``func`` over ``inputs`` on an ``InterpreterPoolExecutor`` of ``workers``, its start included."""
    from concurrent.futures import InterpreterPoolExecutor  # type: ignore[attr-defined]  # 3.14+ (checked as 3.10)

    start = time.perf_counter()
    pool = InterpreterPoolExecutor(max_workers=workers)
    try:
        list(pool.map(func, inputs))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return time.perf_counter() - start


def time_interpreter_start(task: Callable[[], Any]) -> float:
    """Seconds to create an interpreter, call ``task`` in it (importing its module) and close it."""
    from concurrent import interpreters

    start = time.perf_counter()
    interpreter = interpreters.create()
    try:
        interpreter.call(task)
    finally:
        interpreter.close()
    return time.perf_counter() - start

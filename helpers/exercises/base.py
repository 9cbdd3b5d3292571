"""What every checker shares: the verdict, "not answered yet", and calling the learner's code.

A checker prints one line starting with ✔ (right) or ✘ (not yet, with a hint) and returns a
:class:`Verdict`. It never raises for a wrong or missing answer, so a notebook whose exercise
is still open runs from top to bottom. ``...`` (Ellipsis) means "not answered yet".
Checkers for each topic live in their own module of this package and import from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

class Verdict:
    """A checker's answer: truthy when right; ``message`` is what was printed."""

    def __init__(self, ok: bool, message: str) -> None:
        self.ok = ok
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok}, message={self.message!r})"

    def _ipython_display_(self) -> None:
        pass  # the printed line already said it


def report(ok: bool, message: str, hint: str = "") -> Verdict:
    """Print the verdict the way every checker does, and return it."""
    text = ("✔ " if ok else "✘ ") + message + (f"\n  Hint: {hint}" if hint and not ok else "")
    print(text)
    return Verdict(ok, text)


NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


def unanswered(answer: Any) -> bool:
    return answer is ...


def new_children(before: set[int]) -> list[Any]:
    """Child processes of this process, started since ``before`` (a set of pids), still alive."""
    import multiprocessing

    return [p for p in multiprocessing.active_children() if p.pid not in before]


def child_pids() -> set[int]:
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def call_learner(func: Callable[[], Any], name: str, hint: str = "",
                  leftover_hint: str = "Join every process you started before returning.") -> tuple[Any, float, Verdict | None]:
    """Call the learner's ``func()`` and time it: ``(value, seconds, None)`` when it behaved.

    A raised exception, or a child process of its own still running when it returned (which
    is then stopped, so the notebook leaks nothing), gives a ✘ verdict as the third item.
    """
    before = child_pids()
    start = time.perf_counter()
    try:
        value = func()
    except Exception as exc:  # the learner's bug is reported, not raised: the notebook runs on
        return None, 0.0, report(False, f"{name}() raised {type(exc).__name__}: {exc}", hint)
    elapsed = time.perf_counter() - start
    left = new_children(before)
    if left:
        for process in left:
            process.terminate()
            process.join(5)
        return value, elapsed, report(False, f"{len(left)} process(es) were still running when {name}() returned.",
                                      leftover_hint)
    return value, elapsed, None

"""What every checker shares: the verdict, "not answered yet", calling the learner's code, the census.

A checker prints one line starting with ✔ (right), ✘ (not yet, with a hint) or ◌ (this
machine cannot show the effect, and why) and returns a :class:`Verdict`. It never raises
for a wrong or missing answer, so a notebook whose exercise is still open runs from top to
bottom. ``...`` (Ellipsis) means "not answered yet".
Checkers for each topic live in their own module of this package and import from here.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..charts.style import format_duration

#: The three outcomes of a check.
RIGHT, WRONG, CANNOT_SHOW = "right", "wrong", "cannot show"
_MARKS = {RIGHT: "✔ ", WRONG: "✘ ", CANNOT_SHOW: "◌ "}


class Verdict:
    """A checker's answer: truthy when right; ``message`` is what was printed.

    ``status`` is :data:`RIGHT`, :data:`WRONG` or :data:`CANNOT_SHOW` (the answer could not be
    judged on this machine: falsy, but not a mistake of the learner's).
    """

    def __init__(self, ok: bool, message: str, status: str | None = None) -> None:
        self.ok = ok
        self.message = message
        self.status = status or (RIGHT if ok else WRONG)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok}, status={self.status!r}, message={self.message!r})"

    def _ipython_display_(self) -> None:
        pass  # the printed line already said it


def report(ok: bool, message: str, hint: str = "") -> Verdict:
    """Print the verdict the way every checker does, and return it."""
    status = RIGHT if ok else WRONG
    text = _MARKS[status] + message + (f"\n  Hint: {hint}" if hint and not ok else "")
    print(text)
    return Verdict(ok, text, status)


def cannot_show(message: str, why: str) -> Verdict:
    """Print "this machine cannot show it" (never a ✘: the answer was not refuted) and return it."""
    text = f"{_MARKS[CANNOT_SHOW]}This machine cannot show the effect, because {why}. {message}".rstrip()
    print(text)
    return Verdict(False, text, CANNOT_SHOW)


NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


def unanswered(answer: Any) -> bool:
    return answer is ...


# --- the learner's function: given, callable, written -------------------------------------

def _ellipsis_lines(func: Callable[..., Any]) -> tuple[list[int], bool, bool] | None:
    """Lines (1 = the ``def`` line) of ``func`` that still hold ``...``, whether that is its whole body,
    and whether the body does nothing (only ``pass``).

    ``None`` when the source cannot be read (then the compiled code is looked at instead).
    """
    try:
        source = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if node is None:
        return None
    body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                         and isinstance(s.value.value, str))]  # without the docstring
    lines = sorted({n.lineno - node.lineno + 1 for s in body for n in ast.walk(s)
                    if isinstance(n, ast.Constant) and n.value is Ellipsis})
    only = bool(body) and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                              and s.value.value is Ellipsis for s in body)
    empty = all(isinstance(s, ast.Pass) for s in body)
    return lines, only, empty


def _empty() -> None:
    pass


def unfinished(func: Callable[..., Any], name: str) -> Verdict | None:
    """A ✘ verdict when ``func`` still holds ``...`` in its body (or does nothing at all); else ``None``."""
    found = _ellipsis_lines(func)
    if found is not None:
        lines, only, empty = found
        if only:
            return report(False, f"{name}() is not written yet: its body is still only `...`.",
                          f"Replace the `...` under `def {name}(…):` with your code, run that cell, then this one.")
        if lines:
            where = ", ".join(str(n) for n in lines)
            return report(False, f"{name}() still has `...` in its body (line {where} of the function).",
                          "Replace each `...` with your code, run that cell, then this one.")
        if empty:
            return report(False, f"{name}() does nothing yet: its body is empty.",
                          f"Write the body of {name}, run that cell, then this one.")
        return None
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    if Ellipsis in code.co_consts:
        return report(False, f"{name}() still has `...` in its body.", "Replace each `...` with your code.")
    if code.co_code == _empty.__code__.co_code and set(code.co_consts) <= {None}:
        return report(False, f"{name}() does nothing yet: its body is empty (or only `...`).",
                      f"Write the body of {name}, run that cell, then this one.")
    return None


def code_names(func: Callable[..., Any]) -> set[str]:
    """Every name and attribute ``func``'s code uses, nested functions and comprehensions included."""
    names: set[str] = set()
    codes = [getattr(func, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is None:
            continue
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return names


def sleeps_instead_of_joining(func: Callable[..., Any], name: str, what: str) -> Verdict | None:
    """A ✘ verdict when ``func`` calls ``sleep`` and never ``join``: a guess at how long ``what`` need."""
    names = code_names(func)
    if "sleep" in names and "join" not in names:
        return report(False, f"{name}() sleeps and never calls join(): that guesses how long the {what} need.",
                      f"join() each of the {what}: it waits exactly as long as needed, no more, no less.")
    return None


def returned_too_soon(func: Callable[..., Any], name: str, what: str, ends: list[float | None],
                      returned: float, elapsed: float, hint: str) -> Verdict | None:
    """A ✘ verdict when ``func`` did not wait for its ``what`` (threads, processes) to finish; else ``None``.

    ``ends``: when each worker finished (``None``: never), ``returned``: when ``func`` returned,
    on the same clock. Sleeping instead of joining is named even when the sleep was long enough.
    """
    guessed = sleeps_instead_of_joining(func, name, what)
    if guessed is not None:
        return guessed
    late = [end for end in ends if end is None or end > returned]
    if late:
        return report(False, f"{name}() returned after {format_duration(elapsed)}, while {len(late)} of its {what} "
                      f"{'were' if len(late) > 1 else 'was'} still working: it did not wait for them.", hint)
    return None


def check_function(answer: Any, name: str, checker: str) -> Verdict | None:
    """The verdict for an answer that is not a written function yet; ``None`` when it is one.

    ``name``: the function the exercise asks for; ``checker``: the checker's own name, for
    the messages (``check_two_threads(run_two)``).
    """
    if unanswered(answer):
        return report(False, f"{name} is still `...`: write the function {name}, then delete the line "
                      f"`{name} = ...` under it, and run that cell again.")
    if not callable(answer):
        passed = "None (what calling it returned?)" if answer is None else f"{type(answer).__name__} {answer!r:.60}"
        return report(False, f"{checker}() needs the function {name} itself, not {passed}.",
                      f"Write {checker}({name}), without () after {name}.")
    return unfinished(answer, name)


# --- the census: threads and processes left running ---------------------------------------

#: Threads that are machinery, not the learner's: the course's output relay, and the feeder
#: thread a ``multiprocessing.Queue`` keeps for as long as the queue lives.
_OWN_THREADS = ("course-output-relay", "QueueFeederThread")


class Census:
    """What was running before the learner's code: threads, and processes below this one.

    ``leftovers()`` names what the learner's code started and left running; ``stop()``
    ends those processes (threads cannot be stopped; a thread left running is reported).
    Processes are found with :func:`helpers.engine.census.live_children` (multiprocessing's
    housekeeping left out, a fork server's children included).
    """

    def __init__(self) -> None:
        self.threads = {t.ident for t in threading.enumerate()}
        self.pids = {p.pid for p in _live_children()}

    def new_threads(self) -> list[threading.Thread]:
        return [t for t in threading.enumerate()
                if t.ident not in self.threads and t.is_alive() and t.name not in _OWN_THREADS]

    def new_processes(self) -> list[Any]:
        return [p for p in _live_children() if p.pid not in self.pids]

    def leftovers(self, settle: float = 0.5) -> tuple[list[threading.Thread], list[Any]]:
        """Threads and processes started since the census and still running, after ``settle`` s at most.

        ``settle`` lets a thread or process that is ending right now (a pool's last thread
        after ``shutdown``) finish before it is counted.
        """
        deadline = time.monotonic() + settle
        while True:
            threads, processes = self.new_threads(), self.new_processes()
            if not (threads or processes) or time.monotonic() >= deadline:
                return threads, processes
            time.sleep(0.02)

    @staticmethod
    def stop(processes: list[Any]) -> None:
        from ..engine.census import kill_all

        kill_all(processes)
        _reap()


def _live_children() -> list[Any]:
    from ..engine.census import live_children

    return live_children()


def _reap() -> None:
    import multiprocessing

    multiprocessing.active_children()  # joins the finished children this process started


def describe_leftovers(threads: list[threading.Thread], processes: list[Any]) -> str:
    parts = []
    if threads:
        parts.append(f"{len(threads)} thread{'s' if len(threads) > 1 else ''} "
                     f"({', '.join(t.name for t in threads[:4])})")
    if processes:
        parts.append(f"{len(processes)} process{'es' if len(processes) > 1 else ''} "
                     f"(pid {', '.join(str(p.pid) for p in processes[:4])})")
    return " and ".join(parts)


# Kept for the topic modules written before the census: child processes of this one.
def new_children(before: set[int]) -> list[Any]:
    """Child processes of this process, started since ``before`` (a set of pids), still alive."""
    import multiprocessing

    return [p for p in multiprocessing.active_children() if p.pid not in before]


def child_pids() -> set[int]:
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def call_learner(func: Callable[[], Any], name: str, hint: str = "",
                 leftover_hint: str = "Join every thread and process you started before returning.",
                 ) -> tuple[Any, float, Verdict | None]:
    """Call the learner's ``func()`` and time it: ``(value, seconds, None)`` when it behaved.

    A raised exception, or a thread or process of its own still running when it returned
    (processes are then stopped, so the notebook leaks nothing), gives a ✘ verdict as the
    third item.
    """
    census = Census()
    start = time.perf_counter()
    try:
        value = func()
    except Exception as exc:  # the learner's bug is reported, not raised: the notebook runs on
        elapsed = time.perf_counter() - start
        _, processes = census.leftovers(settle=0.0)
        Census.stop(processes)
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return None, elapsed, report(False, f"{name}() raised {detail}", hint)
    elapsed = time.perf_counter() - start
    threads, processes = census.leftovers()
    if threads or processes:
        Census.stop(processes)
        return value, elapsed, report(False, f"{describe_leftovers(threads, processes)} "
                                      f"{'were' if len(threads) + len(processes) > 1 else 'was'} still running "
                                      f"when {name}() returned.", leftover_hint)
    return value, elapsed, None


def not_true_or_false(answer: dict[str, Any], keys: Iterable[str]) -> Verdict | None:
    """A ✘ verdict while a ``{key: True or False}`` answer still holds ``...`` or a non-bool; else ``None``."""
    keys = list(keys)
    open_keys = [key for key in keys if answer[key] is ...]
    if open_keys:
        return report(False, f"Not answered yet for {', '.join(map(repr, open_keys))}: replace each ... with "
                      "True or False and run the cell again.")
    wrong_type = [key for key in keys if not isinstance(answer[key], bool)]
    if wrong_type:
        return report(False, f"{', '.join(map(repr, wrong_type))}: answer True or False, not "
                      f"{', '.join(repr(answer[k]) for k in wrong_type)}.")
    return None

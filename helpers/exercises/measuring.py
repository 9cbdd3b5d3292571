"""Reading a measurement of your own code: does it wait or compute, does it hold the GIL, which way to use.

The checker compares the learner's reading with the figures :func:`helpers.choose` measured in this kernel
(a private copy it kept, not the learner's variables), and with its recommendation. A part that this machine
cannot show (whether a function holds the GIL, on one core or busy cores) gets ◌, never ✘.
"""

from __future__ import annotations

from typing import Any

from .base import NOT_ANSWERED, cannot_show, report, unanswered

#: The two functions of the exercise, measured earlier in the notebook.
FUNCTIONS = ("pure_python_loop", "sha256_megabytes")
PARTS = ("does", "holds_the_gil", "use")
_TOOLS = {"sequential": "one after another", "loop": "one after another", "one after another": "one after another",
          "thread": "threads", "threads": "threads", "process": "processes", "processes": "processes",
          "interpreter": "interpreters", "interpreters": "interpreters", "asyncio": "asyncio",
          "can't tell": "can't tell", "cannot tell": "can't tell"}


def _tool(text: Any) -> str:
    words = str(text).strip().lower()
    return _TOOLS.get(words, _TOOLS.get(words.split(" (")[0], words))


def check_measurement_reading(answer: Any) -> Any:
    """``answer[name]`` for each of :data:`FUNCTIONS`: ``{"does": "waits"/"computes", "holds_the_gil": True/False,
    "use": the way to use}``, read from that function's ``helpers.choose`` measurement in this notebook."""
    from ..choose.notebook import measured
    from ..choose.recommendation import holds_the_gil, kind_of

    if unanswered(answer):
        return report(False, NOT_ANSWERED)
    if not isinstance(answer, dict) or set(answer) != set(FUNCTIONS):
        return report(False, f"Give a dict with the keys {', '.join(map(repr, FUNCTIONS))}, each a dict of "
                      f"{', '.join(map(repr, PARTS))}.")
    wrong, unsure, right = [], [], []
    for name in FUNCTIONS:
        reading = answer[name]
        if not isinstance(reading, dict) or any(reading.get(part, ...) is ... for part in PARTS):
            return report(False, f"{name}: fill in {', '.join(map(repr, PARTS))} (replace every ...).")
        found = measured(name)
        if found is None:
            return report(False, f"{name} has not been measured in this kernel yet: run its helpers.choose cell first.")
        m, r = found
        kind = kind_of(m)
        does = str(reading["does"]).strip().lower()
        if kind != "mixed" and does != kind:
            wrong.append(f"{name}: you said it {does}; a call spent {m.cpu_share:.0%} of its own time on a CPU, "
                         f"so it {kind}")
        else:
            right.append(f"{name} {kind} ({m.cpu_share:.0%} on a CPU)")
        threads = m.way("threads")
        cores = m.machine["usable_cores"]
        holds, _ = holds_the_gil(m)  # the course's verdict on the threads' figure (None: this run cannot show it)
        if holds is None:
            unsure.append(f"{name}: threads ×{(threads.speedup or 0) if threads else 0:.2f} on {cores} usable "
                          "core(s), busy or too few to tell whether it holds the GIL")
        elif threads is not None and bool(reading["holds_the_gil"]) != holds:
            wrong.append(f"{name}: threads ran ×{threads.speedup or 0:.2f} against one after another, keeping "
                         f"{threads.parallelism or 0:.2f} cores busy: it {'holds' if holds else 'lets go of'} the GIL")
        elif threads is not None:
            right.append(f"{name} {'holds' if holds else 'lets go of'} the GIL (threads ×{threads.speedup or 0:.2f})")
        expected = _tool(r.tool)
        if _tool(reading["use"]) != expected:
            wrong.append(f"{name}: you said use {reading['use']!r}; the measurement recommends {r.tool!r} "
                         f"({r.headline.split(':', 1)[-1].strip()[:90]})")
        else:
            right.append(f"{name}: use {r.tool}")
    if wrong:
        return report(False, "Not quite:\n  " + "\n  ".join(wrong),
                      "Read the 'per call' line (CPU share), the threads row's speed-up, and the line after →.")
    if unsure:
        return cannot_show("; ".join(right), "; ".join(unsure))
    return report(True, "Read right: " + "; ".join(right) + ".")

"""Choosing the tool: threads, processes, both, or a plain loop, for a described job."""

from __future__ import annotations

from typing import Any

from .base import Verdict, report

#: The jobs to choose for: name → (what it is, the description :func:`helpers.advisor.recommend` gets).
JOBS: dict[str, tuple[str, dict[str, Any]]] = {
    "pages": ("fetch 20 web pages; each reply takes about 1 s to arrive",
              {"waiting": True, "computing": False, "task_seconds": 1.0, "tasks": 20}),
    "photos": ("shrink 8 large photos; each takes about 2 s of pure computing",
               {"waiting": False, "computing": True, "task_seconds": 2.0, "tasks": 8}),
    "uploads": ("8 uploads: wait about 1 s for each file to arrive, then compress it for about 1 s",
                {"waiting": True, "computing": True, "task_seconds": 2.0, "tasks": 8}),
    "sums": ("the article's heavy_math for 10 000, 20 000 and 30 000: a few milliseconds each",
             {"waiting": False, "computing": True, "task_seconds": 0.003, "tasks": 3}),
}

TOOLS = ("threads", "processes", "both", "sequential")

_ALIASES = {"thread": "threads", "process": "processes", "multiprocessing": "processes",
            "threading": "threads", "processes with threads": "both", "none": "sequential",
            "loop": "sequential", "neither": "sequential"}


def check_job_choices(choices: Any) -> Verdict:
    """``choices`` maps each job of :data:`JOBS` to "threads", "processes", "both" or "sequential".

    Each answer is compared with :func:`helpers.advisor.recommend` for that job on this build
    (deterministic for a build); the verdict lists, for every job answered wrongly, the recommended
    tool and why. Without a GIL (free-threaded 3.14t, :func:`helpers.engine.config.gil_enabled`)
    threads compute in parallel too, so the advice for this build (e.g. threads for 'photos') is
    right, and so is the GIL build's (processes still use every core); with a GIL only the GIL's is.
    """
    from ..advisor import recommend
    from ..engine import config

    gil = config.gil_enabled()

    if choices is ...:
        return report(False, "answer is still `...`: replace it with a dict such as {'pages': 'threads', ...}.")
    if not isinstance(choices, dict):
        return report(False, f"Give a dict such as {{'pages': 'threads', ...}}, not {type(choices).__name__}.")
    missing = [name for name in JOBS if name not in choices]
    if missing:
        return report(False, f"No answer yet for {', '.join(missing)}.", f"The dict needs the keys {', '.join(JOBS)}.")
    open_jobs = [name for name in JOBS if choices[name] is ... or str(choices[name]).strip() in ("", "...")]
    if open_jobs:
        return report(False, f"Not answered yet for {', '.join(open_jobs)}: replace each \"...\" with one of "
                      f"{', '.join(map(repr, TOOLS))}.")
    wrong: list[str] = []
    free: list[str] = []  # jobs answered as only a build without a GIL makes right
    for name, (_, job) in JOBS.items():
        given = str(choices[name]).strip().lower()
        given = _ALIASES.get(given, given)
        advice = recommend(**job, gil=gil)
        with_gil = recommend(**job, gil=True)
        if given not in (advice.tool, with_gil.tool):
            also = "" if with_gil.tool == advice.tool else f" (or {with_gil.tool}, as with a GIL)"
            wrong.append(f"  {name}: you said {choices[name]!r}; recommended {advice.tool}{also}: {advice.reason}")
        elif not gil and given != with_gil.tool:
            free.append(name)
    if wrong:
        return report(False, f"{len(JOBS) - len(wrong)} of {len(JOBS)} right.\n" + "\n".join(wrong),
                      "Ask recommend(...) about the job, and compare with your table's figures.")
    if not gil:
        changed = f" You chose threads for {', '.join(free)}: right here, where" if free else " Here"
        return report(True, f"All {len(JOBS)} right for this free-threaded Python (no GIL).{changed} threads "
                      "compute on separate cores at once (sys._is_gil_enabled() is False); with a GIL, computing "
                      "needs processes: waiting → threads, computing → processes, both → processes with "
                      "threads, tiny tasks → a plain loop.")
    return report(True, f"All {len(JOBS)} right: waiting → threads, computing → processes, "
                  "both → processes with threads, tiny tasks → a plain loop.")

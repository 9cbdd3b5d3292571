"""Choosing between threads and processes: the quick-reference table and a small decision helper.

:func:`recommend` turns a description of a job (does it wait? does it compute? must the
workers share data? how long is one task?) into a :class:`Recommendation`: which tool, why,
how to start it and how to share data with it. It is a pure function: the same inputs always
give the same answer, so a notebook can check its printed output. The one machine-dependent
figure it uses, what starting a process costs, is a parameter (``process_start``): pass the
figure measured on your machine, or leave the default.

:func:`reference_table` lays out the article's comparison (memory, use case, how to start,
data sharing, parallelism) with, beside each row, the figures a notebook measured.
:func:`advisor_panel` wraps :func:`recommend` in widgets.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .engine import validate
from .charts.style import MEASURED, format_duration

#: The answers :func:`recommend` gives. ``"both"``: processes, each running threads (notebook 07).
TOOLS = ("sequential", "threads", "processes", "both")

#: What starting (and joining) one process costs when the caller does not say: between fork
#: (a few ms) and spawn (tens of ms, more on a busy or slow machine), measured in notebook 08.
DEFAULT_PROCESS_START = 0.05

#: A process pays for itself when one task lasts at least this many times its start-up cost
#: (start-up then costs at most a fifth of the work it parallelises).
PAYOFF = 5.0

_START_WITH = {
    "sequential": "a plain loop: no threads, no processes",
    "threads": "threading.Thread(target=..., args=...), or concurrent.futures.ThreadPoolExecutor for many tasks",
    "processes": ("multiprocessing.Process(target=...) under if __name__ == '__main__':, "
                  "or concurrent.futures.ProcessPoolExecutor for many tasks"),
    "both": "multiprocessing.Process whose target starts threading.Thread workers (notebook 07)",
}


@dataclass(frozen=True)
class Recommendation:
    """What :func:`recommend` advises: ``tool`` (one of :data:`TOOLS`) and why.

    ``start_with`` names the API to reach for; ``share_with`` says how the workers exchange data.
    ``str()`` gives all of it on a few lines.
    """

    tool: str
    reason: str
    start_with: str
    share_with: str

    def __str__(self) -> str:
        return (f"→ {self.tool}: {self.reason}\n"
                f"  start with: {self.start_with}\n"
                f"  share data: {self.share_with}")


def _check_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, not {value!r}.")
    return value


#: The ranges :func:`recommend` accepts: a task of up to a day, a process start of up to a minute, up to a
#: million tasks. Past these the advice's arithmetic would still run, but on figures no job has: a mistake.
MAX_TASK_SECONDS = 86_400.0
MAX_PROCESS_START = 60.0
MAX_ADVISED_TASKS = 1_000_000


def recommend(*, waiting: bool, computing: bool, share_data: bool = False, task_seconds: float = 1.0,
              tasks: int = 4, process_start: float = DEFAULT_PROCESS_START,
              gil: bool = True) -> Recommendation:
    """Advise threads, processes, both, or neither for a job of ``tasks`` similar tasks.

    ``waiting``: the tasks spend much of their time waiting (network, disk, a person, a sleep).
    ``computing``: the tasks spend much of their time running Python code (CPU-bound).
    ``share_data``: the workers must read or change the same data while they run.
    ``task_seconds``: how long one task takes when run alone.
    ``tasks``: how many such tasks the job has.
    ``process_start``: what starting and joining one process costs here, in seconds.
    ``gil``: False for a free-threaded Python running without its GIL (see
    :func:`helpers.engine.config.gil_enabled`), where threads compute in parallel too.

    Deterministic: the answer depends on the arguments only. Raises ``ValueError`` for an
    argument that is not a bool, a number of seconds above 0 (at most :data:`MAX_TASK_SECONDS`,
    :data:`MAX_PROCESS_START`), or (``tasks``) a whole number from 1 to :data:`MAX_ADVISED_TASKS`.
    """
    waiting = _check_flag("waiting", waiting)
    computing = _check_flag("computing", computing)
    share_data = _check_flag("share_data", share_data)
    gil = _check_flag("gil", gil)
    task_seconds = validate.number(task_seconds, "task_seconds", 0, MAX_TASK_SECONDS, low_open=True, unit="seconds")
    process_start = validate.number(process_start, "process_start", 0, MAX_PROCESS_START, low_open=True,
                                    unit="seconds")
    validate.whole_number(tasks, "tasks", 1, MAX_ADVISED_TASKS)

    # Ruled out first: cases where nothing runs side by side, whatever the tool.
    if tasks == 1:
        return _advice("sequential", "there is only one task, so nothing can run beside it; "
                       "split it into independent pieces first.", share_data)
    if not waiting and not computing:
        return _advice("sequential", "the tasks neither wait nor compute for long: there is no idle time "
                       "to overlap and no heavy work to spread.", share_data)

    process_pays = task_seconds >= PAYOFF * process_start
    cost = (f"one task lasts {format_duration(task_seconds)}, starting a process costs about "
            f"{format_duration(process_start)}")
    if computing and not gil:
        return _advice("threads", f"the tasks {'wait and ' if waiting else ''}compute, and this Python runs "
                       f"without a GIL: threads compute on separate cores at once, start in well under a "
                       f"millisecond and share memory; processes would add start-up ({cost}).", share_data)
    if waiting and not computing:
        return _advice("threads", f"the tasks mostly wait, and a waiting thread lets the others run: "
                       f"{tasks} waits overlap and take about as long as one. A thread starts in well "
                       f"under a millisecond.", share_data)
    if computing and not waiting:
        if not process_pays:
            return _advice("sequential", f"the tasks compute, but {cost}: start-up would eat most of the "
                           f"gain, and threads cannot compute side by side under the GIL. Batch many small "
                           f"tasks into a few big ones if you need more speed.", share_data)
        return _advice("processes", f"the tasks compute, and the GIL lets only one thread run Python code "
                       f"at a time; separate processes compute on separate cores ({cost}, small beside "
                       f"the work).", share_data)
    # Both waiting and computing.
    if not process_pays:
        return _advice("threads", f"the tasks wait and compute a little, but {cost}: threads overlap the "
                       f"waiting, and the short computing is not worth a process.", share_data)
    return _advice("both", f"the tasks wait and compute: processes spread the computing over the cores, "
                   f"and threads inside each process overlap the waiting ({cost}).", share_data)


def _advice(tool: str, reason: str, share_data: bool) -> Recommendation:
    if not share_data:
        share = {
            "sequential": "ordinary variables.",
            "threads": "nothing needs sharing: give each thread its inputs and collect its result.",
            "processes": "nothing needs sharing: pass inputs as arguments and send results back "
                         "through a multiprocessing.Queue (or use a pool's return values).",
            "both": "nothing needs sharing: threads hand results to their process, each process "
                    "sends them back through a multiprocessing.Queue.",
        }[tool]
    else:
        share = {
            "sequential": "ordinary variables.",
            "threads": "ordinary variables, seen by every thread at once; protect every "
                       "read-modify-write with a threading.Lock.",
            "processes": "each process has its own memory: send data through a multiprocessing.Queue, "
                         "or keep it in a Manager().list() / dict(), where every access is a message "
                         "(many times slower than a plain list).",
            "both": "threads of one process share its variables (use a Lock); between processes, "
                    "use a multiprocessing.Queue or a Manager.",
        }[tool]
    return Recommendation(tool, reason, _START_WITH[tool], share)


# --- the quick-reference table -----------------------------------------------------------

#: The article's comparison, in our words: concept → (threads, processes).
REFERENCE_ROWS: dict[str, tuple[str, str]] = {
    "Memory": ("one memory, shared by every thread of the process",
               "each process has a memory of its own"),
    "Use case": ("work that waits (I/O-bound)", "work that computes (CPU-bound)"),
    "Start with": ("threading.Thread", "multiprocessing.Process"),
    "Data sharing": ("plain variables, directly (guard them with a Lock)",
                     "through a Queue or a Manager"),
    "Parallelism": ("one thread runs Python code at a time (the GIL)",
                    "really parallel, one process per core"),
}


@dataclass(frozen=True)
class ReferenceTable:
    """The comparison table, with a measured figure under each claim.

    ``measured`` maps a concept of :data:`REFERENCE_ROWS` to (threads figure, processes figure).
    Shows as an HTML table in a notebook and as aligned text elsewhere.
    """

    measured: Mapping[str, tuple[str, str]]

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """(concept, threads claim, threads figure, processes claim, processes figure) per row."""
        out = []
        for concept, (threads, processes) in REFERENCE_ROWS.items():
            t_fig, p_fig = self.measured.get(concept, ("", ""))
            out.append((concept, threads, t_fig, processes, p_fig))
        return out

    def _repr_html_(self) -> str:
        def cell(claim: str, figure: str) -> str:
            fig = (f"<br><span style='color:{MEASURED};font-size:90%'>measured: {html.escape(figure)}</span>"
                   if figure else "")
            return f"<td style='text-align:left;vertical-align:top'>{html.escape(claim)}{fig}</td>"

        head = ("<tr><th style='text-align:left'>Concept</th><th style='text-align:left'>Threads</th>"
                "<th style='text-align:left'>Processes</th></tr>")
        body = "".join(f"<tr><th style='text-align:left;vertical-align:top'>{html.escape(c)}</th>"
                       f"{cell(t, tf)}{cell(p, pf)}</tr>" for c, t, tf, p, pf in self.rows())
        return f"<table>{head}{body}</table>"

    def __repr__(self) -> str:
        lines = []
        for concept, threads, t_fig, processes, p_fig in self.rows():
            lines.append(f"{concept}")
            lines.append(f"  threads:   {threads}" + (f"  [measured: {t_fig}]" if t_fig else ""))
            lines.append(f"  processes: {processes}" + (f"  [measured: {p_fig}]" if p_fig else ""))
        return "\n".join(lines)


def reference_table(measured: Mapping[str, tuple[str, str]] | None = None) -> ReferenceTable:
    """The comparison table; ``measured`` adds a figure under each claim (see :class:`ReferenceTable`).

    Raises ``ValueError`` for a concept that is not one of the table's rows.
    """
    measured = dict(measured or {})
    unknown = set(measured) - set(REFERENCE_ROWS)
    if unknown:
        raise ValueError(f"unknown row(s) {sorted(unknown)}; the rows are {list(REFERENCE_ROWS)}.")
    return ReferenceTable(measured)


# --- widgets -----------------------------------------------------------------------------

def advisor_panel(process_start: float = DEFAULT_PROCESS_START, gil: bool | None = None) -> Any:
    """Checkboxes and sliders that describe a job, and :func:`recommend`'s advice, kept up to date.

    Returns an ``ipywidgets.VBox`` (display it, or leave it last in a cell). Nothing runs:
    the advice is recomputed whenever a control changes. ``process_start``: as in :func:`recommend`.
    ``gil``: as in :func:`recommend`; by default this Python's own state (on a free-threaded 3.14t with
    its GIL off the panel advises threads for computing, as measured there: notebook 15).
    """
    import ipywidgets as widgets

    from .engine.config import gil_enabled

    gil = gil_enabled() if gil is None else gil

    style = {"description_width": "initial"}
    waiting = widgets.Checkbox(value=True, description="the tasks wait (network, disk, sleep)", style=style)
    computing = widgets.Checkbox(value=False, description="the tasks compute (Python code, CPU)", style=style)
    share = widgets.Checkbox(value=False, description="the workers must share data", style=style)
    seconds = widgets.FloatLogSlider(value=1.0, base=10, min=-3, max=2, step=0.25,
                                     description="one task takes (s)", style=style, continuous_update=False)
    tasks = widgets.IntSlider(value=8, min=1, max=64, description="number of tasks", style=style,
                              continuous_update=False)
    advice = widgets.HTML()

    def update(_: Any = None) -> None:
        result = recommend(waiting=waiting.value, computing=computing.value, share_data=share.value,
                           task_seconds=seconds.value, tasks=tasks.value, process_start=process_start, gil=gil)
        advice.value = (f"<b>{html.escape(result.tool)}</b>: {html.escape(result.reason)}<br>"
                        f"<i>start with</i>: <code>{html.escape(result.start_with)}</code><br>"
                        f"<i>share data</i>: {html.escape(result.share_with)}")

    for control in (waiting, computing, share, seconds, tasks):
        control.observe(update, names="value")
    update()
    return _advisor_box_class()([widgets.HBox([waiting, computing, share]), widgets.HBox([seconds, tasks]), advice])


def _describe_controls(box: Any) -> str:
    """The panel as it stands, in HTML: each control's description and value, then the advice."""
    rows, advice = box.children[:-1], box.children[-1]
    parts = []
    for row in rows:
        for control in row.children:
            value = control.value
            if isinstance(value, bool):
                parts.append(f"{'☑' if value else '☐'} {html.escape(control.description)}")
            else:
                parts.append(f"{html.escape(control.description)}: <b>{value:g}</b>")
    return ("<div class='course-advisor' style='border: 1px solid silver; padding: 0.4em 0.6em'>"
            "<i>Interactive controls, shown as they were left: open the notebook in "
            f"JupyterLab to use them.</i><br>{' · '.join(parts)}<br>{advice.value}</div>")


_ADVISOR_BOX: Any = None


def _advisor_box_class() -> Any:
    """A ``VBox`` that also says in HTML what it shows, for a page without widgets (nbconvert, handouts)."""
    global _ADVISOR_BOX
    if _ADVISOR_BOX is None:
        import ipywidgets as widgets

        class AdvisorBox(widgets.VBox):
            def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
                bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
                bundle["text/html"] = _describe_controls(self)
                # Plain text (a terminal, a text-only page) gets the same words, never "AdvisorBox(children=...".
                import html
                import re

                bundle["text/plain"] = html.unescape(re.sub(r"<[^>]+>", " ", bundle["text/html"])).strip()
                bundle["text/plain"] = re.sub(r"\s+", " ", bundle["text/plain"])
                return bundle

        _ADVISOR_BOX = AdvisorBox
    return _ADVISOR_BOX

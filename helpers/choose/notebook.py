"""``helpers.choose(function, inputs)`` in a notebook: the live timeline while it measures, then the answer.

The same measurement as the command line (:func:`helpers.choose.measure.measure`); while it runs,
a status line and the course's live timeline (:class:`helpers.live_chart.LiveTimeline`) show which
way is being measured and its calls growing. The returned :class:`Choice` shows the table and the
recommendation, and draws the one-page report on demand. A function defined in a notebook cell is
measured on threads, on interpreters by value (3.14+) and with asyncio; for processes started by
spawn or forkserver, :func:`write_module` puts it in a file and imports it from there.
"""

from __future__ import annotations

import html
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .inputs import BadInput, check_callable, check_inputs, defined_in_a_notebook, module_source
from .measure import DEFAULT_TIMEOUT, Measurement, measure
from .recommendation import Recommendation, recommend


#: A copy of each measurement made by :func:`choose` in this process, by function name: what the exercise
#: checker reads (never the learner's variables, which a cell could change).
_MEASURED: dict[str, tuple[Measurement, Recommendation]] = {}


def measured(name: str) -> tuple[Measurement, Recommendation] | None:
    """The last measurement :func:`choose` made of the function called ``name`` here (a private copy), or None."""
    import copy

    found = _MEASURED.get(name)
    return copy.deepcopy(found) if found is not None else None


class Choice:
    """What :func:`choose` measured (``measurement``) and advises (``recommendation``)."""

    def __init__(self, measurement: Measurement, recommendation: Recommendation) -> None:
        self.measurement = measurement
        self.recommendation = recommendation

    @property
    def tool(self) -> str:
        return self.recommendation.tool

    def speedup(self, key: str) -> float | None:
        """The measured speed-up of a way ("threads", "processes", "interpreters", "asyncio", …), or None."""
        way = self.measurement.way(key)
        return way.speedup if way is not None else None

    def figure(self) -> Any:
        """The one-page report, shown as a PNG in a notebook (a :class:`helpers.charts.figures.Chart`: ``.fig`` is
        the matplotlib figure, ``.savefig(path)`` writes it)."""
        from ..charts.figures import Chart
        from .report import draw_page

        return Chart(draw_page(self.measurement, self.recommendation))

    def __repr__(self) -> str:
        from .report import text

        return text(self.measurement, self.recommendation)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"


class _LiveView:
    """The status line and the live timeline, in a notebook; plain progress lines elsewhere."""

    def __init__(self) -> None:
        self.widget: Any = None
        self.label = ""
        self.said = "starting"
        self.expected = 1.0
        try:
            from IPython import get_ipython

            in_kernel = get_ipython() is not None and "IPKernelApp" in get_ipython().config
        except ImportError:
            in_kernel = False
        if in_kernel:
            import ipywidgets as widgets
            from IPython.display import display

            from ..charts.live_chart import LiveTimeline

            self.timeline = LiveTimeline()
            self.status = widgets.HTML(value="<b>helpers.choose</b>: starting")
            self.chart = widgets.Image(format="jpeg", layout={"max_width": "66%"})
            self.chart.value = self.timeline.blank()
            self.widget = widgets.VBox([self.status, self.chart])
            self.widget.add_class("course-live-panel")
            self.handle = display(self, display_id=True)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = f"helpers.choose: {self.said}"
        return bundle

    def note(self, text: str) -> None:
        self.said = text
        if self.widget is None:
            print(f"… {text}", flush=True)
        else:
            self.status.value = f"<b>helpers.choose</b>: {html.escape(text)}"

    def start(self, label: str, mode: str, workers: int, calls: int) -> None:
        """Before a run: the empty axes (a full draw, tens of ms), so that during it only frames are drawn."""
        if self.widget is None:
            return
        lanes = min(workers, calls)
        self.chart.format, self.chart.value = "jpeg", self.timeline.begin(lanes, mode, self.expected, label)

    def update(self, label: str, result: Any) -> None:
        if self.widget is None:
            return
        if result.status != "running":
            self.expected = max(0.2, result.elapsed)  # the next run's axis: about as long as this one
        if result.status == "running":
            self.chart.format, self.chart.value = "jpeg", self.timeline.frame(result)
        else:
            self.chart.format, self.chart.value = "png", self.timeline.finish(result)

    def done(self, text: str) -> None:
        self.said = text
        if self.widget is not None:
            self.status.value = f"<b>helpers.choose</b>: {html.escape(text)}"
            self.handle.update(self)


def choose(function: Callable[[Any], Any], inputs: Iterable[Any], *, quick: bool = False, spawn: bool = False,
           timeout: float = DEFAULT_TIMEOUT, free_threaded: bool = True) -> Choice:
    """Measure ``function`` over ``inputs`` (one call per item) every way this machine offers; say which wins.

    Raises :class:`~helpers.choose.inputs.BadInput` (a ``ValueError``, one line) before anything starts
    for a bad function or inputs, and when the first call raises or does not return within ``timeout``
    seconds (its thread is then stopped if it can be). ``KeyboardInterrupt`` (■) stops every worker.
    """
    check_callable(function)
    if not 0 < timeout <= 3600:
        raise BadInput(f"timeout must be from more than 0 to 3600 seconds, not {timeout!r}.")
    items = check_inputs(inputs)
    view = _LiveView()
    try:
        measurement = measure(function, items, timeout=timeout, quick=quick, spawn=spawn,
                              free_threaded=free_threaded, progress=view.note, on_update=view.update,
                              on_start=view.start)
    except KeyboardInterrupt:
        # ■: the harness stopped every process; a thread still inside the learner's call is asked to stop too.
        from .stopping import stop_stuck_threads

        view.done(f"interrupted: every worker process was stopped; {stop_stuck_threads()}")
        raise
    except BaseException as exc:
        view.done(f"stopped: {exc}" if str(exc) else "stopped")
        raise
    answer = recommend(measurement)
    import copy

    _MEASURED[getattr(function, "__name__", repr(function))] = copy.deepcopy((measurement, answer))
    view.done(f"measured in {measurement.duration:.1f} s → {answer.tool}")
    if defined_in_a_notebook(function) and any(w.key.startswith("processes") and not w.measured
                                               for w in measurement.ways):
        print(f"Processes were not measured: {function.__name__} lives in the notebook. "
              f"helpers.choose.write_module({function.__name__}) writes it to mywork.py and returns the "
              "imported function; measure that one.")
    return Choice(measurement, answer)


def write_module(function: Callable[[Any], Any], path: str | os.PathLike[str] = "mywork.py") -> Callable[[Any], Any]:
    """Write ``function`` (with the imports it uses) to ``path`` (a new ``.py`` file in this folder) and return
    the same function imported from there, which every start method can import by name.

    What ``%%writefile mywork.py`` does by hand. Raises :class:`BadInput` if the function uses anything else
    from the notebook, or if ``path`` already exists with other content (nothing is overwritten).
    """
    if not defined_in_a_notebook(function):
        return function  # importable already
    target = Path(path)
    if target.suffix != ".py" or not target.stem.isidentifier():
        raise BadInput(f"{path}: give a file name like mywork.py (a valid module name).")
    source = module_source(function)
    header = '"""Written by helpers.choose.write_module from a notebook cell."""\n\n'
    if target.exists() and target.read_text(encoding="utf-8") != header + source:
        raise BadInput(f"{target} already exists with other content: give another file name.")
    target.write_text(header + source, encoding="utf-8")
    folder = str(target.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    importlib.invalidate_caches()
    module = sys.modules.get(target.stem)
    module = importlib.reload(module) if module is not None else importlib.import_module(target.stem)
    return getattr(module, function.__name__)

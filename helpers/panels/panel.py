"""The live control panel: choose mode, workers and tasks, press Run, watch the timeline grow.

The chart is an ``ipywidgets.Image`` that the kernel redraws about five times a second
while the run is under way, so it moves in JupyterLab even when the run was started by
the Run button (a callback, with no cell to print into). When a *cell* runs the panel
(``panel.run(...)``), the panel is also displayed with a static PNG of the final figure,
so nbval, nbconvert and the HTML/PDF handouts keep the measured figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..charts.live_chart import HistoryPoint, PanelCharts, side_by_side
from ..charts.style import STATUS_COLOURS
from ..engine import validate
from ..engine.config import MAX_THREADS, max_processes, panel_seconds, resolve_start_method, seconds
from ..engine.harness import RunPlan, RunResult, TaskFailed, available_modes, check_mode, check_workers, run_planned
from ..engine.machine import usable_cores
from ..engine.task_kinds import TaskKind
from ..workers import COMPUTE, WAIT
from .shown import ShownPanel

#: The panel's built-in task kinds, by name; other subjects export theirs (see :func:`task_kind`).
TASK_KINDS: dict[str, TaskKind] = {kind.name: kind for kind in (WAIT, COMPUTE)}
#: Longest a run may take one task after another; more would freeze a workshop room.
MAX_SEQUENTIAL_SECONDS = 60.0
#: How long a panel's default run should last on the learner's machine: long enough to watch the bars grow
#: (a browser sees a frame every 0.2 s), short enough not to wait for it.
DEFAULT_RUN_SECONDS = 3.5


def done_line(result: RunResult) -> str:
    """The panel's "Done: ..." line, read from the finished run's fields, so the press ends in the panel rather than
    in a last trip back to :mod:`helpers.engine.results`; the words are :meth:`RunResult.summary`'s (a test holds
    them equal)."""
    return f"{len(result.tasks)} tasks, {result.label}: {result.elapsed:.2f} s ({result.status})"


def parallel_lanes(mode: str, workers: int, cores: int | None = None, *, releases_gil: bool = False) -> int:
    """How many tasks of CPU work can run at the same moment: 1 on the GIL's threads (unless the work lets go of
    the GIL, ``releases_gil``), else workers up to the cores."""
    from ..engine.config import gil_enabled

    cores = usable_cores() if cores is None else cores
    if mode == "sequential" or (mode == "threads" and gil_enabled() and not releases_gil):
        return 1
    return max(1, min(workers, cores))


def seconds_per_unit_here(kind: TaskKind) -> float:
    """Seconds one unit of ``kind`` takes in this kernel: one task of a small size is timed, doubled until 30 ms."""
    import time

    if kind.seconds_per_unit is None:
        return 1.0
    probe = max(1, int(0.005 / kind.seconds_per_unit))
    while True:
        start = time.perf_counter()
        kind.worker(probe)
        took = time.perf_counter() - start
        if took >= 0.03 or probe * 2 > kind.largest:
            return took / probe
        probe *= 2


def sized_for(task: str | TaskKind, tasks: int, workers: int, mode: str, *,
              seconds_wanted: float = DEFAULT_RUN_SECONDS, cores: int | None = None,
              per_unit: float | None = None) -> float:
    """A task size that makes ``tasks`` tasks of ``task`` on ``workers`` ``mode`` last about ``seconds_wanted``.

    Sized from what this kernel measured: ``per_unit``, the seconds one unit took earlier in the notebook, or else a
    probe timed now (:func:`seconds_per_unit_here`), so a fast laptop and a busy Binder both get a run they can
    watch. Waits are sized in seconds directly. The size stays within the kind's limit and
    :data:`MAX_SEQUENTIAL_SECONDS` one after another. ``$COURSE_PANEL_SECONDS`` caps ``seconds_wanted`` (the
    handouts set 1 s: nobody watches a printed chart grow; :func:`helpers.engine.config.panel_seconds`).
    """
    kind = task_kind(task)
    seconds_wanted = panel_seconds(seconds_wanted)
    rounds = -(-tasks // parallel_lanes(mode, workers, cores, releases_gil=kind.releases_gil))
    if kind.seconds_per_unit is None:
        return min(kind.largest, seconds_wanted / rounds)
    if per_unit is None:
        per_unit = seconds_per_unit_here(kind)
    elif not per_unit > 0:
        raise ValueError(f"per_unit must be a positive number of seconds, not {per_unit!r}.")
    size = seconds_wanted / rounds / per_unit
    size = min(size, kind.largest, MAX_SEQUENTIAL_SECONDS * 0.9 / tasks / per_unit)
    return float(max(1, int(float(f"{size:.2g}"))))  # two figures: a size a learner can read and retype


def slider_reach(cores: int | None = None) -> int:
    """The Workers slider's last value: twice the usable cores, at least 8, never past what a run allows."""
    cores = usable_cores() if cores is None else cores
    return min(max(8, 2 * cores), max(MAX_THREADS, max_processes()))


def offered_task_kinds() -> dict[str, TaskKind]:
    """Every task kind a panel can be given by name: the built-in ones and those the subjects export."""
    from .. import fetching, gil_release

    kinds = dict(TASK_KINDS)
    for kind in (*gil_release.task_kinds(), *fetching.task_kinds()):
        kinds[kind.name] = kind
    return kinds


def task_kind(task: str | TaskKind) -> TaskKind:
    """``task`` itself when it is a :class:`TaskKind`, else the offered kind of that name (``ValueError`` if none)."""
    if isinstance(task, TaskKind):
        return task
    kinds = TASK_KINDS if task in TASK_KINDS else offered_task_kinds()
    if task not in kinds:
        raise ValueError(f"task={task!r} is not one of {', '.join(kinds)}.")
    return kinds[task]


def check_workload(task: str | TaskKind, count: Any, size: Any) -> None:
    """Raise ``ValueError`` with a learner-readable message unless the workload is sensible (at most
    :data:`MAX_SEQUENTIAL_SECONDS` one task after another)."""
    validate.check_workload(task_kind(task), count, size, MAX_SEQUENTIAL_SECONDS)


class LivePanel(ShownPanel):
    """Widgets to set up a run, a Run button, and a chart that updates during the run.

    ``task``: ``"wait"`` (each task sleeps ``size`` seconds) or ``"compute"`` (each task sums
    ``size`` squares). Every finished run is added to the "elapsed vs workers" chart on the
    right, so trying 1, 2, 4, 8 workers draws the curve. ``results`` keeps every
    :class:`~helpers.engine.results.RunResult`. Nothing runs until :meth:`run` or the button.
    Without a ``size``, a computing task is sized in this kernel (:func:`sized_for`) so that the panel's
    own ``mode`` and ``workers`` take about ``lasting`` seconds here: long enough to watch the chart grow
    (``per_unit``: seconds one unit took when the notebook measured it earlier; else a short probe).
    """

    def __init__(self, task: str | TaskKind = "wait", *, size: float | None = None, tasks: int = 4,
                 workers: int = 4, mode: str = "threads", modes: Sequence[str] | None = None,
                 start_method: str | None = None, update_interval: float = 0.2,
                 timeout: float = 120.0, lasting: float = DEFAULT_RUN_SECONDS,
                 per_unit: float | None = None) -> None:
        kind = task_kind(task)
        # Every argument checked before anything is built or sized: one clear line, no widget's TraitError.
        modes = list(available_modes() if modes is None else validate.items(modes, "modes", 8))
        for name in modes:
            check_mode(name)
        check_mode(mode)
        if mode not in modes:
            raise ValueError(f"mode={mode!r} is not one of the panel's modes ({', '.join(modes)}).")
        check_workers(workers, "threads" if mode == "sequential" else mode)
        validate.seconds(lasting, "lasting", 600)
        if size is None:  # a run of the panel's defaults lasts a few seconds on this machine (sized_for)
            if kind.seconds_per_unit is None:
                size = seconds(1.0)
            else:
                size = int(sized_for(kind, tasks, workers, mode, seconds_wanted=float(seconds(lasting)),
                                     per_unit=per_unit))
        check_workload(kind, tasks, size)
        validate.seconds(update_interval, "update_interval", 60)
        validate.seconds(timeout, "timeout", 3600)
        resolve_start_method(start_method)  # an unknown or unavailable method fails here, not mid-workshop
        self.task = kind.name
        self.kind = kind
        self.start_method = start_method
        self.update_interval = update_interval
        self.timeout = timeout
        self.results: list[RunResult] = []
        self._handle: Any = None
        self._running = False
        # Read once: a press reads the panel, the run and the chart, not the machine again (tools/run_walk.py).
        self._cores = usable_cores()

        # The slider spans what is worth trying on this machine (up to twice its cores, at least 8), so 2 and 4
        # are not squeezed at its left end; the box beside it takes any count the mode allows.
        reach = slider_reach()
        # Every mode this Python can run ("interpreters" from 3.14 on) unless the notebook chooses.
        self.mode = widgets.ToggleButtons(options=modes, value=mode)
        self.workers = widgets.IntSlider(value=min(workers, reach), min=1, max=reach, description="Workers",
                                         continuous_update=False)
        self.workers_typed = widgets.IntText(value=workers, description="or type", layout={"width": "160px"})
        self.tasks = widgets.IntText(value=tasks, description="Tasks", layout={"width": "160px"})
        self.size = widgets.FloatText(value=size, description=kind.unit.split()[0].capitalize(),
                                      layout={"width": "200px"})
        self.button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.status = widgets.HTML(value=self._note("Ready. Choose a mode and a number of workers, then press Run."))
        self.chart = widgets.Image(format="png", layout={"max_width": "66%"})
        self.history_chart = widgets.Image(format="png", layout={"max_width": "34%"})
        self.chart.add_class("course-live-timeline")
        self.history_chart.add_class("course-live-history")
        self.widget = widgets.VBox([
            widgets.HBox([widgets.Label("Mode", layout={"width": "90px"}), self.mode]),
            widgets.HBox([self.workers, self.workers_typed]),
            widgets.HBox([self.tasks, self.size, widgets.Label(kind.unit), self.button]),
            self.status, widgets.HBox([self.chart, self.history_chart]),
        ])
        self.widget.add_class("course-live-panel")
        self.workers.observe(self._slider_moved, names="value")
        self.workers_typed.observe(self._number_typed, names="value")
        self.button.on_click(self._clicked)

        self._charts = PanelCharts(self.chart, self.history_chart, self._cores)
        #: Gives each run its ``on_update``: the charts draw the result handed to them (tests wrap it).
        self._watch: Callable[[], Callable[[RunResult], None]] = self._charts.watch

    @property
    def history(self) -> list[HistoryPoint]:
        """Every finished run's mode, workers and elapsed time, as the "elapsed vs workers" chart shows them."""
        return self._charts.history

    # --- display ------------------------------------------------------------------------

    def _root(self) -> Any:
        return self.widget

    def _picture(self) -> bytes:
        # Where widgets are not (nbval, nbconvert, a handout): the last timeline beside the history.
        return side_by_side(bytes(self.chart.value), bytes(self.history_chart.value))

    def _title(self) -> str:
        return f"LivePanel task={self.task!r}"

    # --- running ------------------------------------------------------------------------

    def run(self, mode: str | None = None, workers: int | None = None, tasks: int | None = None,
            size: float | None = None) -> RunResult | None:
        """Set the widgets to the given values, display the panel, run, and return the result.

        Errors are shown in the panel (and the result, if any, returned): a cell that
        runs the panel never fails because of a bad setting or an interrupted run.
        """
        return self._run_in_cell([(self.mode, mode), (self.workers_typed, workers), (self.tasks, tasks),
                                  (self.size, size)], self._run_from_widgets)

    def _clicked(self, _button: Any) -> None:
        self._run_from_widgets()

    def _run_from_widgets(self) -> RunResult | None:
        if self._running:
            return None
        mode = self.mode.value
        count = self.tasks.value
        number = self.workers_typed.value if mode != "sequential" else 1
        kind = self.kind
        try:  # every setting checked and the run's configuration resolved, in one call, before anything starts
            plan = validate.plan_workload(kind, count, self.size.value, mode=mode, workers=number,
                                          start_method=self.start_method, timeout=self.timeout,
                                          update_interval=self.update_interval, serial_limit=MAX_SEQUENTIAL_SECONDS)
        except ValueError as exc:
            self.status.value = self._note(str(exc), "error")
            return None
        gone = kind.unavailable() if kind.unavailable is not None else None
        if gone:  # e.g. the notebook's last cells stopped the server these tasks fetch from
            self.status.value = self._note(f"Not run: {gone}", "error")
            return None
        self._running = True
        self.button.disabled = True
        # Sequential mode has no worker count to show ("on 1 sequential" read as a typo).
        how = "one after another" if mode == "sequential" else f"on {number} {mode}"
        self.status.value = self._note(f"Running {count} tasks {how}…")
        self._charts.expected = self._expected(plan)
        result: RunResult | None = None
        try:
            # The charts draw the empty axes when the run first reports, before its clock starts.
            result = run_planned(plan, self._watch())
            self.status.value = self._note(f"Done: {done_line(result)}. Change something and run again.", "ok")
        except KeyboardInterrupt as exc:
            result = getattr(exc, "result", None)
            self.status.value = self._note("Interrupted: the run was stopped and every worker process reaped. "
                                           "Press Run to try again.", "error")
        except TaskFailed as exc:  # one line, each different error once (RunResult.error_summary)
            result = exc.result
            gone = kind.unavailable() if kind.unavailable is not None else None
            self.status.value = self._note(f"{exc}" + (f" — {gone}" if gone else ""), "error")
        except Exception as exc:  # shown to the learner instead of a traceback in a log
            result = getattr(exc, "result", None)
            self.status.value = self._note(f"{type(exc).__name__}: {exc}", "error")
        finally:
            self._running = False
            self.button.disabled = False
        if result is not None:
            if result.status != "done":  # drawn already, unless the interrupt landed in the middle of a frame
                self._charts.stopped(result)
            self.results.append(result)
        return result

    def _expected(self, plan: RunPlan) -> float:
        """How long this run should take, so the time axis rarely needs to grow mid-run."""
        mode, workers, count = plan.mode, plan.workers, len(plan.items)
        for point in reversed(self.history):
            if (point.mode, point.workers) == (mode, workers):
                return point.elapsed * 1.1
        kind = self.kind
        one = (plan.serial_seconds or 0.0) / count
        if kind.seconds_per_unit is None:  # waits overlap on any number of cores
            return one * -(-count // workers) * 1.15 + (0.3 if mode == "processes" else 0.0)
        lanes = parallel_lanes(mode, workers, self._cores, releases_gil=kind.releases_gil)
        return one * -(-count // lanes) * 1.15 + (0.3 if mode in ("processes", "interpreters") else 0.0)

    # --- widgets ------------------------------------------------------------------------

    def _slider_moved(self, change: dict[str, Any]) -> None:
        typed = self.workers_typed.value
        beyond = isinstance(typed, int) and typed > self.workers.max and change["new"] == self.workers.max
        if typed != change["new"] and not beyond:  # a typed count past the slider's end stays as typed
            self.workers_typed.value = change["new"]

    def _number_typed(self, change: dict[str, Any]) -> None:
        value = change["new"]
        try:
            check_workers(value, self.mode.value if self.mode.value != "sequential" else "threads")
        except ValueError as exc:
            self.status.value = self._note(str(exc), "error")
            return
        if self.workers.value != min(value, self.workers.max):
            self.workers.value = min(value, self.workers.max)
        if not self._running:
            self.status.value = self._note(f"{value} workers. Press Run.")

    @staticmethod
    def _note(text: str, kind: str = "info") -> str:
        colour = STATUS_COLOURS[kind]
        from html import escape

        return f'<span class="course-status course-status-{kind}" style="color:{colour}">{escape(text)}</span>'

"""Does drawing the live panel distort what it measures? Its overhead, measured.

The same workload runs without and with :class:`helpers.panels.panel.LivePanel`, alternating.
For each: elapsed without / with the panel, the CPU time the drawing thread spent
drawing as a share of the run's elapsed time (what the chart takes from the run; wall
time would also count waiting for a GIL held by the workers) and frames per second.
The medians of the repeats are kept. The panel's display is replaced by a stub: no
notebook front end is needed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from ..engine.harness import RunResult, run


def panel_run(kind: str, mode: str, workers: int, tasks: int, size: float) -> tuple[float, float, float]:
    """One run with the live panel: ``(elapsed, drawing CPU seconds, frames drawn while running)``."""
    from ..panels.panel import LivePanel  # ipywidgets and matplotlib: only when this is measured

    panel = LivePanel(kind, size=size, tasks=tasks, workers=workers, mode=mode)
    spent: list[float] = []
    watch = panel._watch

    def timed_watch() -> Callable[[RunResult], None]:
        draw = watch()

        def timed_draw(result: RunResult) -> None:
            start = time.thread_time()
            draw(result)
            if result.status == "running" and result.elapsed > 0:  # the empty axes, drawn before the clock, aside
                spent.append(time.thread_time() - start)

        return timed_draw

    panel._watch = timed_watch
    with mock.patch("helpers.panels.shown.display", return_value=mock.Mock()):
        result = panel.run()
    # In a notebook the panel absorbs ■ and says so in its status line; here Ctrl-C must stop the whole
    # benchmark (exit 130), not count as a failed section that the run goes on after.
    if panel.status.value and "Interrupted" in panel.status.value:
        raise KeyboardInterrupt
    if result is None or result.status != "done":
        raise RuntimeError(f"the live panel's run did not finish: {panel.status.value}")
    return result.elapsed, sum(spent), len(spent)


def measure_panel(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """Each workload of the plan, ``plan.panel_repeats`` times without and with the panel."""
    from ..panels.panel import TASK_KINDS

    rows = []
    for kind, mode, workers, tasks, size in plan.panel_workloads:
        func = TASK_KINDS[kind].worker
        label = f"{tasks}×{kind} {size:g} on {workers} {mode}"
        plain, with_panel, shares, rates = [], [], [], []
        for _ in range(plan.panel_repeats):
            note(f"live panel: {label}, without")
            plain.append(run(func, [size] * tasks, mode=mode, workers=workers).elapsed)
            note(f"live panel: {label}, with")
            elapsed, drawing, frames = panel_run(kind, mode, workers, tasks, size)
            with_panel.append(elapsed)
            shares.append(drawing / elapsed)
            rates.append(frames / elapsed)
        p, w = statistics.median(plain), statistics.median(with_panel)
        rows.append({"workload": label, "plain": p, "panel": w, "slower": w / p - 1,
                     "drawing_share": statistics.median(shares), "frames_per_s": statistics.median(rates)})
    return {"rows": rows}

"""The notebooks' core arithmetic holds from one core to many (1, 2, 3, 64, 128 usable cores).

The cells of notebook 04 that plan runs from ``usable_cores()`` (task count, worker counts,
the threads-vs-processes comparison, the verdict, the speed-up chart, the crossover) are
executed here with the core count patched and ``helpers.run`` replaced by a fake that returns
plausible timings at once, so a 128-core machine can be tried on this one. Real runs on one
CPU are `make notebooks`' one-core pass (tools/matrix.py --cores 1).
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

import helpers
import helpers.engine.machine
from helpers import claims
from helpers.charts import plots
from helpers.engine.verdict import MachineSeen

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04_processes_for_cpu_work.ipynb"


@dataclass
class FakeRun:
    """What the notebook reads from a ``RunResult``, with timings from a simple model of ``cores`` cores."""

    mode: str
    workers: int
    elapsed: float
    results: list = field(default_factory=list)
    start_method: str = "spawn"
    tasks: list = field(default_factory=list)
    ready: dict = field(default_factory=dict)

    def summary(self) -> str:
        return f"{self.mode} on {self.workers}: {self.elapsed:.2f} s"


def fake_run(cores: int):
    def run(function, inputs, *, mode, workers=1, **_):
        work = sum(inputs) * 1e-7
        if mode == "processes":
            elapsed = work / min(workers, cores) + 0.05  # start-up
        else:
            elapsed = work  # sequential, or threads taking turns on the GIL
        return FakeRun(mode, 1 if mode == "sequential" else workers, elapsed, results=list(inputs))
    return run


def planning_cells() -> list[str]:
    """Code cells from the one that counts cores to the crossover chart, without the live panel."""
    sources = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    first = next(i for i, s in enumerate(sources) if "cores = usable_cores()" in s)
    last = next(i for i, s in enumerate(sources) if "plot_crossover(" in s)
    return [s for s in sources[first:last + 1] if "LivePanel" not in s]


def run_cells(cores: int, monkeypatch) -> tuple[dict, str]:
    monkeypatch.setattr(helpers.engine.machine, "usable_cores", lambda: cores)
    namespace = {
        "helpers": SimpleNamespace(run=fake_run(cores)),
        "usable_cores": lambda: cores,
        "compute_task": None,
        "sum_of_squares": lambda n: None,
        "time": time,
        "gil_enabled": lambda: True,
        "plot_runs": lambda *a, **k: None,
        "plot_speedup": plots.plot_speedup,  # the real chart: an axis up to 128 cores must draw
        "plot_crossover": lambda *a, **k: None,
        "claims": claims,  # the real verdicts, fed an idle machine of this many cores
        "watch_machine": lambda: contextlib.nullcontext(SimpleNamespace(
            seen=MachineSeen(usable=cores, idle_before=float(cores), idle_during=float(cores), gil=True))),
    }
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in planning_cells():
            exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    return namespace, out.getvalue()


@pytest.mark.parametrize("cores", [1, 2, 3, 64, 128])
def test_notebook_04_plans_and_compares_on_any_number_of_cores(cores, monkeypatch):
    namespace, printed = run_cells(cores, monkeypatch)
    assert 4 <= namespace["TASKS"] <= 32
    assert namespace["threads_run"].workers == namespace["processes_run"].workers == namespace["COMPARE"] >= 2
    assert namespace["COMPARE"] == max(2, min(cores, namespace["TASKS"]))
    if cores == 1:
        assert "cannot show" in printed and "one usable core" in printed and "crossover: not found" in printed
        assert "this run shows" not in printed
        assert namespace["crossover"] is None
    else:
        assert "this run shows that processes compute in parallel" in printed and "start to pay" in printed


def test_the_planning_cells_are_found():
    cells = planning_cells()
    assert any("def at(" in s for s in cells) and any("COMPARE" in s for s in cells)

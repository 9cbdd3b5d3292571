"""tools/handout_build/execution.py: a notebook executed in a fresh kernel, started again when it never
answers; the executions cache, keyed on everything a notebook's figures depend on."""

from __future__ import annotations

import shutil

import pytest

from helpers.handout import recorded_figures

from handout_build.execution import (CACHE, Execution, cached_execution, execute, execution_key,
                                     keep_execution, machine_key)
from handout_build.manifest import discover
from handout_build.shared import BuildError
from handout_build.stamp import Stamp


def test_the_execution_key_changes_with_the_notebook_the_helpers_and_the_machine(tmp_path):
    notebook, helpers_dir = tmp_path / "00_x.ipynb", tmp_path / "helpers"
    notebook.write_text('{"cells": []}')
    (helpers_dir / "engine" / "__pycache__").mkdir(parents=True)
    (helpers_dir / "engine" / "runs.py").write_text("SIZE = 1\n")
    machine = machine_key(Stamp.now().info)
    assert {"python build", "packages", "host", "processor", "start method the course uses",
            "pause scale"} <= set(machine)
    key = execution_key(notebook, machine, helpers_dir)
    (helpers_dir / "engine" / "__pycache__" / "runs.cpython-311.pyc").write_bytes(b"compiled")
    assert execution_key(notebook, machine, helpers_dir) == key  # a compiled cache is not a change
    (helpers_dir / "engine" / "runs.py").write_text("SIZE = 2\n")
    changed_helpers = execution_key(notebook, machine, helpers_dir)
    notebook.write_text('{"cells": [1]}')
    changed_notebook = execution_key(notebook, machine, helpers_dir)
    other_method = execution_key(notebook, {**machine, "start method the course uses": "spawn"}, helpers_dir)
    assert len({key, changed_helpers, changed_notebook, other_method}) == 4


def test_a_kept_execution_comes_back_only_under_its_own_key(tmp_path):
    import datetime as dt

    import nbformat

    from helpers.engine.verdict import MachineSeen

    info = discover(["08"])[0]
    out, figures_dir = tmp_path / "out", tmp_path / "out" / "logs" / "figures"
    (out / "logs").mkdir(parents=True)
    (out / "logs" / f"{info.stem}.log").write_text("kernel said hello")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    when = dt.datetime(2026, 12, 6, 11, 40, 5, tzinfo=dt.timezone.utc)
    seen = MachineSeen(usable=2, idle_before=1.9, idle_during=0.8)
    keep_execution(out, info, "key-1", Execution(nb, 9.25, when, seen), {"io_speedup": 3.9})
    assert cached_execution(out, info, "key-2", figures_dir) is None  # anything changed: run again
    shutil.rmtree(out / "logs")
    kept = cached_execution(out, info, "key-1", figures_dir)
    assert kept is not None and kept.reused and kept.nb.cells[0].source == "print(1)"
    assert (kept.seconds, kept.when, kept.seen) == (9.25, when, seen) and kept.seen.busy  # as measured then
    assert (out / "logs" / f"{info.stem}.log").read_text() == "kernel said hello"
    assert recorded_figures(figures_dir) == {"io_speedup": 3.9}  # the cheat sheet's, back in place
    (out / CACHE / f"{info.stem}.ipynb").write_text("{half a notebo")
    assert cached_execution(out, info, "key-1", figures_dir) is None  # a damaged copy: run again


class FlakyClient:
    """A NotebookClient whose first kernels never answer, as when a port was taken at start (conftest.py)."""

    failures = 0
    made = 0

    def __init__(self, nb, **kwargs):
        type(self).made += 1
        self.nb, self.kwargs = nb, kwargs

    def execute(self, **kwargs):
        if type(self).made <= type(self).failures:
            raise RuntimeError("Kernel didn't respond in 30 seconds")
        return self.nb


@pytest.mark.parametrize("failures, builds", [(0, True), (2, True), (3, False)])
def test_a_kernel_that_never_answers_is_started_again_three_times_at_most(monkeypatch, tmp_path, failures, builds):
    import nbclient

    monkeypatch.setattr(FlakyClient, "failures", failures)
    monkeypatch.setattr(FlakyClient, "made", 0)
    monkeypatch.setattr(nbclient, "NotebookClient", FlakyClient)
    info = discover()[0]
    if builds:
        nb, _, _ = execute(info, tmp_path / "log.txt")
        assert nb.cells and FlakyClient.made == failures + 1
    else:
        with pytest.raises(BuildError, match="kernel did not start.*respond in 30"):
            execute(info, tmp_path / "log.txt")
        assert FlakyClient.made == 3


def test_a_kernel_that_dies_mid_run_is_not_started_again(monkeypatch, tmp_path):
    import nbclient
    from nbclient.exceptions import DeadKernelError

    class DiesMidRun(FlakyClient):
        def execute(self, **kwargs):
            raise DeadKernelError("Kernel died")

    monkeypatch.setattr(DiesMidRun, "made", 0)
    monkeypatch.setattr(nbclient, "NotebookClient", DiesMidRun)
    with pytest.raises(DeadKernelError):
        execute(discover()[0], tmp_path / "log.txt")
    assert DiesMidRun.made == 1

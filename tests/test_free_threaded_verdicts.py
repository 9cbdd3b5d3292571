"""Every verdict of the earlier notebooks, fed what a free-threaded Python would measure.

The notebooks' verdict cells branch on what was measured. On a free-threaded build (GIL off)
CPU-bound threads scale, so these tests run each verdict cell (taken from the notebook itself)
and each verdict helper with such figures, and check that what they print is true there: no
verdict may blame a GIL that is not on, or call threads useless for computing when they scaled.
The GIL-on figures are checked too, so that a fix for one case cannot break the other.
"""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import helpers
import helpers.engine.config
from helpers import claims
from helpers.engine import machine
from helpers.advisor import recommend
from helpers.engine.verdict import MachineSeen

ROOT = Path(__file__).resolve().parent.parent


def cell_with(notebook: str, marker: str) -> str:
    """The source of the one code cell of ``notebook`` that contains ``marker``."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    found = ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and marker in "".join(c["source"])]
    assert len(found) == 1, f"{notebook}: {len(found)} cells contain {marker!r}"
    return found[0]


def run_cell(source: str, capsys, **names) -> str:
    exec(compile(source, "<verdict cell>", "exec"), dict(names))
    return capsys.readouterr().out


def run(mode: str, workers: int, elapsed: float):
    return SimpleNamespace(mode=mode, workers=workers, elapsed=elapsed)


@pytest.fixture
def free_threaded(monkeypatch):
    """This process, as a free-threaded Python with its GIL off would describe itself."""
    monkeypatch.setattr(helpers.engine.config, "gil_enabled", lambda: False)
    monkeypatch.setattr(machine, "gil_enabled", lambda: False)
    real = machine.sysconfig.get_config_var
    monkeypatch.setattr(machine.sysconfig, "get_config_var",
                        lambda name: 1 if name == "Py_GIL_DISABLED" else real(name))


@pytest.fixture
def with_gil(monkeypatch):
    """This process, as a standard build would describe itself: on 3.14t the real answer is "no GIL"."""
    monkeypatch.setattr(helpers.config, "gil_enabled", lambda: True)
    monkeypatch.setattr(machine, "gil_enabled", lambda: True)
    real = machine.sysconfig.get_config_var
    monkeypatch.setattr(machine.sysconfig, "get_config_var",
                        lambda name: 0 if name == "Py_GIL_DISABLED" else real(name))


# --- 04: threads against processes for CPU work ---------------------------------------------

VERDICT_04 = "threads_speedup = sequential.elapsed / threads_run.elapsed"


def verdict_04(capsys, gil: bool, sequential: float, threads: float, processes: float, cores: int = 2) -> str:
    seen = MachineSeen(usable=cores, idle_before=float(cores), idle_during=float(cores), gil=gil)
    return run_cell(cell_with("04_processes_for_cpu_work.ipynb", VERDICT_04), capsys,
                    sequential=run("sequential", 1, sequential), threads_run=run("threads", 2, threads),
                    processes_run=run("processes", 2, processes), cores=cores, gil_enabled=lambda: gil,
                    core_count=f"{cores} core{'s' if cores != 1 else ''}", claims=claims,
                    watch=SimpleNamespace(seen=seen))


def test_04_free_threaded_threads_that_scale_are_credited_to_the_missing_gil(capsys):
    out = verdict_04(capsys, gil=False, sequential=2.0, threads=1.05, processes=1.1)
    assert "GIL enabled: False" in out
    assert "this run shows that without a GIL, threads run Python code in parallel" in out
    assert "take turns on the GIL" not in out and "cannot show" not in out
    assert "this run shows that processes compute in parallel" in out


def test_04_free_threaded_on_one_core_does_not_blame_the_gil(capsys):
    out = verdict_04(capsys, gil=False, sequential=2.0, threads=2.0, processes=2.1, cores=1)
    assert "cannot show that without a GIL, threads run Python code in parallel" in out
    assert "take turns on the GIL" not in out
    assert "one usable core" in out


def test_04_with_the_gil_the_verdict_is_unchanged(capsys):
    out = verdict_04(capsys, gil=True, sequential=2.0, threads=2.0, processes=1.1)
    assert "this run shows that threads running Python code take turns on the GIL" in out
    assert "this run shows that processes compute in parallel" in out


def test_04_recap_says_the_gil_was_off(capsys):
    source = cell_with("04_processes_for_cpu_work.ipynb", "GIL {'on' if gil_enabled() else 'off'}")
    out = run_cell(source, capsys, work_alone=0.001, in_processes=0.01, start_up={"fork": 0.005}, TASKS=4,
                   workers=2, threads_speedup=1.9, processes_speedup=1.8, cores=2, gil_enabled=lambda: False,
                   crossover=300_000, core_count="2 cores")
    assert "threads ×1.90" in out and "GIL off" in out


# --- 08: the quick reference's own figures and the advisor ------------------------------------

SAYS_08 = 'print("What your figures say:")'


def verdict_08(capsys, thread_speedup: float, process_speedup: float = 1.8, cores: int = 2, gil: bool = True) -> str:
    seen = MachineSeen(usable=cores, idle_before=float(cores), idle_during=float(cores), gil=gil)
    return run_cell(cell_with("08_quick_reference.ipynb", SAYS_08), capsys, helpers=helpers, io_speedup=3.9,
                    thread_speedup=thread_speedup, process_speedup=process_speedup, cores=cores, procs=min(4, cores),
                    process_start=0.005, thread_start=0.0001, proxy_append=1e-4, plain_append=1e-7,
                    claims=claims, cpu_watch=SimpleNamespace(seen=seen))


def test_08_free_threaded_threads_that_scale(capsys, free_threaded):
    out = verdict_08(capsys, thread_speedup=1.9, gil=False)
    assert "4 threads: ×1.90 -> this run shows that without a GIL, threads run Python code in parallel" in out
    assert "take turns on the GIL" not in out


def test_08_free_threaded_threads_that_did_not_scale_are_not_blamed_on_a_gil(capsys, free_threaded):
    # Was false before: "threads did not speed up computing (×1.00): the GIL", with the GIL off.
    out = verdict_08(capsys, thread_speedup=1.0, process_speedup=1.0, cores=1, gil=False)
    line = next(text for text in out.splitlines() if text.startswith("4 threads"))
    assert "the GIL" not in line.replace("without a GIL", "") and "one usable core" in line


def test_08_with_the_gil_it_still_names_the_gil(capsys, with_gil):
    out = verdict_08(capsys, thread_speedup=1.0)
    assert "4 threads: ×1.00 -> this run shows that threads running Python code take turns on the GIL" in out


def test_08_measured_advice_follows_the_gil_of_this_python(capsys, free_threaded):
    source = cell_with("08_quick_reference.ipynb", "print(recommend(waiting=False, computing=True, task_seconds=0.2")
    out = run_cell(source, capsys, recommend=recommend, helpers=helpers, process_start=0.03,
                   gil_enabled=helpers.engine.config.gil_enabled)
    assert out.startswith("→ threads") and "without a GIL" in out


@pytest.mark.parametrize("job", [
    dict(waiting=False, computing=True, task_seconds=0.7, tasks=4),
    dict(waiting=False, computing=True, task_seconds=0.002, tasks=3),
    dict(waiting=True, computing=True, task_seconds=1.0, tasks=16),
    dict(waiting=True, computing=True, task_seconds=0.01, tasks=16, share_data=True),
])
def test_advisor_without_a_gil_sends_computing_to_threads_and_never_cites_the_gil(job):
    advice = recommend(**job, gil=False)
    assert advice.tool == "threads"
    assert "the GIL lets only one thread" not in advice.reason and "under the GIL" not in advice.reason
    assert "without a GIL" in advice.reason


@pytest.mark.parametrize("job", [
    dict(waiting=True, computing=False, task_seconds=1.0, tasks=3),
    dict(waiting=False, computing=False, task_seconds=1.0, tasks=3),
    dict(waiting=False, computing=True, task_seconds=1.0, tasks=1),
])
def test_advisor_answers_that_do_not_depend_on_the_gil_are_the_same(job):
    assert recommend(**job, gil=False) == recommend(**job, gil=True)


def test_advisor_default_is_the_articles_gil_world():
    assert recommend(waiting=False, computing=True, task_seconds=0.7, tasks=4).tool == "processes"
    with pytest.raises(ValueError, match="gil"):
        recommend(waiting=False, computing=True, gil="no")


# --- 07: waits overlap with or without a GIL --------------------------------------------------

def test_07_wait_verdict_does_not_depend_on_the_gil(capsys, free_threaded):
    source = cell_with("07_processes_with_threads.ipynb", "one_by_one = helpers.run(wait_task")
    out = run_cell(source, capsys, helpers=helpers, elapsed=helpers.seconds(1.0) + 0.1)
    assert "this run shows that waiting threads overlap" in out and "take turns on the GIL" not in out


# --- what every notebook shows about the machine ----------------------------------------------

def test_machine_facts_report_a_free_threaded_build_with_its_gil_off(free_threaded):
    facts = machine.machine_info()
    assert facts["free-threaded build"] is True and facts["GIL enabled"] is False


def test_08_header_reports_the_gil_state(capsys, free_threaded):
    source = cell_with("08_quick_reference.ipynb", 'print(f"{cores} usable cores, start method')
    out = run_cell(source.splitlines()[-1], capsys, helpers=helpers, cores=2, method="fork",
                   gil_enabled=helpers.engine.config.gil_enabled)
    assert "GIL enabled: False" in out


# --- 05: lost updates are reported as measured ------------------------------------------------

@pytest.mark.parametrize("kept,expected", [(400_000, "no update was lost here"),
                                           (371_234, "28,766 updates were lost here")])
def test_05_lost_update_verdict_reports_what_was_counted(capsys, free_threaded, kept, expected):
    source = cell_with("05_sharing_data.ipynb", "no update was lost here")
    out = run_cell(source.splitlines()[-1], capsys, plain_kept=kept)
    assert out.strip() == expected

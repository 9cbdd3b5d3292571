"""python -m helpers.bench: budgets judged on fabricated figures, bad input refused, a real (tiny) run, Ctrl-C.

The budgets' thresholds are checked here on made-up measurements (each must be able to
fail); whether this machine meets them is the benchmark's business, not a unit test's.
"""

from __future__ import annotations

import copy
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from ctrl_c import ctrl_c

from helpers.bench import budgets, cli, tables
from helpers.bench.crossover import crossover_size
from helpers.bench.page import draw_report
from helpers.bench.plan import make_plan

ROOT = Path(__file__).resolve().parent.parent


def build_row(free_threaded: bool, speedup: float) -> dict:
    """One build of the build row: 2 threads at ``speedup`` against 1."""
    return {"python": "3.14.7", "free_threaded": free_threaded, "gil_enabled": not free_threaded,
            "cpu": {"1": {"seconds": 0.2, "thread_cpu": [0.2]},
                    "2": {"seconds": 0.2 / speedup, "thread_cpu": [0.1, 0.1]},
                    "4": {"seconds": 0.2 / speedup, "thread_cpu": [0.05] * 4}},
            "speedups": {"1": 1.0, "2": speedup, "4": speedup}, "cpu_per_second_2": speedup,
            "one_thread": 0.23 if free_threaded else 0.2,
            "race": {"expected": 800_000, "lost": [1, 2, 3] if free_threaded else [0, 0, 0]},
            "memory_kib_per_thread": 190.0 if free_threaded else 13.0}


def fabricated() -> dict:
    """A run's JSON document with figures that meet every budget on a 4-core machine."""
    return {
        "schema": tables.SCHEMA, "started": "2026-01-01 00:00:00", "duration_s": 30.0,
        "machine": {"label": "test machine", "usable_cores": 4, "start_method": "fork",
                    "idle_cores_before": 4.0, "idle_cores_after": 3.9, "os": "Linux", "python": "3.12.0",
                    "implementation": "CPython", "free_threaded": False, "start_methods": ["fork"],
                    "cores_sentence": "usable cores = 4"},
        "plan": {"level": "quick", "methods": ["fork"]},
        "sections": {
            "waiting": {"wait": 1.0,
                        "threads": [{"count": 32, "elapsed": 1.01, "ratio": 1.01, "via": "harness"}],
                        "asyncio": [{"count": 1000, "elapsed": 1.03, "ratio": 1.03}]},
            "computing": {"tasks": 16, "task_seconds": 0.2, "task_numbers": 1, "sequential": 3.2,
                          "interpreters": "measured",
                          "runs": [],
                          "large": {"kind": "processes", "method": "fork", "workers": 4, "elapsed": 0.85,
                                    "speedup": 3.76, "efficiency": 0.94, "tasks": 8, "task_seconds": 0.4,
                                    "sequential": 3.2, "task_numbers": 1}},
            "panel": {"rows": [{"workload": "w", "plain": 1.0, "panel": 1.01, "slower": 0.01,
                                "drawing_share": 0.02, "frames_per_s": 5.0}]},
            "build": {"other_found": True, "threads": [1, 2, 4], "idle_cores_before": 4.0, "idle_cores_after": 3.9,
                      "builds": [build_row(False, 1.0), build_row(True, 1.9)]},
        },
    }


def verdict(results: dict, name: str) -> budgets.Verdict:
    return next(v for v in budgets.check_budgets(results) if v.name.startswith(name))


def test_every_budget_passes_on_good_figures():
    verdicts = budgets.check_budgets(fabricated())
    assert [v.passed for v in verdicts] == [True] * 6
    assert budgets.all_passed(verdicts)


@pytest.mark.parametrize("path, value, budget", [
    (("computing", "large", "speedup"), 3.5, "processes"),        # 3.5 < 0.9 × 4
    (("waiting", "threads", 0, "ratio"), 1.06, "32 threads"),
    (("waiting", "asyncio", 0, "ratio"), 1.11, "1000 asyncio"),
    (("panel", "rows", 0, "drawing_share"), 0.051, "live panel"),
    (("panel", "rows", 0, "frames_per_s"), 3.9, "live panel"),
])
def test_each_budget_fails_just_past_its_threshold(path, value, budget):
    results = fabricated()
    target = results["sections"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    found = verdict(results, budget)
    assert found.passed is False and found.word == "FAIL"
    assert "busy" not in found.note
    assert not budgets.all_passed(budgets.check_budgets(results))


def test_processes_budget_uses_usable_cores_and_says_when_the_machine_was_busy():
    results = fabricated()
    results["machine"]["idle_cores_before"] = 1.2
    found = verdict(results, "processes")
    assert found.passed is True and "busy" in found.note and "3.60" in found.target
    results["machine"]["idle_cores_before"] = 4.0
    assert verdict(results, "processes").note == ""
    results["sections"]["computing"]["large"]["cpu_share"] = 0.5  # the baseline itself was starved
    assert "50% of a core" in verdict(results, "processes").note


def test_a_missed_budget_on_a_busy_machine_says_so():
    results = fabricated()
    results["sections"]["panel"]["rows"][0]["frames_per_s"] = 2.0
    results["machine"]["idle_cores_after"] = 0.3
    assert "machine busy (only 0.3 of 4 cores idle)" in verdict(results, "live panel").note


def test_a_budget_whose_section_was_not_measured_neither_passes_nor_fails():
    results = fabricated()
    del results["sections"]["panel"]
    results["sections"]["waiting"]["threads"] = []
    verdicts = budgets.check_budgets(results)
    assert [v.passed for v in verdicts] == [True, None, True, None, True, True]
    assert budgets.all_passed(verdicts)


def test_a_section_that_failed_counts_as_not_measured_and_still_prints(tmp_path):
    results = fabricated()
    results["sections"]["panel"] = {"error": "ImportError: no widgets here"}
    verdicts = budgets.check_budgets(results)
    assert verdict(results, "live panel").passed is None
    assert "panel: could not be measured here — ImportError" in tables.full_text(results, verdicts)
    draw_report(results, verdicts, tmp_path / "report.png")  # failed and missing sections: empty panels
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")


def test_crossover_is_interpolated_between_the_sizes_around_it():
    assert crossover_size([10, 1000], [0.5, 2.0]) == (pytest.approx(100.0), "between")
    assert crossover_size([10, 1000], [1.2, 2.0]) == (10.0, "below")
    assert crossover_size([10, 1000], [0.2, 0.9]) == (None, "above")


def test_sizes_on_the_command_line():
    assert cli.byte_size("4096") == 4096
    assert cli.byte_size("64K") == cli.byte_size("64KiB") == 65536
    assert cli.byte_size("1.5M") == 3 << 19


def test_plans_respect_the_command_line_limits():
    plan = make_plan("quick", usable=2, max_threads=50, max_payload=100_000)
    assert plan.waiting_counts == (1, 32, 50) and max(plan.payloads) == 100_000
    assert 2 in plan.workers and plan.methods[0] == plan.course_method


@pytest.mark.parametrize("argv, message", [
    (["--bogus"], "unrecognized arguments"),
    (["--max-workers", "100000"], "--max-workers must be from 1 to"),
    (["--max-threads", "0"], "--max-threads must be from 1"),
    (["--max-payload", "10G"], "must be from 1 byte to 256 MiB"),
    (["--max-payload", "lots"], "is not a size"),
    (["--repeats", "1000"], "--repeats must be from 1 to"),
    (["--only", "waiting,nonsense"], "choose from"),
    (["--methods", "teleport"], "choose from"),
    (["--compare", "no-such-file.json"], "cannot read"),
    (["--quick", "--full"], "not allowed with"),
    (["--out", "/proc/version"], "is a file, not a folder"),
])
def test_bad_input_exits_2_with_a_message_before_anything_starts(argv, message, capsys, monkeypatch):
    monkeypatch.setattr(cli, "measure", lambda *a, **k: pytest.fail("measuring started"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_file_that_is_not_a_result_is_refused(tmp_path, capsys):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--compare", str(other)])
    assert exit_info.value.code == 2 and "is not a result" in capsys.readouterr().err


def bench(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "helpers.bench", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_smoke_run_writes_tables_json_and_report_and_compares(tmp_path):
    process = bench("--smoke", "--out", str(tmp_path))
    out, err = process.communicate(timeout=120)
    assert process.returncode in (0, 1) and "Traceback" not in err, err  # 1: a budget missed (smoke sizes, busy)
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["schema"] == tables.SCHEMA
    assert set(data["sections"]) == {"waiting", "computing", "starting", "moving", "crossover", "hashlib", "panel",
                                     "build"}
    assert data["machine"]["usable_cores"] >= 1 and data["machine"]["python"]
    # The build row's two budgets are judged only where both builds were found (3.14 beside 3.14t).
    assert len(data["budgets"]) == 6 and all(b["figure"] != "—" for b in data["budgets"][:4])
    for line in ("Waiting:", "Computing:", "Start cost", "Moving data", "Crossover", "hashlib", "Live panel",
                 "Build: the same pure-Python loop", "Budgets", "usable cores ="):
        assert line in out
    assert "\x1b[" not in out + err  # piped: no progress line
    png = (tmp_path / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000

    other = copy.deepcopy(data)
    other["machine"]["label"] = "other machine"
    other["sections"]["waiting"]["threads"][0]["ratio"] *= 2
    (tmp_path / "other.json").write_text(json.dumps(other))
    process = bench("--load", str(tmp_path / "bench.json"), "--compare", str(tmp_path / "other.json"))
    out, err = process.communicate(timeout=60)
    assert process.returncode in (0, 1) and "Traceback" not in err, err
    assert "Side by side" in out and "other machine" in out and "2.00" in out


@pytest.mark.parametrize("section, whom", [("moving", "group"), ("crossover", "parent")])
def test_ctrl_c_stops_the_run_and_leaves_no_process(section, whom, tmp_path):
    """SIGINT to the whole process group (a terminal's Ctrl-C) or to the command alone."""
    # As from a terminal: SIGINT at its default (a job that a shell put in the background inherits it ignored).
    process = bench("--quick", "--only", section, "--out", str(tmp_path), start_new_session=True,
                    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen, out, err = ctrl_c(process, whom, what="the benchmark started no process")
    assert process.returncode == 130, err
    assert "Interrupted" in err and not list(tmp_path.iterdir())
    _, alive = psutil.wait_procs(list(seen.values()), timeout=10)
    assert not alive, [" ".join(p.cmdline()) for p in alive]



def test_the_moving_section_measures_the_lessons_channels_and_leaves_nothing(monkeypatch):
    """One implementation of an echo child behind a channel: every row comes from data_transfer.EchoChannel, under
    the labels the tables, the report's colours and the budgets read; no child and no block is left."""
    from helpers import data_transfer
    from helpers.bench import moving, page
    from helpers.engine.census import live_children

    made = []
    real = data_transfer.EchoChannel

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, channel, *args):
            made.append(channel)
            super().__init__(channel, *args)

    monkeypatch.setattr(moving, "EchoChannel", Recording)
    plan = make_plan(level="smoke")
    notes: list[str] = []
    section = moving.measure_moving(plan, notes.append)
    assert made == list(data_transfer.CHANNELS) == list(moving.CHANNELS.values())
    labels = list(dict.fromkeys(r["channel"] for r in section["rows"]))
    assert labels == list(moving.CHANNELS) == list(page.CHANNEL_COLOURS)
    for row in section["rows"]:
        assert set(row) == {"channel", "bytes", "round_trip_ms", "mb_per_s", "round_trips"}
        assert row["round_trips"] >= 3 and row["round_trip_ms"] > 0
    assert "Manager" in tables.moving_table(section) and live_children() == []


def test_ctrl_c_inside_the_panels_run_stops_the_benchmark(monkeypatch):
    """The panel absorbs ■ in a notebook (its status says Interrupted); under the benchmark that Ctrl-C must
    reach main() (exit 130), not count as a failed section that the run goes on after (2 of 5 went on)."""
    from helpers.bench import panel_cost
    from helpers.panels import panel

    def interrupted_run(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while the run waits for its workers: the panel catches it

    monkeypatch.setattr(panel, "run_planned", interrupted_run)
    with pytest.raises(KeyboardInterrupt):
        panel_cost.panel_run("wait", "threads", 2, 2, 0.1)


@pytest.mark.parametrize("free_threaded,speedup,passed", [(True, 1.69, False), (True, 1.7, True),
                                                          (False, 1.11, False), (False, 1.1, True)])
def test_the_build_row_budgets_judge_two_threads_on_each_build(free_threaded, speedup, passed):
    results = fabricated()
    builds = results["sections"]["build"]["builds"]
    builds[1 if free_threaded else 0] = build_row(free_threaded, speedup)
    found = verdict(results, f"2 threads, {'free-threaded' if free_threaded else 'GIL'} build")
    assert found.passed is passed


def test_the_build_row_is_not_judged_with_one_build_only():
    results = fabricated()
    results["sections"]["build"]["other_found"] = False
    results["sections"]["build"]["builds"] = results["sections"]["build"]["builds"][:1]
    assert verdict(results, "2 threads, GIL build").passed is None
    assert "Build: the same pure-Python loop" in tables.build_table(results["sections"]["build"])


def test_a_version_1_document_is_read_but_its_changed_channels_are_never_compared_as_the_same(tmp_path):
    """Version 1's "Manager" (two manager queues) and "shared memory" (one reused block) measured other things than
    version 2's (notebook 12's manager dict, a fresh block per payload): each keeps a name of its own side by side."""
    rows = [{"channel": c, "bytes": b, "round_trip_ms": 1.0, "mb_per_s": 10.0, "round_trips": 3}
            for c in ("Queue", "Manager", "shared memory") for b in (1_000, 1_000_000)]
    new, old = fabricated(), fabricated()
    new["sections"]["moving"] = {"method": "fork", "rows": rows}
    old["sections"]["moving"] = {"method": "fork", "rows": rows}
    old["schema"] = "helpers.bench/1"
    path = tmp_path / "old.json"
    tables.write_json(old, path)
    old = tables.read_json(path)  # still read
    side_by_side = tables.compare_table(new, old)
    both = [line for line in side_by_side.splitlines() if line.startswith("Queue round trip")]
    assert len(both) == 1 and both[0].rstrip().endswith("1.00")  # Queue did not change: one row, a ratio
    for line in side_by_side.splitlines():
        if line.startswith(("Manager", "shared memory", "reused shared-memory")):
            # Only one of the two runs has it: a dash on one side, and no ratio (the last column, "1.00" style).
            assert "—" in line and not re.search(r"\d\.\d\d$", line.rstrip()), line
    assert "Manager queues (bench/1)" in side_by_side and "reused shared-memory block (bench/1)" in side_by_side
    old["schema"] = "helpers.bench/0"
    tables.write_json(old, path)
    with pytest.raises(ValueError, match="not a result"):
        tables.read_json(path)

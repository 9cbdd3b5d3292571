"""helpers.engine.verdict and helpers.claims: the right sentence for each machine, never the opposite as a fact.

Fed the figures an idle 2-core, a busy 2-core, a one-core and a free-threaded machine give, and a
control that says the machine was busy (figures as measured for notebooks 04 and 14, and the
handouts' load-6 run of issue 20).
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import claims
from helpers.engine.verdict import Figure, MachineSeen, judge, watch_machine

IDLE_2 = MachineSeen(usable=2, idle_before=1.95, idle_during=1.9, gil=True)
BUSY_2 = MachineSeen(usable=2, idle_before=0.4, idle_during=0.7, gil=True)
ONE_CORE = MachineSeen(usable=1, idle_before=0.98, idle_during=0.95, gil=True)
FREE_THREADED_2 = MachineSeen(usable=2, idle_before=1.9, idle_during=1.9, gil=False)

OPPOSITES = ["this run shows that threads running Python code run in parallel",
             "this run shows that processes do not", "took turns -> this run shows"]


def lines(verdict) -> list[str]:
    return str(verdict).splitlines()


def line_of(verdict, label: str) -> str:
    return next(text for text in lines(verdict) if text.startswith(label))


# --- 04: threads and processes on pure-Python work --------------------------------------------

def test_idle_two_cores_states_the_lesson():
    verdict = claims.cpu_work(threads_speedup=1.02, processes_speedup=1.85, workers=2, machine=IDLE_2)
    assert verdict.shown
    assert "shows that threads running Python code take turns on the GIL" in line_of(verdict, "2 threads")
    assert "shows that processes compute in parallel" in line_of(verdict, "2 processes")
    assert "idle: 1.9 of 2 cores idle" in lines(verdict)[-1] and "GIL on" in lines(verdict)[-1]


def test_busy_two_cores_as_in_the_handouts_never_says_threads_scaled():
    # Issue 20: at load 6, "threads ×1.38, processes ×0.84" was printed under "threads stay near ×1".
    verdict = claims.cpu_work(threads_speedup=1.38, processes_speedup=0.84, workers=2, machine=BUSY_2)
    assert not verdict.shown
    threads = line_of(verdict, "2 threads")
    assert "cannot show that threads running Python code take turns" in threads
    assert "more than taking turns allows" in threads and "busy (0.4 of 2 cores idle)" in threads
    processes = line_of(verdict, "2 processes")
    assert "cannot show that processes compute in parallel" in processes
    assert "busy (0.4 of 2 cores idle)" in processes and "run the cell again" in processes
    assert "busy: 0.4 of 2 cores idle" in lines(verdict)[-1]
    assert not any(bad in str(verdict) for bad in OPPOSITES)


def test_busy_but_processes_still_scaled_credits_the_threads_turns():
    # A busy machine whose processes still reached ×1.7: a second core was free, so ×1.0 is the GIL's doing.
    verdict = claims.cpu_work(threads_speedup=1.0, processes_speedup=1.7, workers=2, machine=BUSY_2)
    assert verdict.shown
    assert "busy: 0.4 of 2 cores idle" in lines(verdict)[-1]


def test_busy_and_nothing_scaled_does_not_blame_the_gil():
    verdict = claims.cpu_work(threads_speedup=1.0, processes_speedup=1.05, workers=2, machine=BUSY_2)
    threads = line_of(verdict, "2 threads")
    assert "cannot show that threads running Python code take turns" in threads
    assert "no second core was free" in threads


def test_one_core_cannot_show_either_claim():
    verdict = claims.cpu_work(threads_speedup=0.98, processes_speedup=0.9, workers=2, machine=ONE_CORE)
    assert verdict.supported == [False, False]
    for label in ("2 threads", "2 processes"):
        assert "one usable core" in line_of(verdict, label)
    assert lines(verdict)[-1].startswith("machine: one usable core")


def test_free_threaded_threads_that_scale_are_the_lesson_there():
    verdict = claims.cpu_work(threads_speedup=1.9, processes_speedup=1.8, workers=2, machine=FREE_THREADED_2)
    assert verdict.shown
    assert "shows that without a GIL, threads run Python code in parallel" in line_of(verdict, "2 threads")
    assert "took turns" not in str(verdict) and "GIL off (free-threaded)" in lines(verdict)[-1]


def test_free_threaded_threads_that_did_not_scale_are_not_called_turns_on_a_gil():
    verdict = claims.cpu_work(threads_speedup=1.0, processes_speedup=1.0, workers=2,
                               machine=MachineSeen(2, 0.3, 0.5, gil=False))
    threads = line_of(verdict, "2 threads")
    assert "cannot show that without a GIL, threads run Python code in parallel" in threads
    assert "busy" in threads and "take turns on the GIL" not in str(verdict)


def test_idle_machine_whose_processes_did_not_scale_says_why_not_the_opposite():
    verdict = claims.cpu_work(threads_speedup=1.0, processes_speedup=1.1, workers=2, machine=IDLE_2)
    processes = line_of(verdict, "2 processes")
    assert "cannot show that processes compute in parallel" in processes and "looked idle" in processes


# --- 14: C code that releases the GIL, with the Python loop as control -----------------------

HANDOUT_14 = {"sha256": 0.92, "sha256-1KiB": 1.41, "zlib": 1.0, "json": 1.02, "python": 1.0}


def test_idle_two_cores_hashing_parallel_python_and_json_take_turns():
    verdict = claims.gil_release({"sha256": 1.93, "sha256-1KiB": 1.02, "json": 1.01, "python": 1.0}, 2, IDLE_2)
    assert verdict.shown
    assert "shows that sha256 runs in parallel on threads" in line_of(verdict, "sha256 on")
    assert "shows that sha256-1KiB takes turns" in line_of(verdict, "sha256-1KiB")
    assert "control, python on 2 threads: ×1.00 -> as expected" in str(verdict)


def test_busy_machine_of_the_handouts_prints_neither_opposite():
    # Issue 20: "sha256: ×0.92 -> took turns", "sha256-1KiB: ×1.41 -> in parallel" printed as facts.
    verdict = claims.gil_release(HANDOUT_14, 2, BUSY_2)
    text = str(verdict)
    assert "cannot show that sha256 runs in parallel" in line_of(verdict, "sha256 on")
    assert "cannot show that sha256-1KiB takes turns" in line_of(verdict, "sha256-1KiB")
    assert "more than taking turns allows" in line_of(verdict, "sha256-1KiB")
    assert "shows that sha256 takes" not in text and "shows that sha256-1KiB runs" not in text
    assert "busy: 0.4 of 2 cores idle" in lines(verdict)[-1]


def test_busy_machine_as_measured_beside_two_busy_loops_states_nothing_borderline():
    # Measured here beside two spinning processes: json.dumps ×1.57 and ×0.49 on 2 threads (it can only take
    # turns), so a ×1.30 for sha256 on that machine tells nothing, nor does sha256-1KiB's ×1.07 beside it.
    verdict = claims.gil_release({"sha256": 1.30, "sha256-1KiB": 1.07, "json": 0.49, "python": 1.05}, 2, BUSY_2)
    assert verdict.supported == [False, False, False]
    assert "×1.60 or more is needed" in line_of(verdict, "sha256 on")
    assert "nothing in this run scaled" in line_of(verdict, "sha256-1KiB")
    assert "far slower than taking turns" in line_of(verdict, "json on")


def test_a_control_that_says_busy_withholds_every_claim():
    # The Python loop cannot scale with a GIL: ×1.35 for it means the one-after-another runs were slowed,
    # even though the idle-core samples looked fine.
    verdict = claims.gil_release({"sha256": 1.9, "json": 1.0, "python": 1.35}, 2, IDLE_2)
    assert verdict.supported == [False, False]
    assert "-> disturbed" in str(verdict)
    for label in ("sha256 on", "json on"):
        assert "the control (python on 2 threads) gave ×1.35" in line_of(verdict, label)


def test_free_threaded_the_python_loop_is_expected_to_scale():
    verdict = claims.gil_release({"sha256": 1.9, "json": 1.8, "python": 1.85}, 2, FREE_THREADED_2)
    assert verdict.shown and "no GIL in this build" in line_of(verdict, "json on")
    stalled = claims.gil_release({"sha256": 1.0, "python": 1.0}, 2, FREE_THREADED_2)
    assert "no second core was free" in line_of(stalled, "sha256 on")


def test_a_speedup_beyond_the_workers_is_never_called_parallel():
    # A one-after-another run starved by other programs: ×2.4 on 2 threads cannot be parallel work.
    verdict = claims.cpu_work(threads_speedup=2.42, processes_speedup=1.9, workers=2, machine=FREE_THREADED_2)
    assert "more than they can reach" in line_of(verdict, "2 threads") and not verdict.shown


# --- 15: both builds side by side, and the race ------------------------------------------------

def test_both_builds_judged_together_lets_the_free_build_show_a_free_core():
    verdict = claims.threads_on_builds([("GIL build", True, 1.0, 1.0), ("free-threaded build", False, 1.8, 1.9)],
                                       BUSY_2)
    assert verdict.shown  # the free-threaded threads scaled, so a second core was free for the GIL build's
    assert "take turns on the GIL" in line_of(verdict, "GIL build") and "1.90 CPU-seconds" in lines(verdict)[1]
    alone = claims.threads_on_builds([("GIL build", True, 1.0, 1.0)], BUSY_2)
    assert not alone.shown and "nothing in this run scaled" in str(alone)


@pytest.mark.parametrize("lost, gil, says", [([0, 5, 9], True, "lost updates in 2 of 3 trials (up to 9 of 800"),
                                             ([0, 0, 0], True, "not to any promise"),
                                             ([0], False, "the race is still there")])
def test_lost_updates_says_what_was_counted(lost, gil, says):
    assert says in claims.lost_updates(lost, 800_000, gil)


def test_one_core_14():
    verdict = claims.gil_release({"sha256": 1.0, "python": 1.0}, 2, ONE_CORE)
    assert "one usable core" in line_of(verdict, "sha256 on")


# --- crossover and waits ------------------------------------------------------------------------

SIZES = [10_000, 100_000, 1_000_000, 3_000_000]


def test_crossover_found_on_an_idle_machine():
    size, verdict = claims.crossover(SIZES, [0.001, 0.01, 0.1, 0.3], [0.02, 0.02, 0.06, 0.16], IDLE_2)
    assert size == 380_000 and "processes start to pay at about 380,000" in str(verdict)


def test_crossover_not_claimed_when_the_big_size_did_not_scale():
    size, verdict = claims.crossover(SIZES, [0.001, 0.01, 0.1, 0.3], [0.02, 0.02, 0.09, 0.28], BUSY_2)
    assert size is None and "crossover: not found" in str(verdict) and "busy" in str(verdict)


def test_waits_overlap_on_one_core():
    verdict = claims.waits_overlap(2.9, 3, machine=ONE_CORE)
    assert verdict.shown and "waiting threads overlap" in str(verdict)


# --- the figure and the watch --------------------------------------------------------------------

def test_figure_refuses_an_unknown_expectation():
    with pytest.raises(ValueError, match="expect"):
        Figure("x", 1.0, 2, "faster", "x")


def test_judge_takes_one_figure():
    assert judge(Figure("4 processes", 3.5, 4, "parallel", "they scale"), MachineSeen(4, 4.0, 4.0)).shown


def test_watch_sees_a_spinning_process_as_busy():
    # Another program's spinning, not this process's child: the watch counts this process's own tree as its
    # work, not as others'. A short-lived parent starts it and exits, so the spinner is nobody's child here.
    launcher = subprocess.run(
        [sys.executable, "-c", "import subprocess, sys; "
         "print(subprocess.Popen([sys.executable, '-c', 'while True: pass'], start_new_session=True, "
         "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)"],
        capture_output=True, text=True, timeout=60, check=True)
    spinner = int(launcher.stdout.strip())
    try:
        time.sleep(0.3)
        with watch_machine() as watch:
            time.sleep(0.6)
    finally:
        os.kill(spinner, signal.SIGKILL)
    seen = watch.seen
    assert seen.idle_before is not None and seen.idle_during is not None
    # one spinning process takes about one core from whatever this machine has
    assert seen.idle_during <= seen.usable - 0.6
    assert seen.idle_before <= seen.usable - 0.6


def test_watch_does_not_count_this_process_as_others():
    with watch_machine() as watch:
        end = time.perf_counter() + 0.6
        while time.perf_counter() < end:
            pass
    # this process spun one core: the rest of the machine is what it was (not less by one core)
    assert watch.seen.idle_during is not None
    assert watch.seen.idle_during >= min(watch.seen.idle_before, watch.seen.usable) - 0.8

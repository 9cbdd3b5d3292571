"""helpers.choose.recommendation: the answer from figures (a pure function), on idle, busy and one-core machines."""

from helpers.choose.measure import Measurement, Way
from helpers.choose.recommendation import CANNOT_TELL, SEQUENTIAL, recommend


def measurement(*, wall=1.0, cpu=1.0, queued=0.0, cores=2, idle=2.0, ways=(), result_bytes=100,
                crossing=1e-5) -> Measurement:
    m = Measurement(function="mywork:f", coroutine=False, notebook_function=False, inputs_given=4,
                    inputs_measured=4, quick=False, call_wall=wall, call_cpu=cpu, call_queued=queued,
                    argument_bytes=20, result_bytes=result_bytes, crossing_seconds=crossing,
                    machine={"python": "3.11", "implementation": "CPython", "free_threaded": False,
                             "gil_enabled": True, "cpu_count": cores, "usable_cores": cores, "idle_before": idle,
                             "idle_after": idle, "start_method": "fork", "os": "Linux"})
    m.ways.append(Way("sequential", "one after another", 1, 4 * wall, 1.0, 1.0, parallelism=cpu / wall))
    for key, workers, speedup, parallelism, startup, *others in ways:
        label = "processes (fork)" if key == "processes" else key
        m.ways.append(Way(key, label, workers, 4 * wall / speedup, speedup, speedup / min(workers, cores),
                          startup, parallelism, others[0] if others else None))
    return m


def test_waiting_work_goes_to_threads_even_on_one_busy_core():
    for cores, idle in ((2, 2.0), (1, 0.0)):
        m = measurement(wall=1.0, cpu=0.001, cores=cores, idle=idle,
                        ways=[("threads", 4, 3.9, 0.01, 0.001), ("processes", cores, cores * 0.95, 0.02, 0.02)])
        answer = recommend(m)
        assert answer.tool == "threads" and answer.kind == "waits", answer


def test_computing_work_goes_to_processes_with_the_gil_named():
    m = measurement(ways=[("threads", 4, 1.02, 1.0, 0.001), ("processes", 2, 1.9, 1.9, 0.02)])
    answer = recommend(m)
    assert answer.tool == "processes (fork)" and answer.kind == "computes"
    assert "×1.90" in answer.headline and "2 usable cores" in answer.headline
    assert any("holds the GIL" in r for r in answer.reasons)
    assert any("50 × a process start-up" in r for r in answer.reasons)


def test_c_code_that_releases_the_gil_goes_to_threads_when_close_to_processes():
    m = measurement(ways=[("threads", 4, 1.85, 1.9, 0.001), ("processes", 2, 1.95, 1.95, 0.02)])
    answer = recommend(m)
    assert answer.tool == "threads"
    assert any("lets go of the GIL" in r for r in answer.reasons) and any("simpler" in r for r in answer.reasons)


def test_a_speed_up_without_parallel_computing_is_not_a_winner_on_a_busy_machine():
    # The baseline was slowed by other programs; threads then looked ×1.4 faster on one core's worth of CPU.
    m = measurement(queued=0.6, idle=0.0, ways=[("threads", 4, 1.4, 0.3, 0.001), ("processes", 2, 1.05, 0.8, 0.03)])
    answer = recommend(m)
    assert answer.tool == CANNOT_TELL and answer.busy
    assert any("not parallel computing" in r for r in answer.reasons)


def test_computing_on_one_core_runs_one_after_another_and_says_why():
    m = measurement(cores=1, idle=1.0, ways=[("threads", 4, 1.0, 1.0, 0.001), ("processes", 1, 0.97, 1.0, 0.02)])
    answer = recommend(m)
    assert answer.tool == SEQUENTIAL
    # The verdict's own words (helpers.engine.verdict.judge), for processes and for the threads.
    assert any("processes (fork) ran it in parallel: this kernel has one usable core" in r for r in answer.reasons)
    assert any("cannot show that the function holds the GIL" in r and "one usable core" in r
               for r in answer.reasons)


def test_tiny_tasks_run_one_after_another_on_an_idle_machine():
    m = measurement(wall=50e-6, cpu=50e-6, ways=[("threads", 64, 0.8, 1.0, 0.001), ("processes", 2, 0.05, 0.4, 0.02)])
    answer = recommend(m)
    assert answer.tool == SEQUENTIAL and any("1/400 of a process start-up" in r for r in answer.reasons)


def test_crossing_that_dominates_is_named():
    m = measurement(wall=0.1, cpu=0.1, result_bytes=200_000_000, crossing=0.2,
                    ways=[("threads", 4, 1.0, 1.0, 0.001), ("processes", 2, 0.4, 0.9, 0.02)])
    answer = recommend(m)
    assert answer.tool == SEQUENTIAL and any("crossing dominates" in r for r in answer.reasons)


def test_computing_with_no_winner_on_a_busy_two_core_machine_cannot_tell():
    m = measurement(idle=0.3, ways=[("threads", 4, 1.0, 1.0, 0.001), ("processes", 2, 1.1, 1.1, 0.02)])
    assert recommend(m).tool == CANNOT_TELL


def test_ways_that_could_not_run_are_named_with_their_reason():
    m = measurement(ways=[("threads", 4, 1.0, 1.0, 0.001), ("processes", 2, 1.9, 1.9, 0.02)])
    m.ways.append(Way("interpreters", "interpreters", note="needs Python 3.14"))
    assert "interpreters: needs Python 3.14" in recommend(m).reasons


def test_a_simpler_way_that_ran_beside_other_programs_makes_the_winner_uncertain():
    # SHA-256: the threads ran while another program held a core; processes then had the machine to themselves.
    m = measurement(ways=[("threads", 4, 1.1, 1.0, 0.001, 0.9), ("processes", 2, 1.82, 1.82, 0.02, 0.1)])
    answer = recommend(m)
    assert answer.tool == CANNOT_TELL and "threads ×1.10 ran while other programs" in answer.headline
    # The same figures with the threads run on free cores: the GIL is held, processes win.
    m = measurement(ways=[("threads", 4, 1.1, 1.0, 0.001, 0.1), ("processes", 2, 1.82, 1.82, 0.02, 0.9)])
    assert recommend(m).tool == "processes (fork)"


def test_costs_rule_processes_out_whatever_the_load():
    # 200 MB results: pickling one costs more than making it; the threads ran with a free core and took turns.
    m = measurement(wall=0.1, cpu=0.1, idle=0.2, result_bytes=200_000_000, crossing=0.3,
                    ways=[("threads", 4, 0.9, 1.0, 0.001, 0.2), ("processes", 2, 0.5, 1.1, 0.02, 1.0)])
    assert recommend(m).tool == SEQUENTIAL
    # Tiny tasks: starting a process takes longer than all the calls; threads ran beside a busy core: unknown.
    m = measurement(wall=50e-6, cpu=50e-6, ways=[("threads", 64, 0.3, 1.0, 0.001, 1.0),
                                                 ("processes", 2, 0.05, 0.4, 0.02, 1.0)])
    assert recommend(m).tool == CANNOT_TELL
    m.ways[1].others_busy = 0.2  # the threads had a free core and still took turns
    assert recommend(m).tool == SEQUENTIAL


def test_a_free_threaded_build_is_not_recommended_for_waiting_and_must_beat_its_own_baseline():
    m = measurement(wall=1.0, cpu=0.001, ways=[("threads", 4, 3.9, 0.0, 0.001)])
    m.ways.append(Way("free-threaded-sequential", "one after another (3.14t)", 1, 4.0, 1.0))
    m.ways.append(Way("free-threaded-threads", "threads (3.14t)", 4, 1.0, 4.0, 1.0, 0.01, 0.0))
    answer = recommend(m)
    assert answer.tool == "threads"
    assert "threads (3.14t) ×4.00: work that waits needs no other build of Python" in answer.reasons
    assert not any("not parallel computing" in r for r in answer.reasons)
    # Computing: threads on the free-threaded build win when they beat its own baseline and keep 2 cores busy.
    m = measurement(ways=[("threads", 4, 1.0, 1.0, 0.001, 0.1), ("processes", 2, 1.5, 1.5, 0.2, 0.1)])
    m.ways.append(Way("free-threaded-sequential", "one after another (3.14t)", 1, 4.4, 0.9, parallelism=1.0))
    m.ways.append(Way("free-threaded-threads", "threads (3.14t)", 4, 2.2, 1.8, 0.9, 0.01, 1.9, 0.1))
    assert recommend(m).tool == "threads (3.14t)"


def test_a_busy_machine_as_the_verdict_sees_it_makes_choose_say_it_cannot_tell():
    from helpers.choose.recommendation import machine_seen

    # Pure-Python work: processes ×1.5 clears an idle machine's bar (×1.30 on 2 cores) but not a busy one's (×1.60).
    for idle, threads, processes in ((0.3, 1.0, 1.1), (0.3, 1.0, 1.5), (0.9, 1.3, 1.5), (0.0, 1.0, 0.6)):
        m = measurement(idle=idle, ways=[("threads", 4, threads, 1.0, 0.001), ("processes", 2, processes, 1.9, 0.02)])
        seen = machine_seen(m)
        assert seen.busy and seen.usable == 2, seen
        answer = recommend(m)
        assert answer.tool == CANNOT_TELL and answer.busy, (idle, threads, processes, answer)
        assert "the machine was busy" in answer.headline and "cannot show that" in answer.headline, answer.headline
        assert not any("this run shows that the function holds the GIL" in r for r in answer.reasons)


def test_an_idle_two_core_machine_picks_processes_for_pure_python_work():
    from helpers.choose.recommendation import holds_the_gil, machine_seen

    m = measurement(idle=2.0, ways=[("threads", 4, 1.0, 1.0, 0.001, 0.0), ("processes", 2, 1.8, 1.8, 0.02, 0.0)])
    assert not machine_seen(m).busy
    answer = recommend(m)
    assert answer.tool == "processes (fork)" and answer.kind == "computes" and not answer.busy
    assert answer.headline.startswith("processes (fork): ×1.80 against one after another on 2 usable cores")
    assert "threads ×1.00" in answer.headline
    held, line = holds_the_gil(m)
    assert held is True and "this run shows that the function holds the GIL" in line
    assert line in answer.reasons


def test_waits_faster_than_their_workers_can_make_them_cannot_tell_not_one_after_another():
    # Seen in CI on 1 pinned core at load ~30: two 0.1 s sleeps, threads ×2.33 on 2 threads (the baseline was
    # slowed), processes ×0.95. The verdict sets ×2.33 aside; that is no evidence that nothing ran in parallel.
    m = measurement(wall=0.1, cpu=0.001, cores=1, idle=0.0,
                    ways=[("threads", 2, 2.33, 0.01, 0.001, 0.9), ("processes", 1, 0.95, 0.02, 0.02, 0.9)])
    answer = recommend(m)
    assert answer.tool == CANNOT_TELL and answer.kind == "waits" and answer.busy, answer
    assert "more than they can reach" in answer.headline, answer.headline
    # On 2 cores: threads ×5.13 on 4 set aside, processes ×2.26 within reach: not a win for the slower way.
    m = measurement(wall=0.1, cpu=0.001, cores=2, idle=0.0,
                    ways=[("threads", 4, 5.13, 0.01, 0.001, 0.9), ("processes", 4, 2.26, 0.02, 0.02, 0.9)])
    answer = recommend(m)
    assert answer.tool == CANNOT_TELL and answer.busy, answer
    # Within reach, the same waits are threads' (the rule does not turn a shown overlap into "can't tell").
    m = measurement(wall=0.1, cpu=0.001, cores=1, idle=0.0,
                    ways=[("threads", 2, 1.9, 0.01, 0.001, 0.9), ("processes", 1, 0.95, 0.02, 0.02, 0.9)])
    assert recommend(m).tool == "threads"
    # Computing on one usable core stays one after another (one core cannot compute side by side, whatever a
    # slowed baseline made a way look like).
    m = measurement(cores=1, idle=0.0, ways=[("threads", 2, 1.0, 1.0, 0.001, 0.9),
                                             ("processes", 1, 1.4, 1.0, 0.02, 0.9)])
    assert recommend(m).tool == SEQUENTIAL


def test_waits_that_did_not_overlap_on_a_busy_machine_cannot_tell_on_an_idle_one_run_one_after_another():
    # Seen in CI under a heavy load: four fetches from the local server, threads ×1.04, processes ×1.12, answered
    # "one after another: no way ran in parallel", the opposite of the lesson, printed on a machine too busy to show it.
    busy = measurement(wall=0.1, cpu=0.001, queued=0.05, cores=2, idle=0.0,
                       ways=[("threads", 4, 1.04, 0.01, 0.001, 1.8), ("processes", 2, 1.12, 0.02, 0.02, 1.8)])
    answer = recommend(busy)
    assert answer.kind == "waits" and answer.busy and answer.tool == CANNOT_TELL, answer
    assert answer.headline.startswith("can't tell: no way ran in parallel (threads ×1.04"), answer.headline
    # The same figures on an idle machine: the waits really did not overlap (a lock held while waiting, say).
    idle = measurement(wall=0.1, cpu=0.001, cores=2, idle=2.0,
                       ways=[("threads", 4, 1.04, 0.01, 0.001, 0.0), ("processes", 2, 1.12, 0.02, 0.02, 0.0)])
    answer = recommend(idle)
    assert not answer.busy and answer.tool == SEQUENTIAL, answer

"""helpers.exercises.stopping: polite join first, terminate only after the grace period, return at once."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from exercise_conditions import HARD, accepted_within, hard, never_wrong, refused

from helpers.exercises.base import CANNOT_SHOW
from helpers.exercises.stopping import check_finish

# Short, for speed (the checker lengthens it if a child start-up here needs more), yet long enough
# that the worker ending by itself (after a tenth of it) ends well before the grace is over, busy
# machine or not: only then can "returned at its end" be told from "waited out the grace".
GRACE = 1.0


def finish(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.terminate()
        process.join()
    return process.exitcode


def waits_out_the_grace(process, grace):  # issue 11: passed before
    time.sleep(grace)
    process.terminate()
    process.join()
    return process.exitcode


def terminates_at_once(process, grace):
    process.terminate()
    process.join()
    return process.exitcode


def never_terminates(process, grace):
    process.join(timeout=grace)
    return process.exitcode


def join_forever(process, grace):
    process.join()
    return process.exitcode


def returns_nothing(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.terminate()
        process.join()


def waits_twice(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.join(timeout=grace)
        process.terminate()
        process.join()
    return process.exitcode


def test_the_solution_passes() -> None:
    verdict = accepted_within(lambda: check_finish(finish, grace=GRACE))  # a busy machine may leave it unshown once
    assert verdict and "as soon as it ended" in verdict.message


@pytest.mark.parametrize(("answer", "fragments"), [
    (waits_out_the_grace, ["after the worker that ends by itself had ended", "waited out the grace period"]),
    (terminates_at_once, ["stopped the worker that ends by itself", "would have ended on its own"]),
    (never_terminates, ["still alive when finish() returned"]),
    (join_forever, ["still waiting", "join() without a timeout waits forever"]),
    (returns_nothing, ["returned None", "not its exit code"]),
    (waits_twice, ["grace period"]),  # "past its …", or "still waiting" where start-up made the grace long
])
def test_wrong_answers_are_refused_by_name(answer, fragments) -> None:
    refused(check_finish(answer, grace=GRACE), *fragments)


def unwritten(process, grace):
    ...  # your code here


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "delete the line `finish = ...`"), (unwritten, "not written yet"), (0, "not int 0")])
def test_unwritten_and_non_callables(answer, fragment) -> None:
    refused(check_finish(answer), fragment)


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_finish(finish, grace=GRACE))


def test_a_worker_that_began_too_late_to_tell_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker that ends by itself begins just before the grace is over, as on a machine too busy
    # to start it: waiting out the grace then looks like returning at its end, so neither gets ✔ or ✘.
    import helpers.exercises.probes as probes
    import helpers.exercises.stopping as stopping

    real = probes.sleep_and_mark

    def late_sleep_and_mark(duration, started, ended):
        if duration < 30:
            time.sleep(0.85 * GRACE)
        real(duration, started, ended)

    monkeypatch.setattr(probes, "sleep_and_mark", late_sleep_and_mark)
    monkeypatch.setattr(stopping, "_grace_factors", lambda: (1.0, 1.0, 1.0))  # the grace the sleep above assumes
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the late worker is patched in, which only a forked child sees")
    monkeypatch.setenv("COURSE_START_METHOD", "fork")
    for answer in (finish, waits_out_the_grace):
        verdict = check_finish(answer, grace=GRACE)
        assert verdict.status == CANNOT_SHOW and "began too late to tell" in verdict.message, verdict.message


# --- issue 22 gap 5: the grace period varies; terminate() is followed by join() ---------------

def hard_coded_grace(process, grace):  # ignores grace: passed when the grace was always the same
    process.join(timeout=1.2 * GRACE)
    if process.is_alive():
        process.terminate()
        process.join()
    return process.exitcode


def terminates_then_naps(process, grace):  # no join() after terminate(): exitcode read after a nap
    process.join(timeout=grace)
    if process.is_alive():
        process.terminate()
        time.sleep(0.2)
    return process.exitcode


def test_issue22_gap5_a_hard_coded_grace_period_is_refused() -> None:
    refused(check_finish(hard_coded_grace, grace=GRACE), "grace period")


def test_issue22_gap5_terminate_and_a_nap_without_join_is_refused() -> None:
    refused(check_finish(terminates_then_naps, grace=GRACE), "never joined it afterwards")

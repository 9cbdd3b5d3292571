"""helpers.engine.validate, and bad input on the public API: one clear error before anything starts.

The property test (hypothesis) throws generated bad arguments -- NaN, the infinities, zero and negative
durations, huge numbers, bools, strings, None, lists, endless iterators -- at the functions and widgets
the notebooks use. Each call must raise ``ValueError`` or ``TypeError`` naming the argument, within a
second, with no thread or process left running.
"""

from __future__ import annotations

import itertools
import math
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import (advisor, build_workload, cluster, data_transfer, failures_state, fetching, free_threading,
                     gil_release, local_server, many_files, workers)
from helpers.engine import harness, scripts, validate
from helpers.panels import cluster_panel, panel
from helpers.engine.census import live_children

#: What each refusal may take at most: the checks themselves take microseconds; the margin is a busy machine.
REFUSED_WITHIN = 1.0

# --- the validators themselves ---------------------------------------------------------------


def test_whole_numbers():
    assert validate.whole_number(3, "n", 1, 5) == 3
    for bad in (True, 2.0, "3", None):
        with pytest.raises(TypeError, match="n must be a whole number from 1 to 5"):
            validate.whole_number(bad, "n", 1, 5)
    for bad in (0, 6, -1, 10**12):
        with pytest.raises(ValueError, match=r"n must be a whole number from 1 to 5; you gave"):
            validate.whole_number(bad, "n", 1, 5)
    with pytest.raises(ValueError):  # a wrong type is a ValueError too, for the course's older callers
        validate.whole_number("x", "n", 1)


def test_numbers_and_seconds():
    assert validate.seconds(0.5) == 0.5 and validate.seconds(0, zero=True) == 0.0
    for bad in (0, -1, math.nan, math.inf, -math.inf, 3601):
        with pytest.raises(ValueError, match="timeout must be a number above 0 and at most 3600 seconds"):
            validate.seconds(bad)
    with pytest.raises(TypeError):
        validate.seconds("1")
    assert validate.number(5, "x", 0, 10) == 5.0


def test_functions_and_bounded_items():
    assert validate.function(len) is len
    with pytest.raises(TypeError, match="without parentheses"):
        validate.function(3)
    assert validate.items(range(3), "xs", 5) == [0, 1, 2]
    started = time.perf_counter()
    with pytest.raises(ValueError, match="more than 5"):
        validate.items(itertools.count(), "xs", 5)
    assert time.perf_counter() - started < 0.1
    with pytest.raises(ValueError, match="1 to 5 items; you gave 0"):
        validate.items([], "xs", 5)
    for bad in (3, "abc", None):
        with pytest.raises(TypeError):
            validate.items(bad, "xs", 5)


# --- the public API under generated bad arguments -----------------------------------------------

BAD_DURATION = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0, -1, 0.0, 10**9, 10**12, True, False, None, "1", [1]]),
    st.floats(max_value=0), st.floats(min_value=3601), st.text(max_size=5))
BAD_COUNT = st.one_of(st.sampled_from([0, -1, 10**12, True, 2.5, math.nan, None, "3"]),
                      st.integers(max_value=0), st.integers(min_value=10**7))


def _call(target):
    calls = {
        "run timeout": lambda bad: harness.run(workers.wait_task, [0.01], timeout=bad),
        "run update_interval": lambda bad: harness.run(workers.wait_task, [0.01], update_interval=bad),
        "LivePanel update_interval": lambda bad: panel.LivePanel(update_interval=bad),
        "LivePanel timeout": lambda bad: panel.LivePanel(timeout=bad),
        "LivePanel size": lambda bad: panel.LivePanel("wait", size=bad),
        "ClusterPanel wait": lambda bad: cluster_panel.ClusterPanel(
            {"compute": 1000, "wait": bad}),
        "fetch_page": lambda bad: fetching.fetch_page("http://127.0.0.1:9/", bad),
        "fetch_one_by_one": lambda bad: fetching.fetch_one_by_one(
            ["http://127.0.0.1:9/"], timeout=bad),
        "fetch_on_threads": lambda bad: fetching.fetch_on_threads(
            ["http://127.0.0.1:9/"], timeout=bad),
        "fetch_with_asyncio": lambda bad: fetching.fetch_with_asyncio(
            ["http://127.0.0.1:9/"], timeout=bad),
        "memory_per_waiter": lambda bad: fetching.memory_per_waiter(
            "threads", 10, timeout=bad),
        "run_script": lambda bad: scripts.run_script("pass", timeout=bad),
        "gil_after_import": lambda bad: free_threading.gil_after_import(
            "json", timeout=bad),
        "local server delay": lambda bad: local_server.LocalServer(delay=bad),
        "LivePanel lasting": lambda bad: panel.LivePanel("compute", lasting=bad),
        "recommend task_seconds": lambda bad: advisor.recommend(waiting=True, computing=False, task_seconds=bad),
        "recommend process_start": lambda bad: advisor.recommend(waiting=False, computing=True, process_start=bad),
    }
    return calls[target]


DURATION_TARGETS = ["run timeout", "run update_interval", "LivePanel update_interval", "LivePanel timeout",
                    "LivePanel size", "ClusterPanel wait", "fetch_page", "fetch_one_by_one", "fetch_on_threads",
                    "fetch_with_asyncio", "memory_per_waiter", "run_script", "gil_after_import", "local server delay",
                    "LivePanel lasting", "recommend task_seconds", "recommend process_start"]


def refused_at_once(call, bad) -> None:
    threads_before = threading.active_count()
    started = time.perf_counter()
    with pytest.raises((ValueError, TypeError)) as caught:
        call(bad)
    took = time.perf_counter() - started
    assert took < REFUSED_WITHIN, f"{bad!r}: took {took:.1f} s to refuse"
    assert str(caught.value), "the error must say what is wrong"
    assert live_children() == [] and threading.active_count() <= threads_before


@pytest.mark.parametrize("target", DURATION_TARGETS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=BAD_DURATION)
def test_bad_durations_are_refused_before_anything_starts(target, bad):
    if target == "local server delay" and isinstance(bad, (int, float)) and not isinstance(bad, bool) \
            and 0 <= bad <= local_server.MAX_DELAY:
        return  # no wait at all is a valid delay for the server
    if target == "recommend task_seconds" and isinstance(bad, (int, float)) and not isinstance(bad, bool) \
            and 0 < bad <= advisor.MAX_TASK_SECONDS:
        return  # a task of up to a day is a valid job
    if target == "LivePanel size" and bad is None:
        return  # None: the task's default size
    if target == "LivePanel size" and isinstance(bad, (int, float)) and not isinstance(bad, bool) \
            and math.isfinite(bad) and 0 < bad:
        return  # a large but finite wait is refused by the panel's own one-after-another limit, also a ValueError
    refused_at_once(_call(target), bad)


@settings(max_examples=25, deadline=None)
@given(bad=BAD_COUNT)
def test_bad_counts_are_refused_before_anything_starts(bad):
    refused_at_once(lambda b: many_files.time_reading("threads", [], repeats=b), bad)
    refused_at_once(lambda b: data_transfer.measure_channel("queue", [1000], repeats=b), bad)


#: A bad whole number for every count below: below 0, far above any limit, or not an int at all.
BAD_WHOLE = st.one_of(st.sampled_from([-1, 10**12, True, False, 2.5, 3.0, math.nan, math.inf, None, "3", [2]]),
                      st.integers(max_value=-1), st.integers(min_value=10**9))

#: Counts the notebooks pass to the course's functions and widgets (notebook numbers in the comments).
COUNT_TARGETS = {
    "run workers": lambda bad: harness.run(workers.wait_task, [0.01], workers=bad),  # 00-17
    "LivePanel tasks": lambda bad: panel.LivePanel("wait", tasks=bad),  # 00, 03, 04, 10, 13, 14, 16
    "ClusterPanel tasks": lambda bad: cluster_panel.ClusterPanel({"compute": 1000, "wait": 0.1}, tasks=bad),  # 17
    "local_cluster n_workers": lambda bad: cluster.local_cluster(n_workers=bad).__enter__(),  # 17
    "page_urls count": lambda bad: fetching.page_urls("http://127.0.0.1:9/", bad),  # 13
    "lost_increments threads": lambda bad: free_threading.lost_increments(threads=bad),  # 15
    "measure_scaling threads": lambda bad: gil_release.measure_scaling("sha256", threads=bad),  # 14
    "measure_scaling megabytes": lambda bad: gil_release.measure_scaling("sha256", megabytes=bad),
    "FileHeap count": lambda bad: many_files.FileHeap(bad, 10),  # 13
    "busy_sum": lambda bad: failures_state.busy_sum(bad),  # 20
    "add_to_value times": lambda bad: failures_state.add_to_value(None, bad, True),  # 20
    "LivePanel workers": lambda bad: panel.LivePanel("wait", workers=bad),  # the constructor, not only run()
    "LivePanel processes": lambda bad: panel.LivePanel("wait", workers=bad, mode="processes"),
    "recommend tasks": lambda bad: advisor.recommend(waiting=True, computing=False, tasks=bad),  # 08
    "raise_open_file_limit": lambda bad: local_server.raise_open_file_limit(bad),  # 13
    "lost_updates threads": lambda bad: build_workload.lost_updates(threads=bad, times=10, trials=1),
    "lost_updates times": lambda bad: build_workload.lost_updates(threads=2, times=bad, trials=1),
}


BAD_NAME = st.one_of(st.sampled_from(["", "thread", "Threads", "fork", None, 1, True, ["threads"]]),
                     st.text(max_size=8).filter(lambda t: t not in ("threads", "processes", "sequential",
                                                                    "interpreters")))


@settings(max_examples=25, deadline=None)
@given(bad=BAD_NAME)
def test_bad_panel_modes_are_refused_with_a_clear_error_not_a_widget_error(bad):
    refused_at_once(lambda b: panel.LivePanel("wait", mode=b), bad)
    refused_at_once(lambda b: panel.LivePanel("wait", modes=[b]), bad)


@pytest.mark.parametrize("target", sorted(COUNT_TARGETS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=BAD_WHOLE)
def test_bad_whole_numbers_are_refused_before_anything_starts(target, bad):
    if target == "run workers" and bad is None:
        return  # None: the mode's default count
    refused_at_once(COUNT_TARGETS[target], bad)


def test_an_endless_iterator_of_tasks_is_refused_at_once():
    refused_at_once(lambda bad: harness.run(workers.wait_task, bad), itertools.count())
    refused_at_once(lambda bad: harness.run(bad, [1]), "not a function")


def test_the_panel_shows_a_nan_size_in_its_status_line_and_starts_nothing(monkeypatch):
    monkeypatch.setattr("helpers.panels.shown.display",
                        lambda *a, **k: type("Handle", (), {"update": lambda self, o: None})())
    for task, bad in (("wait", math.nan), ("compute", math.nan), ("compute", math.inf)):
        live = panel.LivePanel(task, tasks=2, workers=2)
        assert live.run(size=bad) is None
        assert "size" in live.status.value.lower()
    assert live_children() == []


# --- a run checked whole -------------------------------------------------------------------

def test_a_run_plan_holds_checked_arguments_and_the_resolved_start_method():
    import multiprocessing

    method = multiprocessing.get_all_start_methods()[-1]
    plan = validate.plan_run(workers.wait_task, iter([0.1, 0.2, 0.3]), mode="processes", workers=None,
                             start_method=method, timeout=5, update_interval=0.1)
    assert plan.items == [0.1, 0.2, 0.3] and plan.workers == 3 and plan.start_method == method
    assert plan.context.get_start_method() == method and plan.timeout == 5.0 and plan.serial_seconds is None
    threads = validate.plan_run(workers.wait_task, [0.1], mode="threads", workers=2, start_method="teleport",
                                timeout=5, update_interval=0.1)
    assert threads.start_method is None and threads.context is None  # only processes read the method
    with pytest.raises(AttributeError):
        plan.workers = 4  # frozen: what was checked stays checked
    for bad, message in [({"mode": "fibres"}, "mode="), ({"workers": 0}, "The number of threads"),
                         ({"timeout": math.nan}, "timeout"), ({"update_interval": -1}, "update_interval")]:
        arguments = {"mode": "threads", "workers": 2, "start_method": None, "timeout": 5, "update_interval": 0.1}
        with pytest.raises(ValueError, match=message):
            validate.plan_run(workers.wait_task, [0.1], **{**arguments, **bad})


def test_a_panel_workload_is_checked_workers_first_then_its_tasks_and_sized_as_it_runs():
    from helpers.workers import COMPUTE

    arguments = {"mode": "threads", "start_method": None, "timeout": 5, "update_interval": 0.1, "serial_limit": 60}
    plan = validate.plan_workload(COMPUTE, 3, 2000.0, workers=2, **arguments)
    assert plan.items == [2000, 2000, 2000] and all(type(x) is int for x in plan.items)
    assert plan.func is COMPUTE.worker and plan.serial_seconds == pytest.approx(3 * COMPUTE.one_task_seconds(2000))
    with pytest.raises(ValueError, match="The number of threads"):  # both wrong: the workers are named first
        validate.plan_workload(COMPUTE, 0, math.nan, workers=0, **arguments)
    with pytest.raises(ValueError, match="Task size"):
        validate.plan_workload(COMPUTE, 3, math.inf, workers=2, **arguments)
    with pytest.raises(ValueError, match="keep it under 60 s"):
        validate.plan_workload(workers.WAIT, 100, 5, workers=2, **arguments)

"""helpers.failures_processes: what cannot be pickled, settings by initializer, pool chunk sizes, map's intake."""

from __future__ import annotations

import concurrent.futures as cf

import pytest

from helpers.executors import process_context
from helpers.failures_processes import (NeedsTwoArguments, SETTINGS, configure, forget_settings, has_buffersize,
                                        measure_chunking, measure_map_intake, pause_then_pid, pool_default_chunksize,
                                        raise_unpicklable, read_setting, return_generator, try_pickling)


def test_everything_but_plain_data_is_refused_by_pickle():
    outcomes = {outcome.what: outcome for outcome in try_pickling()}
    plain = [what for what in outcomes if "for contrast" in what]
    assert len(plain) == 1 and outcomes[plain[0]].error == ""
    assert all(outcome.error for what, outcome in outcomes.items() if what not in plain)


def test_the_unpicklable_exception_breaks_a_process_pool():
    with pytest.raises(NeedsTwoArguments):
        raise_unpicklable("a.txt")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=process_context()) as pool:
        with pytest.raises(cf.process.BrokenProcessPool):
            pool.submit(raise_unpicklable, "a.txt").result(timeout=60)
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=process_context()) as pool:
        with pytest.raises(TypeError, match="generator"):
            pool.submit(return_generator, 3).result(timeout=60)


def test_settings_reach_workers_only_through_the_initializer():
    settings = {"model": "m1"}
    context = process_context("spawn")
    try:
        configure(settings)
        assert read_setting("model").value == "m1" and read_setting("model").configured_here
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            assert pool.submit(read_setting, "model").result(timeout=60).value is None
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=configure,
                                    initargs=(settings,)) as pool:
            seen = pool.submit(read_setting, "model").result(timeout=60)
        assert seen.value == "m1" and seen.configured == 1 and seen.configured_here
    finally:
        forget_settings()
    assert not SETTINGS


@pytest.mark.parametrize("bad", [None, ["model"], {1: "x"}])
def test_configure_refuses_what_is_not_a_dict_of_str(bad):
    with pytest.raises(TypeError, match="settings must be a dict"):
        configure(bad)


def test_bad_input_is_refused_before_anything_starts():
    with pytest.raises(TypeError, match="key must be a str"):
        read_setting(3)
    with pytest.raises(ValueError, match="pause"):
        pause_then_pid(-1)
    with pytest.raises(ValueError, match="tasks"):
        measure_chunking(0, 2, process_context())
    with pytest.raises(ValueError, match="workers"):
        measure_chunking(10, True, process_context())
    with pytest.raises(ValueError, match="size"):
        measure_map_intake(10, 0, 2, process_context())
    if not has_buffersize():
        with pytest.raises(ValueError, match="3.14"):
            measure_map_intake(10, 10, 2, process_context(), buffersize=2)


@pytest.mark.parametrize("tasks, workers, expected", [(4000, 2, 500), (10, 4, 1), (1, 1, 1), (17, 2, 3)])
def test_pool_default_chunksize_follows_cpython(tasks, workers, expected):
    assert pool_default_chunksize(tasks, workers) == expected


def test_pool_default_chunksize_matches_what_pool_computes():
    import inspect
    import multiprocessing.pool as mp_pool

    assert "len(self._pool) * 4" in inspect.getsource(mp_pool.Pool._map_async)


def test_measure_chunking_times_three_runs():
    runs = measure_chunking(200, 2, process_context())
    assert [run.chunksize for run in runs] == [25, 1, 25]
    assert all(run.seconds > 0 for run in runs)


def test_map_draws_the_whole_input_before_the_first_result():
    intake = measure_map_intake(20, 10_000, 2, process_context())
    assert len(intake.drawn) == 20 and len(intake.returned) == 20
    assert sum(t < intake.returned[0] for t in intake.drawn) == 20
    assert intake.peak_bytes >= 20 * 10_000 * 0.9


@pytest.mark.skipif(not has_buffersize(), reason="map(buffersize=) is new in Python 3.14")
def test_buffersize_bounds_the_intake():
    intake = measure_map_intake(40, 10_000, 2, process_context(), buffersize=2)
    assert sum(t < intake.returned[0] for t in intake.drawn) <= 4

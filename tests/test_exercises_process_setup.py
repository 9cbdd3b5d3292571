"""The initializer checker: workers started fresh must each be configured once, by the pool's initializer."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing

import pytest

from helpers.exercises.process_setup import check_initializer
from helpers.failures_processes import SETTINGS, configure, read_setting

from exercise_conditions import HARD, accepted_within, hard, refused


def solution(settings, keys, context):
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=context,
                                initializer=configure, initargs=(settings,)) as pool:
        return list(pool.map(read_setting, keys))


def configured_in_the_kernel(settings, keys, context):
    configure(settings)  # sets this process's copy only
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        return list(pool.map(read_setting, keys))


def forked_from_the_kernel(settings, keys, context):
    configure(settings)
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(read_setting, keys))


def configure_as_a_task(settings, keys, context):
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        pool.submit(configure, settings).result()  # runs in one worker only, once
        return list(pool.map(read_setting, keys))


def one_worker(settings, keys, context):
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=context,
                                initializer=configure, initargs=(settings,)) as pool:
        return list(pool.map(read_setting, keys))


def values_made_here(settings, keys, context):
    return [read_setting(key)._replace(value=settings[key]) for key in keys]


def test_solution_passes(capsys):
    verdict = accepted_within(lambda: check_initializer(solution))
    assert verdict, verdict.message
    assert not SETTINGS, "the checker must leave this process's settings empty"


@pytest.mark.parametrize("condition", HARD)
def test_solution_is_never_refused_on_a_hard_machine(condition, monkeypatch):
    with hard(condition, monkeypatch):
        accepted_within(lambda: check_initializer(solution))


def test_setting_the_global_in_the_kernel_is_refused():
    refused(check_initializer(configured_in_the_kernel), "read as None", "configure() ran in this kernel")
    assert not SETTINGS


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="fork is POSIX-only")
def test_a_copy_made_by_fork_is_refused():
    refused(check_initializer(forked_from_the_kernel), "copied from this kernel by fork")


def test_configure_sent_as_a_task_is_refused():
    verdict = check_initializer(configure_as_a_task)
    # One worker was configured (by the task), the other not: a key read there is None.
    refused(verdict, "read as None")


def test_one_worker_is_refused():
    refused(check_initializer(one_worker), "only 1 worker")


def test_results_made_in_this_process_are_refused():
    refused(check_initializer(values_made_here), "ran in this kernel")


def test_unanswered_and_not_callable():
    refused(check_initializer(...), "still `...`")
    refused(check_initializer(None), "needs the function")

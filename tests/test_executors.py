"""helpers.executors: the tasks run where they say, bad input is refused, the version facts hold."""

import os
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from helpers import executors


def test_checked_square_reports_its_worker_and_refuses_negatives():
    done = executors.checked_square(4)
    assert done.value == 16 and done.pid == os.getpid()
    with pytest.raises(ValueError, match="negative"):
        executors.checked_square(-2)


@pytest.mark.parametrize("pause", [-1, 61, "1", True])
def test_bad_pauses_are_refused(pause):
    with pytest.raises(ValueError, match="pause"):
        executors.slow_square(1, pause)


def test_die_refuses_to_run_outside_a_child():
    with pytest.raises(RuntimeError, match="child process"):
        executors.die()


def test_a_dying_worker_breaks_the_pool_instead_of_hanging():
    with ProcessPoolExecutor(max_workers=1, mp_context=executors.process_context("spawn")) as pool:
        future = pool.submit(executors.die, 3)
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=30)


def test_default_max_workers_match_what_the_pools_do():
    expected = executors.default_max_workers()
    with ThreadPoolExecutor() as pool:
        assert pool._max_workers == expected["ThreadPoolExecutor"]
    with ProcessPoolExecutor(mp_context=executors.process_context("spawn")) as pool:
        assert pool._max_workers == expected["ProcessPoolExecutor"]


def test_terminate_workers_is_there_from_3_14():
    assert executors.has_terminate_workers() == (sys.version_info >= (3, 14))


def test_noted_square_notes_that_it_began_even_when_it_raises(tmp_path):
    from helpers.executors import noted_square, ran_in

    assert noted_square(3, str(tmp_path), pause=0) == 9
    with pytest.raises(ValueError, match="negative input: -2"):
        noted_square(-2, str(tmp_path), pause=0)
    assert ran_in(str(tmp_path)) == [-2, 3]
    with pytest.raises(FileExistsError):  # a task that ran twice would be a bug of the demo: it says so
        noted_square(3, str(tmp_path), pause=0)

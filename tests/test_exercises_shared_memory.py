"""The checker of notebook 12's exercise: the solution passes, each typical mistake fails with its name."""

from __future__ import annotations

import multiprocessing
import os
import zlib
from multiprocessing import shared_memory

import pytest

from helpers.engine.census import live_children
from helpers.data_transfer import checksum_shared_block
from helpers.exercises.shared_memory import check_shared_memory


def solution(data, context=multiprocessing):
    block = shared_memory.SharedMemory(create=True, size=len(data))
    try:
        block.buf[:len(data)] = data
        results = context.Queue()
        child = context.Process(target=checksum_shared_block, args=(block.name, len(data), results))
        child.start()
        report = results.get(timeout=60)
        child.join()
        return report
    finally:
        block.close()
        block.unlink()


def forgets_unlink(data):
    block = shared_memory.SharedMemory(create=True, size=len(data))
    block.buf[:len(data)] = data
    results = multiprocessing.Queue()
    child = multiprocessing.Process(target=checksum_shared_block, args=(block.name, len(data), results))
    child.start()
    report = results.get(timeout=30)
    child.join()
    block.close()
    return report


def made_up(data):
    return zlib.crc32(data), "psm_fake", os.getpid() + 1, "0" * 64


def copies_too_late(data):  # the child reads the block before the data is in it
    block = shared_memory.SharedMemory(create=True, size=len(data))
    try:
        results = multiprocessing.Queue()
        child = multiprocessing.Process(target=checksum_shared_block, args=(block.name, len(data), results))
        child.start()
        report = results.get(timeout=30)
        block.buf[:len(data)] = data
        child.join()
        return report
    finally:
        block.close()
        block.unlink()


def test_the_solution_passes():
    assert check_shared_memory(solution)


@pytest.mark.parametrize("wrong, words", [
    (forgets_unlink, "never unlinked"),
    (made_up, "not made by checksum_shared_block"),
    (copies_too_late, "checksum does not match"),
    (lambda data: data, "not the (checksum, name, pid, proof) tuple"),
    (lambda data: 1 / 0, "raised ZeroDivisionError"),
])
def test_wrong_answers_fail_with_their_mistake_named(wrong, words, capsys):
    verdict = check_shared_memory(wrong)
    assert not verdict and words in verdict.message
    assert live_children() == []


def test_the_forgotten_block_is_removed_by_the_checker():
    before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    check_shared_memory(forgets_unlink)
    after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    assert not {b for b in after - before if b.startswith("psm_")}


def test_not_answered_and_not_callable():
    assert "Not answered" in check_shared_memory(...).message
    assert "not int" in check_shared_memory(3).message


def test_the_solution_passes_under_spawn():
    context = multiprocessing.get_context("spawn")
    assert check_shared_memory(lambda data: solution(data, context))


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_the_solution_passes_on_one_cpu():
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    try:
        assert check_shared_memory(solution)
    finally:
        os.sched_setaffinity(0, allowed)


def never_joins(data):  # issue 22 gap 2: the child ends by itself right after its report; nobody joins it
    import multiprocessing
    import threading
    from multiprocessing import shared_memory

    from helpers.engine.config import resolve_start_method
    from helpers.data_transfer import checksum_shared_block

    context = multiprocessing.get_context(resolve_start_method())
    block = shared_memory.SharedMemory(create=True, size=len(data))
    try:
        block.buf[:len(data)] = data
        results = context.Queue()
        child = context.Process(target=checksum_shared_block, args=(block.name, len(data), results))
        child.start()
        report = results.get(timeout=30)
        threading.Event().wait(0.3)  # the child has ended by now, unjoined
        return report
    finally:
        block.close()
        block.unlink()


def test_issue22_gap2_a_child_never_joined_is_left_behind_even_when_it_ended():
    verdict = check_shared_memory(never_joins)
    assert not verdict and "never joined" in verdict.message, verdict.message


def test_a_share_that_never_returns_is_stopped_in_bounded_time(capsys, monkeypatch):
    """A child that never reports, and a get() without a timeout: stopped, the child ended, the block unlinked."""
    import time

    from exercise_conditions import stopped_in_time

    def share(data):
        block = shared_memory.SharedMemory(create=True, size=len(data))
        try:
            child = multiprocessing.Process(target=time.sleep, args=(3600,))
            child.start()
            return multiprocessing.Queue().get()  # nobody ever puts anything
        finally:
            block.close()
            block.unlink()

    before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    stopped_in_time(lambda: check_shared_memory(share), capsys, monkeypatch)
    after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    assert not {n for n in after - before if n.startswith("psm_")}, "the block was left in /dev/shm"

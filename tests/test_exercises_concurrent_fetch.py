"""The checker of notebook 13's exercise: concurrency is read from the server's own counters."""

from __future__ import annotations

import asyncio
import os
import urllib.request

import aiohttp
import pytest

from helpers.engine.census import live_children
from helpers.exercises.concurrent_fetch import check_concurrent_fetch


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.25")


async def gather_with_limit(urls, limit: int | None):
    """Every URL at once through one session, with aiohttp's connection limit (None: its default, 100)."""
    connector = aiohttp.TCPConnector() if limit is None else aiohttp.TCPConnector(limit=limit)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(url):
            async with session.get(url) as reply:
                return await reply.text()
        return await asyncio.gather(*(one(url) for url in urls))


async def solution(urls):
    return await gather_with_limit(urls, 0)


async def one_at_a_time(urls):
    pages = []
    async with aiohttp.ClientSession() as session:
        for url in urls:
            async with session.get(url) as reply:
                pages.append(await reply.text())
    return pages


async def blocking_inside(urls):
    pages = []
    for url in urls:
        with urllib.request.urlopen(url) as reply:
            pages.append(reply.read().decode())
    return pages


async def through_to_thread(urls):
    def get(url):
        with urllib.request.urlopen(url) as reply:
            return reply.read().decode()
    return await asyncio.gather(*(asyncio.to_thread(get, url) for url in urls))


async def default_connection_limit(urls):
    return await gather_with_limit(urls, None)


async def made_up(urls):
    return [f"page /page/{i} after 0 s\n" for i in range(len(urls))]


async def shuffled(urls):
    return list(reversed(await solution(urls)))


def test_the_solution_passes():
    assert check_concurrent_fetch(solution)
    assert live_children() == []


@pytest.mark.parametrize("wrong, words", [
    (one_at_a_time, "at most 1 requests waiting at once (one at a time"),
    (blocking_inside, "at most 1 requests waiting at once (one at a time"),
    (through_to_thread, "a thread pool"),
    (default_connection_limit, "100 at a time"),
    (made_up, "answered only 0"),
    (shuffled, "order"),
])
def test_wrong_answers_fail_with_their_mistake_named(wrong, words):
    verdict = check_concurrent_fetch(wrong)
    assert not verdict and words in verdict.message, verdict.message
    assert live_children() == []


def test_not_answered_not_callable_and_not_async():
    assert "Not answered" in check_concurrent_fetch(...).message
    assert "not int" in check_concurrent_fetch(5).message
    assert "async def" in check_concurrent_fetch(lambda urls: []).message


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_the_solution_passes_on_one_cpu():
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    try:
        assert check_concurrent_fetch(solution)
    finally:
        os.sched_setaffinity(0, allowed)


def test_the_solution_passes_with_a_spawned_server(monkeypatch):
    monkeypatch.setenv("COURSE_START_METHOD", "spawn")
    assert check_concurrent_fetch(solution)


CALLS: list[int] = []


async def slowed_the_first_time(urls):
    # The first run sends only 120 requests at a time, as a busy machine may when each wait is short.
    CALLS.append(1)
    return await gather_with_limit(urls, 120 if len(CALLS) == 1 else 0)


async def capped_at_120(urls):
    return await gather_with_limit(urls, 120)


def test_a_run_short_of_all_at_once_is_run_again_with_longer_waits():
    CALLS.clear()
    verdict = check_concurrent_fetch(slowed_the_first_time)
    assert verdict and "at most 120 in a first run" in verdict.message, verdict.message
    verdict = check_concurrent_fetch(capped_at_120)
    assert not verdict and "at most 120 of the 150" in verdict.message and "a connection limit" in verdict.message
    assert live_children() == []


# --- issue 22 gap 5/7: 150 threads blocking are not 150 coroutines ------------------------------

async def a_thread_per_request(urls):
    from concurrent.futures import ThreadPoolExecutor

    def get(url):
        with urllib.request.urlopen(url) as reply:
            return reply.read().decode()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return await asyncio.gather(*(loop.run_in_executor(pool, get, url) for url in urls))


def test_issue22_gap5_a_thread_per_request_is_counted_and_refused():
    verdict = check_concurrent_fetch(a_thread_per_request)
    assert not verdict and verdict.message.startswith("✘"), verdict.message
    assert "threads to do it" in verdict.message and "in all, on" not in verdict.message, verdict.message


def test_issue22_gap7_the_right_answer_says_what_was_seen():
    verdict = check_concurrent_fetch(solution)
    assert verdict and "on the event loop's one thread" in verdict.message, verdict.message

"""The limited-fetch checker: a semaphore's limit, kept and used, results in order, no batches."""

from __future__ import annotations

import asyncio

import pytest

from helpers.exercises.async_limits import check_limited_fetch
from helpers.failures_state import fetch

from exercise_conditions import HARD, accepted_within, hard, refused


async def solution(pages, limit):
    places = asyncio.Semaphore(limit)

    async def one(page):
        async with places:
            return await fetch(page)

    return list(await asyncio.gather(*(one(page) for page in pages)))


async def unlimited(pages, limit):
    return list(await asyncio.gather(*(fetch(page) for page in pages)))


async def one_at_a_time(pages, limit):
    return [await fetch(page) for page in pages]


async def limit_written_in(pages, limit):
    return await solution(pages, 3)


async def in_batches(pages, limit):
    results = []
    for i in range(0, len(pages), limit):
        results += await asyncio.gather(*(fetch(page) for page in pages[i:i + limit]))
    return results


async def in_finishing_order(pages, limit):
    places, results = asyncio.Semaphore(limit), []

    async def one(page):
        async with places:
            results.append(await fetch(page))

    await asyncio.gather(*(one(page) for page in pages))
    return results


async def made_up(pages, limit):
    return [f"page {page}" for page in pages]


async def never_ends(pages, limit):
    await asyncio.sleep(60)


def not_a_coroutine(pages, limit):
    return []


def test_solution_passes(capsys):
    verdict = accepted_within(lambda: check_limited_fetch(solution))
    assert verdict, verdict.message


@pytest.mark.parametrize("condition", HARD)
def test_solution_is_never_refused_on_a_hard_machine(condition, monkeypatch):
    with hard(condition, monkeypatch):
        accepted_within(lambda: check_limited_fetch(solution))


@pytest.mark.parametrize("answer, fragments", [
    (unlimited, ["ran at the same moment"]),
    (one_at_a_time, ["one at a time"]),
    (limit_written_in, ["fewer than allowed"]),
    (in_batches, ["in batches"]),
    (in_finishing_order, ["another order"]),
    (made_up, ["did not return the result of fetch"]),
    (not_a_coroutine, ["async def"]),
], ids=lambda value: getattr(value, "__name__", ""))
def test_wrong_answers_are_refused(answer, fragments):
    refused(check_limited_fetch(answer), *fragments)


def test_an_answer_that_never_ends_is_cancelled():
    refused(check_limited_fetch(never_ends, timeout=1.0), "did not finish within 1 s")


def test_unanswered():
    refused(check_limited_fetch(...), "still `...`")

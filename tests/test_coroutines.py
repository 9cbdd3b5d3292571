"""A coroutine run from plain code (helpers/engine/coroutines.py)."""

from __future__ import annotations

import asyncio

import pytest

from helpers.engine.coroutines import run_coroutine


def test_run_coroutine_works_inside_a_running_loop():
    async def inner():
        await asyncio.sleep(0.01)
        return 42

    async def outer():  # like a Jupyter cell: a loop already runs in this thread
        return run_coroutine(inner())

    assert asyncio.run(outer()) == 42
    assert run_coroutine(inner()) == 42
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        run_coroutine(asyncio.sleep(5), timeout=0.1)

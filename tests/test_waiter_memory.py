"""What a waiting thread and a waiting task cost (helpers/waiter_memory.py)."""

from __future__ import annotations

import pytest

from helpers import waiter_memory


def test_a_waiting_thread_costs_more_memory_than_a_waiting_task():
    threads = waiter_memory.memory_per_waiter("threads", 300)
    tasks = waiter_memory.memory_per_waiter("tasks", 300)
    assert threads["count"] == tasks["count"] == 300
    assert threads["traced_each"] > tasks["traced_each"]  # Python's own allocations: deterministic enough
    with pytest.raises(ValueError):
        waiter_memory.memory_per_waiter("fibers", 10)
    with pytest.raises(ValueError):
        waiter_memory.memory_per_waiter("threads", 0)

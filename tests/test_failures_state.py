"""helpers.failures_state: the fetch counter, the loop's stalls, context variables, Value and shared memory."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextvars
import queue
import sys
import threading

import pytest

from helpers.executors import process_context
from helpers.failures_state import (IN_FLIGHT, REQUEST_ID, add_to_value, block_the_loop_in_debug_mode, busy_sum,
                                    current_request_id, double_shared_floats, fetch, remember_in_local,
                                    take_until_shutdown)


def test_fetch_counts_how_many_run_at_once():
    IN_FLIGHT.reset(" #1")

    async def main():
        return await asyncio.gather(*(fetch(page) for page in range(4)))

    assert asyncio.run(main()) == [f"page {page} #1" for page in range(4)]
    assert IN_FLIGHT.most == 4 and IN_FLIGHT.now == 0 and IN_FLIGHT.calls == 4
    IN_FLIGHT.reset()


def test_debug_mode_reports_the_blocking_call():
    messages = block_the_loop_in_debug_mode(pause=0.15, slow=0.05)
    assert any("took" in message for message in messages), messages


def test_to_thread_copies_the_context_and_submit_does_not():
    async def main():
        REQUEST_ID.set("r1")
        with cf.ThreadPoolExecutor(1) as pool:
            return (await asyncio.to_thread(current_request_id), pool.submit(current_request_id).result(10),
                    pool.submit(contextvars.copy_context().run, current_request_id).result(10))

    assert asyncio.run(main()) == ("r1", "<not set>", "r1")


def test_each_thread_reads_its_own_local():
    local, seen = threading.local(), {}
    threads = [threading.Thread(target=remember_in_local, args=(local, name, seen, 0.01), name=name) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"a": "a", "b": "b"}


def test_value_with_its_lock_keeps_every_update():
    context = process_context()
    total = context.Value("i", 0)
    adders = [context.Process(target=add_to_value, args=(total, 2_000, True)) for _ in range(2)]
    for adder in adders:
        adder.start()
    for adder in adders:
        adder.join(60)
    assert total.value == 4_000


def test_a_child_doubles_a_shared_block_in_place():
    np = pytest.importorskip("numpy")
    from multiprocessing.managers import SharedMemoryManager

    with SharedMemoryManager() as smm:
        block = smm.SharedMemory(size=8 * 10)
        numbers = np.ndarray((10,), dtype=np.float64, buffer=block.buf)
        numbers[:] = 1.0
        with cf.ProcessPoolExecutor(1, mp_context=process_context()) as pool:
            assert pool.submit(double_shared_floats, block.name, 10).result(60) == 20.0
        assert numbers.sum() == 20.0
        del numbers


@pytest.mark.skipif(sys.version_info < (3, 13), reason="Queue.shutdown() is new in 3.13")
def test_consumers_end_when_the_queue_shuts_down():
    tasks, taken = queue.Queue(), []
    tasks.put(1)
    tasks.shutdown()
    assert take_until_shutdown(tasks, taken, timeout=5) == "ShutDown" and taken == [1]


@pytest.mark.parametrize("call, error", [
    (lambda: busy_sum(-1), ValueError), (lambda: add_to_value(None, 0, False), ValueError),
    (lambda: block_the_loop_in_debug_mode(pause=0.1, slow=0.2), ValueError),
    (lambda: asyncio.run(fetch("1")), TypeError),
])
def test_bad_input_is_refused_before_anything_starts(call, error):
    with pytest.raises(error):
        call()

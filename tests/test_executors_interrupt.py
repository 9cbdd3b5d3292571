"""The stop button during an executor run (notebook 10's cells): no worker survives, the kernel goes on."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from test_kernel_interrupt import execute, interrupt_when_workers_run, kernel, value, workers_of  # noqa: F401

pytestmark = pytest.mark.skipif(not hasattr(__import__("signal"), "SIGINT") or __import__("os").name == "nt",
                                reason="signals to a process group are POSIX")


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_interrupting_a_process_pool_map_reaps_its_workers(kernel, method):  # noqa: F811
    km, kc, proc = kernel
    execute(kc, "import concurrent.futures as cf\nfrom helpers.executors import process_context, wait_then_return\n"
                f"context = process_context({method!r})")
    code = ("with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:\n"
            "    list(pool.map(wait_then_return, [30, 30]))")
    reply = interrupt_when_workers_run(km, kc, proc, code, expected_workers=2)
    assert reply["status"] == "error" and reply["ename"] in ("KeyboardInterrupt", "BrokenProcessPool")
    assert reply["seconds_to_return"] < 10
    deadline = time.monotonic() + 5
    while workers_of(proc) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers_of(proc) == [], "pool workers survived the interrupt"
    execute(kc, "with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:\n"
                "    again = list(pool.map(wait_then_return, [0.1, 0.1]))")
    assert value(kc, "len(again)") == "2"

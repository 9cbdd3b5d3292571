"""The learner presses ■ in the middle of a run: a real kernel, a real SIGINT to its process group.

Asserts what a workshop room needs: the kernel stays usable, every child process is reaped
within a few seconds, the panel says the run was interrupted, and the next run works.
"""

from __future__ import annotations

import multiprocessing
import os
import time

import psutil
import pytest

from helpers.engine.census import live_children

pytestmark = pytest.mark.skipif(os.name == "nt", reason="signals to a process group are POSIX")


def workers_of(kernel: psutil.Process) -> list[psutil.Process]:
    return live_children(kernel.pid)


@pytest.fixture
def kernel(monkeypatch, start_kernel):
    monkeypatch.delenv("COURSE_TIME_SCALE", raising=False)
    km, kc = start_kernel(kernel_name="python3")
    try:
        yield km, kc, psutil.Process(km.provisioner.pid)
    finally:
        kc.stop_channels()
        # now: the test has made its checks. (Without helpers imported, a graceful shutdown waits 2.5 s on
        # multiprocessing's resource tracker, which ignores SIGTERM: test_reaper's shutdown tests.)
        km.shutdown_kernel(now=True)


def run_cell(kc, code: str, timeout: float = 60, output_hook=lambda msg: None) -> dict:
    """Run ``code`` like a cell; the reply's content.

    Right after a cell that ended in an error (the interrupt's KeyboardInterrupt), ipykernel aborts
    execute requests until a "stop aborting" message of its own has gone through its queue; a request
    sent at once can overtake it on a loaded machine and comes back ``aborted``, never run (seen in
    CI). Such a request is sent again, as a learner would run the cell again.
    """
    for _ in range(3):
        reply = kc.execute_interactive(code, timeout=timeout, output_hook=output_hook)["content"]
        if reply["status"] != "aborted":
            return reply
        time.sleep(0.2)
    return reply


def execute(kc, code: str, timeout: float = 60) -> dict:
    return run_cell(kc, code, timeout)


def value(kc, expression: str) -> str:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    run_cell(kc, f"print({expression})", timeout=30, output_hook=hook)
    return "".join(out).strip()


def interrupt_when_workers_run(km, kc, kernel, code: str, expected_workers: int) -> dict:
    msg_id = kc.execute(code)
    deadline = time.monotonic() + 30
    while len(workers_of(kernel)) < expected_workers:
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)
    time.sleep(0.5)
    pressed = time.monotonic()
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    reply["content"]["seconds_to_return"] = time.monotonic() - pressed
    return reply["content"]


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_interrupting_the_panel_mid_run(kernel, method):
    km, kc, proc = kernel
    assert execute(kc, f"import helpers\npanel = helpers.LivePanel('wait', size=8.0, tasks=2, workers=2, "
                       f"mode='processes', start_method={method!r})")["status"] == "ok"
    reply = interrupt_when_workers_run(km, kc, proc, "result = panel.run()", expected_workers=2)
    assert reply["status"] == "ok", "the panel must absorb the interrupt, not fail the cell"
    assert reply["seconds_to_return"] < 5
    assert "Interrupted" in value(kc, "panel.status.value")
    assert value(kc, "result.status") == "interrupted"
    deadline = time.monotonic() + 5
    while workers_of(proc) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers_of(proc) == [], "worker processes survived the interrupt"
    # The kernel is still usable and a second run works.
    assert execute(kc, "second = panel.run(size=0.2)")["status"] == "ok"
    assert value(kc, "second.status") == "done"


def test_interrupting_the_harness_raises_keyboardinterrupt_and_reaps(kernel):
    km, kc, proc = kernel
    execute(kc, "import helpers\nfrom helpers import workers")
    reply = interrupt_when_workers_run(
        km, kc, proc, "helpers.run(workers.sleep_for, [30, 30], mode='processes', workers=2)", expected_workers=2)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    deadline = time.monotonic() + 5
    while workers_of(proc) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers_of(proc) == []
    assert execute(kc, "r = helpers.run(workers.wait_task, [0.1, 0.1], mode='processes')")["status"] == "ok"
    assert value(kc, "r.status") == "done"


def test_interrupting_a_thread_run_returns_quickly(kernel):
    km, kc, proc = kernel
    execute(kc, "import helpers, threading\npanel = helpers.LivePanel('wait', size=3.0, tasks=4, workers=4)")
    threads_before = proc.num_threads()
    msg_id = kc.execute("panel.run(mode='threads')")
    # The interrupt is pressed once the four workers run (not after a guessed second, which a busy machine may
    # not have given the kernel to start them), and a little later.
    deadline = time.monotonic() + 30
    while proc.num_threads() < threads_before + 4:
        assert time.monotonic() < deadline, "the worker threads never started"
        time.sleep(0.05)
    time.sleep(0.3)
    pressed = time.monotonic()
    km.interrupt_kernel()
    while kc.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
        pass
    # Waiting for the tasks in hand would take at least 3 - 0.3 s more: the cell returned without them.
    assert time.monotonic() - pressed < 2
    assert "Interrupted" in value(kc, "panel.status.value")
    # Threads cannot be killed: they finish the task in hand (3 s here) and exit by themselves, within seconds
    # even on a busy machine.
    deadline = time.monotonic() + 15
    while value(kc, "threading.active_count() < 12") != "True":
        assert time.monotonic() < deadline, "the worker threads never ended"
        time.sleep(0.5)


def test_a_cell_that_ipykernel_aborted_after_an_error_is_sent_again():
    replies = iter([{"status": "aborted"}, {"status": "ok"}])
    sent = []

    class Client:
        def execute_interactive(self, code, timeout, output_hook):
            sent.append(code)
            return {"content": next(replies)}

    assert execute(Client(), "x = 1") == {"status": "ok"} and sent == ["x = 1", "x = 1"]

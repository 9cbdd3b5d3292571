"""The learner presses ■ while pages are being fetched from the local server: a real kernel, a real SIGINT.

The server must be stopped and its port freed, every child process reaped, the kernel still usable.
The same for shared-memory measurements: no child left, no block left in /dev/shm.
"""

from __future__ import annotations

import os
import time

import psutil
import pytest
from jupyter_client.manager import start_new_kernel

from helpers.census import live_children
from helpers.local_server import port_is_free
from test_kernel_interrupt import value  # the kernel-test helper: print an expression, read it back

pytestmark = pytest.mark.skipif(os.name == "nt", reason="signals to a process group are POSIX")


@pytest.fixture
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        yield km, kc, psutil.Process(km.provisioner.pid)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def interrupt_after(km, kc, code: str, ready: float, kernel: psutil.Process | None = None) -> dict:
    """Run ``code``; press ■ ``ready`` s after a child process of ``kernel`` appears (or after ``ready`` s)."""
    msg_id = kc.execute(code)
    deadline = time.monotonic() + 30
    while kernel is not None and not live_children(kernel.pid):
        assert time.monotonic() < deadline, "no child process ever started"
        time.sleep(0.05)
    time.sleep(ready)
    pressed = time.monotonic()
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    reply["content"]["seconds_to_return"] = time.monotonic() - pressed
    return reply["content"]


@pytest.mark.parametrize("how", ["fetch_on_threads", "fetch_with_asyncio", "fetch_one_by_one"])
def test_interrupting_a_fetch_stops_the_server_and_frees_its_port(kernel, how):
    km, kc, proc = kernel
    setup = ("from helpers.local_server import LocalServer\nfrom helpers import fetching\n"
             "server = LocalServer(delay=20)\nport = None\n")
    kc.execute_interactive(setup, timeout=30)
    code = (f"with server:\n    port = server.port\n"
            f"    fetching.{how}(fetching.page_urls(server.url, 50), timeout=60)\n")
    reply = interrupt_after(km, kc, code, ready=2.0, kernel=proc)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert reply["seconds_to_return"] < 10
    port = int(value(kc, "port"))
    assert port_is_free(port), "the server's port is still taken after the interrupt"
    deadline = time.monotonic() + 5
    while live_children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_children(proc.pid) == []
    assert value(kc, "server.running") == "False"
    # The kernel is usable and a new server works.
    kc.execute_interactive("with LocalServer(delay=0) as again:\n    served = again.stats()['served']", timeout=30)
    assert value(kc, "served") == "0"


def test_interrupting_a_shared_memory_measurement_leaves_nothing(kernel):
    km, kc, proc = kernel
    # Record the names of the blocks the kernel creates (other programs' blocks in /dev/shm don't count).
    kc.execute_interactive(
        "from helpers import data_transfer\nfrom multiprocessing import shared_memory\nmade = []\n"
        "class Recording(shared_memory.SharedMemory):\n"
        "    def __init__(self, *a, **k):\n"
        "        super().__init__(*a, **k)\n"
        "        if k.get('create'): made.append(self.name)\n"
        "shared_memory.SharedMemory = Recording\n", timeout=30)
    code = "data_transfer.measure_channel('shared_memory', [50_000_000] * 40, repeats=5)"
    reply = interrupt_after(km, kc, code, ready=1.5, kernel=proc)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    deadline = time.monotonic() + 5
    while live_children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_children(proc.pid) == []
    assert int(value(kc, "len(made)")) >= 1, "the interrupt came before any block was made: nothing tested"
    left = value(kc, "[n for n in made if __import__('os').path.exists('/dev/shm/' + n.lstrip('/'))]")
    assert left == "[]", f"blocks left behind: {left}"

"""The learner presses ■ while pages are being fetched from the local server: a real kernel, a real SIGINT.

The server must be stopped and its port freed, every child process reaped, the kernel still usable.
The same for shared-memory measurements: no child left, no block left in /dev/shm.
"""

from __future__ import annotations

import os
import time

import pytest

from helpers.engine.census import live_children
from helpers.local_server import port_is_free
# The kernel tests' fixture and helpers: a real kernel, an expression's printed value, ■ once workers run.
from test_kernel_interrupt import execute, interrupt_when_workers_run, kernel, value  # noqa: F401 (kernel: a fixture)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="signals to a process group are POSIX")


@pytest.mark.parametrize("how", ["fetch_on_threads", "fetch_with_asyncio", "fetch_one_by_one"])
def test_interrupting_a_fetch_stops_the_server_and_frees_its_port(kernel, how):
    km, kc, proc = kernel
    setup = ("from helpers.local_server import LocalServer\nfrom helpers import fetching\n"
             "server = LocalServer(delay=20)\nport = None\n")
    kc.execute_interactive(setup, timeout=30)
    code = (f"with server:\n    port = server.port\n"
            f"    fetching.{how}(fetching.page_urls(server.url, 50), timeout=60)\n")
    reply = interrupt_when_workers_run(km, kc, proc, code, expected_workers=1)
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
    reply = execute(kc, "with LocalServer(delay=0) as again:\n    served = again.stats()['served']", timeout=30)
    assert reply["status"] == "ok"
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
    code = "data_transfer.measure_channel('shared_memory', [5_000_000] * 400, repeats=5)"
    reply = interrupt_when_workers_run(km, kc, proc, code, expected_workers=1)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    deadline = time.monotonic() + 5
    while live_children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_children(proc.pid) == []
    assert int(value(kc, "len(made)")) >= 1, "the interrupt came before any block was made: nothing tested"
    left = value(kc, "[n for n in made if __import__('os').path.exists('/dev/shm/' + n.lstrip('/'))]")
    assert left == "[]", f"blocks left behind: {left}"

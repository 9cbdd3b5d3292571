"""■ pressed while the article's plain ``process.join()`` waits: the ended child must not stay a zombie.

A real kernel, a real SIGINT to its process group (as the ■ button sends), the article's
``multiprocessing.Process`` + ``join()`` with no helper in the way. With ``helpers`` imported
(every notebook does) the child is reaped right after the interrupted cell; without it, the
same cell leaves a ``<defunct>`` zombie, which shows that the test can tell the difference.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the kernel fixture of the interrupt test
from test_kernel_interrupt import execute, kernel, workers_of  # noqa: E402,F401  (kernel is a fixture)

from helpers.engine import reaper  # noqa: E402
from helpers.engine.census import zombies  # noqa: E402

pytestmark = pytest.mark.skipif(os.name == "nt", reason="signals to a process group are POSIX")

PLAIN_JOIN = """
ctx = multiprocessing.get_context({method!r})
p = ctx.Process(target=time.sleep, args=(30,))
p.start()
p.join()
"""


def press_stop_during_join(km, kc, proc: psutil.Process, method: str) -> dict:
    msg_id = kc.execute(PLAIN_JOIN.format(method=method))
    deadline = time.monotonic() + 30
    while not workers_of(proc):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    time.sleep(0.5)
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def wait_for_the_child_to_end(proc: psutil.Process) -> None:
    deadline = time.monotonic() + 10
    while workers_of(proc):
        assert time.monotonic() < deadline, "the child outlived the interrupt"
        time.sleep(0.05)


@pytest.mark.parametrize("method", ["fork", "spawn"])  # forkserver: the child is the fork server's, not the kernel's
def test_stop_during_a_plain_join_leaves_no_zombie(kernel, method):
    km, kc, proc = kernel
    assert execute(kc, "import multiprocessing, time\nimport helpers")["status"] == "ok"
    reply = press_stop_during_join(km, kc, proc, method)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    wait_for_the_child_to_end(proc)
    assert zombies(proc.pid) == [], "the interrupted child was left unreaped"
    assert execute(kc, "assert p.exitcode is not None, p")["status"] == "ok"  # reaped: its exit code is known


def test_without_the_hook_the_same_cell_leaves_a_zombie(kernel):
    km, kc, proc = kernel
    assert execute(kc, "import multiprocessing, sys, time\nassert 'helpers' not in sys.modules")["status"] == "ok"
    reply = press_stop_during_join(km, kc, proc, "fork")
    assert reply["ename"] == "KeyboardInterrupt"
    wait_for_the_child_to_end(proc)
    time.sleep(0.5)
    assert len(zombies(proc.pid)) == 1  # nobody collected it: what the hook is for
    execute(kc, "multiprocessing.active_children()")  # the next cell's process start would reap it; so does this
    assert zombies(proc.pid) == []


def test_install_is_a_no_op_outside_ipython():
    assert "IPython" not in sys.modules or sys.modules["IPython"].get_ipython() is None
    assert reaper.install() is False


def test_hooks_wait_only_after_an_interrupted_cell():
    # Children an earlier test's pool or cluster is still ending are not the hooks' (seen in CI: a Dask worker whose
    # end its fork server had not yet reported): only what the hooks might start counts.
    before = {p.pid for p in multiprocessing.active_children()}
    hooks = reaper._CellHooks()
    started = time.monotonic()
    hooks.pre_run_cell(None)
    hooks.post_run_cell(SimpleNamespace(error_in_exec=None))
    hooks.post_run_cell(SimpleNamespace(error_in_exec=KeyboardInterrupt()))
    assert time.monotonic() - started < 1  # no child started: nothing to wait for
    assert {p.pid for p in multiprocessing.active_children()} <= before


# --- a ProcessPoolExecutor whose worker was killed: no worker may outlive the cell -------------------------

KILL_A_POOL_WORKER = """
import os, signal, time
from concurrent.futures import ProcessPoolExecutor
import helpers

def {task}(seconds):
    {ignore}
    time.sleep(seconds)

pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
futures = [pool.submit({task}, 30) for _ in range(2)]
time.sleep(1.0)  # both workers are inside the task
os.kill(min(pool._processes), signal.SIGKILL)
try:
    futures[0].result(timeout=20)
except Exception as error:
    print(type(error).__name__)
"""


def pool_workers_left_after_a_kill(kernel, ignore_sigterm: bool) -> list[psutil.Process]:
    km, kc, proc = kernel
    code = KILL_A_POOL_WORKER.format(task="stubborn" if ignore_sigterm else "napping",
                                     ignore="signal.signal(signal.SIGTERM, signal.SIG_IGN)" if ignore_sigterm
                                     else "pass")
    assert execute(kc, "import multiprocessing")["status"] == "ok"
    reply = execute(kc, code)
    assert reply["status"] == "ok", reply
    deadline = time.monotonic() + 3.0  # the after-cell hook has run when the reply came; a moment for the exits
    while workers_of(proc) and time.monotonic() < deadline:
        time.sleep(0.05)
    return workers_of(proc)


@pytest.mark.parametrize("ignore_sigterm", [False, True], ids=["plain", "worker-ignores-SIGTERM"])
def test_no_worker_of_a_broken_process_pool_outlives_the_cell(kernel, ignore_sigterm):
    """One worker of a running ProcessPoolExecutor killed: the pool breaks; after the cell no worker is left,
    also one that ignored the SIGTERM the broken pool sends (CPython's terminate_broken)."""
    assert pool_workers_left_after_a_kill(kernel, ignore_sigterm) == []


def test_without_the_reaper_a_worker_that_ignores_sigterm_survives_a_broken_pool(kernel, monkeypatch):
    """The test above can fail: with the orphan check switched off, the stubborn worker stays."""
    km, kc, proc = kernel
    assert execute(kc, "import helpers.engine.reaper as r\nr.end_orphaned_pool_workers = lambda grace=1.0: []\n"
                   "r._CellHooks.post_run_cell.__globals__['end_orphaned_pool_workers'] = "
                   "r.end_orphaned_pool_workers")["status"] == "ok"
    left = pool_workers_left_after_a_kill(kernel, ignore_sigterm=True)
    assert len(left) == 1, left
    execute(kc, "for p in multiprocessing.active_children(): p.kill()")


MULTIPROCESSING_SERVERS = """
import atexit, multiprocessing, time
from multiprocessing import resource_tracker
{hook}
resource_tracker.ensure_running()             # shared memory and semaphores start it
ctx = multiprocessing.get_context("forkserver")
p = ctx.Process(target=time.sleep, args=(0,))
p.start(); p.join()                           # the fork server stays, waiting for the next child
atexit.register(lambda: open({mark!r}, "w").write("the kernel exited by itself"))
open({temp!r}, "w").write(multiprocessing.util.get_temp_dir())  # the fork server's socket is in it
"""


def shut_down_after_servers(start_kernel, tmp_path: Path, hook: str) -> tuple[bool, list[int], bool]:
    """Start the tracker and the fork server in a kernel, shut it down as JupyterLab does (a shutdown request,
    then jupyter_client's SIGTERM after half of ``shutdown_wait_time``); whether the kernel's own exit ran, the
    processes of its group left over, and whether multiprocessing's temporary directory was left (then removed)."""
    mark, temp = tmp_path / "atexit-ran", tmp_path / "temp-dir"
    km, kc = start_kernel(kernel_name="python3")
    try:
        pid = km.provisioner.pid
        execute(kc, MULTIPROCESSING_SERVERS.format(hook=hook, mark=str(mark), temp=str(temp)))
        servers = [p for p in psutil.Process(pid).children() if "multiprocessing" in " ".join(p.cmdline())]
        assert len(servers) == 2, servers  # the tracker and the fork server
        km.shutdown_wait_time = 5.0  # jupyter_client's default: SIGTERM to the kernel after 2.5 s
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    deadline = time.monotonic() + 5
    while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p.pid for p in servers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    temp_dir = Path(temp.read_text())
    temp_left = temp_dir.exists()
    shutil.rmtree(temp_dir, ignore_errors=True)  # a killed kernel's (the control's): not left behind by the test
    return mark.exists(), left, temp_left


def test_a_kernel_with_multiprocessing_servers_shuts_down_by_itself(start_kernel, tmp_path):
    exited_by_itself, left, temp_left = shut_down_after_servers(start_kernel, tmp_path, hook="import helpers")
    assert exited_by_itself, "the kernel was killed before its own exit ran (ipykernel kept waiting on its children)"
    assert left == [] and not temp_left


def test_without_the_hook_the_kernel_is_killed_waiting(start_kernel, tmp_path):
    exited_by_itself, left, temp_left = shut_down_after_servers(start_kernel, tmp_path, hook="")
    assert not exited_by_itself  # ipykernel still SIGTERMing the tracker, which ignores it, at 2.5 s
    assert left == []  # the tracker and the fork server end with the kernel anyway (their pipes close)
    assert temp_left  # killed, the kernel never removed its temporary directory (helpers' janitor would have)

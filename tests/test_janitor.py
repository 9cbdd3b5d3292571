"""helpers.engine.janitor: a kernel killed outright leaves no process, /dev/shm segment or temp dir behind.

Each test starts a real kernel, has it make things (notebook 12's shared-memory measurement with its echo
child; spawn-context locks and a fork server), then kills it the way the machine does: SIGKILL to the
kernel alone (the OOM killer) or to its whole process group (Jupyter's forced restart). With
``COURSE_NO_JANITOR=1`` (no janitor) the same runs left the echo child under pid 1 and the segments.
"""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from helpers.engine import janitor, leftovers
from helpers.engine.census import live_children
from test_kernel_interrupt import execute, value

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc") or not os.path.isdir("/dev/shm"),
                                reason="Linux: /proc and /dev/shm")


@pytest.fixture
def kernel_with_tmpdir(start_kernel, tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_TIME_SCALE", raising=False)
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    km, kc = start_kernel(kernel_name="python3", env=env)
    try:
        yield km, kc, psutil.Process(km.provisioner.pid), tmp_path
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def wait_for(condition, timeout: float, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(poll)


def _running(pid: int) -> bool:
    try:  # reaped between two reads of /proc raises NoSuchProcess: gone (the janitor's own race, janitor._alive)
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _everything_gone(pids: list[int], segments: set[str], tmp_path) -> tuple[list[int], set[str], list[str]]:
    alive = [pid for pid in pids if _running(pid)]
    return alive, segments & leftovers.shm_names(), os.listdir(tmp_path)


def test_a_kernel_killed_during_the_shared_memory_measurement_leaves_nothing(kernel_with_tmpdir):
    km, kc, kernel, tmp_path = kernel_with_tmpdir
    assert execute(kc, "import helpers\nfrom helpers import data_transfer")["status"] == "ok"
    kc.execute("data_transfer.measure_channel('shared_memory', [20_000_000], repeats=50, start_method='fork')")
    found = wait_for(lambda: leftovers.shm_in_use(leftovers.tree(kernel.pid)) and live_children(kernel.pid), 30)
    assert found, "the measurement never started"
    segments = leftovers.shm_in_use(leftovers.tree(kernel.pid))
    children = [p.pid for p in live_children(kernel.pid)]
    os.kill(kernel.pid, signal.SIGKILL)  # the OOM killer: the kernel alone
    left = wait_for(lambda: not any(_everything_gone(children, segments, tmp_path)), 15)
    assert left, f"still there 15 s after the kill (processes, segments, temp files): " \
                 f"{_everything_gone(children, segments, tmp_path)}"


def test_a_forced_restart_leaves_no_semaphores_or_fork_server(kernel_with_tmpdir):
    km, kc, kernel, tmp_path = kernel_with_tmpdir
    code = ("import helpers, multiprocessing\nctx = multiprocessing.get_context('forkserver')\n"
            "locks = [ctx.Lock() for _ in range(6)]\nqueue = ctx.Queue()\n"
            "p = ctx.Process(target=print)\np.start(); p.join()")
    assert execute(kc, code)["status"] == "ok"
    segments = leftovers.shm_in_use(leftovers.tree(kernel.pid))
    assert any(name.startswith("sem.mp-") for name in segments), segments
    assert value(kc, "len(__import__('os').listdir(__import__('tempfile').gettempdir()))") == "1"  # pymp-*
    members = leftovers.tree(kernel.pid)
    time.sleep(3 * janitor.INTERVAL)  # the janitor looks every INTERVAL s: a lock made since its last look is not seen
    os.killpg(os.getpgid(kernel.pid), signal.SIGKILL)  # Jupyter's forced restart: the whole process group
    left = wait_for(lambda: not any(_everything_gone(members, segments, tmp_path)), 15)
    assert left, f"still there 15 s after the kill: {_everything_gone(members, segments, tmp_path)}"


def test_a_kernel_reaped_between_the_janitors_two_reads_is_still_cleaned_up(tmp_path, monkeypatch):
    """The kernel ends between ``is_running()`` (True: a zombie) and ``status()`` (gone: its parent reaped it).

    jupyter_client reaps a killed kernel within 0.1 s; a janitor paused between its two reads of
    /proc (a loaded machine) then met ``NoSuchProcess`` and died before removing the kernel's temp dir
    (CI: notebook 15 left ``pymp-*`` in its TMPDIR). Here the reap is put exactly there, every time.
    """
    import subprocess

    kernel = subprocess.Popen(["sleep", "60"])  # not a group leader: the janitor ends no process group here
    tempdir = tmp_path / "pymp-kernel"
    tempdir.mkdir()
    (tempdir / "listener-fork-server").write_text("")
    real_status = psutil.Process.status
    looks: list[int] = []

    def reaped_just_before(process: psutil.Process) -> str:
        if process.pid == kernel.pid and kernel.returncode is None:
            looks.append(process.pid)
            if len(looks) == 2:  # the second look: is_running() has just said True; the kill and the reap land now
                kernel.kill()
                kernel.wait()
        return real_status(process)

    monkeypatch.setattr(psutil.Process, "status", reaped_just_before)
    monkeypatch.setattr(janitor, "INTERVAL", 0.01)
    monkeypatch.setattr(janitor.signal, "signal", lambda *args: None)  # watch() ignores SIGINT: not in pytest
    try:
        janitor.watch(kernel.pid, str(tempdir))
    finally:
        kernel.kill()
        kernel.wait()
    assert len(looks) == 2, f"the kernel's status was read {len(looks)} time(s), not twice: no reap staged"
    assert not tempdir.exists(), "the janitor stopped before it removed the kernel's temp dir"

"""The test machinery in conftest.py: a kernel that fails to start gets a fresh try, and says so."""

from __future__ import annotations

import os

import pytest

import conftest


def flaky_start(failures: int):
    calls = []

    def start(**kwargs):
        calls.append(kwargs)
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "km", "kc"

    return start, calls


def test_a_kernel_that_died_at_start_is_started_again_and_the_log_says_so():
    start, calls = flaky_start(failures=2)
    with pytest.warns(UserWarning, match=conftest.KERNEL_RETRIED) as warned:
        assert conftest.retrying(start)(kernel_name="python3") == ("km", "kc")
    assert len(calls) == 3 and all(call == {"kernel_name": "python3"} for call in calls)
    assert len(warned) == 2 and "try 1 of 3: Kernel died" in str(warned[0].message)


def test_three_failed_starts_fail_the_test():
    start, calls = flaky_start(failures=3)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Kernel died"):
        conftest.retrying(start)()
    assert len(calls) == 3


def test_other_errors_are_not_retried():
    calls = []

    def start():
        calls.append(1)
        raise ValueError("no such kernel")

    with pytest.raises(ValueError):
        conftest.retrying(start)()
    assert calls == [1]


def test_nbvals_kernels_get_the_retries():
    nbval_kernel = pytest.importorskip("nbval.kernel")
    assert nbval_kernel.start_new_kernel.__wrapped__ is not None


def test_the_fixture_starts_a_real_kernel(start_kernel):
    km, kc = start_kernel(kernel_name="python3")
    try:
        assert kc.execute_interactive("1 + 1", timeout=30)["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


PROBE = [
    "import socket, tempfile\nfrom multiprocessing import resource_tracker, shared_memory\n"
    "block = shared_memory.SharedMemory(create=True, size=4096)\n"
    "resource_tracker.unregister(block._name, 'shared_memory')  # nobody will clean it up: a real leak\n"
    "kept = tempfile.mkdtemp(prefix='pymp-')\n"
    "listener = socket.socket()\nlistener.bind(('127.0.0.1', 0))\nlistener.listen()\nprint('ok')",
]


def test_the_notebook_census_names_segments_temp_dirs_and_ports_left_behind(tmp_path):
    """A notebook that leaks one of each fails the census, and each leak is named (then removed)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parent.parent
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in PROBE])
    nbformat.write(notebook, tmp_path / "probe.ipynb")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env["PYTHONPATH"] = str(root)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "--nbval-lax",
                           "--nbval-current-env", str(tmp_path / "probe.ipynb")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    report = done.stdout + done.stderr
    assert done.returncode != 0, report
    assert "left 1 /dev/shm segment(s): psm_" in report, report
    assert "left in its TMPDIR: pymp-" in report, report
    assert "port(s) listening before shutdown: 127.0.0.1:" in report, report
    segment = report.split("/dev/shm segment(s): ")[1].split()[0].strip(",")
    assert not os.path.exists(f"/dev/shm/{segment}")
    json.dumps(report)  # (a plain string: the census names what it found)


@pytest.mark.skipif(os.name == "nt", reason="Windows has no IPC transport")
def test_test_kernels_talk_over_private_unix_sockets_and_give_no_tcp_warning(tmp_path):
    """No "running over TCP without encryption" warning (ipykernel 7.4's IPKernelApp.init_sockets): the
    kernel's five channels are Unix sockets only this user can reach, removed at shutdown."""
    import stat

    log = tmp_path / "kernel-stderr.txt"
    with open(log, "w") as stderr:
        km, kc = conftest.start_over_ipc(30, "python3", stderr=stderr)
        try:
            assert km.transport == "ipc"
            info = km.get_connection_info()
            assert info["transport"] == "ipc" and info["ip"].startswith(os.path.dirname(km.connection_file))
            folder = os.path.dirname(km.ip)
            assert stat.S_IMODE(os.stat(folder).st_mode) & 0o077 == 0, "the sockets' folder is open to others"
            sockets = [f for f in os.listdir(folder) if f.startswith(os.path.basename(km.ip))]
            assert len(sockets) == 5, sockets
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert "without encryption" not in log.read_text()
    assert not [f for f in os.listdir(folder) if f.startswith(os.path.basename(km.ip))], "sockets left behind"

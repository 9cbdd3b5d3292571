"""helpers.engine.limits: a small or full /dev/shm and `ulimit -u` each give one line, and notebook 12 adapts.

The real cases run a kernel in a new mount namespace (``unshare -m``, root only) whose /dev/shm is a
small tmpfs: 64 MB as Docker and Binder give, and a full one.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers.engine import limits
from helpers.data_transfer import FULL_SIZES, MB

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_12 = ROOT / "notebooks" / "12_moving_data_between_processes.ipynb"


def test_sizes_fit_a_64_mb_dev_shm_and_say_so():
    kept, why = limits.fit_to_shm(FULL_SIZES, (64 * MB, 64 * MB))
    assert kept == [s for s in FULL_SIZES if s <= 10 * MB]
    assert "/dev/shm has 64 MB free of 64 MB" in why and "stop at 10 MB" in why
    assert limits.fit_to_shm(FULL_SIZES, (10**12, 10**12)) == (list(FULL_SIZES), "")
    assert limits.fit_to_shm(FULL_SIZES, None) == (list(FULL_SIZES), "")  # macOS, Windows: no /dev/shm
    kept, why = limits.fit_to_shm(FULL_SIZES, (100, 64 * MB))
    assert kept == [] and "stop at none" in why


def test_course_sizes_use_the_shm_fit(monkeypatch):
    from helpers import data_transfer

    monkeypatch.setattr(data_transfer, "time_scale", lambda: 1.0)
    monkeypatch.setattr(data_transfer, "available_memory", lambda: 10**12)
    monkeypatch.setattr(limits, "shm_space", lambda path=limits.SHM_DIR: (64 * MB, 64 * MB))
    sizes, why = data_transfer.course_sizes()
    assert max(sizes) == 10 * MB and "/dev/shm" in why


def _raise_from_multiprocessing(exc: BaseException) -> BaseException:
    """``exc`` with a traceback that passes through a file under multiprocessing/ (as the real ones do)."""
    namespace: dict = {}
    exec(compile("def boom(exc):\n    raise exc\n", "/x/lib/python3/multiprocessing/synchronize.py", "exec"),
         namespace)
    try:
        namespace["boom"](exc)
    except BaseException as caught:
        return caught
    raise AssertionError("not raised")


def test_explain_names_the_limit_and_what_to_do():
    full = _raise_from_multiprocessing(OSError(errno.ENOSPC, "No space left on device"))
    assert "/dev/shm is full" in limits.explain(full) and "--shm-size" in limits.explain(full)
    refused = _raise_from_multiprocessing(BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"))
    assert "refused to start another process" in limits.explain(refused)
    assert "ulimit -u" in limits.explain(refused)
    assert limits.explain(OSError(errno.ENOSPC, "disk full elsewhere")) is None  # not multiprocessing's
    assert limits.explain(ValueError("x")) is None
    assert limits.LimitError("a line")._render_traceback_() == ["LimitError: a line"]


NAMESPACE_SCRIPT = textwrap.dedent("""
    import json, sys
    import nbformat
    from jupyter_client.manager import start_new_kernel
    cells = {c.id: c.source for c in nbformat.read(sys.argv[1], 4).cells}
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60, cwd=sys.argv[2])
    results = []
    try:
        for code in [cells["ab1f63e6"], cells["94b03afb"], sys.argv[3]]:
            out = []
            reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(m))
            text = [m["content"].get("text", "") for m in out if m["msg_type"] == "stream"]
            errors = [m["content"] for m in out if m["msg_type"] == "error"]
            results.append({"status": reply["content"]["status"], "text": "".join(text),
                            "traceback": errors[0]["traceback"] if errors else []})
    finally:
        km.shutdown_kernel(now=True)
    print("RESULT" + json.dumps(results))
""")


def run_in_small_dev_shm(size: str, fill_mb: int, last_cell: str) -> list[dict]:
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to give a kernel its own small /dev/shm")
    fill = f"dd if=/dev/zero of=/dev/shm/filler bs=1M count={fill_mb} 2>/dev/null; " if fill_mb else ""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env["COURSE_TIME_SCALE"] = "1"
    command = (f"mount -t tmpfs -o size={size} tmpfs /dev/shm && {fill}"
               f"exec {sys.executable} -c \"$SCRIPT\" {NOTEBOOK_12} {NOTEBOOK_12.parent} \"$LAST\"")
    env.update(SCRIPT=NAMESPACE_SCRIPT, LAST=last_cell)
    try:
        done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", command],
                              capture_output=True, text=True, timeout=240, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("the kernel in the small /dev/shm did not finish within 240 s")
    if "RESULT" not in done.stdout:
        if "mount" in done.stderr or "unshare" in done.stderr:
            pytest.skip(f"no private mount namespace here: {done.stderr.strip()[:200]}")
        pytest.fail(done.stdout[-2000:] + done.stderr[-2000:])
    return json.loads(done.stdout.split("RESULT", 1)[1])


def test_notebook_12_adapts_to_a_64_mb_dev_shm():
    first, queue_cell, sizes = run_in_small_dev_shm(
        "64m", 0, "sizes, why = data_transfer.course_sizes()\nprint(max(sizes), why)")
    assert first["status"] == "ok" and "/dev/shm has" in first["text"], first
    assert queue_cell["status"] == "ok", queue_cell
    assert sizes["status"] == "ok" and sizes["text"].startswith(f"{10 * MB} "), sizes
    assert "/dev/shm has" in sizes["text"] and "stop at 10 MB" in sizes["text"]


def test_a_full_dev_shm_gives_one_line_and_no_name_errors():
    first, queue_cell, later = run_in_small_dev_shm("2m", 2, "print(sizes)")
    assert first["status"] == "ok" and "/dev/shm is full" in first["text"], first
    # the later cells are skipped with one line each, not NameErrors
    assert queue_cell["status"] == "ok" and "skipped: /dev/shm is full" in queue_cell["text"], queue_cell
    assert later["status"] == "ok" and "skipped" in later["text"], later


def test_a_queue_in_a_full_dev_shm_fails_with_one_line():
    _, _, queue_cell = run_in_small_dev_shm(
        "2m", 0, "filler = open('/dev/shm/filler', 'wb', buffering=0)\ntry:\n    while True:\n"
                 "        filler.write(b'x' * 4096)\nexcept OSError:\n    pass\n"
                 "import multiprocessing\nq = multiprocessing.get_context('spawn').Queue()")
    assert queue_cell["status"] == "error"
    assert len(queue_cell["traceback"]) == 1 and "/dev/shm is full" in queue_cell["traceback"][0], queue_cell


def test_any_other_os_error_keeps_its_usual_traceback(kernel):
    _, kc, _ = kernel
    out: list = []
    reply = kc.execute_interactive("import helpers\nopen('/nonexistent-dir/file')", timeout=60,
                                   output_hook=out.append)["content"]
    assert reply["status"] == "error" and reply["ename"] == "FileNotFoundError"
    assert len(reply["traceback"]) > 1 and "nonexistent-dir" in "".join(reply["traceback"])


from test_kernel_interrupt import kernel  # noqa: E402,F401  (a fixture)


# --- `ulimit -u` for real: a kernel run as an unprivileged user (RLIMIT_NPROC does not bind root) ------------

PROCESS_DEMO = """
import multiprocessing, time
children = []
for _ in range(12):
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))
    child.start()
    children.append(child)
"""


def _unprivileged_kernel(tmp_path: Path):  # tmp_path: a folder nobody can reach (pytest's are 0700 under root's)
    """A kernel started as ``nobody`` with ``setpriv`` (its own HOME, TMPDIR and connection file); skips where
    that cannot be done (not root, no setpriv, no nobody user, not Linux)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs Linux, root and setpriv to run a kernel as an unprivileged user")
    import pwd

    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user")
    from jupyter_client import BlockingKernelClient
    from jupyter_client.connect import write_connection_file

    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    connection, _ = write_connection_file(str(tmp_path / "kernel.json"), ip="127.0.0.1")
    os.chmod(connection, 0o644)  # this test's own folder: nobody must read the key
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "MPLCONFIG"))}
    env.update(HOME=str(home), TMPDIR=str(home), PYTHONPATH=str(Path(__file__).resolve().parents[1]),
               COURSE_NO_JANITOR="1")
    kernel = subprocess.Popen(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                               sys.executable, "-m", "ipykernel_launcher", "-f", connection],
                              env=env, cwd=str(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = BlockingKernelClient(connection_file=connection)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
    except RuntimeError:
        client.stop_channels()
        kernel.kill()
        pytest.skip(f"a kernel as nobody did not start: {kernel.communicate()[1][-300:]!r}")
    return kernel, client, nobody.pw_uid


def test_a_real_ulimit_u_gives_the_process_demo_one_line():
    import tempfile

    import psutil

    folder = Path(tempfile.mkdtemp(prefix="course-nobody-"))
    folder.chmod(0o755)
    try:
        kernel, client, uid = _unprivileged_kernel(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        ok = client.execute_interactive("import helpers, os\nassert os.getuid() != 0", timeout=120)
        assert ok["content"]["status"] == "ok", ok["content"]
        # The kernel lowers its own soft limit to what this user runs now (threads count) plus 4.
        tasks = sum(p.num_threads() for p in psutil.process_iter() if p.uids().real == uid)
        lowered = client.execute_interactive(
            f"import resource\nresource.setrlimit(resource.RLIMIT_NPROC, ({tasks + 4}, "
            "resource.getrlimit(resource.RLIMIT_NPROC)[1]))", timeout=60)
        assert lowered["content"]["status"] == "ok", lowered["content"]
        reply = client.execute_interactive(PROCESS_DEMO, timeout=60)["content"]
        assert reply["status"] == "error", "12 processes started under a limit of 4 more: the limit did not bind"
        assert len(reply["traceback"]) == 1, reply["traceback"]
        line = reply["traceback"][0]
        assert "refused to start another process" in line and "ulimit -u" in line, line
        client.execute_interactive("for c in children: c.kill()", timeout=30)
    finally:
        client.stop_channels()
        for process in [*psutil.Process(kernel.pid).children(recursive=True), psutil.Process(kernel.pid)]:
            try:
                process.kill()
            except psutil.Error:
                pass
        kernel.communicate(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

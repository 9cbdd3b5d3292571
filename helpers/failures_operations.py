"""Running a concurrent program (notebook 19): too many threads, logs from workers, stopping, finding a hang.

Functions that run in a worker or a thread: :func:`blas_job` (matrix products in NumPy's BLAS),
:func:`log_lines` and :func:`send_logs_to` (logging from a worker, and the initializer that routes it
through a queue), :func:`say_when_interrupted` (an initializer), :func:`wait_for_lock` (a thread stuck on
purpose, bounded), :func:`try_signal_in_thread`,
and the coroutines :func:`sleep_and_note` / :func:`fail_after`. The measuring functions start fresh Pythons
(:func:`time_blas_pool`, :func:`run_and_signal`, :func:`dump_stuck_script`) and end them on every exit path.
"""

from __future__ import annotations

import asyncio
import json
import logging
import logging.handlers
import os
import selectors
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from typing import Any

from .engine import validate
from .engine.config import seconds

#: The environment variables BLAS and OpenMP libraries read once, when they load.
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# --- too many threads ------------------------------------------------------------------------

def blas_job(size: int, repeats: int) -> float:
    """``repeats`` products of two ``size`` × ``size`` matrices with NumPy; the seconds they took (in the worker)."""
    _check_int(size, "size", 10, 4000)
    _check_int(repeats, "repeats", 1, 10_000)
    import numpy as np  # imported here: the BLAS reads its thread count from the environment as it loads

    matrix = np.random.default_rng(0).random((size, size))
    start = time.perf_counter()
    for _ in range(repeats):
        matrix @ matrix
    return time.perf_counter() - start


_BLAS_POOL_SCRIPT = """
import concurrent.futures as cf, json, multiprocessing as mp, os, sys, time
from helpers.failures_operations import blas_job

if __name__ == "__main__":
    workers, size, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    context = mp.get_context(os.environ["COURSE_START_METHOD"])
    with cf.ProcessPoolExecutor(workers, mp_context=context) as pool:
        pool.submit(int).result()  # start the pool before the clock (worker start-up is not the point)
        start = time.perf_counter()
        list(pool.map(blas_job, [size] * workers, [repeats] * workers))
    print(json.dumps({"elapsed": time.perf_counter() - start}))
"""


def time_blas_pool(threads_per_worker: int | None, workers: int, size: int = 300, repeats: int = 15,
                   start_method: str | None = None, timeout: float = 120.0) -> float:
    """Seconds for ``workers`` processes each running :func:`blas_job` at once, in a fresh Python.

    ``threads_per_worker``: the value of :data:`BLAS_THREAD_VARIABLES` for that Python (``None``: unset, the
    library's default, usually one thread per core it sees). A fresh Python because a BLAS reads them once,
    when NumPy is imported, and this kernel has imported it already. Raises ValueError for bad counts,
    RuntimeError (with the child's last error line) when the run fails; the child is killed after ``timeout`` s.
    """
    from .engine.config import resolve_start_method

    if threads_per_worker is not None:
        _check_int(threads_per_worker, "threads_per_worker", 1, 256)
    _check_int(workers, "workers", 1, 64)
    _check_int(size, "size", 10, 4000)
    _check_int(repeats, "repeats", 1, 10_000)
    env = {key: value for key, value in os.environ.items() if key not in BLAS_THREAD_VARIABLES}
    if threads_per_worker is not None:
        env.update({key: str(threads_per_worker) for key in BLAS_THREAD_VARIABLES})
    env["COURSE_START_METHOD"] = resolve_start_method(start_method)
    done = _run_python(["-c", _BLAS_POOL_SCRIPT, str(workers), str(size), str(repeats)], env, timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise RuntimeError(f"the BLAS run failed (exit code {done.returncode}): {last}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["elapsed"])


def blas_threads_seen(extra_env: dict[str, str] | None = None, args: list[str] | None = None) -> dict[str, Any] | None:
    """What a fresh Python reports: ``os.cpu_count()``, ``os.process_cpu_count()`` (3.13+) and, with
    threadpoolctl installed, the thread count of each BLAS/OpenMP library NumPy loaded. ``None`` when that
    Python failed. ``args`` go before ``-c`` (e.g. ``["-X", "cpu_count=1"]``)."""
    code = textwrap.dedent("""
        import json, os
        found = {"cpu_count": os.cpu_count(), "process_cpu_count": getattr(os, "process_cpu_count", lambda: None)()}
        try:
            import numpy
            from threadpoolctl import threadpool_info
            found["blas"] = {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
        except ImportError:
            found["blas"] = None
        print(json.dumps(found))
    """)
    env = dict(os.environ)
    env.update(extra_env or {})
    done = _run_python([*(args or []), "-c", code], env, 60.0)
    if done.returncode != 0:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_python(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """``sys.executable args`` with the course's package importable; killed after ``timeout`` s."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="course-python-", ignore_cleanup_errors=True) as folder:
        env["TMPDIR"] = folder  # whatever the child leaves in its temp dir (killed at the timeout) goes with it
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)


# --- logging from workers --------------------------------------------------------------------

#: The logger the workers log to.
WORKER_LOGGER = "course.worker"


def log_lines(count: int) -> int:
    """Log ``count`` INFO lines to :data:`WORKER_LOGGER` from this worker; return this worker's pid."""
    _check_int(count, "count", 1, 10_000)
    logger = logging.getLogger(WORKER_LOGGER)
    for i in range(count):
        logger.info("line %d from pid %d", i + 1, os.getpid())
    return os.getpid()


def send_logs_to(log_queue: Any) -> None:
    """Initializer: every record of :data:`WORKER_LOGGER` in this worker goes to ``log_queue`` (a QueueHandler)."""
    logger = logging.getLogger(WORKER_LOGGER)
    logger.handlers[:] = [logging.handlers.QueueHandler(log_queue)]
    logger.setLevel(logging.INFO)
    logger.propagate = False


class ListHandler(logging.Handler):
    """A handler that keeps every formatted record in :attr:`lines` (thread-safe: ``Handler.handle`` locks)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


# --- stopping --------------------------------------------------------------------------------

def try_signal_in_thread() -> str:
    """Call ``signal.signal`` from a new thread; return the error it raised (``""`` if none)."""
    outcome: list[str] = []

    def install() -> None:
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            outcome.append("")
        except ValueError as error:
            outcome.append(f"ValueError: {error}")

    thread = threading.Thread(target=install, name="not-the-main-thread")
    thread.start()
    thread.join(timeout=10)
    return outcome[0] if outcome else "the thread did not finish"


@dataclass
class SignalledRun:
    """A script that was sent a signal: how it ended and what it printed."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds_to_exit: float  # from the signal to the script's end
    survivors: int  # processes of its group still alive right after it ended (all killed before returning)


def run_and_signal(code: str, signum: int, *, whole_group: bool, start_method: str | None = None,
                   ready_timeout: float = 60.0, exit_timeout: float = 30.0) -> SignalledRun:
    """Run ``code`` as a script in its own process group; once it prints ``ready``, send ``signum`` to the
    script (``whole_group=False``) or to its whole group, as a terminal's Ctrl-C does (``whole_group=True``).

    Waits ``exit_timeout`` s at most for it to end; whatever is left of the group (the script, its
    workers) is then killed, so nothing outlives the call. POSIX only: raises RuntimeError elsewhere.
    """
    from .engine.config import START_METHOD_ENV, resolve_start_method

    if not hasattr(os, "killpg"):
        raise RuntimeError("run_and_signal needs POSIX process groups (Linux, macOS).")
    if not isinstance(code, str) or "ready" not in code:
        raise ValueError("code must be a script (str) that prints 'ready' once it is ready for the signal.")
    env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
    env.update({"PYTHONUNBUFFERED": "1", "NO_COLOR": "1", START_METHOD_ENV: resolve_start_method(start_method)})
    import tempfile

    with tempfile.TemporaryDirectory(prefix="course-signal-", ignore_cleanup_errors=True) as folder:
        # Its temp files too (a fork server's pymp-* folder): a script ended by a signal cannot remove them itself.
        env["TMPDIR"] = folder
        path = os.path.join(folder, "script.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(code))
        process = subprocess.Popen([sys.executable, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, text=True, env=env, cwd=folder, start_new_session=True)
        group = process.pid
        stdout: list[str] = []
        try:
            _wait_for_line(process, "ready", ready_timeout, stdout)
            sent = time.perf_counter()
            if whole_group:
                os.killpg(group, signum)
            else:
                os.kill(process.pid, signum)
            try:
                process.wait(timeout=exit_timeout)
            except subprocess.TimeoutExpired:
                pass
            ended = time.perf_counter() - sent
            time.sleep(0.05)  # a worker that is ending right now is not counted as a survivor
            survivors = len(_group_members(group))
            returncode = process.returncode
        finally:
            _kill_group(group)  # also ends orphaned workers, which hold the output pipes open
            if process.poll() is None:
                process.kill()
            out, err = process.communicate(timeout=30)
        return SignalledRun(returncode, "".join(stdout) + (out or ""), err or "", ended, survivors)


def _wait_for_line(process: subprocess.Popen[str], word: str, timeout: float, lines: list[str]) -> None:
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        while time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                line = process.stdout.readline()  # type: ignore[union-attr]
                if not line:
                    break
                lines.append(line)
                if word in line:
                    return
    raise RuntimeError(f"the script did not print {word!r} within {timeout:.0f} s: {''.join(lines)[-200:]}")


def _group_members(group: int) -> list[Any]:
    import psutil

    members = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == group and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return members


def _is_resource_tracker(process: Any) -> bool:
    try:
        return any("resource_tracker" in part for part in process.cmdline())
    except Exception:  # gone, or not ours to read
        return False


def _kill_group(group: int) -> None:
    """End the whole group, the resource tracker last: once every other member is gone it unlinks the named
    semaphores and segments they leaked (``multiprocessing/resource_tracker.py``: ``main``) and exits by itself;
    killed with the rest, it would leave them in /dev/shm (``sem.mp-*`` under spawn and forkserver)."""
    for process in _group_members(group):
        if not _is_resource_tracker(process):
            try:
                process.kill()
            except Exception:  # already gone
                pass
    deadline = time.monotonic() + 5
    while _group_members(group) and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        os.killpg(group, signal.SIGKILL)  # anything left, the tracker included if it did not end in time
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + 5
    while _group_members(group) and time.monotonic() < deadline:
        time.sleep(0.02)


def say_when_interrupted(who: str) -> None:
    """Install a SIGINT handler (in this process's main thread) that prints ``who`` and the pid, then raises
    KeyboardInterrupt as the default handler does. Usable as a pool's initializer."""
    if not isinstance(who, str):
        raise TypeError(f"who must be a str; you gave {type(who).__name__}.")

    def on_sigint(signum: int, frame: Any) -> None:
        print(f"{who} (pid {os.getpid()}) got SIGINT", flush=True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)


async def sleep_and_note(pause: float, notes: list[str], name: str) -> str:
    """Sleep ``pause`` s (scaled); note in ``notes`` whether it finished or was cancelled."""
    try:
        await asyncio.sleep(seconds(pause))
    except asyncio.CancelledError:
        notes.append(f"{name}: cancelled")
        raise
    notes.append(f"{name}: finished")
    return name


async def fail_after(pause: float, message: str) -> None:
    """Sleep ``pause`` s (scaled), then raise ``RuntimeError(message)``."""
    await asyncio.sleep(seconds(pause))
    raise RuntimeError(message)


# --- finding a hang --------------------------------------------------------------------------

def wait_for_lock(lock: Any, timeout: float = 10.0) -> bool:
    """Wait for ``lock`` (at most ``timeout`` s, so a demo can never hang): a thread stuck on purpose."""
    validate.seconds(timeout, "timeout", 120)
    got = lock.acquire(timeout=timeout)
    if got:
        lock.release()
    return got


def idle_until(event: threading.Event, timeout: float = 10.0) -> None:
    """Wait for ``event`` (at most ``timeout`` s): a thread that is alive but not stuck on the lock."""
    event.wait(timeout)


STUCK_SCRIPT = """
import os, threading
from helpers.failures_operations import wait_for_lock

lock = threading.Lock()
lock.acquire()  # held by the main thread, never released: the writer below is stuck
writer = threading.Thread(target=wait_for_lock, args=(lock, 30.0), name="report-writer")
writer.start()
print("ready", os.getpid(), flush=True)
while writer.is_alive():
    writer.join(0.1)  # the main thread wakes now and then (pdb -p needs Python code running to break in)
"""


def dump_stuck_script(tool: str, timeout: float = 20.0) -> str:
    """Start :data:`STUCK_SCRIPT`, look at it from outside with ``tool``, end it; return what ``tool`` printed.

    ``tool``: ``"faulthandler"`` (the script registers ``faulthandler`` on SIGUSR1 and is sent it),
    ``"py-spy"`` (``py-spy dump --pid``; needs py-spy installed and permission to read the process), or
    ``"pdb"`` (3.14's ``python -m pdb -p PID`` with the command ``where``). Each step is bounded by
    ``timeout``; the script is killed on every exit path. Raises ValueError for another tool and
    RuntimeError when the tool cannot run here (with the reason).
    """
    if tool not in ("faulthandler", "py-spy", "pdb"):
        raise ValueError(f"tool must be 'faulthandler', 'py-spy' or 'pdb'; you gave {tool!r}.")
    if tool == "faulthandler" and not hasattr(signal, "SIGUSR1"):
        raise RuntimeError("faulthandler.register needs a POSIX signal (SIGUSR1); Windows has none.")
    spy = shutil.which("py-spy") or _beside_python("py-spy")
    if tool == "py-spy" and spy is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    if tool == "pdb" and sys.version_info < (3, 14):
        raise RuntimeError(f"python -m pdb -p needs Python 3.14+; this is {sys.version.split()[0]}")
    code = STUCK_SCRIPT
    if tool == "faulthandler":
        code = ("import faulthandler, signal, sys\n"
                "faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)\n" + code)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="course-stuck-", ignore_cleanup_errors=True) as folder:
        env["TMPDIR"] = folder  # the stuck script is killed: its temp files go with this folder
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, text=True, env=env)
        try:
            return _look_at(process, tool, spy, timeout)
        except subprocess.TimeoutExpired as expired:
            raise RuntimeError(f"{tool} did not answer within {timeout:.0f} s") from expired
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        process.communicate()


def _look_at(process: subprocess.Popen[str], tool: str, spy: str | None, timeout: float) -> str:
    """Wait for the stuck script to be ready, then look at it with ``tool``; what the tool printed."""
    _wait_for_line(process, "ready", timeout, [])
    time.sleep(0.2)  # let the writer thread reach its lock
    if tool == "faulthandler":
        os.kill(process.pid, signal.SIGUSR1)
        time.sleep(0.5)
        process.kill()
        return process.communicate(timeout=timeout)[1]
    if tool == "py-spy":
        plain = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
        plain["NO_COLOR"] = "1"
        done = subprocess.run([str(spy), "dump", "--pid", str(process.pid)], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, env=plain)
        if done.returncode != 0:
            raise RuntimeError(f"py-spy could not read the process: {(done.stderr.strip().splitlines() or [''])[0]}")
        lines = done.stdout.splitlines()  # from the first thread on: the header repeats the script's source
        first = next((i for i, line in enumerate(lines) if line.startswith("Thread ")), 0)
        return "\n".join(lines[first:])
    done = subprocess.run([sys.executable, "-m", "pdb", "-p", str(process.pid)], input="where\nexit\n",
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 and "->" not in done.stdout:
        raise RuntimeError(f"pdb -p could not attach: {(done.stderr.strip().splitlines() or [''])[-1]}")
    return done.stdout


def _beside_python(name: str) -> str | None:
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else None


def _check_int(value: Any, name: str, low: int, high: int) -> None:
    validate.whole_number(value, name, low, high)

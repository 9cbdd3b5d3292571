"""Whoever survives cleans up: a small watcher process that outlives its kernel by a moment.

When a kernel ends without running its exit handlers -- SIGKILL from the OOM killer, a forced restart
(Jupyter kills the kernel's whole process group), nbval's shutdown (``shutdown_kernel(now=True)``), or a
graceful shutdown that takes longer than Jupyter waits -- nothing inside it can clean up. Measured before
this module: a kernel killed during notebook 12's shared-memory measurement left the echo child alive under
pid 1 and its 50 MB ``psm_*`` block in /dev/shm; notebook 17 killed by a forced restart left 12
``sem.mp-*``; notebooks that start a fork server or a Dask cluster left ``/tmp/pymp-*`` and
``dask-scratch-space``.

:func:`start` (called by ``import helpers`` inside an IPython kernel) starts this file as a script in a
session of its own (so the stop button and a killed process group do not reach it), with the kernel's
pid and its ``multiprocessing`` temp dir (made now, so that every later user -- the fork server's
socket, heap arenas, Dask's scratch space through ``temporary-directory`` -- puts its files there).
Every :data:`INTERVAL` seconds it notes the kernel's descendants (pid and start time) and the course's
/dev/shm names they have mapped or open. When the kernel is gone it

1. ends those descendants that are still alive (SIGTERM, then SIGKILL after a second),
2. removes the /dev/shm names it saw that no live process of this user still uses,
3. removes the kernel's temp dir, and exits.

It is stdlib + psutil only and is run as a file, not as ``helpers.engine.janitor``, so it starts in about
0.05 s without importing the course. :mod:`helpers.engine.census` counts it as housekeeping, like
``multiprocessing``'s resource tracker.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

#: Seconds between two looks at the kernel's process tree (a look walks /proc: about 1 % of a core at 0.5 s).
INTERVAL = 0.5
#: Seconds a surviving descendant gets after SIGTERM before SIGKILL.
GRACE = 1.0
#: /dev/shm names the course's tools make: shared_memory blocks, multiprocessing semaphores, heap arenas.
COURSE_SHM = re.compile(r"^(psm_|sem\.mp-|pym-\d+-)")
#: Marks this process in a command line (helpers.engine.census leaves it out of its count).
MARK = "helpers/engine/janitor.py"
_STARTED: Any = None


def start() -> Any:
    """Start the janitor for this process (once); the ``Popen``, or None where it cannot run.

    Only inside an IPython kernel (``import helpers`` elsewhere, a script or a worker process, starts nothing).
    """
    global _STARTED
    if _STARTED is not None or os.name != "posix" or os.environ.get("COURSE_NO_JANITOR"):
        return _STARTED
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return None
    import multiprocessing.util

    tempdir = multiprocessing.util.get_temp_dir()
    # Dask's scratch space (dask-scratch-space) inside the kernel's temp dir, so it goes with it: Dask reads
    # DASK_TEMPORARY_DIRECTORY when it is imported (its workers inherit it); set it too if it already was.
    os.environ["DASK_TEMPORARY_DIRECTORY"] = tempdir
    if "dask.config" in sys.modules:
        sys.modules["dask.config"].set({"temporary-directory": tempdir})
    try:
        # -I: the script's folder (helpers/) is not put on sys.path, so no course module can shadow the stdlib.
        _STARTED = subprocess.Popen([sys.executable, "-I", os.path.abspath(__file__), str(os.getpid()), tempdir],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        return None
    return _STARTED


def _shm_in_use(pids: set[int]) -> set[str]:
    """The course's /dev/shm names that one of ``pids`` has mapped or open.

    Matched by inode, not by the path in ``/proc/<pid>/maps``: glibc's ``sem_open`` maps a temporary
    file and then links it under its name, so a semaphore's mapping reads ``/dev/shm/sem.XXXXXX (deleted)``.
    """
    inodes: set[int] = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
                for line in maps:
                    if "/dev/shm/" in line:
                        fields = line.split()
                        if len(fields) >= 6 and fields[4].isdigit():
                            inodes.add(int(fields[4]))
        except OSError:
            pass
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("/dev/shm/"):
                        inodes.add(os.stat(f"/proc/{pid}/fd/{fd}").st_ino)
                except OSError:
                    continue
        except OSError:
            pass
    found: set[str] = set()
    try:
        names = os.listdir("/dev/shm")
    except OSError:
        return found
    for name in names:
        if COURSE_SHM.match(name):
            try:
                if os.stat(os.path.join("/dev/shm", name)).st_ino in inodes:
                    found.add(name)
            except OSError:
                pass
    return found


def _own_pids() -> set[int]:
    uid = os.getuid()
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.add(int(entry))
            except OSError:
                pass
    return pids


def _alive(process: Any) -> bool:
    """Whether ``process`` (a ``psutil.Process``) still runs: neither gone nor a zombie waiting to be reaped.

    Its end is seen in two reads of ``/proc/<pid>/stat``: ``is_running()`` answers True for a zombie, and
    when its parent reaps it before ``status()`` reads again, ``status()`` raises ``NoSuchProcess``.
    Uncaught, that ended the janitor before it cleaned up anything: a kernel's ``pymp-*`` left in its
    TMPDIR (CI, Python 3.15, notebook 15, once: jupyter_client reaps a killed kernel within 0.1 s, and a
    loaded machine can pause the janitor between the two reads). Gone at either read counts as ended.
    """
    import psutil

    try:
        return bool(process.is_running()) and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:  # NoSuchProcess: reaped between the two reads (or before the first)
        return False


def watch(kernel_pid: int, tempdir: str) -> None:
    """The janitor's body: watch ``kernel_pid``'s tree until it ends, then clean up after it."""
    import psutil

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    me = os.getpid()
    try:
        kernel = psutil.Process(kernel_pid)
    except psutil.Error:
        kernel = None
    tree: dict[int, float] = {}
    segments: set[str] = set()
    foreign: dict[str, int] = {}  # course names in /dev/shm that no process of this tree had mapped, and how often
    # Jupyter starts a kernel as the leader of a process group of its own; its children stay in that group
    # after it dies, so the group finds a child born after the last look, too.
    try:
        group = os.getpgid(kernel_pid) if os.getpgid(kernel_pid) == kernel_pid else None
    except OSError:
        group = None
    while kernel is not None and _alive(kernel):
        try:
            members = [p for p in kernel.children(recursive=True) if p.pid != me]
        except psutil.Error:
            break
        for member in members:
            try:
                tree.setdefault(member.pid, member.create_time())
            except psutil.Error:
                pass
        if os.path.isdir("/dev/shm"):
            # Reading the tree's memory maps costs about 20 ms a look: only when /dev/shm holds a course name
            # not yet placed. A name not ours in two looks (its creator maps it at once) is not looked at again.
            try:
                names = {name for name in os.listdir("/dev/shm") if COURSE_SHM.match(name)}
            except OSError:
                names = set()
            unplaced = names - segments - {name for name, looks in foreign.items() if looks >= 2}
            if unplaced:
                found = _shm_in_use({kernel_pid, *(p.pid for p in members)})
                segments |= found
                for name in unplaced - found:
                    foreign[name] = foreign.get(name, 0) + 1
        time.sleep(INTERVAL)
    # 1. the kernel's descendants that outlived it (the same pid *and* start time: never a newcomer),
    #    and the members of its process group
    survivors = []
    for pid, created in tree.items():
        try:
            process = psutil.Process(pid)
            if abs(process.create_time() - created) < 0.01 and process.status() != psutil.STATUS_ZOMBIE:
                survivors.append(process)
        except psutil.Error:
            pass
    if group is not None:
        known = {p.pid for p in survivors}
        for pid in _own_pids() - known - {me}:
            try:
                if os.getpgid(pid) == group and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    survivors.append(psutil.Process(pid))
            except (OSError, psutil.Error):
                pass
    if survivors and os.path.isdir("/dev/shm"):
        segments |= _shm_in_use({p.pid for p in survivors})
    for process in survivors:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(survivors, timeout=GRACE)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=GRACE)
    # 2. its /dev/shm segments that nobody uses any more
    if segments:
        still_used = _shm_in_use(_own_pids() - {me})
        for name in segments - still_used:
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except OSError:
                pass
    # 3. its temp dir (pymp-*: the fork server's socket, heap arenas, Dask's scratch space)
    if os.path.basename(tempdir).startswith("pymp-"):
        shutil.rmtree(tempdir, ignore_errors=True)


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2])

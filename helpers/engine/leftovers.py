"""What a kernel's run left behind besides processes: shared-memory segments, temp dirs, listening ports.

:mod:`helpers.engine.census` counts processes. A notebook can also leave

* **/dev/shm entries** (Linux): ``psm_*`` ``shared_memory`` blocks, ``sem.mp-*`` semaphores,
  ``pym-<pid>-*`` heap arenas of ``multiprocessing`` -- memory nobody frees until a reboot;
* **temp dirs**: ``pymp-*`` (``multiprocessing.util.get_temp_dir``), ``dask-scratch-space``;
* **listening ports**: a server or cluster still open in the kernel.

Several notebooks run at once on a shared machine, so nothing is judged by a global count. A
kernel's run owns what :class:`ShmWatcher` saw *open or mapped by one of its processes* (sampled
from ``/proc/<pid>/maps`` and ``/proc/<pid>/fd`` every ``interval`` seconds) and the ``pym-<pid>``
arenas of its pids; temp dirs are looked for in a ``TMPDIR`` given to that kernel alone
(:func:`private_tmpdir`); ports are those of its own processes, compared with a snapshot taken
when its run started. A segment that is made and leaked between two samples is not seen: the
watcher finds leaks, it does not prove their absence.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path

import psutil

SHM_DIR = Path("/dev/shm")
#: Names the course's tools create in /dev/shm (semaphores appear as ``sem.<name>``).
COURSE_SHM = re.compile(r"^(psm_|wnsm_|sem\.mp-|pym-\d+-|mp-)")
_ARENA = re.compile(r"^pym-(\d+)-")


def shm_names() -> set[str]:
    """Every entry of /dev/shm now (empty where there is none)."""
    try:
        return set(os.listdir(SHM_DIR))
    except OSError:
        return set()


def tree(pid: int) -> list[int]:
    """``pid`` and its live descendants."""
    try:
        root = psutil.Process(pid)
        return [pid] + [p.pid for p in root.children(recursive=True)]
    except psutil.Error:
        return []


def shm_in_use(pids: list[int]) -> set[str]:
    """The course's /dev/shm names that one of ``pids`` has mapped or open (matched by inode:
    :func:`helpers.engine.janitor._shm_in_use`)."""
    from .janitor import _shm_in_use

    return _shm_in_use(set(pids))


class ShmWatcher(threading.Thread):
    """Samples which course /dev/shm names the process tree of ``pid`` uses, until :meth:`stop`."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(name=f"shm-watcher-{pid}", daemon=True)
        self.pid, self.interval = pid, interval
        self.before = shm_names()
        self.seen: set[str] = set()
        self.pids: set[int] = set()
        self._stop_event = threading.Event()

    def sample(self) -> None:
        pids = tree(self.pid)
        self.pids.update(pids)
        self.seen |= shm_in_use(pids)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)

    def leaked(self) -> list[str]:
        """Course segments that exist now, did not exist before, and this tree used (or made, for arenas)."""
        now = shm_names() - self.before
        ours = set()
        for name in now:
            arena = _ARENA.match(name)
            if name in self.seen or (arena and int(arena.group(1)) in self.pids):
                ours.add(name)
        return sorted(ours)


def remove_shm(names: list[str]) -> None:
    for name in names:
        try:
            (SHM_DIR / name).unlink()
        except OSError:
            pass


def private_tmpdir(prefix: str = "course-kernel-") -> str:
    """A fresh directory to be one kernel's ``TMPDIR``: whatever is left in it after the kernel ends is its leak."""
    return tempfile.mkdtemp(prefix=prefix)


def left_in(directory: str) -> list[str]:
    """The entries left in ``directory`` (sorted), empty if it is gone."""
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []


def listening_ports(pid: int) -> set[tuple[int, str, int]]:
    """``(pid, address, port)`` of every listening TCP socket of ``pid``'s tree."""
    found = set()
    for member in tree(pid):
        try:
            connections = psutil.Process(member).net_connections(kind="inet")
        except psutil.Error:
            continue
        for connection in connections:
            if connection.status == psutil.CONN_LISTEN and connection.laddr:
                found.add((member, connection.laddr.ip, connection.laddr.port))
    return found

"""The machine's limits, each named in one line with what to do, instead of a long traceback.

Three limits a learner's machine can hit while the course starts processes and shares memory:

* **/dev/shm**: on Linux, ``multiprocessing`` keeps every lock, queue semaphore and
  ``shared_memory`` block there (a ``tmpfs``: memory). Docker and Binder give it 64 MB by default.
  A block bigger than what is free is *made* without complaint (``ftruncate`` of a sparse file) and
  the first write past the free space kills the process with SIGBUS; a full ``/dev/shm`` makes
  ``Queue()`` raise ``OSError [Errno 28] No space left on device`` from ``sem_open``.
  :func:`shm_space` measures it, :func:`fit_to_shm` keeps only the sizes that fit, and
  :func:`check_shared_memory_room` says so (or skips the rest of a notebook with one line when it is full).
* **ulimit -u** (``RLIMIT_NPROC``): processes per user. Past it ``fork`` fails with ``BlockingIOError
  [Errno 11]`` and a ``Manager()`` whose server process could not start raises a bare ``EOFError``.
* anything else stays a normal traceback.

:func:`explain` turns such an exception into its one line; :func:`install` registers it with the
running IPython shell (``InteractiveShell.set_custom_exc``), so a cell that hits a limit shows that
line. :class:`LimitError` is raised by the course's own checks; IPython prints only its message
(``_render_traceback_``).
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import traceback
from collections.abc import Sequence
from typing import Any

#: Where Linux keeps POSIX shared memory and semaphores.
SHM_DIR = "/dev/shm"
#: A size is used only if this many times it is free in /dev/shm (the block, plus room for the
#: Array channel's heap and for other programs using /dev/shm at the same moment).
SHM_FACTOR = 2
#: Below this many free bytes /dev/shm counts as full: a Queue's semaphores may not fit.
SHM_FULL = 1 << 20
_HOOKED = "_course_limits_installed"


class LimitError(RuntimeError):
    """A machine limit, told in one line (IPython shows only the message, no traceback)."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}".replace(".0 ", " ")
        size /= 1000
    return f"{size} B"  # not reached


def shm_space(path: str = SHM_DIR) -> tuple[int, int] | None:
    """``(free, total)`` bytes of ``/dev/shm``, or None where there is none (macOS, Windows)."""
    if not os.path.isdir(path):
        return None
    usage = shutil.disk_usage(path)
    return usage.free, usage.total


def fit_to_shm(sizes: Sequence[int], space: tuple[int, int] | None) -> tuple[list[int], str]:
    """The ``sizes`` whose shared-memory block fits ``SHM_FACTOR`` times in the free space, and why
    any were dropped ("" when none were). ``space`` is :func:`shm_space`'s answer."""
    if space is None:
        return list(sizes), ""
    free, total = space
    kept = [size for size in sizes if size * SHM_FACTOR <= free]
    if len(kept) == len(sizes):
        return kept, ""
    return kept, (f"/dev/shm has {human(free)} free of {human(total)} (Docker and Binder give it 64 MB): "
                  f"shared-memory payloads stop at {human(max(kept)) if kept else 'none'}")


def shm_full_line(space: tuple[int, int] | None = None) -> str:
    space = space or shm_space() or (0, 0)
    return (f"/dev/shm is full ({human(space[0])} free of {human(space[1])}): multiprocessing keeps its locks, "
            "queues and shared memory there. Remove what other programs left (`ls -l /dev/shm`), or give the "
            "container more (`docker run --shm-size=256m`); then restart the kernel.")


def process_limit() -> int | None:
    """The soft ``ulimit -u`` (processes per user), or None where there is none or it is unlimited."""
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def process_limit_line() -> str:
    limit = process_limit()
    try:
        import psutil

        mine = sum(1 for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == os.getuid())
    except Exception:
        mine = None
    said = f"this user may run at most {limit} processes (`ulimit -u`)" if limit else "the process table is full"
    running = f" and runs {mine}" if mine is not None else ""
    return (f"The system refused to start another process: {said}{running}. Close other notebooks' kernels "
            "or raise the limit (`ulimit -u`), then run the cell again.")


def _files(tb: Any) -> list[str]:
    return [frame.filename.replace("\\", "/") for frame in traceback.extract_tb(tb)]


def explain(exc: BaseException) -> str | None:
    """The one line for an exception caused by a machine limit, or None for any other exception."""
    files = _files(exc.__traceback__)
    in_multiprocessing = any("/multiprocessing/" in f for f in files)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        if in_multiprocessing or str(getattr(exc, "filename", "") or "").startswith(SHM_DIR):
            return shm_full_line()
    if isinstance(exc, OSError) and exc.errno == errno.EAGAIN and (
            in_multiprocessing or any(f.endswith("subprocess.py") for f in files)):
        return process_limit_line()
    if isinstance(exc, EOFError) and any(f.endswith("multiprocessing/managers.py") for f in files):
        limit = process_limit()
        if limit is not None and _own_process_count() >= limit - 2:
            return process_limit_line()
    return None


def _own_process_count() -> int:
    try:
        import psutil

        return sum(1 for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == os.getuid())
    except Exception:
        return 0


def check_shared_memory_room(needed: int = SHM_FULL) -> str:
    """Say how much room ``/dev/shm`` has when it is small; when it is full, skip the notebook with one line.

    Returns the sentence printed ("" when there is plenty of room or no ``/dev/shm``).
    """
    space = shm_space()
    if space is None:
        return ""
    free, total = space
    if free < needed:
        line = shm_full_line(space)
        print(line)
        _skip_later_cells(line)
        return line
    if total < 256 * 10**6 or free < 256 * 10**6:
        line = (f"/dev/shm has {human(free)} free of {human(total)}: this notebook keeps its shared-memory "
                "payloads within that.")
        print(line)
        return line
    return ""


def _skip_later_cells(line: str) -> None:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        message = "skipped: " + line.split(":")[0]
        shell.input_transformers_cleanup.append(lambda lines: [f"print({message!r})\n"])


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    # IPython's run_code catches ``custom_exceptions`` with isinstance (every OSError and EOFError lands
    # here), calls this and shows nothing itself: show the one line, or the usual traceback.
    line = explain(value)
    if line is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
    else:
        shell._showtraceback(etype, value, [f"{etype.__name__}: {line}"])


def install() -> bool:
    """Show :func:`explain`'s line instead of the traceback in the running IPython shell. False when none."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, _HOOKED, False) or shell.custom_exceptions:
        return False
    shell.set_custom_exc((OSError, EOFError), _handler)
    setattr(shell, _HOOKED, True)
    return True

"""Free-threaded Python (PEP 703): how to tell, what changes, and figures published elsewhere.

A *free-threaded build* of CPython (``python3.13t``, ``python3.14t``) can run without the
global interpreter lock. Two questions tell it apart, and they are different questions:

* is this **build** able to run without the GIL? ``sysconfig.get_config_var("Py_GIL_DISABLED")``;
* is the GIL **off right now**? ``sys._is_gil_enabled()`` (3.13+). A free-threaded build turns
  the GIL back on when it imports an extension module that has not declared it can run
  without it, or when started with ``PYTHON_GIL=1`` / ``-X gil=1``.

:func:`gil_status` answers both; :func:`lost_increments` measures the race that the GIL
made rare; :func:`gil_after_import` imports a module in a fresh Python and reports whether the
GIL was on afterwards, with the warning the interpreter printed. :data:`PUBLISHED` holds
figures measured elsewhere, each with its source and date, for a machine without such a build.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import threading
from dataclasses import dataclass

from .engine.config import MAX_THREADS, gil_enabled
from .workers import plain_increment

__all__ = ["PUBLISHED", "GilStatus", "Published", "gil_after_import", "gil_status", "lost_increments"]

#: Most increments one thread may do in :func:`lost_increments` (keeps it well under a second).
MAX_INCREMENTS = 2_000_000


@dataclass(frozen=True)
class GilStatus:
    """The build (``free_threaded_build``) and the state now (``gil_enabled``)."""

    free_threaded_build: bool
    gil_enabled: bool

    def __str__(self) -> str:
        build = "free-threaded build" if self.free_threaded_build else "standard build (GIL always on)"
        if not self.free_threaded_build:
            return build
        return f"{build}, GIL {'ON (re-enabled)' if self.gil_enabled else 'off'}"


def gil_status() -> GilStatus:
    """What this interpreter is: a free-threaded build or not, and whether its GIL is on now."""
    return GilStatus(bool(sysconfig.get_config_var("Py_GIL_DISABLED")), gil_enabled())


def lost_increments(threads: int = 4, per_thread: int = 200_000) -> tuple[int, int]:
    """Run ``box[0] += 1`` unlocked in ``threads`` threads, ``per_thread`` times each.

    Returns ``(expected, counted)``: any difference is increments lost to the race between a
    thread's read and its write. Raises ``ValueError`` for counts outside 2 to
    :data:`~helpers.engine.config.MAX_THREADS` threads and 1 to :data:`MAX_INCREMENTS` increments.
    """
    for name, value, low, high in (("threads", threads, 2, MAX_THREADS),
                                   ("per_thread", per_thread, 1, MAX_INCREMENTS)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}.")
    box = [0]
    workers = [threading.Thread(target=plain_increment, args=(box, per_thread), name=f"adder-{n + 1}")
               for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return threads * per_thread, box[0]


_PROBE = """
import json, sys, warnings
before = getattr(sys, "_is_gil_enabled", lambda: True)()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import {module}
after = getattr(sys, "_is_gil_enabled", lambda: True)()
print(json.dumps([before, after, [str(w.message) for w in caught if "GIL" in str(w.message)]]))
"""


def gil_after_import(module: str, timeout: float = 60.0) -> tuple[bool, bool, list[str]]:
    """Import ``module`` in a fresh Python (this one's executable): (GIL on before, after, warnings).

    A fresh interpreter, because once an import has turned the GIL on it stays on for the
    rest of the process. ``warnings`` holds the texts of the GIL warnings raised during the
    import. Raises ``ValueError`` for a name that is not a dotted module name, and
    ``RuntimeError`` with the child's last error line if the import failed; the child is
    killed after ``timeout`` seconds.
    """
    if not isinstance(module, str) or not all(part.isidentifier() for part in module.split(".")):
        raise ValueError(f"{module!r} is not a module name such as 'json' or 'numpy'.")
    done = subprocess.run([sys.executable, "-c", _PROBE.format(module=module)], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"importing {module} failed in a fresh Python: {last}")
    before, after, warnings = json.loads(done.stdout.strip().splitlines()[-1])
    return bool(before), bool(after), list(warnings)


# --- figures measured elsewhere ------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    """A figure measured by someone else, on another machine: never this machine's."""

    what: str
    with_gil: str
    free_threaded: str
    source: str
    date: str

    def __str__(self) -> str:
        return (f"{self.what}: with the GIL {self.with_gil}, free-threaded {self.free_threaded}  "
                f"[NOT measured here: {self.source}, {self.date}]")


#: Published figures for what a free-threaded build changes, quoted with source and date.
PUBLISHED = {
    "cpu_threads": Published(
        "counting primes below 2 million, chunks on a ThreadPoolExecutor (one thread per core)",
        "~2.7 s", "~0.8 s",
        "Adarsh Divakaran, 'Goodbye GIL - Exploring Free Threaded Python 3.14' (PyCon JP 2025 talk, "
        "blog post), Python 3.14 RC2", "2025-10-19"),
    "cpu_one_thread": Published(
        "the same prime count on one thread", "~2.7 s", "~3.1 s",
        "Adarsh Divakaran, same post and machine", "2025-10-19"),
    "pyperformance": Published(
        "single-thread slowdown of the free-threaded build, pyperformance suite (geometric mean)",
        "baseline", "about 10% slower (about 3% on macOS)",
        "PEP 779, 'Criteria for supported status for free-threaded Python', Performance section",
        "accepted 2025-06-16"),
    "pyperformance_313": Published(
        "the same slowdown in 3.13, when the build was experimental", "baseline", "about 40% slower",
        "CPython 3.13 documentation, HOWTO 'Python experimental support for free threading'",
        "3.13.0 release, 2024-10-07"),
    "memory": Published(
        "memory use, pyperformance suite (geometric mean)", "baseline", "about 15-20% higher",
        "PEP 779, Rationale", "accepted 2025-06-16"),
}

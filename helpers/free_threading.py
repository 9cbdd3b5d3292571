"""Free-threaded Python (PEP 703/779): how to tell, what changes, measured on both builds side by side.

A *free-threaded build* of CPython (``python3.13t``, ``python3.14t``) can run without the
global interpreter lock. Two questions tell it apart, and they are different questions:

* is this **build** able to run without the GIL? ``sysconfig.get_config_var("Py_GIL_DISABLED")``;
* is the GIL **off right now**? ``sys._is_gil_enabled()`` (3.13+). A free-threaded build turns
  the GIL back on when it imports an extension module that has not declared it can run
  without it, or when started with ``PYTHON_GIL=1`` / ``-X gil=1``.

:func:`gil_status` answers both; :func:`lost_increments` measures the race that the GIL
made rare; :func:`gil_after_import` imports a module in a fresh Python and reports whether the
GIL was on afterwards. Side by side: :func:`find_other_build` looks for the other build of this
Python (a ``python3.14t`` beside a GIL ``python3.14``, or the reverse), :func:`measure_build` runs
:mod:`helpers.build_workload` in a child interpreter of either build (bounded, killed on timeout),
:func:`compare_builds` does both and judges the figures against this machine's idle cores;
:func:`gil_needing_extension` compiles a tiny C extension that declares nothing (a C compiler is
needed; the files live in a temporary folder) and shows the GIL coming back when it is imported.
Where no other build is found, :func:`recorded_comparison` returns the figures measured on the
course's own machine (``helpers/measured/free_threading.json``, written by
``python -m helpers.free_threading --record``), labelled with date, machine and idle cores.
:data:`PUBLISHED` keeps what this course cannot measure (other machines, pyperformance).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import validate
from .engine.config import MAX_THREADS, gil_enabled
from .engine.verdict import MachineSeen, watch_machine
from .workers import plain_increment

__all__ = ["HOW_TO_GET", "PUBLISHED", "BuildComparison", "GilStatus", "Interpreter", "Published", "compare_builds",
           "gil_coming_back", "side_by_side",
           "describe_interpreter", "find_other_build", "gil_after_import", "gil_needing_extension", "gil_status",
           "lost_increments", "measure_build", "recorded_comparison"]

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
        validate.whole_number(value, name, low, high)
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
    validate.seconds(timeout, "timeout", 600)
    done = subprocess.run([sys.executable, "-c", _PROBE.format(module=module)], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"importing {module} failed in a fresh Python: {last}")
    before, after, warnings = json.loads(done.stdout.strip().splitlines()[-1])
    return bool(before), bool(after), list(warnings)


# --- the other build, side by side ----------------------------------------------------------

#: Where the workload of :func:`measure_build` lives: a standard-library-only script (helpers/build_workload.py).
WORKLOAD = Path(__file__).with_name("build_workload.py")
#: Both builds as measured on the course's own machine (``--record``): shown where no other build is found.
RECORDED = Path(__file__).parent / "measured" / "free_threading.json"
#: Set to an interpreter's path to choose the other build, or to ``none`` to act as if there were none.
OTHER_PYTHON_ENV = "COURSE_OTHER_PYTHON"
#: Folders searched besides the PATH: this course's machines install 3.14t and Debian's 3.14 there.
EXTRA_DIRS = ["/opt/ft-python/bin", "/opt/debian-python/bin"]
#: Most seconds a child interpreter may take for one measurement before it is killed.
MEASURE_TIMEOUT = 120.0
_DESCRIBE = ("import json, sys, sysconfig; g = getattr(sys, '_is_gil_enabled', None); "
             "print(json.dumps(['%d.%d' % sys.version_info[:2], sys.version.split()[0], "
             "bool(sysconfig.get_config_var('Py_GIL_DISABLED')), True if g is None else g()]))")


@dataclass(frozen=True)
class Interpreter:
    """A Python found on this machine: its path, version (``3.14``) and build."""

    path: str
    version: str
    release: str
    free_threaded: bool

    @property
    def name(self) -> str:
        return f"Python {self.release}{' free-threaded' if self.free_threaded else ' (GIL)'}"


def describe_interpreter(path: str, timeout: float = 30.0) -> Interpreter | None:
    """Ask ``path`` which version and build it is (a short child process); None if it does not answer."""
    try:
        done = subprocess.run([path, "-c", _DESCRIBE], capture_output=True, text=True, timeout=timeout,
                              env={k: v for k, v in os.environ.items() if k != "PYTHON_GIL"})
        version, release, threaded, _ = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return None
    return Interpreter(str(path), version, release, bool(threaded))


def uv_find(request: str) -> str | None:
    """``uv python find`` (uv's own installs, ``uv python install 3.14t``): never downloads. Also used by
    tools/matrix.py to find the Pythons it tests."""
    uv = shutil.which("uv")
    if uv is None:
        try:
            from uv import find_uv_bin  # the test tools bring uv as a package
            uv = find_uv_bin()
        except (ImportError, FileNotFoundError):
            return None
    try:
        done = subprocess.run([uv, "python", "find", "--no-python-downloads", request], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def find_other_build(free_threaded: bool | None = None, version: str | None = None) -> Interpreter | None:
    """A Python of the other build (or of ``free_threaded``'s) with this one's version, else None.

    Looks at ``$COURSE_OTHER_PYTHON`` (``none``: look no further), then ``python3.Xt`` / ``python3.X``
    on the PATH, ``uv python find``, and :data:`EXTRA_DIRS`; each candidate is asked what it is
    (:func:`describe_interpreter`), so a name is never trusted.
    """
    want = (not gil_status().free_threaded_build) if free_threaded is None else free_threaded
    version = version or f"{sys.version_info[0]}.{sys.version_info[1]}"
    name = f"python{version}{'t' if want else ''}"
    chosen = os.environ.get(OTHER_PYTHON_ENV, "").strip()
    if chosen.lower() == "none":
        return None
    candidates: list[str | None] = [chosen] if chosen else []
    candidates += [shutil.which(name), uv_find(f"{version}t" if want else f"cpython-{version}")]
    candidates += [os.path.join(folder, name) for folder in EXTRA_DIRS]
    seen = set()
    for candidate in candidates:
        if not candidate or candidate in seen or not os.access(candidate, os.X_OK):
            continue
        seen.add(candidate)
        found = describe_interpreter(candidate)
        if found is not None and found.free_threaded == want and found.version == version:
            return found
    return None


def measure_build(python: str | None = None, threads: tuple[int, ...] = (1, 2), work: int = 2_000_000,
                  repeats: int = 3, race_times: int = 200_000, timeout: float = MEASURE_TIMEOUT,
                  env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run :mod:`helpers.build_workload` in a fresh ``python`` (default: this one's executable); its JSON.

    The child imports only the standard library, so any Python 3.10+ can run it. It is killed
    after ``timeout`` seconds (``subprocess.run`` kills and reaps it) and RuntimeError names why.
    Raises ValueError for thread counts outside 1 to :data:`~helpers.config.MAX_THREADS`.
    """
    counts = [validate.whole_number(n, "each of threads", 1, MAX_THREADS)
              for n in validate.items(threads, "threads", MAX_THREADS)]
    options = json.dumps({"threads": sorted(set(counts)), "work": work, "repeats": repeats,
                          "race_times": race_times})
    command = [python or sys.executable, "-c", WORKLOAD.read_text(), options]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=env if env is not None else dict(os.environ))
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{command[0]} did not finish the workload within {timeout:.0f} s (killed)") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"{command[0]} failed the workload: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def speedups(figures: dict[str, Any]) -> dict[int, float]:
    """Speed-up of each thread count over one thread, for the same total work."""
    one = figures["cpu"]["1"]["seconds"]
    return {int(n): one / run["seconds"] for n, run in figures["cpu"].items()}


def parallelism(figures: dict[str, Any], threads: int) -> float:
    """CPU seconds the threads used per wall-clock second: at most 1 with a GIL, up to ``threads`` without."""
    run = figures["cpu"][str(threads)]
    return sum(run["thread_cpu"]) / run["seconds"]


@dataclass
class BuildComparison:
    """This machine's two builds, measured in one run (or recorded earlier: ``source`` says which)."""

    builds: list[dict[str, Any]]  # GIL build first, then free-threaded, whichever were measured
    usable_cores: int
    idle_cores: float | None
    source: str  # "measured now" or "recorded on the course's machine, <date>"
    machine: str = ""
    notes: list[str] = field(default_factory=list)
    #: Where this run measured one build only: the two builds as recorded on the course's machine.
    recorded: BuildComparison | None = None

    def build(self, free_threaded: bool) -> dict[str, Any] | None:
        return next((b for b in self.builds if b["free_threaded"] == free_threaded), None)

    def table(self) -> str:
        """One line per build: wall-clock time per thread count, speed-ups, one thread, race, memory."""
        counts = sorted({int(n) for b in self.builds for n in b["cpu"]})
        lines = [f"{'':<28}" + "".join(f"{f'{n} thread' + ('s' if n > 1 else ''):>18}" for n in counts)
                 + f"{'one thread':>12}{'lost of ' + format(self.builds[0]['race']['expected'], ','):>34}"
                 + f"{'KiB/thread':>12}"]
        for b in self.builds:
            ups = speedups(b)
            cells = "".join(f"{b['cpu'][str(n)]['seconds']:>9.3f} s ×{ups[n]:<5.2f}" if str(n) in b["cpu"]
                            else f"{'':>18}" for n in counts)
            kind = "free-threaded" + (" (GIL ON)" if b["gil_enabled"] else "") if b["free_threaded"] else "GIL"
            trials = b["race"]["lost"]
            lost = (", ".join(f"{x:,}" for x in trials) if len(trials) <= 3
                    else f"{sum(1 for x in trials if x)} of {len(trials)} trials, up to {max(trials):,}")
            memory = b.get("memory_kib_per_thread")
            label = f"{b['python']} {kind}"
            lines.append(f"{label:<28}{cells}"
                         f"{b['one_thread']:>10.3f} s{lost:>34}{'' if memory is None else format(memory, '.0f'):>12}")
        return "\n".join(lines)

    def machine_line(self) -> str:
        idle = "not sampled" if self.idle_cores is None else f"{self.idle_cores:g} of them idle"
        return f"{self.source}{', ' + self.machine if self.machine else ''}: {self.usable_cores} usable cores, {idle}"

    def verdicts(self) -> list[str]:
        """What the figures say: each build's 2-thread speed-up judged by :func:`helpers.claims.threads_on_builds`
        (the course's one set of rules, :func:`helpers.engine.verdict.judge`), then the one-thread cost,
        the race and the memory."""
        from .claims import lost_updates, threads_on_builds

        out: list[str] = []
        gil, free = self.build(False), self.build(True)
        machine = MachineSeen(usable=self.usable_cores, idle_before=self.idle_cores, gil=gil_enabled())
        busy = machine.busy
        measured = [("free-threaded build" + (" (GIL ON)" if b["gil_enabled"] else "") if b["free_threaded"]
                     else "GIL build", b["gil_enabled"], speedups(b)[2], parallelism(b, 2))
                    for b in (gil, free) if b is not None and "2" in b["cpu"]]
        if measured:
            out.extend(threads_on_builds(measured, machine).lines)
        if gil and free:
            ratio = free["one_thread"] / gil["one_thread"]
            line = (f"one thread: the free-threaded build took ×{ratio:.2f} the GIL build's wall-clock time"
                    + (f" ({(ratio - 1) * 100:.0f} % slower)" if ratio > 1 else " (not slower in this run)"))
            if free.get("one_thread_cpu") and gil.get("one_thread_cpu"):
                cpu_ratio = free["one_thread_cpu"] / gil["one_thread_cpu"]
                line += (f" and ×{cpu_ratio:.2f} its CPU time"
                         + (" (CPU time is the steadier figure on a busy machine)" if busy else ""))
            elif busy:
                line += ", on a busy machine: run again for a steadier figure"
            out.append(line + ".")
        for b in (gil, free):
            if b is None:
                continue
            name = "free-threaded" if b["free_threaded"] else "GIL"
            out.append(f"{name} build: " + lost_updates(b["race"]["lost"], b["race"]["expected"], b["gil_enabled"])
                       + ".")
        if gil and free and gil.get("memory_kib_per_thread") and free.get("memory_kib_per_thread"):
            out.append(f"memory: each started thread added about {free['memory_kib_per_thread']:.0f} KiB of resident "
                       f"memory on the free-threaded build, {gil['memory_kib_per_thread']:.0f} KiB on the GIL build.")
        return out + self.notes


    def report(self) -> str:
        """Everything in words: the machine, the table, the verdicts; then, if only one build ran here,
        how to get the other and the figures recorded on the course's machine, labelled as such."""
        lines = [self.machine_line(), self.table(), *("-> " + v for v in self.verdicts())]
        if len(self.builds) < 2:
            lines += ["", HOW_TO_GET]
            if self.recorded is not None:
                lines += ["", "Both builds as measured on the course's own machine (NOT on yours):",
                          self.recorded.machine_line(), self.recorded.table(),
                          *("-> " + v for v in self.recorded.verdicts())]
        return "\n".join(lines)


#: What to do where only one build was found (notebook 15, check_install).
HOW_TO_GET = ("To measure the other build here: `uv python install 3.14t` (or python.org's installer: Customize "
              "installation, then the free-threaded binaries), then `make lab PYTHON=python3.14t` in the course's "
              "folder (its own environment, .venv-3.14t, and a kernel named python3.14t). The course finds a "
              "python3.14t on the PATH, in uv's installs and in /opt/ft-python/bin, and a GIL python3.14 beside it.")


def side_by_side(work: int = 2_000_000, repeats: int = 3) -> BuildComparison:
    """Notebook 15's comparison: this build and the other one, both measured now where the other is found;
    else this one measured now, with the recorded figures of both attached (``.recorded``)."""
    other = find_other_build()
    comparison = compare_builds(other, work=work, repeats=repeats)
    if other is None:
        comparison.recorded = recorded_comparison()
    return comparison


def gil_coming_back(comparison: BuildComparison | None = None) -> str:
    """Import a C extension that declares nothing into a free-threaded Python: the GIL before and after.

    Uses this kernel if it is free-threaded, else the free-threaded build found beside it; says
    why not where there is none or no C compiler.
    """
    python = sys.executable if gil_status().free_threaded_build else None
    if python is None:
        other = find_other_build(free_threaded=True)
        python = other.path if other else None
    if python is None:
        return ("No free-threaded Python found here, so nothing to show: a build with a GIL has it on from the start, "
                "and no import can change that (how to get a free-threaded one: above).")
    found = gil_needing_extension(python)
    if found is None:
        return (f"{python} is free-threaded, but the tiny C extension could not be compiled here (no C compiler or "
                "no Python.h): run this cell where `cc` exists to see the GIL come back.")
    lines = [f"a C extension compiled just now, declaring nothing, imported by a fresh free-threaded Python "
             f"({'this kernel' if python == sys.executable else 'the other build'}):"]
    for label, (before, after, warnings) in found.items():
        change = ("the import switched the GIL ON" if after and not before else
                  "GIL on before and after" if after else "the GIL stays off")
        lines.append(f"  {label:<13} GIL before: {before!s:<5} after: {after!s:<5} -> {change}")
        if warnings:
            lines.append(f"  {'':<13} RuntimeWarning: {warnings[0][:110]}...")
    return "\n".join(lines)


def thread_counts(cores: int) -> tuple[int, ...]:
    """1, 2 and the usable cores (at most :data:`~helpers.config.MAX_THREADS`)."""
    return tuple(sorted({1, 2, max(1, min(cores, MAX_THREADS))}))


def merge_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Several measurements of one build, taken in turn with the other build's: the best of each figure.

    On a shared machine a burst of other work slows whichever child runs at that moment; alternating the
    builds and keeping each figure's best (the least disturbed) compares them fairly. The race's trials
    are all kept; memory per thread is the smallest seen.
    """
    merged = dict(rounds[0])
    merged["cpu"] = {n: min((r["cpu"][n] for r in rounds), key=lambda run: run["seconds"]) for n in rounds[0]["cpu"]}
    for key in ("one_thread", "one_thread_cpu"):
        if all(key in r for r in rounds):
            merged[key] = min(r[key] for r in rounds)
    merged["race"] = dict(rounds[0]["race"], lost=[x for r in rounds for x in r["race"]["lost"]])
    memory = [r["memory_kib_per_thread"] for r in rounds if r.get("memory_kib_per_thread") is not None]
    merged["memory_kib_per_thread"] = min(memory) if memory else None
    merged["rounds"] = len(rounds)
    return merged


def compare_builds(other: Interpreter | None = None, work: int = 2_000_000, repeats: int = 3,
                   timeout: float = MEASURE_TIMEOUT, rounds: int = 1) -> BuildComparison:
    """Measure this kernel's build and ``other`` (default: :func:`find_other_build`) one after the other.

    Both run the same script in a fresh child interpreter (this one's executable for this build), so
    neither has the kernel's imports; the machine is watched as for every judged measurement
    (:func:`helpers.engine.verdict.watch_machine`). Where no other build
    is found, only this one is measured and a note says so.
    """
    from .engine.machine import usable_cores

    cores = usable_cores()
    other = other if other is not None else find_other_build()
    counts = thread_counts(cores)
    pythons = [None] + ([other.path] if other is not None else [])
    taken: list[list[dict[str, Any]]] = [[] for _ in pythons]
    # The machine as every judged measurement of the course sees it: idle cores before, and what other
    # programs took while the children ran (their CPU time is this process tree's, not others').
    with watch_machine() as watch:
        for _ in range(max(1, rounds)):  # the builds in turn, so that a burst of other work hits both alike
            for index, python in enumerate(pythons):
                taken[index].append(measure_build(python, counts, work, repeats, timeout=timeout))
    builds = [merge_rounds(measured) if len(measured) > 1 else measured[0] for measured in taken]
    notes = [] if other is not None else ["no other build of this Python was found: only this one was measured."]
    builds.sort(key=lambda b: b["free_threaded"])
    return BuildComparison(builds, cores, watch.seen.idle, "measured now", notes=notes)


def recorded_comparison(path: Path = RECORDED) -> BuildComparison | None:
    """The figures recorded with both builds on the course's own machine, or None if there is no record."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    priority = (f", run at scheduling priority nice {data['nice']} while other programs kept the cores busy"
                if data.get("nice") else "")
    return BuildComparison(data["builds"], data["usable_cores"], data.get("idle_cores"),
                           f"recorded on the course's machine on {data['date']}, NOT on yours",
                           machine=data.get("machine", "") + priority)


_NEEDS_GIL_C = """
#include <Python.h>
/* Single-phase initialisation and no Py_mod_gil slot: this module does not declare that it can run
   without the GIL, so a free-threaded Python turns the GIL on when importing it (PEP 703). */
static PyObject *answer(PyObject *self, PyObject *unused) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, "Return 42."}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "needs_gil", "Declares nothing.", -1, methods};
PyMODINIT_FUNC PyInit_needs_gil(void) { return PyModule_Create(&module); }
"""
_IMPORT_PROBE = """
import json, sys, warnings
before = sys._is_gil_enabled()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import needs_gil
print(json.dumps([before, sys._is_gil_enabled(), [str(w.message) for w in caught if "GIL" in str(w.message)]]))
"""


def gil_needing_extension(python: str, timeout: float = 60.0) -> dict[str, Any] | None:
    """Compile a tiny C extension that declares nothing for ``python`` (a free-threaded build) and import it.

    Returns ``{"default"|"PYTHON_GIL=0"|"PYTHON_GIL=1": (GIL before, after, warnings)}`` for three fresh
    children, or None where it cannot be shown here: no C compiler (``cc``/``gcc``/``clang``), no
    ``Python.h`` for that interpreter, or not a POSIX system. The source and the compiled module live
    in a temporary folder removed on every exit path; nothing is installed.
    """
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None or os.name != "posix":
        return None
    paths = subprocess.run([python, "-c", "import json, sysconfig; print(json.dumps([sysconfig.get_paths()['include'], "
                            "sysconfig.get_config_var('EXT_SUFFIX')]))"], capture_output=True, text=True,
                           timeout=timeout)
    try:
        include, suffix = json.loads(paths.stdout)
    except ValueError:
        return None
    if not os.path.exists(os.path.join(include, "Python.h")):
        return None
    with tempfile.TemporaryDirectory(prefix="course-needs-gil-") as folder:
        source = os.path.join(folder, "needs_gil.c")
        Path(source).write_text(_NEEDS_GIL_C)
        flags = ["-shared", "-fPIC"] + (["-undefined", "dynamic_lookup"] if sys.platform == "darwin" else [])
        built = subprocess.run([compiler, *flags, f"-I{include}", source, "-o",
                                os.path.join(folder, f"needs_gil{suffix}")], capture_output=True, text=True,
                               timeout=timeout)
        if built.returncode != 0:
            return None
        results = {}
        for label, gil in (("default", None), ("PYTHON_GIL=0", "0"), ("PYTHON_GIL=1", "1")):
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_GIL", "PYTHONPATH")}
            env["PYTHONPATH"] = folder
            if gil is not None:
                env["PYTHON_GIL"] = gil
            done = subprocess.run([python, "-c", _IMPORT_PROBE], capture_output=True, text=True, timeout=timeout,
                                  env=env)
            if done.returncode != 0:
                return None
            before, after, warnings = json.loads(done.stdout.strip().splitlines()[-1])
            results[label] = (bool(before), bool(after), list(warnings))
        return results


def machine_description() -> str:
    """CPU model and core count, for a recorded figure's label."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()}-core {model}, {platform.system()} {platform.release()}"


def record(path: Path = RECORDED, work: int = 2_000_000, repeats: int = 3, rounds: int = 4) -> BuildComparison:
    """Measure both builds here and write them to ``path`` (the figures shown where no other build is found)."""
    other = find_other_build()
    if other is None:
        raise SystemExit("no other build found: --record needs a GIL Python and a free-threaded one of one version")
    comparison = compare_builds(other, work=work, repeats=repeats, rounds=rounds)
    data: dict[str, Any] = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine_description(), "usable_cores": comparison.usable_cores,
            "idle_cores": comparison.idle_cores, "builds": comparison.builds,
            "nice": os.nice(0) if hasattr(os, "nice") else 0}
    for build in data["builds"]:
        build.pop("executable", None)  # a path on the recording machine says nothing to a learner
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return comparison


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


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.free_threading",
                                     description="Measure this Python's build beside the other one (notebook 15).")
    parser.add_argument("--record", action="store_true",
                        help=f"write the figures to {RECORDED.name} (both builds needed)")
    args = parser.parse_args()
    result = record() if args.record else compare_builds()
    print(result.machine_line())
    print(result.table())
    print("\n".join(result.verdicts()))

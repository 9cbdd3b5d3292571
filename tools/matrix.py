"""Run every notebook (nbval + the process census) under each start method on each Python found.

    python tools/matrix.py                         # 3.10–3.15 × fork, spawn, forkserver (`make matrix`)
    python tools/matrix.py --suite test --jobs 3   # what `make test` runs (below)
    python tools/matrix.py --methods spawn --versions 3.12 3.13
    python tools/matrix.py --versions current       # the interpreter running this script, as it is
    python tools/matrix.py --versions 3.14 --methods default --cores 1   # the platform's default, one CPU
    python tools/matrix.py --versions 3.14t --methods default           # the free-threaded build (PEP 703/779)

A *pass* is one nbval run over every notebook with one interpreter, one start method and
optionally one CPU. The start method ``default`` sets nothing, so the notebooks use what the
platform does (forkserver on Linux from 3.14, fork before): exactly what a learner gets.
``--cores 1`` pins the pass (pytest, the kernels and every child) to a single CPU with the
affinity mask, as ``taskset -c 0`` would: a one-core VM or a container limited to one CPU.

``--suite test`` is the set `make test` runs: this interpreter with its default start method,
pinned to one CPU; spawn on every other version from 3.10 to 3.13; 3.14 and 3.15 with their
default start method; the free-threaded 3.14t (GIL off) with its default start method; and on this interpreter
any start method none of those covers (see :func:`test_suite`).
Passes run ``--jobs`` at a time; each version's environment is prepared while the passes that
are ready already run.

Interpreters are found without hard-coded versions: ``python3.X`` on PATH, pyenv's versions
folder (``pyenv root``, else ``$PYENV_ROOT`` or ``~/.pyenv``), ``/opt/debian-python/bin``
(where ``shared/tools/debian-python 3.14 3.15`` puts Debian's builds) and ``/opt/ft-python/bin``
(``shared/tools/ft-python``: the free-threaded ``python3.14t``); more folders with
``$COURSE_PYTHON_DIRS``, colon-separated. A version ending in ``t`` (``3.14t``) is a free-threaded
build: only an interpreter whose ``Py_GIL_DISABLED`` is set answers for it, and never for ``3.14``;
for it ``uv python find 3.14t`` is asked too. A missing version is skipped with a message, or
fails the run when it is listed in ``--require``. Each version gets its own virtual environment
with the course's dependencies and nbval, kept outside the clone (``~/.cache/threads-processes-course``,
or ``$COURSE_VENV_CACHE``) and reused by every clone until the dependencies change; the clone
itself is put on ``PYTHONPATH``. Prints a table (start method × version: pass / FAIL / skip, with seconds) and writes
it to test-output/; exits 1 if any pass failed or a required version is missing.
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import hashlib
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]
#: Free-threaded builds (PEP 703; supported from 3.14, PEP 779): a pass of their own, default start method.
FREE_THREADED = ["3.14t"]
METHODS = ["fork", "spawn", "forkserver"]
#: Versions that `make test` runs with their default start method (forkserver on Linux).
NEWEST = ["3.14", "3.15", *FREE_THREADED]
EXTRA_DIRS = ["/opt/debian-python/bin", "/opt/ft-python/bin"]
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "--nbval-cell-timeout=180", "--nbval-kernel-startup-timeout=30", "-p", "no:cacheprovider", "-q"]
#: conftest.py's warning for a kernel start that failed and was tried again (see run_pass); the start-up
#: timeout above is conftest.py's KERNEL_START_TIMEOUT: a kernel whose port was taken hangs instead of answering.
KERNEL_RETRIED = "kernel did not start, tried again"
#: Pins this process to its first allowed CPU, checks it took, then becomes pytest (children inherit the mask).
ONE_CPU = ("import os, sys; cpu = min(os.sched_getaffinity(0)); os.sched_setaffinity(0, {cpu}); "
           "assert os.sched_getaffinity(0) == {cpu}; print(f'pinned to CPU {cpu}', flush=True); "
           "os.execv(sys.executable, [sys.executable, '-m', 'pytest', *sys.argv[1:]])")


@dataclass(frozen=True)
class Pass:
    version: str
    method: str  # fork / spawn / forkserver, or "default": nothing set
    cores: int | None = None  # 1: pinned to one CPU

    @property
    def row(self) -> str:
        return self.method + (f", {self.cores} core" if self.cores else "")


#: What an interpreter answers to "which version are you": ``3.14``, or ``3.14t`` for a free-threaded build.
VERSION_CODE = ("import sys, sysconfig; print('%d.%d' % sys.version_info[:2] "
                "+ ('t' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''))")


def current_version() -> str:
    """This interpreter's version as the matrix names it: ``3.13``, ``3.14t`` (free-threaded)."""
    import sysconfig

    return f"{sys.version_info[0]}.{sys.version_info[1]}" + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "")


def version_key(version: str) -> list[int]:
    """Sort key: 3.10 < 3.14 < 3.14t < 3.15."""
    return [int(x.rstrip("t")) for x in version.split(".")] + [version.endswith("t")]


def search_dirs() -> list[str]:
    dirs = [d for d in os.environ.get("COURSE_PYTHON_DIRS", "").split(os.pathsep) if d]
    return dirs + EXTRA_DIRS


def pyenv_root() -> str:
    if shutil.which("pyenv"):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        if root:
            return root
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def find_python(version: str) -> str | None:
    """An interpreter that reports ``version``: on PATH, in pyenv, in one of :func:`search_dirs`, or
    (free-threaded only) where ``uv python find`` says."""
    threaded = version.endswith("t")
    base = version.rstrip("t")
    candidates = [shutil.which(f"python{version}")]
    found = glob.glob(os.path.join(pyenv_root(), "versions", f"{base}.*", "bin", "python"))
    found += glob.glob(os.path.join(pyenv_root(), "versions", f"{base}.*", "bin", f"python{version}"))
    newest_first = sorted(found, key=lambda p: [int(x) for x in Path(p).parent.parent.name.rstrip("t").split(".")
                                                if x.isdigit()], reverse=True)
    # pyenv names a free-threaded build 3.14.0t: taken for 3.14t only (and the answer is checked below).
    candidates += [p for p in newest_first if Path(p).parent.parent.name.endswith("t") == threaded]
    candidates += [os.path.join(d, f"python{version}") for d in search_dirs()]
    if threaded:
        candidates.append(_uv_find(version))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _reports(candidate, version):
            return candidate
    return None


def _uv_find(version: str) -> str | None:
    """``uv python find <version>`` (uv's own installs: ``uv python install 3.14t``), without downloading."""
    from helpers.free_threading import uv_find  # one place asks uv: notebook 15 finds the other build the same way

    return uv_find(version)


def _reports(python: str, version: str) -> bool:
    try:
        done = subprocess.run([python, "-c", VERSION_CODE], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == version


def requirements() -> list[str]:
    """The course's runtime dependencies (pyproject.toml) and what a pass needs on top: nbval, pytest."""
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    if block is None:
        raise SystemExit("pyproject.toml has no [project] dependencies list")
    return re.findall(r'^\s*"([^"]+)"', block.group(1), re.M) + ["nbval", "pytest"]


def cache_dir() -> Path:
    """Where the per-Python environments live: outside the clone, so a fresh clone reuses them."""
    base = os.environ.get("COURSE_VENV_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "threads-processes-course")
    return Path(base)


def uv_binary() -> str | None:
    """uv, from the test tools (pyproject.toml's ``test`` extra) or the PATH; None where there is none."""
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv")
    try:
        return find_uv_bin()
    except FileNotFoundError:
        return shutil.which("uv")


def environment(python: str, version: str) -> Path:
    """An environment for ``python`` with the course's dependencies and nbval, made once and then reused.

    It lives in :func:`cache_dir`, named after the interpreter and the dependency list, so any
    clone (CI starts from a fresh one) reuses it until pyproject.toml's dependencies or the
    interpreter change. The course itself is not installed there: each pass puts this clone
    on ``PYTHONPATH``, so the kernels and their children import *this* clone's ``helpers``.
    uv makes it (6 s with an empty cache, measured here); pip where uv is missing (20 s of CPU
    with its cache full, 28-58 s in CI with five environments made beside the tests).
    """
    needed = requirements()
    real = os.path.realpath(python)
    key = hashlib.sha256("\n".join([real, version, *needed]).encode()).hexdigest()[:12]
    venv = cache_dir() / f"venv-{version}-{key}"
    stamp = venv / ".installed"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".lock-{version}-{key}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs at once: one makes it, the other waits and reuses it
        if not stamp.exists():
            start = time.monotonic()
            uv = uv_binary()
            if uv:
                subprocess.run([uv, "venv", "--quiet", "--clear", "--python", python, str(venv)], check=True)
                subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *needed],
                               check=True)
            else:
                subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True)
                # --no-compile: no .pyc for ~100 packages up front; the modules a pass imports compile on first use.
                subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile",
                                "--disable-pip-version-check", *needed], check=True)
            stamp.write_text(real + "\n")
            print(f"== Python {version}: environment made with {'uv' if uv else 'pip'} in "
                  f"{time.monotonic() - start:.0f} s ({venv})", flush=True)
        else:
            print(f"== Python {version}: reusing {venv}", flush=True)
    return venv / "bin" / "python"


def run_pass(venv_python: Path, cell: Pass, time_scale: str) -> tuple[bool, float, str]:
    """nbval over every notebook with one interpreter, start method and CPU count; returns (ok, seconds, output).

    A kernel that dies at start is tried again by conftest.py (``retrying``), not the whole pass;
    the output keeps a line for each such try, and :func:`main` shows them even for a pass that passed.
    """
    env = dict(os.environ, COURSE_TIME_SCALE=time_scale)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    # The environments hold no bytecode (uv writes none, pip is told not to): with PYTHONDONTWRITEBYTECODE
    # set (as on this course's CI machines) every kernel and every spawned child would compile matplotlib
    # & co. again (a 3.13 spawn pass: 124 s of CPU with it set, 83 s without).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("COURSE_START_METHOD", None)
    if cell.method != "default":
        env["COURSE_START_METHOD"] = cell.method
    command = [str(venv_python), "-m", "pytest", *NBVAL, "notebooks"]
    if cell.cores == 1:
        command = [str(venv_python), "-c", ONE_CPU, *NBVAL, "notebooks"]
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as log:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.seek(0)
        output = log.read()
    return done.returncode == 0, time.monotonic() - start, output


def kernel_retries(output: str) -> list[str]:
    """The lines of a pass's output that report a kernel start tried again (conftest.py's warning)."""
    return [line.strip() for line in output.splitlines() if KERNEL_RETRIED in line]


def default_start_method(python: str) -> str | None:
    """The start method ``python`` uses when nobody chooses one (forkserver on Linux from 3.14, fork before)."""
    try:
        done = subprocess.run([python, "-c", "import multiprocessing as m; print(m.get_all_start_methods()[0])"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def test_suite(defaults: dict[str, str]) -> list[Pass]:
    """The passes `make test` runs, given the default start method of each other Python found (``defaults``).

    * this interpreter with its default start method, pinned to one CPU (that method's pass too);
    * spawn on every other Python from 3.10 to 3.13;
    * 3.14 and 3.15 with their default start method (forkserver on Linux), exactly what a learner gets;
    * the free-threaded 3.14t (GIL off) with its default start method: threads that compute in parallel,
      races the GIL hid, and the course's verdicts on that build;
    * on this interpreter, each start method that none of those covers: spawn or forkserver only where
      no other Python found runs it. Every method runs at least once; `make matrix` runs them all on
      every Python. (This interpreter's spawn and forkserver passes were dropped from `make test`, where
      3.10/3.12/3.13 and 3.14/3.15 already run those methods: two passes of the course, about a
      quarter of its CPU, on a 2-core machine whose CI has 10 minutes.)
    """
    here = current_version()
    methods_here = multiprocessing.get_all_start_methods()  # the platform's default comes first
    passes = [Pass("current", "default", 1)]
    passes += [Pass(version, "spawn") for version in ["3.10", "3.11", "3.12", "3.13"] if version != here]
    passes += [Pass(version, "default") for version in NEWEST if version != here]
    covered = {methods_here[0]}
    for cell in passes:
        if cell.version in defaults:
            covered.add(defaults[cell.version] if cell.method == "default" else cell.method)
    passes += [Pass("current", method) for method in methods_here if method not in covered]
    return passes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="+", default=VERSIONS + FREE_THREADED,
                        help="3.10 ... 3.15, 3.14t (free-threaded), current")
    parser.add_argument("--methods", nargs="+", default=METHODS, help="fork, spawn, forkserver, default")
    parser.add_argument("--cores", type=int, choices=[1], help="pin every pass to one CPU")
    parser.add_argument("--suite", choices=["test"], help="the passes `make test` runs (ignores the three above)")
    parser.add_argument("--require", nargs="*", default=[], help="versions whose absence is a failure")
    parser.add_argument("--time-scale", default=os.environ.get("TEST_TIME_SCALE", "0.25"))
    parser.add_argument("--jobs", type=int, default=1, help="passes run at the same time")
    args = parser.parse_args()

    pythons = {version: find_python(version) for version in (VERSIONS + FREE_THREADED if args.suite else args.versions)
               if version != "current"}
    if args.suite:
        defaults = {version: default_start_method(python) for version, python in pythons.items()
                    if python and version != current_version()}
        wanted = test_suite({version: method for version, method in defaults.items() if method})
    else:
        wanted = [Pass(v, m, args.cores) for v in args.versions for m in args.methods]
    results: dict[tuple[str, str], str] = {}
    failed = False
    started = time.monotonic()
    futures: dict[Future, tuple[Pass, str]] = {}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # The current interpreter first: its passes start while the other environments are made.
        for version in sorted(dict.fromkeys(p.version for p in wanted), key=lambda v: v != "current"):
            label = current_version() if version == "current" else version
            if version == "current":
                venv_python: Path | None = Path(sys.executable)
            else:
                python = pythons.get(version) or find_python(version)
                venv_python = environment(python, version) if python else None  # one at a time: pip's cache
            mine = [p for p in wanted if p.version == version]
            if venv_python is None:
                missing = label in args.require
                print(f"== Python {label}: not found (no python{label} on PATH, in pyenv or in "
                      f"{', '.join(search_dirs())}): {'FAIL (required)' if missing else 'skipped'}", flush=True)
                failed |= missing
                for cell in mine:
                    results[(cell.row, label)] = "FAIL (no interpreter)" if missing else "skip (no interpreter)"
                continue
            available = subprocess.run([str(venv_python), "-c",
                                        "import multiprocessing as m; print(*m.get_all_start_methods())"],
                                       capture_output=True, text=True).stdout.split()
            for cell in mine:
                if cell.method == "default":
                    cell_label = f"{label}, default ({available[0] if available else '?'})"
                    futures[pool.submit(run_pass, venv_python, cell, args.time_scale)] = (cell, cell_label)
                elif cell.method in available:
                    futures[pool.submit(run_pass, venv_python, cell, args.time_scale)] = (cell, label)
                else:
                    results[(cell.row, label)] = "skip (not on this platform)"
        for future in as_completed(futures):  # reported as each pass ends
            cell, label = futures[future]
            ok, seconds, output = future.result()
            version = label.split(",")[0]
            name = f"{label}, {cell.method}" if cell.method != "default" else label
            verdict = "pass" if ok else "FAIL"
            print(f"== Python {name}{', 1 core' if cell.cores else ''}: {verdict} in {seconds:.0f} s ==", flush=True)
            print(output if not ok else "\n".join([*kernel_retries(output), output.strip().splitlines()[-1]]),
                  flush=True)
            failed |= not ok
            detail = f" {label.split('(')[-1].rstrip(')')}" if cell.method == "default" else ""
            results[(cell.row, version)] = f"{'pass' if ok else 'FAIL'}{detail} ({seconds:.0f} s)"

    versions = sorted(dict.fromkeys(version for _, version in results), key=version_key)
    rows = list(dict.fromkeys(row for row, _ in results))
    lines = ["| start method | " + " | ".join(versions) + " |", "|" + "---|" * (len(versions) + 1)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(results.get((row, v), "") for v in versions) + " |")
    table = "\n".join(lines)
    print(table)
    print(f"all passes: {time.monotonic() - started:.0f} s wall-clock, {max(1, args.jobs)} at a time")
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    name = "test" if args.suite else "-".join(versions)
    (out / f"matrix-{name}.md").write_text(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

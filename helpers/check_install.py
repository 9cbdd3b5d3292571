"""Pre-workshop self-check: ``python -m helpers.check_install`` (or run it in notebook 00).

Prints one line per check, ✔ (passed), ⚠ (works, but read this) or ✘ (failed), and exits with status 1 if
any check failed. Every ✔ is checked, not assumed: each package the notebooks import is imported, and the
``python3`` kernel's own interpreter is asked whether it has ipykernel. It says
which start method the course will use and why, then starts one thread and one process
with that method, so a machine that passes will run every demo of the course.
"""

from __future__ import annotations

import importlib
import io
import sys
import sysconfig
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import TextIO

MIN_PYTHON = (3, 10)
#: Python versions past their end of life (no more security fixes), and since when.
END_OF_LIFE = {(3, 10): "October 2026"}
# Everything a notebook imports beyond the standard library: aiohttp (13), distributed and dask (17),
# cryptography (17's clusters use TLS: helpers.cluster_security).
PACKAGES = ["jupyterlab", "ipykernel", "ipywidgets", "jupyterlab_widgets", "matplotlib", "psutil", "aiohttp",
            "dask", "distributed", "cryptography"]
#: Oldest versions the course relies on (pyproject.toml): ipykernel 7 sends a thread's late print to the running cell.
MIN_VERSIONS = {"ipykernel": (7, 0)}


class Caution(Exception):
    """A check that passed with something the learner should know: printed as ⚠, not counted as a failure."""


def _python() -> str:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        raise RuntimeError(f"Python {version} is too old; the course needs {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+")
    build = " free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    ended = END_OF_LIFE.get(sys.version_info[:2])
    if ended:
        raise Caution(f"Python {version}{build} is past its end of life (since {ended}): the course runs on it, "
                      "but it gets no more security fixes; 3.14 or 3.15 is better")
    return f"Python {version}{build}"


def _build() -> str:
    """Which build this is (GIL or free-threaded, PEP 703) and what that changes in the course."""
    from .engine.config import gil_enabled

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        return ("build: standard (with a GIL): threads take turns running Python code, so CPU work goes to "
                "processes; notebook 15 compares the free-threaded build (make lab PYTHON=python3.14t)")
    if gil_enabled():
        return ("build: free-threaded, but its GIL is ON now (PYTHON_GIL=1, -X gil=1, or an extension imported "
                "without free-threading support): threads take turns as on a standard build")
    return ("build: free-threaded, GIL off: threads run Python code in parallel (notebooks 04, 07, 15), and an "
            "unlocked += shared by threads loses updates (05, 11): use a Lock")


def _start_method() -> str:
    from .engine.machine import start_method_reason

    method, reason = start_method_reason()
    return f"the course will start processes with {method}: {reason}"


def _package(name: str) -> Callable[[], str]:
    def check() -> str:
        module = importlib.import_module(name)
        version = getattr(module, "__version__", "(version unknown)")
        needed = MIN_VERSIONS.get(name)
        if needed and _release(version) < needed:
            raise RuntimeError(f"{name} {version} is too old; the course needs {'.'.join(map(str, needed))}+ "
                               f"(pip install --upgrade {name})")
        return f"{name} {version}"
    return check


def _release(version: str) -> tuple[int, ...]:
    """``"7.4.0"`` -> ``(7, 4, 0)``; stops at the first part that is not a number."""
    numbers = []
    for part in version.split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def _kernel() -> str:
    import shutil
    import subprocess

    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    if "python3" not in manager.find_kernel_specs():
        raise RuntimeError("no 'python3' Jupyter kernel found; run: python -m ipykernel install --user")
    argv = manager.get_kernel_spec("python3").argv
    # jupyter_client starts a spec's bare "python"/"python3" with the server's own interpreter
    # (jupyter_client/manager.py: KernelManager.format_kernel_cmd); this check runs in that environment.
    if argv[0] in {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}:
        interpreter = sys.executable
    else:
        interpreter = shutil.which(argv[0]) or argv[0]
    # Start the kernel's own interpreter: a spec left by another Python (an old venv, a removed conda env)
    # is listed but cannot start a kernel.
    try:
        done = subprocess.run([interpreter, "-c", "import ipykernel, sys; print(ipykernel.__version__)"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"the 'python3' kernel runs {interpreter}, which does not start ({exc}); run: "
                           f"{sys.executable} -m ipykernel install --user") from None
    if done.returncode != 0:
        raise RuntimeError(f"the 'python3' kernel runs {interpreter}, which cannot import ipykernel; run: "
                           f"{sys.executable} -m ipykernel install --user")
    return f"Jupyter kernel 'python3' runs {interpreter} (ipykernel {done.stdout.strip()})"


def _thread() -> str:
    from .engine.harness import run
    from .workers import wait_task

    result = run(wait_task, [0.2, 0.2], mode="threads", timeout=10)
    if result.elapsed > 0.35:
        raise RuntimeError(f"two 0.2 s waits on two threads took {result.elapsed:.2f} s")
    return f"two threads waited together: {result.elapsed:.2f} s for 2 × 0.2 s"


def _process() -> str:
    from .engine.config import resolve_start_method
    from .engine.relay import Process
    from .workers import report_pid

    method = resolve_start_method()
    captured = io.StringIO()
    start = time.perf_counter()
    with redirect_stdout(captured):
        process = Process(target=report_pid, args=("check",), start_method=method)
        process.start()
        process.join(30)
    if process.exitcode != 0:
        raise RuntimeError(f"a {method} child process ended with exit code {process.exitcode}")
    if "check: pid" not in captured.getvalue():
        raise RuntimeError("the child process ran, but its printed line did not come back")
    return f"a {method} child process ran and its output came back ({time.perf_counter() - start:.2f} s)"


def check_install(file: TextIO | None = None) -> bool:
    """Run every check, print ✔/✘ per line, and return True when all passed."""
    out = file or sys.stdout
    checks: list[tuple[str, Callable[[], str]]] = [("Python", _python), ("build", _build)]
    checks += [(name, _package(name)) for name in PACKAGES]
    checks += [("kernel", _kernel), ("start method", _start_method), ("thread", _thread), ("process", _process)]
    ok = True
    for label, check in checks:
        try:
            print(f"✔ {check()}", file=out)
        except Caution as caution:
            print(f"⚠ {caution}", file=out)
        except Exception as exc:
            ok = False
            print(f"✘ {label}: {type(exc).__name__}: {exc}", file=out)
    print("All checks passed (read any ⚠ line): you are ready for the course." if ok
          else "Some checks failed: see the lines marked ✘ (README: 'Troubleshooting').", file=out)
    return ok


if __name__ == "__main__":
    sys.exit(0 if check_install() else 1)

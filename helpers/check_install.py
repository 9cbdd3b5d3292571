"""Pre-workshop self-check: ``python -m helpers.check_install`` (or run it in notebook 00).

Prints one line per check, ✔ or ✘, and exits with status 1 if any check failed. It says
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
PACKAGES = ["jupyterlab", "ipykernel", "ipywidgets", "jupyterlab_widgets", "matplotlib", "psutil"]
#: Oldest versions the course relies on (pyproject.toml): ipykernel 7 sends a thread's late print to the running cell.
MIN_VERSIONS = {"ipykernel": (7, 0)}


def _python() -> str:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        raise RuntimeError(f"Python {version} is too old; the course needs {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+")
    build = " free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    ended = END_OF_LIFE.get(sys.version_info[:2])
    if ended:
        return (f"Python {version}{build} (end of life since {ended}: the course runs on it, but it gets no more "
                "security fixes; 3.14 or 3.15 is better)")
    return f"Python {version}{build}"


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
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if "python3" not in specs:
        raise RuntimeError("no 'python3' Jupyter kernel found; run: python -m ipykernel install --user")
    return "Jupyter kernel 'python3' is installed"


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
    checks: list[tuple[str, Callable[[], str]]] = [("Python", _python)]
    checks += [(name, _package(name)) for name in PACKAGES]
    checks += [("kernel", _kernel), ("start method", _start_method), ("thread", _thread), ("process", _process)]
    ok = True
    for label, check in checks:
        try:
            print(f"✔ {check()}", file=out)
        except Exception as exc:
            ok = False
            print(f"✘ {label}: {type(exc).__name__}: {exc}", file=out)
    print("All checks passed: you are ready for the course." if ok
          else "Some checks failed: see the lines marked ✘ (README: 'Troubleshooting').", file=out)
    return ok


if __name__ == "__main__":
    sys.exit(0 if check_install() else 1)

"""tools/matrix.py: which Pythons it finds, which passes `make test` runs, and the one-CPU pin."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import matrix  # noqa: E402


def fake_python(path: Path, version: str) -> Path:
    """A script that answers the version question like ``pythonX.Y`` would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No python3.X on PATH, an empty pyenv, no extra folders: each test adds what it needs."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setattr(matrix, "EXTRA_DIRS", [])
    monkeypatch.delenv("COURSE_PYTHON_DIRS", raising=False)
    return tmp_path


def test_finds_debian_builds_in_an_extra_folder(nowhere, monkeypatch):
    found = fake_python(nowhere / "opt" / "python3.15", "3.15")
    monkeypatch.setattr(matrix, "EXTRA_DIRS", [str(nowhere / "opt")])
    assert matrix.find_python("3.15") == str(found)
    assert matrix.find_python("3.14") is None


def test_finds_the_newest_pyenv_build_and_skips_free_threaded_ones(nowhere):
    versions = nowhere / "pyenv" / "versions"
    fake_python(versions / "3.13.0" / "bin" / "python", "3.13")
    newest = fake_python(versions / "3.13.2" / "bin" / "python", "3.13")
    fake_python(versions / "3.13.5t" / "bin" / "python", "3.13")
    assert matrix.find_python("3.13") == str(newest)


def test_a_python_that_reports_another_version_is_not_taken(nowhere, monkeypatch):
    fake_python(nowhere / "opt" / "python3.14", "3.12")
    monkeypatch.setenv("COURSE_PYTHON_DIRS", str(nowhere / "opt"))
    assert matrix.find_python("3.14") is None


def test_every_supported_version_is_in_the_grid_and_the_classifiers():
    assert matrix.VERSIONS == ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]
    classifiers = (ROOT / "pyproject.toml").read_text()
    for version in matrix.VERSIONS:
        assert f'"Programming Language :: Python :: {version}"' in classifiers


def test_make_test_runs_the_newest_on_their_default_and_one_pass_on_one_cpu():
    suite = matrix.test_suite()
    here = matrix.current_version()
    for version in ("3.14", "3.15"):
        assert matrix.Pass(version, "default") in suite or here == version
    pinned = [p for p in suite if p.cores == 1]
    assert pinned == [matrix.Pass("current", "default", 1)]
    current = [p.method for p in suite if p.version == "current"]
    assert len(current) == len(set(current)) and len(current) == len(multiprocessing.get_all_start_methods())
    assert all(p.method == "spawn" for p in suite if p.version in ("3.10", "3.11", "3.12", "3.13"))


def test_requirements_are_pyprojects_plus_nbval():
    needed = matrix.requirements()
    assert "psutil>=5.9" in needed and "ipykernel>=7" in needed and needed[-2:] == ["nbval", "pytest"]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="affinity masks are Linux's")
def test_the_one_cpu_pin_holds_for_the_process_and_its_children():
    code = ("import os, subprocess, sys; print(len(os.sched_getaffinity(0))); "
            "print(subprocess.run([sys.executable, '-c', 'import os; print(len(os.sched_getaffinity(0)))'], "
            "capture_output=True, text=True).stdout.strip())")
    pin = matrix.ONE_CPU.replace("'-m', 'pytest', *sys.argv[1:]", "'-c', sys.argv[1]")
    done = subprocess.run([sys.executable, "-c", pin, code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["1", "1"] and "pinned to CPU" in done.stdout


def test_only_a_kernel_that_never_started_earns_a_second_run():
    kernel = ('ERROR    nbval:kernel.py:59 Failure starting kernel ":nbval-parent-env"\n'
              "ERROR notebooks/15_x.ipynb::Cell 0 - RuntimeError: Kernel didn't respond in 180 seconds\n"
              "271 passed, 13 errors in 247.17s\n")
    assert matrix.only_kernel_starts_failed(kernel)
    # A cell that failed is the notebook's fault: no second run, even if a kernel also failed to start.
    assert not matrix.only_kernel_starts_failed(kernel + "FAILED notebooks/04_x.ipynb::Cell 7\n")
    assert not matrix.only_kernel_starts_failed("FAILED notebooks/04_x.ipynb::Cell 7\n1 failed, 283 passed\n")
    assert not matrix.only_kernel_starts_failed("284 passed in 115.50s\n")

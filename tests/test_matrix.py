"""tools/matrix.py: which Pythons it finds, which passes `make test` runs, and the one-CPU pin."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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


LINUX_DEFAULTS = {"3.10": "fork", "3.12": "fork", "3.13": "fork", "3.14": "forkserver", "3.15": "forkserver"}


def test_make_test_runs_the_newest_on_their_default_and_one_pass_on_one_cpu():
    suite = matrix.test_suite(LINUX_DEFAULTS)
    here = matrix.current_version()
    for version in ("3.14", "3.15"):
        assert matrix.Pass(version, "default") in suite or here == version
    pinned = [p for p in suite if p.cores == 1]
    assert pinned == [matrix.Pass("current", "default", 1)]
    assert all(p.method == "spawn" for p in suite if p.version in ("3.10", "3.11", "3.12", "3.13"))
    older = {"3.10", "3.11", "3.12", "3.13"} - {here}
    assert {p.version for p in suite if p.method == "spawn" and p.version != "current"} == older


def methods_covered(suite: list, defaults: dict[str, str]) -> list[str]:
    here = multiprocessing.get_all_start_methods()[0]
    return [(here if p.version == "current" else defaults[p.version]) if p.method == "default" else p.method
            for p in suite if p.version == "current" or p.version in defaults]


@pytest.mark.skipif(multiprocessing.get_all_start_methods() != ["fork", "spawn", "forkserver"],
                    reason="the start methods of Linux")
def test_every_start_method_runs_once_and_forkserver_on_this_python_only_without_the_newest():
    suite = matrix.test_suite(LINUX_DEFAULTS)
    covered = methods_covered(suite, LINUX_DEFAULTS)
    assert {"fork", "spawn", "forkserver"} <= set(covered)
    assert matrix.Pass("current", "forkserver") not in suite, "3.14 and 3.15 run forkserver already"
    assert matrix.Pass("current", "spawn") not in suite, "the older Pythons run spawn already"
    assert len(suite) == 7 or matrix.current_version() in ("3.10", "3.12", "3.13", "3.14", "3.15", "3.14t")
    # Neither 3.14 nor 3.15 here: this Python runs forkserver itself; no other Python: spawn too.
    older_only = {v: m for v, m in LINUX_DEFAULTS.items() if v not in ("3.14", "3.15")}
    suite = matrix.test_suite(older_only)
    assert {"fork", "spawn", "forkserver"} <= set(methods_covered(suite, older_only))
    alone = matrix.test_suite({})
    assert {"fork", "spawn", "forkserver"} <= set(methods_covered(alone, {}))


def test_a_kernel_tried_again_shows_in_the_log_of_a_pass_that_passed():
    import conftest

    assert matrix.KERNEL_RETRIED == conftest.KERNEL_RETRIED
    assert f"--nbval-kernel-startup-timeout={conftest.KERNEL_START_TIMEOUT}" in matrix.NBVAL
    output = ("....\nnotebooks/15_x.ipynb::Cell 0\n  /work/conftest.py:120: UserWarning: kernel did not start, "
              "tried again (try 1 of 3: Kernel died before replying to kernel_info)\n"
              "284 passed, 1 warning in 115.50s\n")
    assert matrix.kernel_retries(output) == [output.splitlines()[2].strip()]
    assert matrix.kernel_retries("284 passed in 115.50s\n") == []


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


def test_uv_makes_the_environments_where_the_test_tools_are_installed():
    # pip instead of uv still works, but costs CI about a minute of the two cores (tools/matrix.py, environment).
    pytest.importorskip("uv", reason="uv comes with the test tools (pyproject.toml, the test extra)")
    found = matrix.uv_binary()
    assert found and os.access(found, os.X_OK)


def fake_build(path: Path, version: str, free_threaded: bool) -> Path:
    """A script that answers the version question like a GIL or a free-threaded ``python3.X`` would."""
    return fake_python(path, version + ("t" if free_threaded else ""))


def test_finds_the_free_threaded_build_for_314t_and_never_for_314(nowhere, monkeypatch):
    ft = fake_build(nowhere / "ft" / "python3.14t", "3.14", True)
    fake_build(nowhere / "ft" / "python3.14", "3.14", True)  # /opt/ft-python/bin/python3.14 is the same binary
    monkeypatch.setattr(matrix, "EXTRA_DIRS", [str(nowhere / "ft")])
    monkeypatch.setattr(matrix, "uv_binary", lambda: None)
    assert matrix.find_python("3.14t") == str(ft)
    assert matrix.find_python("3.14") is None


def test_pyenv_free_threaded_builds_answer_for_314t_only(nowhere, monkeypatch):
    monkeypatch.setattr(matrix, "uv_binary", lambda: None)
    versions = nowhere / "pyenv" / "versions"
    ft = fake_build(versions / "3.14.0t" / "bin" / "python", "3.14", True)
    assert matrix.find_python("3.14t") == str(ft)
    assert matrix.find_python("3.14") is None


def test_make_test_runs_314t_with_its_default_start_method():
    suite = matrix.test_suite(dict(LINUX_DEFAULTS, **{"3.14t": "forkserver"}))
    assert matrix.Pass("3.14t", "default") in suite or matrix.current_version() == "3.14t"
    assert sorted(["3.15", "3.14t", "3.10", "3.14"], key=matrix.version_key) == ["3.10", "3.14", "3.14t", "3.15"]

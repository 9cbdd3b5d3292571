import io
import subprocess
import sys

from helpers import check_install


def test_all_checks_pass_in_the_course_environment():
    out = io.StringIO()
    assert check_install.check_install(out) is True
    lines = out.getvalue().splitlines()
    assert all(line.startswith(("✔", "⚠")) for line in lines[:-1]) and "All checks passed" in lines[-1]
    assert sum(line.startswith("⚠") for line in lines) == (sys.version_info[:2] in check_install.END_OF_LIFE)
    assert any("child process ran and its output came back" in line for line in lines)


def test_a_failing_check_is_marked_and_reported(monkeypatch):
    monkeypatch.setattr(check_install, "PACKAGES", ["surely_not_installed_package"])
    out = io.StringIO()
    assert check_install.check_install(out) is False
    assert "✘ surely_not_installed_package: ModuleNotFoundError" in out.getvalue()


def test_command_line_exit_status():
    done = subprocess.run([sys.executable, "-m", "helpers.check_install"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_says_which_start_method_and_why(monkeypatch):
    monkeypatch.delenv("COURSE_START_METHOD", raising=False)
    out = io.StringIO()
    check_install.check_install(out)
    line = next(line for line in out.getvalue().splitlines() if "will start processes with" in line)
    default = "forkserver" if sys.version_info >= (3, 14) else "fork"
    if sys.platform == "linux":
        assert line.startswith("✔") and f"with {default}: it is the default on Linux" in line
    monkeypatch.setenv("COURSE_START_METHOD", "spawn")
    out = io.StringIO()
    check_install.check_install(out)
    assert "with spawn: COURSE_START_METHOD=spawn asks for it" in out.getvalue()
    assert "a spawn child process ran" in out.getvalue()


def test_a_used_default_context_is_still_called_the_default(monkeypatch):
    import multiprocessing

    from helpers.engine.machine import start_method_reason

    monkeypatch.delenv("COURSE_START_METHOD", raising=False)
    multiprocessing.get_start_method()  # fixes the default context, as any earlier process start does
    method, reason = start_method_reason()
    assert method == multiprocessing.get_all_start_methods()[0] and "set_start_method" not in reason


def test_an_unavailable_start_method_is_a_failed_check(monkeypatch):
    monkeypatch.setenv("COURSE_START_METHOD", "vfork")
    out = io.StringIO()
    assert check_install.check_install(out) is False
    assert "✘ start method: ValueError" in out.getvalue()


def test_end_of_life_python_is_a_caution_not_a_tick(monkeypatch):
    monkeypatch.setattr(check_install, "END_OF_LIFE", {sys.version_info[:2]: "October 2026"})
    out = io.StringIO()
    assert check_install.check_install(out) is True
    [line] = [line for line in out.getvalue().splitlines() if "Python" in line and "end of life" in line]
    assert line.startswith("⚠ ") and "(since October 2026)" in line


def test_every_package_a_notebook_imports_is_checked(monkeypatch):
    assert {"aiohttp", "dask", "distributed", "cryptography"} <= set(check_install.PACKAGES)
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # import fails, as where it is not installed
    out = io.StringIO()
    assert check_install.check_install(out) is False
    assert "✘ aiohttp:" in out.getvalue() and "All checks passed" not in out.getvalue()


def test_a_kernel_spec_whose_interpreter_lacks_ipykernel_is_a_failed_check(monkeypatch, tmp_path):
    """A 'python3' spec pointing at another Python without ipykernel: listed, but no kernel would start."""
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    bare = sys.base_prefix + "/bin/python3"  # the interpreter this venv was made from: no ipykernel there
    import json

    (spec / "kernel.json").write_text(json.dumps({"argv": [bare, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    import subprocess as sp

    if sp.run([bare, "-c", "import ipykernel"], capture_output=True).returncode == 0:
        import pytest

        pytest.skip(f"{bare} has ipykernel: no bare interpreter to point at")
    out = io.StringIO()
    assert check_install.check_install(out) is False
    assert f"✘ kernel: RuntimeError: the 'python3' kernel runs {bare}, which cannot import ipykernel" \
        in out.getvalue()


def test_too_old_ipykernel_is_a_failed_check(monkeypatch):
    import ipykernel

    monkeypatch.setattr(ipykernel, "__version__", "6.29.5")
    out = io.StringIO()
    assert check_install.check_install(out) is False
    assert "✘ ipykernel: RuntimeError: ipykernel 6.29.5 is too old; the course needs 7.0+" in out.getvalue()


def test_the_build_line_says_which_build_and_what_it_changes(monkeypatch):
    import sysconfig

    from helpers import check_install, config

    real = sysconfig.get_config_var
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: 0 if name == "Py_GIL_DISABLED" else real(name))
    assert "standard (with a GIL)" in check_install._build() and "processes" in check_install._build()
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: 1 if name == "Py_GIL_DISABLED" else real(name))
    monkeypatch.setattr(config, "gil_enabled", lambda: False)
    assert "free-threaded, GIL off" in check_install._build() and "Lock" in check_install._build()
    monkeypatch.setattr(config, "gil_enabled", lambda: True)
    assert "GIL is ON now" in check_install._build()

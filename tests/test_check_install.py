import io
import subprocess
import sys

from helpers import check_install


def test_all_checks_pass_in_the_course_environment():
    out = io.StringIO()
    assert check_install.check_install(out) is True
    lines = out.getvalue().splitlines()
    assert all(line.startswith("✔") for line in lines[:-1]) and "All checks passed" in lines[-1]
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

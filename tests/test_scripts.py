import subprocess

import pytest

from helpers import workers
from helpers.engine.scripts import ScriptRun, run_script, show_source


def test_show_source_is_the_real_code():
    source = show_source(workers.print_letters)
    assert source.code.startswith("def print_letters(")
    assert "```python" in source._repr_markdown_()


def test_script_without_guard_fails_under_spawn_and_guarded_one_works():
    body = """
import multiprocessing
from helpers.workers import print_letters
{indent}print("top of script in", multiprocessing.current_process().name)
{indent}child = multiprocessing.get_context("spawn").Process(target=print_letters, args=("A", 0.01))
{indent}child.start(); child.join(30); print("exit", child.exitcode)
"""
    unguarded = run_script(body.format(indent=""))
    assert "exit 1" in unguarded.stdout and unguarded.stdout.count("top of script") == 2
    assert unguarded.last_error_line.startswith("RuntimeError: An attempt has been made to start a new process")
    guarded = run_script("import multiprocessing\nif __name__ == '__main__':\n" + "\n".join(
        "    " + line for line in body.format(indent="").strip().splitlines()[1:]) + "\n")
    assert guarded.stdout.splitlines() == ["top of script in MainProcess", "Process prints: A", "exit 0"]


def test_interactive_main_cannot_be_found_by_a_spawn_child():
    run = run_script("""
import multiprocessing
def greet():
    print("hi")
child = multiprocessing.get_context("spawn").Process(target=greet)
child.start(); child.join(30); print("exit", child.exitcode)
""", interactive=True)
    assert run.stdout.strip() == "exit 1"
    assert run.last_error_line.startswith(("AttributeError: Can't get attribute 'greet' on <module '__main__'",
                                           "AttributeError: module '__main__' has no attribute 'greet'"))  # 3.14+


def test_a_script_that_hangs_is_killed_at_the_timeout():
    with pytest.raises(subprocess.TimeoutExpired):
        run_script("import time; time.sleep(30)", timeout=1)


def test_a_script_killed_before_its_exit_handlers_leaves_no_pymp_dir(tmp_path, monkeypatch):
    """A fresh Python's own multiprocessing temp dir goes with the script's folder, not into the caller's TMPDIR.

    The script makes its pymp-* (as a fork server or a Manager would) and dies by SIGKILL, as at the timeout:
    multiprocessing's exit handler that removes the dir never runs. Without its own TMPDIR it left the dir in the
    kernel's (notebook 18 under 3.14+, where forkserver is the default).
    """
    import os
    import tempfile

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the caller's temp dir, as a kernel's is
    run = run_script("import multiprocessing.util, os, signal\n"
                     "print(multiprocessing.util.get_temp_dir(), flush=True)\n"
                     "os.kill(os.getpid(), signal.SIGKILL)\n")
    assert run.returncode == -9 and "pymp-" in run.stdout, (run.returncode, run.stdout, run.stderr)
    assert os.listdir(tmp_path) == [], f"left in the caller's TMPDIR: {os.listdir(tmp_path)}"


def test_last_error_line_without_traceback():
    assert ScriptRun(0, "", "").last_error_line == ""
    assert ScriptRun(1, "", "just text\n").last_error_line == "just text"

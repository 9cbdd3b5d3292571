"""Show code, and run code as a learner would outside the notebook: as a script in a fresh Python.

Some lessons are about how Python *scripts* behave (the ``if __name__ == "__main__":``
guard, a worker defined in ``__main__``). A notebook kernel is not a script, so these
helpers write the code to a temporary file (or pipe it to ``python -``), run it with a
time limit, and return what it printed: real behaviour, measured, never a hang.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import validate
from .config import START_METHOD_ENV


_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)):(.*)$")


class Source:
    """Python source that a notebook shows with syntax highlighting."""

    def __init__(self, code: str) -> None:
        self.code = code

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```"

    def __repr__(self) -> str:
        return self.code


def show_source(func: Callable[..., Any]) -> Source:
    """The source of ``func`` (e.g. a worker from :mod:`helpers.workers`), shown as code."""
    return Source(textwrap.dedent(inspect.getsource(func)).rstrip())


@dataclass
class ScriptRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def last_error_line(self) -> str:
        """The exception at the end of stderr and its message, on one line ("" if none).

        Messages that span several lines (multiprocessing's bootstrapping error) are joined
        up to the first blank line.
        """
        lines = self.stderr.rstrip().splitlines()
        for i in range(len(lines) - 1, -1, -1):
            match = _EXCEPTION_LINE.match(lines[i])
            if match:
                message = [match.group(2).strip()]
                for line in lines[i + 1:]:
                    if not line.strip():
                        if message[-1]:
                            break
                        continue
                    message.append(line.strip())
                return f"{match.group(1)}: {' '.join(part for part in message if part)}"
        return lines[-1].strip() if lines else ""


def run_script(code: str, *, start_method: str | None = None, interactive: bool = False,
               timeout: float = 60.0) -> ScriptRun:
    """Run ``code`` in a new Python process and return its exit code and output.

    ``interactive=True`` runs ``python -c code``: like the interactive prompt or a
    notebook, its ``__main__`` then has no file that a spawn child could re-import. ``start_method`` is passed as
    ``$COURSE_START_METHOD`` for code that reads it. Raises ``subprocess.TimeoutExpired`` (after killing it) if it takes
    longer than ``timeout`` s.
    """
    if not isinstance(code, str):
        raise validate.WrongType(f"code must be the script's text (a str); you gave {type(code).__name__}.")
    validate.seconds(timeout, "timeout", 600)
    env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_COLOR"] = "1"  # plain tracebacks, whatever the kernel set
    if start_method:
        env[START_METHOD_ENV] = start_method
    code = textwrap.dedent(code)
    with tempfile.TemporaryDirectory(prefix="course-script-", ignore_cleanup_errors=True) as folder:
        # The script's own temp files go with the folder: a fresh Python that uses multiprocessing makes its own
        # pymp-* (a fork server's socket; multiprocessing/util.py: get_temp_dir), and one killed at the timeout
        # cannot remove it (measured: notebook 18's scripts made theirs in the kernel's TMPDIR).
        env["TMPDIR"] = folder
        if interactive:
            command = [sys.executable, "-c", code]
        else:
            path = os.path.join(folder, "script.py")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(code)
            command = [sys.executable, path]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=folder, env=env,
                              stdin=subprocess.DEVNULL)
    return ScriptRun(done.returncode, done.stdout, done.stderr)

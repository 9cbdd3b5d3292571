"""Ctrl-C for a command-line test: SIGINT once the command's children run, as a terminal would send it.

Shared by the tests of ``python -m helpers.bench`` and ``python -m helpers.choose`` (one piece of code for one idea).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import psutil


def ctrl_c(process: subprocess.Popen[str], whom: str, *, ready: Callable[[dict[int, psutil.Process]], bool] = bool,
           within: float = 30.0, settle: float = 0.3, what: str = "no process started") -> tuple[
               dict[int, psutil.Process], str, str]:
    """Wait (at most ``within`` s) until ``ready(children seen)``, let them run ``settle`` s, then send SIGINT to the
    process group (``whom == "group"``: a terminal's Ctrl-C) or to the command alone. Returns every descendant seen
    (to check none is left), stdout and stderr. The group is killed if anything fails on the way."""
    try:
        root = psutil.Process(process.pid)
        seen: dict[int, psutil.Process] = {}
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not ready(seen):
            for child in root.children(recursive=True):
                seen.setdefault(child.pid, child)
            time.sleep(0.05)
        assert seen, f"{what} within {within:g} s"
        time.sleep(settle)
        for child in root.children(recursive=True):
            seen.setdefault(child.pid, child)
        if whom == "group":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return seen, out, err

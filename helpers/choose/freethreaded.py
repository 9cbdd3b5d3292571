"""The same calls on a free-threaded build (``python3.14t``), measured in a child Python.

A free-threaded build is another Python executable, so the function goes there by name: the
child runs ``python3.14t -m helpers.choose MODULE:FUNCTION --child-ways sequential,threads`` on
the same inputs (pickled to a temporary file) and writes its figures as JSON, which this module
reads back as two rows (the fields of :class:`~helpers.choose.measure.Way`, as a dict each). With
``--quick`` the child runs one call per usable core (at least two). The child has a time limit and
is killed on timeout or Ctrl-C; the temporary folder is removed on every path.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .inputs import function_name

#: Where the course's machines and ``uv`` keep a free-threaded Python, besides the PATH.
KNOWN_PLACES = ("/opt/ft-python/bin/python3.14t", "/opt/ft-python/bin/python3.13t")
NAMES = ("python3.14t", "python3.13t")
ROOT = Path(__file__).resolve().parents[2]


def find_free_threaded() -> str | None:
    """A free-threaded Python on this machine: on the PATH, in :data:`KNOWN_PLACES`, or ``uv python find 3.14t``.

    ``None`` when there is none, or when this Python is itself free-threaded (its own threads are measured).
    """
    import sysconfig

    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    for place in KNOWN_PLACES:
        if os.access(place, os.X_OK):
            return place
    uv = shutil.which("uv")
    if uv:
        try:
            answer = subprocess.run([uv, "python", "find", "--no-python-downloads", "3.14t"], capture_output=True,
                                    text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        path = answer.stdout.strip()
        if answer.returncode == 0 and path and os.access(path, os.X_OK):
            return path
    return None


def _row(key: str, label: str, workers: int = 0, elapsed: float | None = None, note: str = "") -> dict[str, Any]:
    return {"key": key, "label": label, "workers": workers, "elapsed": elapsed, "note": note}


def measure_free_threaded(func: Callable[[Any], Any], items: list[Any], sequential: float, *, timeout: float,
                          quick: bool, notebook: bool, note: Callable[[str], None]) -> list[dict[str, Any]]:
    """Baseline and threads on a free-threaded build: two rows, the fields of a ``Way`` (or one saying why not)."""
    label = "threads (free-threaded)"
    python = find_free_threaded()
    if python is None:
        return [_row("free-threaded", label, note="no free-threaded Python (python3.14t) found on this machine")]
    if notebook:
        return [_row("free-threaded", label, note="a function defined in the notebook cannot be sent to another "
                                                   "Python: write it to a module to measure it there")]
    target = function_name(func)
    given = len(items)
    if quick:  # one call per usable core (at least two): the child's runs are what makes --quick long
        from ..engine.machine import usable_cores

        items = items[: max(2, usable_cores())]
    folder = Path(tempfile.mkdtemp(prefix="course-choose-"))
    try:
        inputs, output = folder / "inputs.pickle", folder / "figures.json"
        inputs.write_bytes(pickle.dumps(items, protocol=4))
        # The child finds helpers (this checkout) and the learner's module (this process's path).
        # Not this Python's own library folders: the other build has its own (and refuses ours).
        own = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        mine = [p for p in sys.path if p and os.path.isdir(p)
                and not any(os.path.realpath(p).startswith(prefix) for prefix in own)]
        path = os.pathsep.join([str(ROOT), *mine])
        command = [python, "-m", "helpers.choose", target, "--inputs-pickle", str(inputs), "--json", str(output),
                   "--child-ways", "sequential,threads", "--timeout", f"{timeout:g}", "--no-png"]
        env = {**os.environ, "PYTHONPATH": path, "PYTHONSAFEPATH": ""}
        limit = 2 * (timeout * len(items) + 30) + 30  # two runs, each call up to timeout, and a Python to start
        note(f"{len(items)} calls on {os.path.basename(python)} (a child Python): one after another, then threads")
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                 cwd=os.getcwd())
        try:
            said, _ = child.communicate(timeout=limit)
        except BaseException:  # timeout or Ctrl-C: the child goes too
            child.kill()
            child.wait()
            raise
        if child.returncode != 0 or not output.exists():
            last = (said or "").strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
            return [_row("free-threaded", label, note=f"{os.path.basename(python)} could not run it: {last[0][:200]}")]
        figures = json.loads(output.read_text(encoding="utf-8"))
    except subprocess.TimeoutExpired:
        return [_row("free-threaded", label, note=f"stopped: the child Python took longer than {limit:.0f} s")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ways = {w["key"]: w for w in figures["measurement"]["ways"]}
    version = figures["measurement"]["machine"]["python"]
    rows = []
    part = f", {len(items)} of {given} calls" if len(items) != given else ""
    for key, name in (("sequential", f"one after another ({version}t{part})"),
                      ("threads", f"threads ({version}t{part})")):
        got = ways.get(key) or {}
        elapsed = got.get("elapsed")
        row = _row(f"free-threaded-{key}", name, got.get("workers", 0), elapsed, got.get("note", ""))
        if elapsed:
            # Against *this* Python's baseline (for as many calls): what switching builds would buy.
            row["speedup"] = sequential * len(items) / given / elapsed
            cores = figures["measurement"]["machine"]["usable_cores"]
            row["efficiency"] = None if key == "sequential" else row["speedup"] / min(max(1, row["workers"]), cores)
            for field in ("startup", "parallelism", "others_busy"):
                row[field] = got.get(field)
        rows.append(row)
    return rows

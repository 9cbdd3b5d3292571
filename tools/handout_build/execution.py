"""Executing a notebook for the handouts (nbclient, a fresh kernel), and the cache of each one's last execution."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .manifest import Notebook
from .shared import ROOT, BuildError, log

#: Each notebook's last execution in the output folder, kept across builds (:func:`cached_execution`).
CACHE = ".executed"
#: What the build's kernels run: the helpers tree (every file in it counts towards a notebook's key).
HELPERS = ROOT / "helpers"
CELL_TIMEOUT = 300
#: A kernel answers within 1-2 s here. One that does not within 30 s had a port taken between jupyter_client's
#: choice and its bind (it hangs, see conftest.py's ``retrying``): another kernel, with fresh ports, is started.
KERNEL_START_TIMEOUT = 30
KERNEL_START_TRIES = 3


def execute(info: Notebook, log_file: Path) -> tuple[Any, float, dt.datetime]:
    """Run a notebook top to bottom in a fresh kernel (cwd: its folder). Returns it with outputs.

    The kernel's own stdout and stderr (start-up warnings, what a dying spawn child writes to the
    terminal in notebook 02) go to ``log_file``; what the cells print is in the outputs.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    began = dt.datetime.now(dt.timezone.utc)
    start = time.perf_counter()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_TRIES + 1):
        nb = nbformat.read(info.path, as_version=4)
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=KERNEL_START_TIMEOUT, kernel_name="python3",
                                resources={"metadata": {"path": str(info.path.parent)}})
        with log_file.open("wb") as terminal:
            try:
                client.execute(stdout=terminal, stderr=terminal)
            except (CellExecutionError, CellTimeoutError) as exc:
                raise BuildError(f"{info.path.name}: a cell failed while building the handouts (kernel log: "
                                 f"{log_file}):\n{exc}") from None
            except RuntimeError as exc:
                started = any(cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
                # a kernel that died mid-run (DeadKernelError) is a failure
                if type(exc) is not RuntimeError or started:
                    raise
                if attempt == KERNEL_START_TRIES:  # the kernel never answered: see KERNEL_START_TRIES
                    raise BuildError(f"{info.path.name}: its kernel did not start ({exc}; "
                                     f"kernel log: {log_file})") from None
                log(f"   {info.path.name}: the kernel did not start ({exc}); starting another")
                continue
        return nb, time.perf_counter() - start, began
    raise AssertionError("unreachable")


# --- the executions cache -------------------------------------------------------------------
# A rebuild after a change to the CSS, a template or the build's code re-renders and re-prints, but need not re-run
# minutes of notebooks whose figures would be measured the same way on the same machine. Each executed notebook
# is kept in <out>/.executed/ with the key of what it ran: the notebook's bytes, every file of helpers/, the
# Python and the machine (:func:`execution_key`). A notebook whose key is unchanged is reused, stamped with the
# time it was measured; any change, or --fresh, executes it again.
# Why not jupyter-cache (what Jupyter Book uses)? It keys a notebook on its code cells only (not on helpers/,
# the Python or the machine, which decide every figure here), keeps a SQLite database and brings SQLAlchemy;
# the key needed here is a hash of some files and one dict, and the store is two files a notebook.

def machine_key(info: dict[str, Any]) -> dict[str, Any]:
    """What decides a notebook's figures besides its code: the stamp's facts (:func:`machine_info`: cores, quota,
    Python, start method, pause scale...), this exact Python and build, the packages installed in it (a new
    matplotlib draws another picture), the host and its processor, and the panels' pace."""
    import hashlib
    import importlib.metadata
    import platform

    from helpers.engine.config import PANEL_SECONDS_ENV

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text(errors="replace").splitlines()
                    if line.startswith("model name")), "")
    return {**{key: str(value) for key, value in info.items()}, "python build": sys.version,
            "python executable": sys.executable, "host": platform.node(), "processor": cpu or platform.processor(),
            "packages": hashlib.sha256("\n".join(sorted(f"{dist.metadata['Name']}=={dist.version}"
                                                        for dist in importlib.metadata.distributions())).encode()
                                       ).hexdigest(),
            "panel seconds": os.environ.get(PANEL_SECONDS_ENV, "")}


def execution_key(notebook: Path, machine: dict[str, Any], helpers_dir: Path = HELPERS) -> str:
    """A hash of everything a notebook's execution depends on: its own bytes, each file under ``helpers_dir``
    (name and bytes; compiled caches excluded) and ``machine`` (:func:`machine_key`)."""
    import hashlib

    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    for path in sorted(helpers_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(path.relative_to(helpers_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    digest.update(json.dumps(machine, sort_keys=True).encode())
    return digest.hexdigest()


@dataclass
class Execution:
    """One notebook's execution: the executed notebook, how long it took, when, and how busy the machine was."""

    nb: Any
    seconds: float
    when: dt.datetime
    seen: Any  # helpers.engine.verdict.MachineSeen
    reused: bool = False


def cached_execution(out: Path, info: Notebook, key: str, figures_dir: Path) -> Execution | None:
    """The execution kept in ``out``'s cache for ``info`` if its key is ``key`` (else None): its log goes back to
    ``out``/logs, and any figures it handed over (:func:`helpers.handout.record_figures`) to ``figures_dir``."""
    import nbformat

    from helpers.engine.verdict import MachineSeen

    folder = out / CACHE
    record_file, nb_file = folder / f"{info.stem}.json", folder / f"{info.stem}.ipynb"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        nb = nbformat.read(nb_file, as_version=4)
    except (OSError, ValueError):  # none yet, or a half-written one: executed again
        return None
    log_copy = folder / f"{info.stem}.log"
    if log_copy.exists():
        (out / "logs").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_copy, out / "logs" / f"{info.stem}.log")
    if record.get("figures") is not None:
        figures_dir.mkdir(parents=True, exist_ok=True)
        (figures_dir / "cheatsheet.json").write_text(json.dumps(record["figures"], indent=2, sort_keys=True),
                                                     encoding="utf-8")
    return Execution(nb, float(record["seconds"]), dt.datetime.fromisoformat(record["when"]),
                     MachineSeen(**record["seen"]), reused=True)


def keep_execution(out: Path, info: Notebook, key: str, execution: Execution, figures: Any = None) -> None:
    """Save ``execution`` (before any page is made of it) in ``out``'s cache under ``key``; the record is written
    last, so a build stopped half-way leaves no record that points at a half-written notebook."""
    import dataclasses

    import nbformat

    folder = out / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{info.stem}.json").unlink(missing_ok=True)
    nbformat.write(execution.nb, folder / f"{info.stem}.ipynb")
    log_file = out / "logs" / f"{info.stem}.log"
    if log_file.exists():
        shutil.copyfile(log_file, folder / f"{info.stem}.log")
    record = {"key": key, "seconds": execution.seconds, "when": execution.when.isoformat(),
              "seen": dataclasses.asdict(execution.seen), "figures": figures}
    partial = folder / f"{info.stem}.json.part"
    partial.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    partial.replace(folder / f"{info.stem}.json")

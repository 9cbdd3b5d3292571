"""Re-execute notebooks and keep only the outputs that nbval compares.

nbval (``--nbval-lax``) compares a cell's fresh output with the output stored in the
notebook, for cells tagged ``nbval-check-output``. Those outputs are deterministic (no
timings, pids or paths) and are committed; every other output is stripped, so the
notebooks in git hold nothing machine-specific.

    python tools/refresh_outputs.py                 # every notebook
    python tools/refresh_outputs.py notebooks/02_what_is_a_process.ipynb
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_TAG = "nbval-check-output"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout (or a copy of one) without installing it

from helpers.course import lessons  # noqa: E402  (the one list of the course: notebooks/course.toml)


def coalesce(outputs: list) -> list:
    merged: list = []
    for output in outputs:
        if (merged and output.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1]["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def clean(nb: nbformat.NotebookNode, keep_checked: bool = True) -> nbformat.NotebookNode:
    """Strip outputs of unchecked cells, execution counts and run metadata."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if keep_checked and CHECK_TAG in cell.metadata.get("tags", []):
            # nbval wants an execution count on a cell with stored outputs; in a notebook run
            # top to bottom it is simply the cell's position, so it never changes.
            cell.outputs = coalesce(cell.outputs)
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata = {key: nb.metadata[key] for key in ("kernelspec", "language_info") if key in nb.metadata}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("COURSE_TIME_SCALE", "0.25")
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(clean(nb), path)
    print(f"refreshed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    targets = [Path(p).resolve() for p in sys.argv[1:]] or [lesson.path for lesson in lessons()]
    for target in targets:
        refresh(target)

"""Solutions the learner opens deliberately: a collapsed Markdown block that Run All neither runs nor shows.

Each notebook's exercise ends with one cell tagged ``solution``. A *code* cell with a hidden source still runs
under Run All (printing its ✔ and giving the answer away, and costing seconds), so a solution is a *Markdown*
cell instead::

    <details><summary>Solution (open it once you have tried; paste its code into a cell to run it)</summary>

    Why, in a sentence.

    ```python
    ...the code...
    ```

    </details>

``<details>`` renders collapsed in JupyterLab, Notebook 7, nbviewer and GitHub; the handouts
(tools/handout_build/pages.py) drop the cell from the learner's handout and open it (``<details open>``) in the
instructor's. tests/test_solutions.py takes the code back out with :func:`solution_code` and runs it against its
checker.

Usage: ``python tools/solution_cells.py notebooks/NN_topic.ipynb ...`` turns any solution still written as a code
cell into that Markdown form (edits only that cell; nbformat writes the file).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

SOLUTION_TAG = "solution"
SUMMARY = "Solution (open it once you have tried; paste its code into a cell to run it)"
OPENING = f"<details><summary>{SUMMARY}</summary>"
_FENCE = re.compile(r"^```python\n(.*?)\n```$", re.S | re.M)


def is_solution(cell: Any) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def as_markdown(code: str) -> str:
    """The Markdown source of a collapsed solution holding ``code``.

    A first line ``# Solution: why`` becomes the sentence above the code; a bare ``# Solution`` is dropped.
    """
    first, _, rest = code.strip().partition("\n")
    why = ""
    if first.startswith("# Solution"):
        why = first.removeprefix("# Solution").lstrip(":").strip()
        code = rest
    said = f"{why[0].upper()}{why[1:]}\n\n" if why else ""
    return f"{OPENING}\n\n{said}```python\n{code.strip()}\n```\n\n</details>"


def solution_code(cell: Any) -> str:
    """The code of a solution cell, Markdown (the fenced block) or code (its source)."""
    if cell["cell_type"] == "code":
        return cell["source"]
    found = _FENCE.search(cell["source"])
    if found is None:
        raise ValueError(f"a solution cell without a ```python block: {cell['source'][:80]!r}")
    return found.group(1)


def convert(path: Path) -> int:
    """Every code cell tagged ``solution`` in ``path`` becomes its collapsed Markdown form; returns how many."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = 0
    for index, cell in enumerate(nb.cells):
        if is_solution(cell) and cell.cell_type == "code":
            tags = [tag for tag in cell.metadata.get("tags", []) if tag != "nbval-check-output"]
            new = nbformat.v4.new_markdown_cell(as_markdown(cell.source))
            new.metadata["tags"] = tags
            if "id" in cell:
                new["id"] = cell["id"]
            nb.cells[index] = new
            changed += 1
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {convert(Path(name))} solution cell(s) now collapsed Markdown")

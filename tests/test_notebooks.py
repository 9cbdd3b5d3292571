"""Static checks of every notebook: the course's shape, and nothing machine-specific committed.

Executing them is nbval's job (make notebooks); this file checks what a reviewer would.
"""

import json
import re
from pathlib import Path

import pytest

from helpers.course import lessons

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [lesson.path for lesson in lessons()]  # the manifest's list; tests/test_course.py checks it
CHECK_TAG = "nbval-check-output"


def cells(path):
    return json.loads(path.read_text())["cells"]


def text(cell):
    return "".join(cell["source"])


def test_notebooks_are_numbered_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))) and len(numbers) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_goals_and_time(path):
    first = text(cells(path)[0])
    assert first.startswith(f"# {path.name[:2]} · ")
    assert "You will be able to" in first and re.search(r"\*\*Time:\*\* about \d+ minutes", first)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_recap_and_a_checked_exercise_with_hint_and_collapsed_solution(path):
    nb = cells(path)
    markdown = "\n".join(text(c) for c in nb if c["cell_type"] == "markdown")
    assert "## Recap" in markdown and "## Exercise" in markdown and "<summary>Hint</summary>" in markdown
    code = "\n".join(text(c) for c in nb if c["cell_type"] == "code")
    # The checker is imported from its topic module, by a name that says what it checks, and called.
    imported = re.findall(r"from helpers\.exercises\.\w+ import [^\n]*?\b(check_[a-z_]+)\b", code)
    assert imported, "no checker imported from helpers.exercises.<topic>"
    assert not re.search(r"check_\d", code), "a checker named by a notebook number"
    assert any(re.search(rf"\b{name}\(", code) for name in imported)
    solutions = [c for c in nb if "solution" in c["metadata"].get("tags", [])]
    # Run All neither runs nor shows a solution: one collapsed Markdown block, opened deliberately
    # (tools/solution_cells.py writes it; tests/test_solutions.py runs its code against the checker).
    assert len(solutions) == 1, "one solution per exercise"
    assert all(c["cell_type"] == "markdown" and text(c).startswith("<details><summary>Solution")
               and "```python\n" in text(c) and text(c).rstrip().endswith("</details>") for c in solutions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_checked_cells_keep_outputs(path):
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        if CHECK_TAG in cell["metadata"].get("tags", []):
            assert cell["outputs"], f"checked cell without stored output: {text(cell)[:60]!r}"
        else:
            assert not cell["outputs"] and cell["execution_count"] is None, \
                f"volatile output committed: {text(cell)[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nothing_machine_specific_is_committed(path):
    outputs = json.dumps([c.get("outputs", []) for c in cells(path)])
    assert not re.search(r"/(root|home|tmp|Users)/", outputs)
    assert "image/png" not in outputs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_pyplot_and_no_process_targets_defined_in_cells(path):
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        source = text(cell)
        assert "matplotlib.pyplot" not in source
        # A process target must come from helpers; the one deliberate exception (02) uses get_context("spawn").
        for target in re.findall(r"Process\(\s*target\s*=\s*([A-Za-z_][\w.]*)", source):
            defined_here = re.search(rf"^def {re.escape(target)}\(", source, re.M)
            assert not defined_here or 'get_context("spawn")' in source, f"{path.name}: {target} defined in a cell"

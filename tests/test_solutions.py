"""Every notebook's solution, taken out of its collapsed Markdown cell, gets ✔ from its own checker.

Run All never runs a solution (tools/solution_cells.py: a ``<details>`` block, not a code cell), so this is where
each one is proved: its code, run after just the statements of the notebook's earlier cells that it needs (its
imports, the names it uses, and theirs: a slice, not the whole notebook), under spawn, under forkserver and
pinned to one CPU. Pauses are scaled by 0.25, as in the notebook passes; a timing checker gets up to three tries
for its ✔ (``accepted_within``), and one core may leave a speed-up unshown (◌), never ✘.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import linecache
import multiprocessing
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest
from exercise_conditions import accepted_within, hard, never_wrong

from helpers.config import seconds
from helpers.course import lessons
from helpers.exercises.base import RIGHT, Verdict

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [lesson.path for lesson in lessons()]
CONDITIONS = ["spawn", "forkserver", "one_cpu"]
#: Names a solution reads that only a notebook can make, given by the test instead of sliced: 00's ``result`` is
#: what its control panel's first run returned (a widget shows nothing outside a notebook), 4 waits of 1 s each.
STAND_INS: dict[str, dict[str, Any]] = {
    "00_welcome.ipynb": {"result": lambda: SimpleNamespace(tasks=[SimpleNamespace(argument=seconds(1.0))] * 4)},
}


def _load_tool():
    spec = importlib.util.spec_from_file_location("solution_cells", ROOT / "tools" / "solution_cells.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


solution_cells = _load_tool()


def _bound(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _used(node: ast.AST) -> set[str]:
    """Names ``node`` reads, less those it binds itself (its own variables and arguments)."""
    loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    own = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    own |= {a.arg for a in ast.walk(node) if isinstance(a, ast.arg)}
    own |= {n.name for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return loads - own - set(dir(builtins))


def solution_and_slice(path: Path) -> tuple[str, list[ast.stmt]]:
    """The notebook's solution code, and the statements of earlier cells it needs, in notebook order."""
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, cell in enumerate(nb.cells) if solution_cells.is_solution(cell))
    code = solution_cells.solution_code(nb.cells[index])
    earlier: list[ast.stmt] = []
    for cell in nb.cells[:index]:
        if cell.cell_type == "code" and not cell.source.lstrip().startswith(("%", "!")):
            earlier += ast.parse(cell.source).body
    needed: set[int] = set()
    wanted = _used(ast.parse(code)) - set(STAND_INS.get(path.name, {}))
    for position in range(len(earlier) - 1, -1, -1):  # latest binding first, then what it needs in turn
        statement = earlier[position]
        found = _bound(statement) & wanted
        if found:
            needed.add(position)
            wanted = (wanted - found) | _used(statement)
    return code, [earlier[i] for i in sorted(needed)]


def run_solution(path: Path) -> Verdict:
    """Execute the slice, then the solution, in a fresh namespace; the verdict its last line's checker returned."""
    code, statements = solution_and_slice(path)
    tree = ast.parse(code)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), "a solution ends by calling its checker"
    tree.body[-1] = ast.Assign(targets=[ast.Name("__verdict__", ast.Store())], value=last.value)
    ast.fix_missing_locations(tree)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    namespace.update({name: make() for name, make in STAND_INS.get(path.name, {}).items()})
    filename = f"<solution of {path.name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)  # inspect.getsource reads it
    exec(compile(ast.Module(body=statements, type_ignores=[]), f"<cells of {path.name}>", "exec"), namespace)
    exec(compile(tree, filename, "exec"), namespace)
    verdict = namespace["__verdict__"]
    assert isinstance(verdict, Verdict), f"{path.name}: the checker returned {verdict!r}"
    return verdict


def test_the_slice_takes_what_a_solution_needs_and_nothing_else():
    code, statements = solution_and_slice(ROOT / "notebooks" / "10_executors.ipynb")
    assert "check_executor_errors(run_all)" in code
    bound = set().union(*(_bound(s) for s in statements))
    assert {"cf", "context", "check_executor_errors"} <= bound
    assert "run_all" not in bound  # the learner's own attempt above is not run


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_the_solution_gets_its_tick(path: Path, condition: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    if condition == "forkserver" and "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver on this platform")
    if path.name.startswith("16") and sys.version_info < (3, 14):
        pytest.skip("subinterpreters' InterpreterPoolExecutor needs Python 3.14")
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.25")
    if condition == "forkserver":
        monkeypatch.setenv("COURSE_START_METHOD", "forkserver")
        verdict = accepted_within(lambda: run_solution(path))
    else:
        with hard(condition, monkeypatch):
            verdict = accepted_within(lambda: run_solution(path))
    never_wrong(verdict)
    # One core may leave a speed-up unshown (◌), and so may cores that other programs keep busy (this test's
    # machine is shared): the checker then says so. Anywhere else the solution earns its ✔.
    busy = "not free" in verdict.message or "busy" in verdict.message
    assert verdict.status == RIGHT or condition == "one_cpu" or busy, verdict.message
    assert verdict.message in capsys.readouterr().out

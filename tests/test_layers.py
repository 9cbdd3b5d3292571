"""The layers of ``helpers/``, from the code's own import statements (every one, lazy ones inside functions too).

Bottom to top (a module may import its own layer or any layer below, never one above):

0. ``helpers.engine``  -- runs tasks on threads, processes, interpreters; results, relay, reaper, census, machine,
   config: knows no lesson and nothing that draws;
1. ``helpers.charts``  -- all the drawing (matplotlib), fed the engine's results; knows no lesson;
2. the subjects        -- ``helpers.<module>``, one per notebook subject (workers, executors, locks, fetching, ...);
   a subject may draw its own measurement through ``helpers.charts``;
3. ``helpers.panels``  -- widgets on top of the subjects (LivePanel, the cluster panel);
4. the tools on top    -- ``helpers`` itself (its ``__init__``), ``helpers.exercises``, ``helpers.bench``,
   ``helpers.check_install`` (and ``helpers.choose``).

Also: no import cycle at all; only ``helpers.charts`` and ``helpers.panels`` import matplotlib; no module inside
``helpers`` imports a module by the old name it had before the layers (:data:`helpers.MOVED`, kept for notebooks);
every module is listed in ``helpers/__init__``'s docstring and the README's map, and every checker module in
``helpers/exercises/__init__``'s.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("engine", "charts", "subjects", "panels", "top")
TOP = {"helpers", "helpers.check_install", "helpers.choose"}
TOP_PACKAGES = ("helpers.exercises", "helpers.bench", "helpers.choose")


def modules(root: Path) -> dict[str, Path]:
    """Every module of the ``helpers`` package under ``root``, by dotted name."""
    found = {}
    for path in sorted((root / "helpers").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def layer(module: str) -> str:
    if module in TOP or module.startswith(tuple(p + "." for p in TOP_PACKAGES)) or module in TOP_PACKAGES:
        return "top"
    for name in ("engine", "charts", "panels"):
        if module == f"helpers.{name}" or module.startswith(f"helpers.{name}."):
            return name
    if module.count(".") == 1:
        return "subjects"
    raise AssertionError(f"{module} is in no layer: put it in one (tests/test_layers.py)")


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import statement in the file, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import workers` imports the module helpers.workers, not the package
            subs = [f"{target}.{alias.name}" for alias in node.names]
            moved = [sub for sub in subs if sub.rpartition(".")[2] in MOVED and sub.rpartition(".")[0] == "helpers"]
            real = [sub for sub in subs if sub in known]
            found += [(sub, node.lineno) for sub in real + moved] if real or moved else [(target, node.lineno)]
    return found


MOVED = {"census", "config", "harness", "interpreter_runs", "machine", "overlap", "reaper", "relay", "scripts",
         "io_charts", "live_chart", "plots", "style", "timeline", "cluster_panel", "panel"}


def problems(root: Path) -> list[str]:
    """What breaks the layers in the tree at ``root`` (empty when it keeps them)."""
    known = modules(root)
    found, graph = [], {}
    for name, path in known.items():
        edges = set()
        for target, line in imports(name, path, known):
            where = f"{path.relative_to(root)}:{line}"
            if target.split(".")[0] == "matplotlib" and layer(name) not in ("charts", "panels"):
                found.append(f"{where} imports matplotlib outside helpers/charts and helpers/panels")
            if not target.startswith("helpers"):
                continue
            if target.startswith("helpers.") and target.count(".") == 1 and target[8:] in MOVED \
                    and target not in known:
                found.append(f"{where} imports {target}, an old name: import its new place")
                continue
            if target not in known:
                continue
            if target == name or (target == "helpers" and name.startswith("helpers.")):
                continue  # `from . import x` of a package attribute; the package itself is the top
            edges.add(target)
            if LAYERS.index(layer(target)) > LAYERS.index(layer(name)):
                found.append(f"{where} {name} ({layer(name)}) imports {target} ({layer(target)}), a layer above")
        graph[name] = edges
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules that import each other (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group) + [sorted(group)[0]])

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_layers_hold():
    assert problems(ROOT) == []


def test_the_check_can_fail(tmp_path):
    # A copy of two modules with the edges the layers forbid: an engine module that imports a subject and
    # matplotlib, and a cycle between two subjects.
    (tmp_path / "helpers" / "engine").mkdir(parents=True)
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (tmp_path / "helpers" / "engine" / "__init__.py").write_text("")
    (tmp_path / "helpers" / "engine" / "harness.py").write_text(
        "def f():\n    from ..interpreters import available\n    import matplotlib\n")
    (tmp_path / "helpers" / "interpreters.py").write_text("from .workers import x\n")
    (tmp_path / "helpers" / "workers.py").write_text("def g():\n    from . import interpreters\n")
    (tmp_path / "helpers" / "fetching.py").write_text("from .plots import Chart\n")
    found = "\n".join(problems(tmp_path))
    assert "helpers.engine.harness (engine) imports helpers.interpreters (subjects)" in found
    assert "imports matplotlib outside" in found
    assert "import cycle: helpers.interpreters -> helpers.workers -> helpers.interpreters" in found
    assert "imports helpers.plots, an old name" in found


def test_the_old_names_are_the_new_modules():
    import helpers

    assert set(helpers.MOVED) == MOVED
    import helpers.charts.style
    import helpers.style  # type: ignore[import-not-found]  # kept so notebook imports work

    assert helpers.style is helpers.charts.style
    from helpers import harness

    assert harness.run.__module__ == "helpers.engine.harness"


def listed_modules() -> list[str]:
    """The modules an index must name: every one below the top, and the top's packages and tools."""
    return [name for name in modules(ROOT) if name != "helpers" and layer(name) != "top"
            and name not in ("helpers.engine", "helpers.charts", "helpers.panels")] + [*TOP_PACKAGES,
                                                                                      "helpers.check_install"]


def test_every_module_is_in_the_package_docstring():
    import helpers

    missing = [name for name in listed_modules() if not re.search(rf"`{re.escape(name)}`", helpers.__doc__ or "")]
    assert missing == [], f"helpers/__init__.py's docstring does not list {missing}"


def readme_map() -> set[str]:
    """The paths the README's map of ``helpers/`` names (``engine/harness.py``, ``exercises/``, ...)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("\nhelpers/ "):]
    block = block[:block.index("\ntests/ ")]
    named, folder = set(), ""
    for line in block.splitlines()[1:]:
        indent = len(line) - len(line.lstrip())
        entry = re.split(r"\s{2,}", line.strip())[0]
        if indent <= 2:
            folder = ""
        for name in re.findall(r"\b\w+(?:\.py|/)", entry):
            named.add(folder + name)
            if indent <= 2 and name.endswith("/"):
                folder = name
    return named


def test_every_module_is_in_the_readme_map():
    named = readme_map()
    wanted = ["/".join(name.split(".")[1:]) + ("/" if name in TOP_PACKAGES else ".py") for name in listed_modules()]
    missing = [path for path in wanted if path not in named]
    assert missing == [], f"README.md's map of helpers/ does not list {missing}"


def test_every_checker_module_is_in_the_exercises_index():
    text = ast.get_docstring(ast.parse((ROOT / "helpers/exercises/__init__.py").read_text(encoding="utf-8"))) or ""
    names = {path.stem for path in (ROOT / "helpers/exercises").glob("*.py") if path.stem != "__init__"}
    missing = sorted(name for name in names if f":mod:`.{name}`" not in text)
    assert missing == [], f"helpers/exercises/__init__.py does not list {missing}"


def test_every_name_an_index_gives_is_a_module():
    # The other way round: an index naming a module that moved or went stays wrong unless a test fails on it.
    import helpers

    known = set(modules(ROOT))
    named = set(re.findall(r"(?<!`)`(helpers(?:\.\w+)+)`(?!`)", helpers.__doc__ or ""))  # ``old names`` aside
    assert sorted(named - known) == [], "helpers/__init__.py's docstring names modules that do not exist"
    files = {"/".join(name.split(".")[1:]) + ("/" if name in TOP_PACKAGES or (ROOT / "helpers" / "/".join(
        name.split(".")[1:]) / "__init__.py").exists() else ".py") for name in known if name != "helpers"}
    stale = sorted(readme_map() - files - {"helpers/"})
    assert stale == [], f"README.md's map of helpers/ names files that do not exist: {stale}"


def test_every_module_opens_with_a_docstring():
    # What a module is for, in its first lines: the index entries are checked against the modules, and the modules
    # say what they are.
    bare = [str(path.relative_to(ROOT)) for name, path in modules(ROOT).items()
            if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()]
    assert bare == [], f"modules without an opening docstring: {bare}"

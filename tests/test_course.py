"""helpers.course and tools/course_pages.py: the manifest is the one list of the course.

Every place that lists the notebooks is generated from notebooks/course.toml or checked against it
here, and the last test proves the promise to maintainers: adding a notebook at the end takes the
notebook and one manifest entry (then `tools/course_pages.py`), and every place picks it up.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.course import MANIFEST, lessons

ROOT = Path(__file__).resolve().parent.parent


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it is executed
    spec.loader.exec_module(module)
    return module


course_pages = load_tool("course_pages")
COURSE = lessons()


def first_cell(path: Path) -> str:
    return "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])


# --- the manifest itself --------------------------------------------------------------------

def test_manifest_lists_exactly_the_notebooks_on_disk():
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [lesson.file for lesson in COURSE] == on_disk


@pytest.mark.parametrize("lesson", COURSE, ids=lambda lesson: lesson.stem)
def test_each_notebook_opens_with_its_manifest_heading_and_minutes(lesson):
    first = first_cell(lesson.path)
    heading = first.splitlines()[0]
    assert re.fullmatch(rf"# {re.escape(lesson.heading)}(:.*)?", heading), (heading, lesson.heading)
    time = re.search(r"\*\*Time:\*\* about (\d+) minutes", first)
    assert time and int(time.group(1)) == lesson.minutes, f"{lesson.file}: Time line vs course.toml"


@pytest.mark.parametrize("change, message", [
    (('minutes = 15', 'minutes = "15"'), "minutes must be a positive whole number"),
    (('starts_processes = false', 'starts_processes = "no"'), "starts_processes must be true or false"),
    (('number = "01"', 'number = "1"'), "number must be two digits"),
    (('requires_python = "3.10"\n\n[[notebook]]\nnumber = "02"',
      'requires_python = "3"\n\n[[notebook]]\nnumber = "02"'), "requires_python"),
    (('teaches = "threads overlap waiting (I/O-bound) work"\n', ''), "teaches"),
    (('number = "03"', 'number = "30"'), "should start with its number"),
])
def test_a_malformed_entry_is_a_clear_value_error(tmp_path, change, message):
    text = MANIFEST.read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "course.toml").write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        lessons(tmp_path / "course.toml")


def test_a_toml_syntax_error_names_the_file(tmp_path):
    (tmp_path / "course.toml").write_text("[[notebook]]\nnumber = 00\n", encoding="utf-8")
    with pytest.raises(ValueError, match="course.toml"):
        lessons(tmp_path / "course.toml")


def test_entries_out_of_order_are_refused(tmp_path):
    text = MANIFEST.read_text(encoding="utf-8")
    entries = text.split("[[notebook]]")
    entries[-1], entries[-2] = entries[-2].rstrip() + "\n", entries[-1] + "\n"
    (tmp_path / "course.toml").write_text("[[notebook]]".join(entries), encoding="utf-8")
    with pytest.raises(ValueError, match="unique and in order"):
        lessons(tmp_path / "course.toml")


# --- the places that list the course --------------------------------------------------------

def test_every_generated_place_agrees_with_the_manifest():
    stale = course_pages.sync(ROOT, check=True)
    assert not stale, f"out of date (run .venv/bin/python tools/course_pages.py): {stale}"


def test_the_check_notices_a_hand_edit(tmp_path):
    copy = copy_course(tmp_path)
    readme = copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 25 |", "| 26 |", 1), encoding="utf-8")
    assert course_pages.sync(copy, check=True) == [str(readme)]


def test_lesson_plans_name_notebooks_as_the_manifest_does():
    outline = (ROOT / "docs" / "outline.md").read_text(encoding="utf-8")
    plans = course_pages.plan_rows(outline)
    assert set(plans) == set(course_pages.PLAN_SECTIONS) and all(plans.values())
    by_number = {lesson.number: lesson for lesson in COURSE}
    for heading, rows in plans.items():
        for number, cell, _, _ in rows:
            assert number in by_number, f"{heading}: no notebook {number} in course.toml"
            lesson = by_number[number]
            if cell.startswith("["):
                assert cell == f"[{lesson.heading}](../notebooks/{lesson.file})", (heading, cell)


def test_lesson_plans_times_follow_on():
    outline = (ROOT / "docs" / "outline.md").read_text(encoding="utf-8")
    for heading in course_pages.PLAN_SECTIONS:
        section = outline[outline.index(heading):]
        section = section[:section.find("\n## ", 1)]
        rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines()
                if re.match(r"\|\s*\d+:\d\d\s*\|", line)]
        starts = [int(r[0].split(":")[0]) * 60 + int(r[0].split(":")[1]) for r in rows]
        for row, start, following in zip(rows, starts, starts[1:]):
            assert row[2].isdigit() and start + int(row[2]) == following, f"{heading}: {row[:3]}"


# --- adding a notebook at the end -----------------------------------------------------------

def copy_course(tmp_path: Path) -> Path:
    """What a maintainer's checkout has that lists the course: notebooks, README, outline, tools, helpers."""
    copy = tmp_path / "course"
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.egg-info")
    for folder in ("notebooks", "docs", "tools", "helpers"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=ignore)
    shutil.copy(ROOT / "README.md", copy / "README.md")
    return copy


NEW_ENTRY = """
[[notebook]]
number = "{number}"
file = "{number}_throwaway_topic.ipynb"
title = "A throw-away topic"
minutes = 10
teaches = "nothing: a test adds it and deletes it"
starts_processes = true
requires_python = "3.10"
"""


def add_notebook(copy: Path) -> str:
    """The two steps: a notebook, and one entry at the end of the manifest. Returns its number."""
    number = f"{len(COURSE):02d}"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {number} · A throw-away topic\n\n**Time:** about 10 minutes."),
                nbformat.v4.new_code_cell("print('hello')")]
    nbformat.write(nb, copy / "notebooks" / f"{number}_throwaway_topic.ipynb")
    with (copy / "notebooks" / "course.toml").open("a", encoding="utf-8") as manifest:
        manifest.write(NEW_ENTRY.format(number=number))
    return number


def test_adding_a_notebook_is_the_notebook_one_entry_and_one_command(tmp_path):
    copy = copy_course(tmp_path)
    number = add_notebook(copy)
    new = f"{number}_throwaway_topic"
    before = course_pages.sync(copy, check=True)
    assert str(copy / "README.md") in before  # until the command runs, the check names what is stale

    done = subprocess.run([sys.executable, str(copy / "tools" / "course_pages.py")], cwd=copy,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert course_pages.sync(copy, check=True) == []
    course = lessons(copy / "notebooks" / "course.toml")
    assert course[-1].stem == new and len(course) == len(COURSE) + 1

    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert f"| [{new}](notebooks/{new}.ipynb) | nothing: a test adds it and deletes it | 10 |" in readme
    welcome = nbformat.read(copy / "notebooks" / COURSE[0].file, as_version=4)
    assert any(f"| {number} | A throw-away topic | 10 |" in cell.source for cell in welcome.cells)
    outline = (copy / "docs" / "outline.md").read_text(encoding="utf-8")
    total = sum(lesson.minutes for lesson in COURSE) + 10
    assert f"is {course_pages.count_words(len(COURSE) + 1)} notebooks, {total} minutes" in outline
    assert f"Not in the lesson plans below yet: {number} · A throw-away topic (10 min)" in outline

    previous = nbformat.read(copy / "notebooks" / COURSE[-1].file, as_version=4)
    assert previous.cells[-1].source == f"Next: **{number} · A throw-away topic**"
    added = nbformat.read(copy / "notebooks" / f"{new}.ipynb", as_version=4)
    assert added.cells[-1].source.startswith(f"That was the last notebook. Back to **{COURSE[0].heading}**")
    assert course_pages.NEXT_TAG in added.cells[-1].metadata["tags"]

    from handout_build.manifest import discover

    assert [info.stem for info in discover(manifest=copy / "notebooks" / "course.toml")][-1] == new
    soak = load_tool("soak")
    assert soak.process_notebooks(copy / "notebooks" / "course.toml")[-1].name == f"{new}.ipynb"
    matrix = (ROOT / "tools" / "matrix.py").read_text(encoding="utf-8")
    assert '"notebooks"' in matrix and not re.search(r"\b0[0-9]_\w+\.ipynb", matrix)  # nbval runs the folder


def test_a_second_run_changes_nothing(tmp_path):
    copy = copy_course(tmp_path)
    add_notebook(copy)
    assert course_pages.sync(copy)
    assert course_pages.sync(copy) == []

"""Write every place that lists the course from notebooks/course.toml (the one list), or check them.

    python tools/course_pages.py            # rewrite what is out of date; prints what it changed
    python tools/course_pages.py --check    # change nothing; exit 1 naming what is out of date

Generated (a person never edits these by hand; edit course.toml and run this):
  * README.md: the course table, between its ``course.toml`` markers;
  * the first notebook (00): the table of notebooks, between the same markers in its Markdown;
  * docs/outline.md: how many notebooks, their total minutes, and those not yet in a lesson plan;
  * every notebook's last cell (tagged ``course-next``): "Next: **NN · title**", or, for the last
    notebook, the way back to the first. A notebook without one gets the cell appended.
Checked (written by people, compared with the manifest by tests/test_course.py): each notebook's
heading and "Time:" line, and the rows of the outline's lesson plans.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout (or a copy of one) without installing it

from helpers.course import MANIFEST, Lesson, lessons  # noqa: E402

NEXT_TAG = "course-next"
_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty").split()


def begin_marker(name: str) -> str:
    return f"<!-- course.toml: {name}, written by tools/course_pages.py: edit the manifest, not this -->"


def end_marker(name: str) -> str:
    return f"<!-- end of {name} -->"


def count_words(number: int) -> str:
    return _WORDS[number] if number < len(_WORDS) else str(number)


# --- what each place says -------------------------------------------------------------------

def readme_table(course: list[Lesson]) -> str:
    rows = [f"| [{lesson.stem}](notebooks/{lesson.file}) | {lesson.teaches} | {lesson.minutes} |" for lesson in course]
    return "\n".join(["| notebook | you will learn | minutes |", "|---|---|---|", *rows])


def welcome_table(course: list[Lesson]) -> str:
    rows = [f"| {lesson.number} | {lesson.title} | {lesson.minutes} |" for lesson in course]
    return "\n".join(["| notebook | topic | minutes |", "|---|---|---|", *rows])


def next_line(course: list[Lesson], index: int) -> str:
    if index + 1 < len(course):
        return f"Next: **{course[index + 1].heading}**"
    return (f"That was the last notebook. Back to **{course[0].heading}** for the outline, or open any control "
            "panel and keep measuring.")


PLAN_SECTIONS = ("## 3-hour plan", "## 90-minute plan", "## Second 3-hour plan: beyond the article",
                 "## Third session: the day it breaks")


def outline_summary(course: list[Lesson], outline: str) -> str:
    total = sum(lesson.minutes for lesson in course)
    text = (f"The course is {count_words(len(course))} notebooks, {total} minutes in all for a person working on "
            "their own (the time printed at the top of each notebook).")
    planned = {number for rows in plan_rows(outline).values() for number, *_ in rows}
    missing = [lesson for lesson in course if lesson.number not in planned]
    if missing:
        text += (" Not in the lesson plans below yet: "
                 + "; ".join(f"{lesson.heading} ({lesson.minutes} min)" for lesson in missing) + ".")
    return text


def plan_rows(outline: str) -> dict[str, list[tuple[str, str, int, int]]]:
    """Each lesson plan's rows that name a notebook: (number, notebook cell, start minute, minutes)."""
    plans: dict[str, list[tuple[str, str, int, int]]] = {}
    for heading in PLAN_SECTIONS:
        start = outline.find(heading)
        if start < 0:
            continue
        end = outline.find("\n## ", start + 1)
        section = outline[start:end if end > 0 else len(outline)]
        rows = []
        for line in section.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) < 3 or not re.fullmatch(r"\d+:\d\d", cells[0]):
                continue
            number = re.match(r"\[?(\d\d)\b", cells[1])
            hours, mins = cells[0].split(":")
            if number and cells[2].isdigit():
                rows.append((number.group(1), cells[1], int(hours) * 60 + int(mins), int(cells[2])))
        plans[heading] = rows
    return plans


# --- rewriting files ------------------------------------------------------------------------

def replace_block(text: str, name: str, body: str, where: str) -> str:
    begin, end = begin_marker(name), end_marker(name)
    pattern = re.compile(re.escape(begin) + r"\n.*?\n" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"{where}: the {name!r} markers are missing (add the two lines\n  {begin}\n  {end}\n"
                         "where it belongs)")
    # Blank lines around the body: every Markdown renderer then ends the comment and the table where they end.
    return pattern.sub(lambda _: f"{begin}\n\n{body}\n\n{end}", text, count=1)


def _update_text(path: Path, new: str, changed: list[str], check: bool) -> None:
    if path.read_text(encoding="utf-8") != new:
        changed.append(str(path))
        if not check:
            path.write_text(new, encoding="utf-8")


def _source(cell: nbformat.NotebookNode) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _is_next_cell(cell: nbformat.NotebookNode) -> bool:
    if cell.cell_type != "markdown":
        return False
    text = _source(cell)
    return NEXT_TAG in cell.metadata.get("tags", []) or text.startswith(("Next:", "That was the last notebook"))


def _update_notebook(lesson: Lesson, course: list[Lesson], index: int, changed: list[str], check: bool) -> None:
    nb = nbformat.read(lesson.path, as_version=4)
    before = nbformat.writes(nb)
    if index == 0:
        for cell in nb.cells:
            if cell.cell_type == "markdown" and begin_marker("notebooks") in _source(cell):
                cell.source = replace_block(_source(cell), "notebooks", welcome_table(course), lesson.file)
                break
        else:
            raise ValueError(f"{lesson.file}: no Markdown cell has the 'notebooks' table markers")
    if not nb.cells or not _is_next_cell(nb.cells[-1]):
        nb.cells.append(nbformat.v4.new_markdown_cell(""))
    last = nb.cells[-1]
    last.source = next_line(course, index)
    tags = last.metadata.setdefault("tags", [])
    if NEXT_TAG not in tags:
        tags.append(NEXT_TAG)
    if nbformat.writes(nb) != before:
        changed.append(str(lesson.path))
        if not check:
            nbformat.write(nb, lesson.path)


def sync(root: Path = ROOT, check: bool = False) -> list[str]:
    """Bring every generated place under ``root`` in line with its manifest; returns the files that were
    (with ``check``: that would be) changed."""
    course = lessons(root / "notebooks" / MANIFEST.name)
    changed: list[str] = []
    readme = root / "README.md"
    _update_text(readme, replace_block(readme.read_text(encoding="utf-8"), "course table", readme_table(course),
                                       "README.md"), changed, check)
    outline_path = root / "docs" / "outline.md"
    outline = outline_path.read_text(encoding="utf-8")
    _update_text(outline_path, replace_block(outline, "course size", outline_summary(course, outline),
                                             "docs/outline.md"), changed, check)
    for index, lesson in enumerate(course):
        _update_notebook(lesson, course, index, changed, check)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    changed = sync(check=args.check)
    for path in changed:
        print(("out of date: " if args.check else "rewrote ") + str(Path(path).relative_to(ROOT)))
    if args.check and changed:
        print("run: .venv/bin/python tools/course_pages.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The course the handouts are made of: its notebooks from notebooks/course.toml, in order, and their pages' names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from helpers.course import MANIFEST, Lesson, lessons

from .shared import BuildError

#: How the notebook that measures the cheat sheet's figures is recognised: it hands them over.
RECORDS_FIGURES = "record_figures("


@dataclass(frozen=True)
class Notebook:
    """One notebook of the handouts: its manifest entry and the names of its pages."""

    lesson: Lesson

    path = property(lambda self: self.lesson.path)
    number = property(lambda self: self.lesson.number)
    stem = property(lambda self: self.lesson.stem)
    title = property(lambda self: self.lesson.heading)  # "03 · Threads for waiting work"
    minutes = property(lambda self: self.lesson.minutes)
    teaches = property(lambda self: self.lesson.teaches)
    html_name = property(lambda self: f"{self.lesson.stem}.html")
    pdf_name = property(lambda self: f"{self.lesson.stem}.pdf")


def discover(only: Iterable[str] | None = None, manifest: Path = MANIFEST) -> list[Notebook]:
    """The course's notebooks in the manifest's order, or those whose number (or name) is in ``only``."""
    wanted = {item.strip() for item in only or [] if item.strip()}
    found = [Notebook(lesson) for lesson in lessons(manifest)
             if not wanted or lesson.number in wanted or lesson.stem in wanted]
    missing = wanted - {nb.number for nb in found} - {nb.stem for nb in found}
    if missing:
        raise BuildError(f"no notebook matches {', '.join(sorted(missing))} in {manifest}")
    if not found:
        raise BuildError(f"{manifest} lists no notebooks")
    return found


def figures_source(manifest: Path = MANIFEST) -> Notebook:
    """The notebook that hands the cheat sheet its figures (it calls ``record_figures``)."""
    for nb in discover(manifest=manifest):
        if RECORDS_FIGURES in nb.path.read_text(encoding="utf-8"):
            return nb
    raise BuildError(f"no notebook calls helpers.handout.{RECORDS_FIGURES.rstrip('(')}: the cheat sheet has no figures")

"""The one list of the course: ``notebooks/course.toml``, loaded and checked.

Everything that needs "which notebooks, in what order" (tables, navigation, handouts, soak
runs, tests) asks :func:`lessons` instead of globbing file names or keeping its own list.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI (a dependency of jupyterlab and of this course)
    import tomli as tomllib

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
MANIFEST = NOTEBOOKS / "course.toml"


@dataclass(frozen=True)
class Lesson:
    """One notebook of the course, as the manifest describes it."""

    number: str
    file: str
    title: str
    minutes: int
    teaches: str
    starts_processes: bool
    requires_python: str

    @property
    def path(self) -> Path:
        return NOTEBOOKS / self.file

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def python_floor(self) -> tuple[int, int]:
        major, minor = self.requires_python.split(".")
        return int(major), int(minor)


def lessons(manifest: Path = MANIFEST) -> list[Lesson]:
    """Every notebook of the course, in order. Raises ``ValueError`` naming a malformed entry."""
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    entries = data.get("notebook", [])
    result: list[Lesson] = []
    for index, entry in enumerate(entries):
        try:
            lesson = Lesson(**entry)
        except TypeError as exc:
            raise ValueError(f"{manifest.name}: entry {index + 1} ({entry.get('file', '?')}): {exc}") from None
        if not lesson.file.startswith(f"{lesson.number}_"):
            raise ValueError(f"{manifest.name}: {lesson.file} should start with its number {lesson.number}_")
        result.append(lesson)
    numbers = [lesson.number for lesson in result]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise ValueError(f"{manifest.name}: numbers must be unique and in order, got {numbers}")
    return result

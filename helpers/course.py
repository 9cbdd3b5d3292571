"""The one list of the course: ``notebooks/course.toml``, loaded and checked.

Everything that needs "which notebooks, in what order" (tables, navigation, handouts, soak
runs, tests) asks :func:`lessons` instead of globbing file names or keeping its own list.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
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
    #: The folder the manifest lives in (not a manifest field): a copy of the course has its own.
    folder: Path = field(default=NOTEBOOKS, compare=False, repr=False)

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def heading(self) -> str:
        """"03 · Threads for waiting work": how tables and navigation name the notebook."""
        return f"{self.number} · {self.title}"

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def python_floor(self) -> tuple[int, int]:
        major, minor = self.requires_python.split(".")
        return int(major), int(minor)


def _problem(lesson: Lesson) -> str | None:
    """What is wrong with an entry's values (TOML has types; a typo like minutes = "15" is caught here)."""
    if not (isinstance(lesson.number, str) and len(lesson.number) == 2 and lesson.number.isdigit()):
        return f"number must be two digits in quotes, got {lesson.number!r}"
    if not (isinstance(lesson.file, str) and lesson.file.endswith(".ipynb")):
        return f"file must name a .ipynb, got {lesson.file!r}"
    if not (isinstance(lesson.minutes, int) and not isinstance(lesson.minutes, bool) and lesson.minutes > 0):
        return f"minutes must be a positive whole number, got {lesson.minutes!r}"
    if not isinstance(lesson.starts_processes, bool):
        return f"starts_processes must be true or false, got {lesson.starts_processes!r}"
    if not (isinstance(lesson.title, str) and lesson.title and isinstance(lesson.teaches, str) and lesson.teaches):
        return "title and teaches must be non-empty text"
    parts = lesson.requires_python.split(".") if isinstance(lesson.requires_python, str) else []
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return f"requires_python must look like \"3.10\", got {lesson.requires_python!r}"
    return None


def lessons(manifest: Path = MANIFEST) -> list[Lesson]:
    """Every notebook of the course, in order. Raises ``ValueError`` naming a malformed entry.

    ``manifest`` defaults to this checkout's ``notebooks/course.toml``; the notebooks are looked up
    beside whichever manifest is read (tests read a temporary copy of the course).
    """
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{manifest}: not valid TOML: {exc}") from None
    entries = data.get("notebook", [])
    result: list[Lesson] = []
    for index, entry in enumerate(entries):
        try:
            if "folder" in entry:
                raise TypeError("'folder' is not a manifest field")
            lesson = Lesson(**entry, folder=manifest.parent)
        except TypeError as exc:
            raise ValueError(f"{manifest.name}: entry {index + 1} ({entry.get('file', '?')}): {exc}") from None
        problem = _problem(lesson)
        if problem:
            raise ValueError(f"{manifest.name}: entry {index + 1} ({lesson.file}): {problem}")
        if not lesson.file.startswith(f"{lesson.number}_"):
            raise ValueError(f"{manifest.name}: {lesson.file} should start with its number {lesson.number}_")
        result.append(lesson)
    numbers = [lesson.number for lesson in result]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise ValueError(f"{manifest.name}: numbers must be unique and in order, got {numbers}")
    return result

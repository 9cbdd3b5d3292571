"""tools/handout_build/manifest.py: the handouts are the course of notebooks/course.toml, in its order."""

from __future__ import annotations

import pytest

from helpers.course import lessons

from handout_build.manifest import discover, figures_source
from handout_build.shared import BuildError

NOTEBOOKS = [lesson.path for lesson in lessons()]  # notebooks/course.toml, the one list of the course


def test_the_handouts_follow_the_course_manifest():
    found = discover()
    assert [nb.path for nb in found] == NOTEBOOKS
    for nb in found:
        assert nb.title.startswith(f"{nb.number} · "), nb.title
        assert nb.minutes > 0 and nb.teaches, nb.path.name
    assert figures_source().path.name == "08_quick_reference.ipynb"  # it calls record_figures


def test_only_selects_notebooks_and_rejects_unknown_ones():
    assert [nb.number for nb in discover(["01", "00"])] == ["00", "01"]
    with pytest.raises(BuildError, match="99"):
        discover(["99"])

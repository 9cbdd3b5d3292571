"""tools/handout_build/website.py: a build deletes only a folder it made, and keeps its executions cache."""

from __future__ import annotations

import pytest

from handout_build.execution import CACHE
from handout_build.shared import BuildError
from handout_build.website import MARKER, prepare_output


def test_the_build_only_deletes_a_folder_it_made(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(BuildError, match="not made by tools/handouts.py"):
        prepare_output(foreign)
    assert (foreign / "thesis.tex").exists()
    ours = tmp_path / "handouts"
    prepare_output(ours)
    (ours / "old.html").write_text("stale")
    (ours / "learner").mkdir()
    (ours / CACHE).mkdir()
    (ours / CACHE / "00_welcome.json").write_text("{}")
    prepare_output(ours)
    assert not (ours / "old.html").exists() and not (ours / "learner").exists() and (ours / MARKER).exists()
    assert (ours / CACHE / "00_welcome.json").exists()  # the notebooks' last executions stay...
    prepare_output(ours, fresh=True)
    assert not (ours / CACHE).exists()  # ...unless the build is asked to run them all again

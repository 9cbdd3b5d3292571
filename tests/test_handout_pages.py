"""tools/handout_build/pages.py: widgets shown as their picture, links between notebooks, the learner's copy
without the solutions (no kernel, no browser: tests/test_handouts.py prints a page)."""

from __future__ import annotations

import nbformat

from helpers.course import lessons

from handout_build.pages import drop_widget_views, for_variant, markdown_page

NOTEBOOKS = [lesson.path for lesson in lessons()]  # notebooks/course.toml, the one list of the course
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _notebook_with(outputs, widget_state=None):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("panel.run()")
    cell.outputs = [nbformat.from_dict(output) for output in outputs]
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · Title"), cell]
    if widget_state is not None:
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "state": widget_state, "version_major": 2, "version_minor": 0}}
    return nb


def test_a_widget_is_shown_as_its_own_picture_instead_of_an_empty_box():
    nb = _notebook_with([
        {"output_type": "display_data", "metadata": {}, "data": {
            WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
            "image/png": "iVBORw0KGgo=", "text/plain": "<LivePanel task='wait': 4 tasks>"}},
        {"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {
            WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
            "text/html": "<div>☑ the tasks wait</div>", "text/plain": "AdvisorBox(...)"}}], widget_state={})
    assert drop_widget_views(nb) == 2
    panel, advisor = (output["data"] for output in nb.cells[1].outputs)
    assert WIDGET_VIEW not in panel and panel["image/png"] == "iVBORw0KGgo=" and "text/html" not in panel
    assert WIDGET_VIEW not in advisor and advisor["text/html"] == "<div>☑ the tasks wait</div>"
    assert "widgets" not in nb.metadata  # no widget manager fetched from a CDN


def test_links_between_notebooks_point_at_pages_and_dead_ones_keep_only_their_text():
    text = ("[02](02_what_is_a_process.ipynb#Scripts) [03](../notebooks/03_threads.ipynb) "
            "[docs](https://docs.python.org/3/) [recap](#Recap) [nine](09_missing.ipynb)")
    page = markdown_page(
        text, lambda stem, fragment: f"{stem}.html{fragment}" if not stem.startswith("09") else None)
    assert '<a href="02_what_is_a_process.html#Scripts">02</a>' in page
    assert '<a href="03_threads.html">03</a>' in page
    assert 'href="https://docs.python.org/3/"' in page and 'href="#Recap"' in page
    assert '<span class="handout-link">nine</span>' in page and "09_missing" not in page


def test_learner_copy_drops_exactly_the_solution_cells():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    learner = for_variant(nb, "learner")
    instructor = for_variant(nb, "instructor")
    assert solutions and len(learner.cells) == len(nb.cells) - len(solutions)
    assert not any("solution" in c.metadata.get("tags", []) for c in learner.cells)
    assert len(instructor.cells) == len(nb.cells)
    # Run All neither runs nor shows a solution: collapsed Markdown; the instructor's copy opens it.
    assert all(c.cell_type == "markdown" and c.source.startswith("<details>") for c in solutions)
    opened = [c for c in instructor.cells if "solution" in c.metadata.get("tags", [])]
    assert opened and all(c.source.startswith("<details open>") for c in opened)

"""HTML: an executed notebook made a page (nbconvert's exporter, the handout templates), in each variant."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .shared import ASSETS, ROOT

SOLUTION_TAG = "solution"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_widget_views(nb: Any) -> int:
    """Keep what a widget output shows without a kernel; returns how many widget views were dropped.

    The course's widgets carry their own static picture (LivePanel: its last figure as PNG; the
    advisor: its controls and advice as HTML), which a page shows instead of an empty box.
    """
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data")
            if data and data.pop(WIDGET_VIEW, None) is not None:
                changed += 1
    nb.metadata.pop("widgets", None)
    return changed


def for_variant(nb: Any, variant: str) -> Any:
    """The learner's copy without the solution cells (nbconvert's TagRemovePreprocessor); the instructor's with
    each solution open (a solution is a collapsed ``<details>`` block: tools/solution_cells.py)."""
    import copy

    from nbconvert.preprocessors import TagRemovePreprocessor

    out = copy.deepcopy(nb)
    if variant == "learner":
        out, _ = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}).preprocess(out, {})
    else:
        for cell in out.cells:
            if SOLUTION_TAG in cell.metadata.get("tags", []) and cell.cell_type == "markdown":
                cell.source = cell.source.replace("<details>", "<details open>", 1)
    return out


#: nbconvert's filters whose result depends on their arguments only (the same code highlighted, the same output
#: sanitised): each notebook is rendered four times (two variants, screen and print), so each is worked out once
#: per process. Markdown is not among them: its links depend on the page (:data:`LinkTarget`).
SAME_EVERY_TIME = ("highlight_code", "clean_html")
_REMEMBERED: dict[str, str] = {}


def remembered(name: str, jinja_filter: Callable[..., Any]) -> Callable[..., Any]:
    """``jinja_filter`` with its text results remembered by its name and arguments (this process, this build)."""
    import functools

    @functools.wraps(jinja_filter)
    def again(*args: Any, **kwargs: Any) -> Any:
        key = json.dumps([name, args, kwargs], sort_keys=True, default=repr)
        if key not in _REMEMBERED:
            _REMEMBERED[key] = jinja_filter(*args, **kwargs)
        return _REMEMBERED[key]

    return again


#: Where a link to another notebook (``NN_topic.ipynb#part``) goes; None: show its text only.
LinkTarget = Callable[[str, str], "str | None"]


def exporter(link_target: LinkTarget) -> Any:
    """nbconvert's HTML exporter with the handout template; Markdown links to notebooks retargeted."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class HandoutRenderer(IPythonRenderer):
        def link(self, text: str, url: str, title: str | None = None) -> str:
            path, _, fragment = url.partition("#")
            if path.endswith(".ipynb"):
                target = link_target(Path(path).stem, f"#{fragment}" if fragment else "")
                return super().link(text, target, title) if target else f'<span class="handout-link">{text}</span>'
            return super().link(text, url, title)

    class HandoutExporter(HTMLExporter):
        @pass_context  # the cell being rendered comes with the template's context, as in nbconvert
        def markdown2html(self, context: Any, source: str) -> str:
            cell = context.get("cell", {})
            renderer = HandoutRenderer(escape=False, attachments=cell.get("attachments", {}),
                                       embed_images=self.embed_images, anchor_link_text=self.anchor_link_text,
                                       exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
            return MarkdownWithMath(renderer=renderer).render(source)

        def register_filter(self, name: str, jinja_filter: Any) -> Any:
            if name in SAME_EVERY_TIME:
                jinja_filter = remembered(name, jinja_filter)
            return super().register_filter(name, jinja_filter)

    return HandoutExporter(template_name="handout", extra_template_basedirs=[str(ASSETS / "nbconvert")],
                           exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True)


def render(nb: Any, handout: dict[str, Any], link_target: LinkTarget) -> str:
    body, _ = exporter(link_target).from_notebook_node(nb, resources={
        "metadata": {"name": handout["page"].title if handout.get("page") else "", "path": str(ROOT / "notebooks")},
        "handout": handout})
    return body


def markdown_page(text: str, link_target: LinkTarget) -> str:
    """A Markdown document (the outline) as HTML, rendered like the notebooks' Markdown cells."""
    return exporter(link_target).markdown2html({}, text)


def jinja_env() -> Any:
    """The handouts' own pages (contents, cover, outline, cheat sheet): Jinja templates in ASSETS."""
    import jinja2
    from markupsafe import Markup
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=jinja2.select_autoescape(["j2"]),
                             trim_blocks=True, lstrip_blocks=True)
    # One line of Markdown (the manifest's "teaches", with `code`), without its paragraph.
    env.filters["code_spans"] = lambda text: Markup(
        markdown2html_mistune(text).strip().removeprefix("<p>").removesuffix("</p>"))
    return env

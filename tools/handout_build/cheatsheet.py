"""The cheat sheet: the quick-reference table with the figures measured in this build, on ONE printed page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .pages import jinja_env
from .pdf import count_pages, print_pdf
from .shared import BuildError, log
from .stamp import Stamp, css_string


def build_cheatsheet(out: Path, stamp: Stamp, figures: dict[str, Any], chromium: str) -> float:
    """Write cheatsheet.html and a ONE-page cheatsheet.pdf, shrinking the type until it fits.

    Returns the type scale used (1.0 unless the page had to shrink).
    """
    template = jinja_env().get_template("cheatsheet.html.j2")
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8):
        page = template.render(stamp=stamp, f=figures, scale=scale, footer=css_string(stamp.short()))
        (out / "cheatsheet.html").write_text(page, encoding="utf-8")
        print_pdf(chromium, out / "cheatsheet.html", out / "cheatsheet.pdf")
        pages = count_pages(out / "cheatsheet.pdf")
        if pages == 1:
            return scale
        log(f"  cheat sheet: {pages} pages at type scale {scale}; shrinking")
    raise BuildError("the cheat sheet does not fit on one page even at 80 % type size; shorten it "
                     "(tools/handout_templates/cheatsheet.html.j2)")

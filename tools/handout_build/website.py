"""The site: the output folder, and every page of both variants in it (notebooks, contents, outline, cover)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from .execution import CACHE
from .manifest import Notebook
from .pages import for_variant, jinja_env, markdown_page, render
from .shared import ROOT, BuildError
from .stamp import Stamp, css_string

OUTLINE_DOC = ROOT / "docs" / "outline.md"
VARIANTS = ("learner", "instructor")
#: Written first into the output folder, so that a rebuild only ever deletes a folder it made.
MARKER = ".handouts-build"


def prepare_output(out: Path, fresh: bool = False) -> None:
    """Empty ``out`` if tools/handouts.py made it, but for its executions cache (all of it with ``fresh``); refuse to
    delete anything else."""
    if out.exists():
        if not out.is_dir():
            raise BuildError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise BuildError(f"{out} is not empty and was not made by tools/handouts.py; choose another --out")
        for child in out.iterdir():
            if child.name == MARKER or (child.name == CACHE and not fresh):
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by tools/handouts.py; deleted and rebuilt by each build (but for "
                              f"{CACHE}/, the notebooks' last executions: --fresh deletes it too)\n")


def write_pages(out: Path, variant: str, notebooks: list[Notebook], index: int, executed: Any, stamp: Stamp,
                css: str, print_dir: Path) -> tuple[Path, Path]:
    """One notebook's page, notebook and print source in one variant; returns the (html, pdf) pair to print."""
    import nbformat

    info = notebooks[index]
    folder = out / variant
    stems = {nb.stem for nb in notebooks}

    def site_link(stem: str, fragment: str) -> str | None:
        return f"{stem}.html{fragment}" if stem in stems else None

    def same_page(stem: str, fragment: str) -> str | None:
        return (fragment or "#") if stem == info.stem else None

    nb = for_variant(executed, variant)
    nbformat.write(nb, folder / f"{info.stem}.ipynb")
    handout = dict(css=css, variant=variant, page=info, print=False,
                   prev=notebooks[index - 1] if index else None,
                   next=notebooks[index + 1] if index + 1 < len(notebooks) else None)
    (folder / info.html_name).write_text(render(nb, handout, site_link), encoding="utf-8")
    footer = css_string(f"{info.number} · {stamp.short()}")
    source = print_dir / variant / info.html_name
    source.write_text(render(nb, dict(handout, print=True, footer=footer), same_page), encoding="utf-8")
    return source, folder / "pdf" / info.pdf_name


#: What the forked page writers read (:func:`write_all_pages`): set just before they start, inherited by fork.
_PAGES: tuple[Any, ...] | None = None


def _write_both_variants(index: int) -> list[tuple[Path, Path]]:
    """Both variants of one notebook (in one process, so that :func:`.pages.remembered` filters are worked out once)."""
    assert _PAGES is not None
    out, notebooks, executed, stamp, css, print_dir = _PAGES
    return [write_pages(out, variant, notebooks, index, executed[notebooks[index].stem], stamp, css, print_dir)
            for variant in VARIANTS]


def write_all_pages(out: Path, notebooks: list[Notebook], executed: dict[str, Any], stamp: Stamp, css: str,
                    print_dir: Path, workers: int) -> dict[str, list[tuple[Path, Path]]]:
    """Every notebook's pages in both variants; returns each variant's (html, pdf) pairs to print, in order.

    nbconvert takes about 0.5 s a page here (Jinja, bleach, pygments, BeautifulSoup: 88 renders, 48 s on the idle
    2-core machine, one after another). Nothing is measured any more once every notebook has run, so the pages are
    written by ``workers`` forked processes at once, a notebook each (fork: they inherit the executed notebooks;
    nothing is pickled but an index and the file names); where fork is missing (Windows) or one core is all there
    is, one after another.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _PAGES
    for variant in VARIANTS:
        (out / variant / "pdf").mkdir(parents=True)
        (print_dir / variant).mkdir(parents=True)
    _PAGES = (out, notebooks, executed, stamp, css, print_dir)
    try:
        workers = max(1, min(workers, len(notebooks)))
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                written = list(pool.map(_write_both_variants, range(len(notebooks))))
        else:
            written = [_write_both_variants(index) for index in range(len(notebooks))]
    finally:
        _PAGES = None
    return {variant: [pairs[number] for pairs in written] for number, variant in enumerate(VARIANTS)}


def write_variant(out: Path, variant: str, notebooks: list[Notebook], stamp: Stamp, css: str,
                  print_dir: Path) -> list[tuple[Path, Path]]:
    """The contents page, the outline and the course cover of one variant; returns the cover's (html, pdf)."""
    folder = out / variant
    stems = {nb.stem for nb in notebooks}

    def site_link(stem: str, fragment: str) -> str | None:
        return f"{stem}.html{fragment}" if stem in stems else None

    env = jinja_env()
    context = dict(variant=variant, notebooks=notebooks, stamp=stamp, css=css,
                   total=sum(nb.minutes for nb in notebooks),
                   has_outline=variant == "instructor" and OUTLINE_DOC.exists())
    (folder / "index.html").write_text(env.get_template("site_index.html.j2").render(**context), encoding="utf-8")
    if context["has_outline"]:
        body = markdown_page(OUTLINE_DOC.read_text(encoding="utf-8"), site_link)
        (folder / "outline.html").write_text(env.get_template("page.html.j2").render(
            title="Instructor's outline", body=body, css=css, stamp=stamp, variant=variant), encoding="utf-8")
    cover = print_dir / variant / "cover.html"
    cover.write_text(env.get_template("course_cover.html.j2").render(footer=css_string(stamp.short()), **context),
                     encoding="utf-8")
    return [(cover, print_dir / variant / "cover.pdf")]

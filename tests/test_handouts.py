"""tools/handouts.py: the workshop handouts, built and checked the way a reader would check them.

The pieces of tools/handout_build/ that need neither a kernel nor a browser are checked in the mirror tests
(tests/test_handout_manifest.py, _stamp, _execution, _pages, _website). Here: printing with chromium
(tools/handout_build/pdf.py, and a page through the handout template), then one real build in fast mode
(``--fast``: COURSE_TIME_SCALE=0.25) into a temporary folder, checked with poppler's
``pdfinfo`` / ``pdftotext``: every PDF opens, the cheat sheet is one page, every title is in
the course PDF and the index, no link points nowhere, the learner's copy has no solution, the
control panels show their figure, no page shows a widget's repr, and no page but a notebook's last
is near-empty (measured on the rendered page with ``pdftoppm``); a copy of it rebuilt reuses an unchanged
notebook's execution and runs a changed one again. The build covers notebooks 00, 02 and 08 (a panel, a
failing spawn child, the advisor's controls, the cheat sheet's figures: about 45 s on 2 cores);
``HANDOUTS_TEST_NOTEBOOKS=all`` builds the whole course (several minutes), or give numbers:
``HANDOUTS_TEST_NOTEBOOKS=03,04``. Without chromium or poppler-utils the build checks are
skipped, except on CI (``$CI`` set), where they fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
from handout_build.execution import CACHE  # noqa: E402
from handout_build.manifest import discover  # noqa: E402
from handout_build.pages import render  # noqa: E402
from handout_build.pdf import (MIN_FILL, PAGE_HEIGHT_MM, find_chromium, near_empty_pages, page_fills,  # noqa: E402
                               page_margins_mm, print_all, print_pdf)
from handout_build.shared import ASSETS, BuildError  # noqa: E402
from handout_build.website import OUTLINE_DOC, VARIANTS  # noqa: E402

DEFAULT_SUBSET = "00,02,08"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: What an ipywidget prints where no widget manager draws it: never on a handout page (each widget the course
#: shows has a static fallback, its last figure).
WIDGET_REPR = re.compile(r"\b(VBox|HBox|Box|IntSlider|FloatSlider|IntText|FloatText|Button|ToggleButtons|Dropdown|"
                         r"Checkbox|Image|HTML|Label|Output)\((children|value|description|layout|options)=")


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: required on CI", pytrace=False)
    pytest.skip(reason)


def chromium_and_css(tool: str) -> tuple[str, str]:
    """Debian's chromium and the handout's CSS, for a test that prints a page and reads it back with ``tool``
    (poppler's pdftoppm or pdftotext); the test is marked unavailable where either is missing."""
    if shutil.which(tool) is None:
        unavailable(f"poppler-utils ({tool}) is not installed")
    try:
        chromium = find_chromium()
    except BuildError as exc:
        unavailable(str(exc))
    return chromium, (ROOT / "tools" / "handout_templates" / "handout.css").read_text(encoding="utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


# --- printing -------------------------------------------------------------------------------

def test_missing_chromium_stops_the_build_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(BuildError, match="chromium is missing.*apt-get install chromium"):
        find_chromium()


# --- one real build -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    for tool in ("pdfinfo", "pdftotext", "pdfunite"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is missing (apt-get install poppler-utils)")
    try:
        find_chromium()
    except BuildError as exc:
        unavailable(str(exc))
    out = tmp_path_factory.mktemp("handouts") / "handouts"
    only = os.environ.get("HANDOUTS_TEST_NOTEBOOKS", DEFAULT_SUBSET)
    command = [sys.executable, str(ROOT / "tools" / "handouts.py"), "--fast", "--out", str(out)]
    if only != "all":
        command += ["--only", only]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=ROOT)
    assert result.returncode == 0, f"the build failed:\n{result.stdout}\n{result.stderr}"
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    notebooks = discover(None if only == "all" else only.split(","))
    return SimpleNamespace(out=out, manifest=manifest, notebooks=notebooks, log=result.stdout)


def test_a_rebuild_reuses_an_unchanged_notebook_and_runs_a_changed_one_again(built, tmp_path):
    out = tmp_path / "handouts"
    shutil.copytree(built.out, out)  # the module's build stays as it was for the other tests
    kept, changed = built.notebooks[0], built.notebooks[1]
    record_file = out / CACHE / f"{changed.stem}.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    record["key"] = "what a changed notebook, helper or Python gives"
    record_file.write_text(json.dumps(record), encoding="utf-8")
    command = [sys.executable, str(ROOT / "tools" / "handouts.py"), "--fast", "--out", str(out),
               "--only", f"{kept.number},{changed.number}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, f"the rebuild failed:\n{result.stdout}\n{result.stderr}"
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    now = {row["notebook"]: row for row in manifest["notebooks"]}
    then = {row["notebook"]: row for row in built.manifest["notebooks"]}
    reused, rerun = now[kept.path.name], now[changed.path.name]
    assert reused["reused"] and reused["measured_at"] == then[kept.path.name]["measured_at"]
    assert reused["executed_seconds"] == then[kept.path.name]["executed_seconds"]
    assert not rerun["reused"] and rerun["measured_at"] > then[changed.path.name]["measured_at"]
    assert f"reused {kept.path.name}: measured" in result.stdout and f"executed {changed.path.name}" in result.stdout
    measured = dt.datetime.fromisoformat(reused["measured_at"])
    page = flat((out / "learner" / kept.html_name).read_text(encoding="utf-8"))
    assert f"Executed {measured:%Y-%m-%d %H:%M} UTC in " in page  # its stamp: when it was measured, not now
    assert manifest["figures"] == built.manifest["figures"]  # the cheat sheet's, from the kept execution
    assert (out / "learner" / "pdf" / kept.pdf_name).exists() and (out / "cheatsheet.pdf").exists()


def pdf_info(path: Path) -> dict[str, str]:
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{path} does not open: {result.stderr}"
    return dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


class _Page(HTMLParser):
    """Links, resources and visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.resources.append(attrs["href"])
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def all_pdfs(built) -> list[Path]:
    return sorted(built.out.rglob("*.pdf"))


def test_the_build_wrote_every_page_notebook_and_pdf(built):
    out = built.out
    for name in ("index.html", "cheatsheet.html", "cheatsheet.pdf", "build.json"):
        assert (out / name).is_file(), name
    for variant in VARIANTS:
        folder = out / variant
        assert (folder / "index.html").is_file() and (folder / "pdf" / "course.pdf").is_file()
        for nb in built.notebooks:
            for path in (folder / nb.html_name, folder / f"{nb.stem}.ipynb", folder / "pdf" / nb.pdf_name):
                assert path.is_file() and path.stat().st_size > 0, path
    if OUTLINE_DOC.exists():
        assert (out / "instructor" / "outline.html").is_file()
    print(f"\nhandouts build: {built.manifest['seconds']}")


def test_every_pdf_opens_has_text_and_fits_a4_and_letter(built):
    pdfs = all_pdfs(built)
    assert len(pdfs) == 1 + 2 * (len(built.notebooks) + 1)
    for pdf in pdfs:
        info = pdf_info(pdf)
        pages = int(info["Pages"])
        assert pages >= 1 and pages == built.manifest["pages"][str(pdf.relative_to(built.out))], pdf
        width, height = map(float, re.match(r"\s*([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
        # A4 is 595.3 pt wide, Letter 792 pt high: a page within both prints on either at 100 %.
        assert width <= 595.5 and height <= 792.5, (pdf, info["Page size"])
        assert len(flat(pdf_text(pdf))) > 200, f"{pdf} has (almost) no text"


def test_the_cheat_sheet_is_one_page_with_the_measured_figures(built):
    pdf = built.out / "cheatsheet.pdf"
    assert int(pdf_info(pdf)["Pages"]) == 1
    text = flat(pdf_text(pdf))
    figures = built.manifest["figures"]
    for expected in ("Quick reference", "Threads", "Processes", "Memory", "Use case", "Start with",
                     "Data sharing", "Parallelism", "processes with threads", "a plain loop",
                     "Five traps", "notebook cell", "draining a queue", "q.empty()", "nobody joins", "flush=True",
                     f"×{figures['io_speedup']:.1f}", f"×{figures['process_speedup']:.2f}",
                     f"{figures['process_start'] * 1000:.1f} ms"):
        assert expected in text, f"cheat sheet lacks {expected!r}"
    assert text.count("Fix:") == 5
    stamp = built.manifest["machine"]
    assert f"Python {stamp['Python']}" in text


def test_every_title_is_in_the_course_pdf_and_the_index(built):
    for variant in VARIANTS:
        course = flat(pdf_text(built.out / variant / "pdf" / "course.pdf"))
        index = flat("".join(parse(built.out / variant / "index.html").text))
        for nb in built.notebooks:
            title = flat(nb.title)
            assert title in index, f"{variant}/index.html lacks {title!r}"
            # Once in the outline on the cover, once as the notebook's own heading.
            assert course.count(title) >= 2, f"{variant}/pdf/course.pdf lacks {title!r}"


def test_no_link_points_nowhere_and_nothing_is_fetched_from_the_network(built):
    pages = {path: parse(path) for path in built.out.rglob("*.html")}
    problems = []
    for path, page in pages.items():
        for href in page.links + page.resources:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                if href in page.resources and not href.startswith("data:"):
                    problems.append(f"{path.name}: loads {href} from the network")
                continue
            target, _, fragment = href.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            if not resolved.is_file():
                problems.append(f"{path.relative_to(built.out)}: {href} (missing file)")
            elif fragment and resolved.suffix == ".html" and fragment not in pages[resolved].ids:
                problems.append(f"{path.relative_to(built.out)}: {href} (missing anchor)")
    assert not problems, "\n".join(problems)
    for variant in VARIANTS:
        for index, nb in enumerate(built.notebooks):
            links = pages[built.out / variant / nb.html_name].links
            assert "index.html" in links and f"pdf/{nb.pdf_name}" in links
            if index:
                assert built.notebooks[index - 1].html_name in links
            if index + 1 < len(built.notebooks):
                assert built.notebooks[index + 1].html_name in links


def _solution_lines(path: Path) -> list[str]:
    """Lines of a notebook's solution cells that appear in no other cell: its answer, and why."""
    nb = nbformat.read(path, as_version=4)
    others = "\n".join(c.source for c in nb.cells if "solution" not in c.metadata.get("tags", []))
    lines = []
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            # Markdown's inline code marks (`...`) become <code> on the page: compare the words, not the marks.
            lines += [line.strip().replace("`", "") for line in cell.source.splitlines()
                      if len(line.strip()) >= 10 and line.strip() != "# Solution" and line.strip() not in others
                      and not line.startswith(("<", "```"))]  # the <details> wrapper and the code fence
    return lines


def test_the_learner_copy_has_no_solution_and_the_instructor_copy_has_them_all(built):
    learner_course = re.sub(r"\s", "", pdf_text(built.out / "learner" / "pdf" / "course.pdf"))
    instructor_course = re.sub(r"\s", "", pdf_text(built.out / "instructor" / "pdf" / "course.pdf"))
    for nb in built.notebooks:
        instructor_html = flat("".join(parse(built.out / "instructor" / nb.html_name).text))
        for line in _solution_lines(nb.path):
            assert flat(line) in instructor_html, f"instructor's {nb.html_name} lacks {line!r}"
        # What only the solution says: shown once in the instructor's page (not also in an output).
        secret = [line for line in _solution_lines(nb.path) if instructor_html.count(flat(line)) == 1]
        assert secret, f"{nb.path.name}: no solution line to look for"
        learner_html = flat("".join(parse(built.out / "learner" / nb.html_name).text))
        learner_pdf = re.sub(r"\s", "", pdf_text(built.out / "learner" / "pdf" / nb.pdf_name))
        learner_nb = (built.out / "learner" / f"{nb.stem}.ipynb").read_text(encoding="utf-8")
        for line in secret:
            assert flat(line) not in learner_html, f"learner's {nb.html_name} shows the solution: {line!r}"
            assert re.sub(r"\s", "", line) not in learner_pdf, f"learner's {nb.pdf_name} shows {line!r}"
            if instructor_course.count(re.sub(r"\s", "", line)) == 1:  # in no other notebook either
                assert re.sub(r"\s", "", line) not in learner_course, f"learner's course.pdf shows {line!r}"
            assert json.dumps(line, ensure_ascii=False)[1:-1] not in learner_nb, \
                f"learner's {nb.stem}.ipynb holds {line!r}"


def test_executed_copies_show_each_panel_as_its_final_figure(built):
    panels = 0
    for variant in VARIANTS:
        for nb in built.notebooks:
            executed = nbformat.read(built.out / variant / f"{nb.stem}.ipynb", as_version=4)
            assert "widgets" not in executed.metadata
            page = (built.out / variant / nb.html_name).read_text(encoding="utf-8")
            assert WIDGET_VIEW not in page and "widget-state+json" not in page
            for cell in executed.cells:
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    assert WIDGET_VIEW not in data, f"{variant}/{nb.stem}: an empty widget box is left"
                    plain = str(data.get("text/plain", ""))
                    shown = WIDGET_REPR.search(plain)
                    assert not shown, f"{variant}/{nb.stem}: a widget's repr {shown.group(0)!r} is on the page"
                    if str(data.get("text/plain", "")).startswith("<LivePanel"):
                        panels += 1
                        assert data.get("image/png"), f"{variant}/{nb.stem}: a panel without its figure"
                        # The figure is in the page too, embedded.
                        assert f'src="data:image/png;base64,{data["image/png"][:40]}' in page
    if any(nb.number in ("00", "03", "04") for nb in built.notebooks):
        assert panels, "no LivePanel output found in notebooks that run one"


def shows_widget_repr(text: str) -> str | None:
    """The widget repr in ``text``, also where the page wrapped it across lines ("VBox(chil / dren=")."""
    joined = re.compile(WIDGET_REPR.pattern.removeprefix(r"\b"))  # the spaces gone, "1 VBox(" reads "1VBox("
    found = WIDGET_REPR.search(text) or joined.search(re.sub(r"\s+", "", text))
    return found.group(0) if found else None


def test_no_page_shows_a_widget_repr(built):
    pdfs = [built.out / "cheatsheet.pdf"]
    for variant in VARIANTS:
        for nb in built.notebooks:
            text = " ".join(parse(built.out / variant / nb.html_name).text)
            assert not shows_widget_repr(text), f"{variant}/{nb.html_name}: {shows_widget_repr(text)!r}"
        pdfs += sorted((built.out / variant / "pdf").glob("*.pdf"))  # each notebook's, and course.pdf
    for pdf in pdfs:  # what the printed page shows, as poppler reads it back
        text = pdf_text(pdf)
        assert len(text) > 200 and not shows_widget_repr(text), \
            f"{pdf.relative_to(built.out)}: a widget repr {shows_widget_repr(text)!r}"


def test_the_widget_repr_pattern_catches_what_an_unshown_widget_prints():
    assert shows_widget_repr("VBox(children=(HBox(children=(IntSlider(value=2, description='worker processes'")
    assert shows_widget_repr("x = 1\nVBox(chil\ndren=(HBox(")  # wrapped mid-word on a page
    assert not shows_widget_repr("<ClusterPanel: 8 tasks on cluster 2 × 1: 1.20 s>")


def test_every_page_says_whose_machine_measured_it(built):
    python = built.manifest["machine"]["Python"]
    for variant in VARIANTS:
        for nb in built.notebooks:
            text = flat("".join(parse(built.out / variant / nb.html_name).text))
            assert "Measured on the build machine" in text and f"Python {python}" in text
            pages = pdf_text(built.out / variant / "pdf" / nb.pdf_name).split("\f")
            pages = [page for page in pages if page.strip()]
            assert pages and all(f"Python {python}" in flat(page) for page in pages), \
                f"{variant}/{nb.pdf_name}: a page without the stamp"


def test_the_cheat_sheet_figures_were_handed_over_by_the_notebook_itself(built):
    assert built.manifest["figures_from"] == "08_quick_reference.ipynb"
    for name in ("io_speedup", "process_speedup", "process_start", "plain_append", "proxy_append"):
        assert isinstance(built.manifest["figures"][name], (int, float)), name
    if any(nb.number == "08" for nb in built.notebooks):
        executed = nbformat.read(built.out / "instructor" / "08_quick_reference.ipynb", as_version=4)
        source = nbformat.read(ROOT / "notebooks" / "08_quick_reference.ipynb", as_version=4)
        # Nothing was appended to the notebook at build time: the same cells, plus the stamp (the instructor's
        # solution printed open: "<details open>").
        assert [c.source.replace("<details open>", "<details>", 1) for c in executed.cells
                if "handout-stamp" not in c.metadata.get("tags", [])] == [c.source for c in source.cells]


def page_texts(pdf: Path) -> list[str]:
    """Each page's text without its footer (the stamp and "N / M"), as poppler reads it."""
    footer = re.compile(r"\s*(\d+ / \d+|\d\d · Measured \d{4}-\d\d-\d\d .*)\s*")
    pages = pdf_text(pdf).split("\f")[:int(pdf_info(pdf)["Pages"])]
    return [flat("\n".join(line for line in page.splitlines() if not footer.fullmatch(line))) for page in pages]


def test_no_page_but_a_notebooks_last_is_near_empty_or_only_a_next_line(built):
    """Every page of a notebook's PDF, its last excepted, is filled at least MIN_FILL of the way down (measured on
    the rendered page: a figure counts), and no page holds nothing but a "Next:" line."""
    margins = page_margins_mm((ASSETS / "handout.css").read_text(encoding="utf-8"))
    fills = {}
    for variant in VARIANTS:
        for nb in built.notebooks:
            pdf = built.out / variant / "pdf" / nb.pdf_name
            fills[f"{variant}/pdf/{nb.pdf_name}"] = page_fills(pdf, margins)
            assert len(fills[f"{variant}/pdf/{nb.pdf_name}"]) == int(pdf_info(pdf)["Pages"])
            for number, text in enumerate(page_texts(pdf), start=1):
                assert not re.fullmatch(r"(Next:.*)?", text), f"{variant}/{nb.pdf_name} p. {number}: {text!r}"
    near_empty = near_empty_pages(fills)
    assert not near_empty, f"pages under {MIN_FILL:.0%} full: {near_empty}"
    assert built.manifest["fills"] == fills and built.manifest["near_empty"] == []
    print(f"\nfills: {fills}")


def test_the_course_pdf_is_the_cover_and_every_notebook_pdf(built):
    for variant in VARIANTS:
        pages = built.manifest["pages"]
        parts = sum(pages[f"{variant}/pdf/{nb.pdf_name}"] for nb in built.notebooks)
        assert parts < pages[f"{variant}/pdf/course.pdf"] <= parts + 2, variant  # a cover of one or two pages


def test_page_fill_is_how_far_down_the_content_reaches(tmp_path):
    """page_fills measures a page by its ink: a page filled 30 % of the way down reads about 0.3, a figure counts
    as much as text, and a blank page reads 0."""
    chromium, css = chromium_and_css("pdftoppm")
    top, bottom = page_margins_mm(css)
    area = PAGE_HEIGHT_MM - top - bottom
    page = (f"<style>{css}</style><p>one line of text</p><div style='height:{0.3 * area - 12:.1f}mm'></div>"
            "<div style='height: 6mm; width: 40mm; background: #333'></div>"
            "<div style='break-before: page; height: 1mm'></div>"
            f"<div style='break-before: page; height: {0.9 * area:.1f}mm; width: 5mm; background: #333'></div>")
    source = tmp_path / "page.html"
    source.write_text(page, encoding="utf-8")
    print_pdf(chromium, source, tmp_path / "page.pdf")
    fills = page_fills(tmp_path / "page.pdf", (top, bottom))
    assert len(fills) == 3, fills
    assert 0.25 <= fills[0] <= 0.35 and fills[1] == 0.0 and 0.85 <= fills[2] <= 0.95, fills
    near_empty = near_empty_pages({"x.pdf": fills})  # the last page may be short
    assert [entry.split(" (")[0] for entry in near_empty] == ["x.pdf p. 1", "x.pdf p. 2"], near_empty


def test_one_browser_prints_what_a_chromium_per_page_prints(tmp_path, monkeypatch):
    """print_all: with Playwright one chromium prints every page; without it, one chromium per page
    (print_pdf). Both give the page's own size, margins and footer, and leave no browser running."""
    chromium, css = chromium_and_css("pdftotext")
    jobs = []
    for number in range(3):
        source = tmp_path / f"page{number}.html"
        source.write_text(f"<style>{css} @page {{ @bottom-left {{ content: 'footer {number}' }} }}</style>"
                          + "<p>text</p>" * (40 * (number + 1)), encoding="utf-8")
        jobs.append((source, tmp_path / "one" / f"page{number}.pdf"))
    print_all(chromium, jobs, browsers=2)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # "import playwright.sync_api" fails
    print_all(chromium, [(html, tmp_path / "each" / pdf.name) for html, pdf in jobs], browsers=2)
    pages = []
    for number, (_, pdf) in enumerate(jobs):
        each = tmp_path / "each" / pdf.name
        pages.append(int(pdf_info(pdf)["Pages"]))
        assert pages[-1] == int(pdf_info(each)["Pages"]), pdf.name
        assert pdf_info(pdf)["Page size"] == pdf_info(each)["Page size"]
        assert f"footer {number}" in pdf_text(pdf) and f"footer {number}" in pdf_text(each)
    assert pages == sorted(pages) and pages[0] < pages[-1], pages  # each its own page, not one page printed thrice
    left = [p.info["pid"] for p in psutil.process_iter(["pid", "cmdline"])
            if any("handouts-chromium-" in part for part in p.info["cmdline"] or [])]
    assert not left, f"chromium left running: {left}"


def test_no_chromium_is_left_running(built):
    left = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if any("handouts-chromium-" in part for part in process.info["cmdline"] or []):
                left.append(process.info["pid"])
        except psutil.Error:
            pass
    assert not left, f"chromium processes left by the build: {left}"


def test_printed_output_wraps_at_spaces_and_the_next_line_is_not_printed(tmp_path):
    """One small notebook through the handout template and chromium: a long printed line wraps between words
    (JupyterLab's own CSS would cut them: "wor / k."), and the "Next:" navigation cell is left off paper."""
    chromium, css = chromium_and_css("pdftotext")
    words = [f"word{n:02d}" for n in range(90)]
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(line)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=" ".join(words) + "\n")]
    nxt = nbformat.v4.new_markdown_cell("Next: **01 · the next one**")
    nxt.metadata["tags"] = ["course-next"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · A page"), cell, nxt]
    page = SimpleNamespace(title="A page", number="00", stem="00_a_page", html_name="00_a_page.html",
                           pdf_name="00_a_page.pdf")
    html = render(nb, dict(css=css, variant="learner", page=page, print=True, footer='"test"',
                           prev=None, next=None), lambda stem, fragment: None)
    source = tmp_path / "page.html"
    source.write_text(html, encoding="utf-8")
    print_pdf(chromium, source, tmp_path / "page.pdf")
    text = pdf_text(tmp_path / "page.pdf")
    printed = [token for token in text.split() if token.startswith("word") or re.fullmatch(r"\d+", token)]
    assert [t for t in printed if t.startswith("word")] == words, "a word of the output was cut across lines"
    assert text.count("\n") > 3  # it did wrap: 90 words are wider than the page
    assert "Next:" not in text

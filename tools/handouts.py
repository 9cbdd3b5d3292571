"""Workshop handouts from one command: an executed HTML site, PDFs, a cheat sheet, two versions.

    python tools/handouts.py                 # every notebook, real pauses (make handouts)
    python tools/handouts.py --fast          # pauses ×0.25 (COURSE_TIME_SCALE), as the tests do
    python tools/handouts.py --only 00,03 --out /tmp/h    # a few notebooks, somewhere else

Every ``notebooks/NN_*.ipynb`` is executed afresh here (nbclient, the platform's start method
unless ``COURSE_START_METHOD`` or ``--start-method`` says otherwise), so each figure and table
shows what *this* machine measured, and every page carries a stamp saying which machine that was.
What it writes (``handouts/``, git-ignored)::

    index.html               choose the learner's or the instructor's handout
    cheatsheet.pdf, .html    ONE page: the quick-reference table with figures measured here,
                             the decision flow, the five traps and their fixes
    learner/                 the exercises without their solutions (cells tagged "solution")
        index.html           the outline: titles, minutes, goals, what each notebook measures
        NN_topic.html        each executed notebook, with previous / contents / next
        NN_topic.ipynb       the executed notebook itself, widgets replaced by their figure
        pdf/NN_topic.pdf     one PDF per notebook, and pdf/course.pdf for the whole course
    instructor/              the same, with the solutions, and outline.html (docs/outline.md)
    build.json               the machine, the figures, the time each step took, page counts
    logs/NN_topic.log        what each kernel wrote to its terminal (not what the cells printed)

PDFs are printed by Debian's ``chromium --headless`` from the same HTML (no LaTeX, nothing
downloaded); the build stops with a clear message when chromium is missing (``CHROMIUM=/path``
picks another binary). The pages are 210 × 279.4 mm: A4's width and Letter's height, so they
print on either paper at 100 % with nothing cut off (see tools/handout_templates/handout.css).

Heavy imports (nbformat, nbconvert, nbclient, jinja2) happen inside functions: under *spawn*
the cheat sheet's child processes re-import this file, and must start as fast as a learner's.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ASSETS = Path(__file__).resolve().parent / "handout_templates"
OUTLINE_DOC = ROOT / "docs" / "outline.md"

VARIANTS = ("learner", "instructor")
SOLUTION_TAG = "solution"
STAMP_TAG = "handout-stamp"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Written first into the output folder, so that a rebuild only ever deletes a folder it made.
MARKER = ".handouts-build"
FAST_TIME_SCALE = "0.25"
CELL_TIMEOUT = 300
CHROMIUM_TIMEOUT = 180


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do."""


def log(message: str) -> None:
    print(message, flush=True)


# --- the outline, read from each notebook's first cell ---------------------------------------

@dataclass
class Notebook:
    """One course notebook and what its first cell promises."""

    path: Path
    number: str
    title: str  # "03 · Threads for waiting work"
    minutes: int | None
    goals: list[str] = field(default_factory=list)  # Markdown, one per bullet
    measure: str = ""  # Markdown

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def html_name(self) -> str:
        return f"{self.stem}.html"

    @property
    def pdf_name(self) -> str:
        return f"{self.stem}.pdf"


_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.M)
_MINUTES = re.compile(r"\*\*Time:\*\*\s*(?:about\s+)?(\d+)\s*min", re.I)
_MEASURE = re.compile(r"\*\*What you will measure:\*\*\s*(.+?)(?:\n\s*\n|\Z)", re.S)


def parse_outline(path: Path, first_cell: str) -> Notebook:
    """Title, minutes, goals and "what you will measure" from a notebook's opening cell.

    Tolerant: a missing part is left empty (the page still builds); the title falls back to
    the file name.
    """
    number = path.name[:2]
    match = _TITLE.search(first_cell)
    title = match.group(1).strip() if match else path.stem.replace("_", " ")
    minutes = _MINUTES.search(first_cell)
    measure = _MEASURE.search(first_cell)
    goals: list[str] = []
    lines = first_cell.splitlines()
    inside = False
    for line in lines:
        if "You will be able to" in line:
            inside = True
            continue
        if not inside:
            continue
        if line.lstrip().startswith(("- ", "* ")):
            goals.append(line.lstrip()[2:].strip())
        elif line.startswith("  ") and goals and line.strip():
            goals[-1] += " " + line.strip()  # a bullet's continuation line
        elif goals or line.strip():
            break
    return Notebook(path=path, number=number, title=title, minutes=int(minutes.group(1)) if minutes else None,
                    goals=goals, measure=" ".join(measure.group(1).split()) if measure else "")


def discover(only: Iterable[str] | None = None, manifest: Path | None = None) -> list[Notebook]:
    """The course's notebooks in the manifest's order (notebooks/course.toml), or the ones whose number
    (or name) is in ``only``. Titles and minutes come from the manifest, goals from each first cell."""
    import nbformat
    from helpers.course import MANIFEST, lessons

    wanted = {item.strip() for item in only or [] if item.strip()}
    found = []
    for lesson in lessons(manifest or MANIFEST):
        if wanted and lesson.number not in wanted and lesson.stem not in wanted:
            continue
        nb = nbformat.read(lesson.path, as_version=4)
        first = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
        info = parse_outline(lesson.path, first)
        info.title, info.minutes = lesson.heading, lesson.minutes
        found.append(info)
    missing = wanted - {nb.number for nb in found} - {nb.stem for nb in found}
    if missing:
        raise BuildError(f"no notebook matches {', '.join(sorted(missing))} in {manifest or MANIFEST}")
    if not found:
        raise BuildError(f"{manifest or MANIFEST} lists no notebooks")
    return found


# --- the stamp: whose machine measured the figures ------------------------------------------

@dataclass
class Stamp:
    """When and where the handouts were measured, from :func:`helpers.machine.machine_info`."""

    when: dt.datetime
    info: dict[str, Any]

    @classmethod
    def now(cls) -> Stamp:
        from helpers.machine import machine_info

        return cls(dt.datetime.now(dt.timezone.utc).replace(microsecond=0), machine_info())

    def _get(self, key: str, default: Any = "?") -> Any:
        return self.info.get(key, default)

    @property
    def date(self) -> str:
        return self.when.strftime("%Y-%m-%d %H:%M UTC")

    def line(self, with_date: bool = True) -> str:
        """Everything a reader needs to judge the figures, on one line."""
        cores = self._get("CPU cores (os.cpu_count)")
        usable = self._get("cores this kernel may use", cores)
        core_text = f"{cores} CPU cores" + (f" ({usable} usable)" if usable != cores else "")
        gil = "GIL enabled" if self._get("GIL enabled", True) else "no GIL (free-threaded)"
        scale = self._get("pause scale", 1)
        pauses = "real pauses" if str(scale).startswith("1 ") else f"pauses scaled ×{scale} (COURSE_TIME_SCALE)"
        return ((f"{self.date} · " if with_date else "") + f"{self._get('operating system')} · {core_text} · "
                f"Python {self._get('Python')} ({self._get('implementation')}) · "
                f"start method {self._get('start method the course uses')} · {gil} · {pauses}")

    def short(self) -> str:
        """The page footer of the PDFs."""
        method = str(self._get("start method the course uses")).split(" ")[0]
        scale = self._get("pause scale", 1)
        pauses = "" if str(scale).startswith("1 ") else f" · pauses ×{scale}"
        return (f"Measured {self.when:%Y-%m-%d} on {self._get('CPU cores (os.cpu_count)')} CPU cores · "
                f"Python {self._get('Python')} · start method {method}{pauses}")


def stamp_markdown(stamp: Stamp, seconds: float, when: dt.datetime) -> str:
    return (f"**Measured on the build machine.** Executed {when:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s on: "
            f"{stamp.line(with_date=False)}. Every figure and table on this page comes from that run; run the notebook "
            f"to measure your own machine.")


# --- executing ------------------------------------------------------------------------------

def execute(nb_info: Notebook, log_file: Path, extra_cell: str | None = None) -> tuple[Any, float, dt.datetime]:
    """Run a notebook top to bottom in a fresh kernel (cwd: notebooks/). Returns it with outputs.

    The kernel's own stdout and stderr (its start-up warnings, and what a dying spawn child writes
    to the terminal in notebook 02) go to ``log_file``; what the cells print is in the outputs.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(nb_info.path, as_version=4)
    if extra_cell:
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
    began = dt.datetime.now(dt.timezone.utc)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(nb_info.path.parent)}})
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as terminal:
        try:
            client.execute(stdout=terminal, stderr=terminal)
        except (CellExecutionError, CellTimeoutError) as exc:
            raise BuildError(f"{nb_info.path.name}: a cell failed while building the handouts (kernel log: "
                             f"{log_file}):\n{exc}") from None
    return nb, time.perf_counter() - start, began


def _model(state: dict[str, Any], ref: Any) -> dict[str, Any] | None:
    if not isinstance(ref, str):
        return None
    return state.get(ref.removeprefix("IPY_MODEL_"))


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def static_widget(model_id: str | None, state: dict[str, Any]) -> str:
    """HTML showing a widget tree as the run left it (from the notebook's stored widget state).

    Containers keep their layout (HBox: a row), controls show their description and value,
    HTML and Label widgets their text; buttons, which do nothing on paper, are left out.
    """
    def render(model: dict[str, Any] | None, depth: int) -> str:
        if model is None or depth > 20:
            return ""
        name = model.get("model_name", "")
        s = model.get("state", {})
        label = html.escape(str(s.get("description") or ""))
        if "children" in s:
            parts = [render(_model(state, ref), depth + 1) for ref in s.get("children", [])]
            css = "handout-widget-row" if name == "HBoxModel" else "handout-widget-col"
            return f'<div class="{css}">{"".join(p for p in parts if p)}</div>'
        if name in ("HTMLModel", "HTMLMathModel"):
            return f"<div>{s.get('value', '')}</div>"
        if name == "LabelModel":
            return f"<span>{html.escape(str(s.get('value', '')))}</span>"
        if name == "ButtonModel":
            return ""
        if name in ("CheckboxModel", "ToggleButtonModel"):
            return f'<span class="handout-widget-control">{"☑" if s.get("value") else "☐"} {label}</span>'
        if "_options_labels" in s:
            options = s.get("_options_labels") or []
            index = s.get("index")
            chosen = options[index] if isinstance(index, int) and 0 <= index < len(options) else ""
            return f'<span class="handout-widget-control">{label}: <b>{html.escape(str(chosen))}</b></span>'
        if "value" in s and not isinstance(s.get("value"), (dict, list)):
            return (f'<span class="handout-widget-control">{label}{": " if label else ""}'
                    f'<b>{html.escape(_format(s["value"]))}</b></span>')
        return ""

    body = render(state.get(model_id or ""), 0)
    return ('<div class="handout-widget"><div class="handout-widget-note">Interactive controls, shown as the '
            'build left them: open the notebook in JupyterLab to use them.</div>' + body + "</div>")


def replace_widgets(nb: Any) -> int:
    """Make every widget output readable without a kernel; returns how many were changed.

    A widget output that carries its own picture (the course's LivePanel: widget view, the final
    figure as image/png, text/plain) loses the widget view, so the PNG shows instead of an empty
    box. One without a picture gets a static HTML rendering of its controls. The notebook's
    stored widget state goes too: it would only make nbconvert fetch a widget manager from a CDN.
    """
    bundle = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    state = bundle.get("state", {}) if isinstance(bundle, dict) else {}
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data")
            if not data or WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            changed += 1
            if not any(key.startswith("image/") for key in data):
                data["text/html"] = static_widget(view.get("model_id") if isinstance(view, dict) else None, state)
    nb.metadata.pop("widgets", None)
    return changed


def add_stamp(nb: Any, text: str) -> None:
    """Put the stamp right under the notebook's title (as a tagged Markdown cell)."""
    import nbformat

    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [STAMP_TAG]
    nb.cells.insert(1 if nb.cells else 0, cell)


def for_variant(nb: Any, variant: str) -> Any:
    """The learner's copy has no solution cells; the instructor's keeps them."""
    out = copy.deepcopy(nb)
    if variant == "learner":
        out.cells = [c for c in out.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    return out


# --- links ----------------------------------------------------------------------------------

_ANCHOR = re.compile(r'<a\s([^>]*?)href="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_NOTEBOOK_LINK = re.compile(r"^(?:\./|\.\./notebooks/|notebooks/)?(\d\d_[A-Za-z0-9_]+)\.ipynb(#.*)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def rewrite_links(page: str, notebook_href: Callable[[str, str], str | None],
                  keep: Callable[[str], bool] = lambda href: False) -> tuple[str, list[str]]:
    """Point links between notebooks at their handout pages; unwrap links that would break.

    ``notebook_href(stem, fragment)`` gives the new target of a link to ``stem.ipynb`` (None:
    unwrap it). Other relative links are kept only if ``keep(href)``; the rest are replaced by
    their text and returned, so the build can say which ones it dropped. Absolute URLs and
    in-page anchors are left alone.
    """
    dropped: list[str] = []

    def fix(match: re.Match[str]) -> str:
        before, href, after, text = match.groups()
        if not href or href.startswith("#") or _SCHEME.match(href):
            return match.group(0)
        target = _NOTEBOOK_LINK.match(href)
        if target:
            new = notebook_href(target.group(1), target.group(2) or "")
        else:
            new = href if keep(href) else None
        if new is None:
            dropped.append(href)
            return f'<span class="handout-link">{text}</span>'
        return f'<a {before}href="{html.escape(new, quote=True)}"{after}>{text}</a>'

    return _ANCHOR.sub(fix, page), dropped


# --- HTML -----------------------------------------------------------------------------------

def jinja_env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=jinja2.select_autoescape(["j2"]),
                              trim_blocks=True, lstrip_blocks=True)


def markdown(text: str) -> str:
    """Markdown (a goal, a doc) to HTML, with nbconvert's own renderer."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


def inline_markdown(text: str) -> str:
    rendered = markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_rule(footer: str) -> str:
    """The stamp in the bottom margin of every printed page."""
    return ("<style>@page { @bottom-left { content: " + css_string(footer)
            + '; font: 7.5pt "DejaVu Sans", "Liberation Sans", sans-serif; color: #666; white-space: nowrap; } }'
            + "</style>")


def nav_bar(notebooks: list[Notebook], index: int, variant: str) -> str:
    def link(nb: Notebook, arrow_left: bool) -> str:
        text = html.escape(nb.title)
        return f'← <a href="{nb.html_name}">{text}</a>' if arrow_left else f'<a href="{nb.html_name}">{text}</a> →'

    prev = link(notebooks[index - 1], True) if index > 0 else ""
    nxt = link(notebooks[index + 1], False) if index + 1 < len(notebooks) else ""
    badge = "learner's copy" if variant == "learner" else "instructor's copy, with solutions"
    here = notebooks[index]
    return (f'<nav class="handout-nav"><span class="handout-nav-prev">{prev}</span>'
            f'<span class="handout-nav-home"><a href="index.html">Contents</a> · '
            f'<a href="pdf/{here.pdf_name}">PDF</a> · <a href="{here.stem}.ipynb">notebook</a>'
            f'<span class="handout-badge">{badge}</span></span>'
            f'<span class="handout-nav-next">{nxt}</span></nav>')


def export_html(nb: Any, title: str, css: str, nav: str, variant: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="handout", extra_template_basedirs=[str(ASSETS / "nbconvert")],
                            exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={
        "metadata": {"name": title, "path": str(NOTEBOOKS)},
        "handout": {"css": css, "nav": nav, "variant": variant},
    })
    return body


def main_content(page: str) -> str:
    """What a page has between <main> and </main> (a notebook's cells)."""
    start = page.index("<main>") + len("<main>")
    return page[start:page.rindex("</main>")]


def head_of(page: str) -> str:
    return page[:page.index("</head>")]


def for_print(page: str, footer: str, notebook_href: Callable[[str, str], str | None]) -> str:
    """The print version of a page: hints opened, links that would point nowhere on paper removed."""
    page = re.sub(r"<details(?![^>]*\bopen\b)", "<details open", page)
    page, _ = rewrite_links(page, notebook_href)
    return page.replace("</head>", page_rule(footer) + "</head>", 1)


# --- PDFs -----------------------------------------------------------------------------------

def find_chromium() -> str:
    """Debian's chromium (or ``$CHROMIUM``); a BuildError saying how to get it otherwise."""
    chosen = os.environ.get("CHROMIUM")
    candidates = [chosen] if chosen else ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for name in candidates:
        path = shutil.which(name)
        if path:
            return path
    raise BuildError("chromium is missing: the PDFs are printed with headless Chromium. Install it "
                     "(Debian/Ubuntu: sudo apt-get install chromium) or point CHROMIUM=/path/to/chromium at one.")


def _reap(group: int, profile: str) -> None:
    """Kill whatever is left of one chromium run: its process group, and any process using its profile."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        import psutil
    except ImportError:
        return
    for process in psutil.process_iter(["cmdline"]):
        try:
            if any(profile in part for part in process.info["cmdline"] or []):
                process.kill()
        except psutil.Error:
            pass


def print_pdf(chromium: str, source: Path, target: Path, timeout: float = CHROMIUM_TIMEOUT) -> None:
    """Print ``source`` (an HTML file) to ``target`` with headless chromium; leaves no process behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="handouts-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run", "--disable-sync",
                   "--disable-background-networking", "--disable-crash-reporter", "--disable-breakpad",
                   "--generate-pdf-document-outline", f"--user-data-dir={profile}",
                   f"--print-to-pdf={target}", source.as_uri()]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _reap(process.pid, profile)
            process.communicate()
            raise BuildError(f"chromium took more than {timeout:.0f} s to print {source.name}; stopped it.") from None
        finally:
            _reap(process.pid, profile)
    if process.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        tail = "\n".join(err.decode(errors="replace").splitlines()[-5:])
        raise BuildError(f"chromium could not print {source.name} (exit code {process.returncode}):\n{tail}")


def count_pages(pdf: Path) -> int:
    """Pages of a PDF written by chromium (Skia writes one uncompressed /Type /Page object per page)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


# --- the cheat sheet ------------------------------------------------------------------------

#: The notebook whose measurements fill the cheat sheet: the quick reference measures them for
#: the learner, and the cheat sheet reuses them rather than measuring the same things again.
REFERENCE_NOTEBOOK = "08"
FIGURES_MARK = "HANDOUT-FIGURES "
#: Appended to the reference notebook while it runs for the handouts, then removed again.
FIGURES_CELL = f"""
import json as _json
print({FIGURES_MARK!r} + _json.dumps(dict(
    method=method, cores=cores, gil=helpers.config.gil_enabled(), repeats=1,
    thread_seen=len(seen_by_threads), child_seen=len(not_shared), managed_seen=managed_seen,
    wait=wait, io_sequential=io_sequential.elapsed, io_threads=io_threads.elapsed, io_speedup=io_speedup,
    number=number, procs=procs, cpu_sequential=cpu_sequential.elapsed, cpu_threads=cpu_threads.elapsed,
    cpu_processes=cpu_processes.elapsed, thread_speedup=thread_speedup, process_speedup=process_speedup,
    thread_start=thread_start, process_start=process_start,
    plain_append=plain_append, proxy_append=proxy_append)))
"""


def take_figures(nb: Any) -> dict[str, Any]:
    """Remove the figures cell from the executed reference notebook and return what it printed."""
    cell = nb.cells.pop()
    for output in cell.get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(FIGURES_MARK):
                return json.loads(line[len(FIGURES_MARK):])
    raise BuildError(f"notebook {REFERENCE_NOTEBOOK} did not report its figures for the cheat sheet "
                     "(a variable it measures was renamed? see FIGURES_CELL in tools/handouts.py)")


def build_cheatsheet(out: Path, stamp: Stamp, figures: dict[str, Any], chromium: str) -> float:
    """Write cheatsheet.html and a ONE-page cheatsheet.pdf, shrinking the type until it fits.

    Returns the type scale used (1.0 unless the page had to shrink).
    """
    template = jinja_env().get_template("cheatsheet.html.j2")
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8):
        page = template.render(stamp=stamp, f=figures, scale=scale, footer_rule=page_rule(stamp.short()))
        (out / "cheatsheet.html").write_text(page, encoding="utf-8")
        print_pdf(chromium, out / "cheatsheet.html", out / "cheatsheet.pdf")
        pages = count_pages(out / "cheatsheet.pdf")
        if pages == 1:
            return scale
        log(f"  cheat sheet: {pages} pages at type scale {scale}; shrinking")
    raise BuildError("the cheat sheet does not fit on one page even at 80 % type size; shorten it "
                     "(tools/handout_templates/cheatsheet.html.j2)")


# --- the site -------------------------------------------------------------------------------

def prepare_output(out: Path) -> None:
    """Empty ``out`` if this script made it; refuse to delete anything else."""
    if out.exists():
        if not out.is_dir():
            raise BuildError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise BuildError(f"{out} is not empty and was not made by tools/handouts.py; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by tools/handouts.py; deleted and rebuilt by each build\n")


def site_keep(out: Path, variant_dir: Path) -> Callable[[str], bool]:
    """Relative links a page may keep: to files the build writes (checked when it is done)."""
    def keep(href: str) -> bool:
        path = href.split("#", 1)[0].split("?", 1)[0]
        target = (variant_dir / path).resolve()
        return bool(path) and (target == out.resolve() or out.resolve() in target.parents)
    return keep


def write_variant(out: Path, variant: str, notebooks: list[Notebook], executed: dict[str, Any], stamp: Stamp,
                  css: str, print_dir: Path, warnings: list[str]) -> list[tuple[Path, Path]]:
    """Pages, notebooks and print sources of one variant; returns the (html, pdf) pairs to print."""
    import nbformat

    folder = out / variant
    (folder / "pdf").mkdir(parents=True)
    stems = {nb.stem for nb in notebooks}
    keep = site_keep(out, folder)
    jobs: list[tuple[Path, Path]] = []
    sections: list[str] = []
    head = ""
    for index, info in enumerate(notebooks):
        nb = for_variant(executed[info.stem], variant)
        nbformat.write(nb, folder / f"{info.stem}.ipynb")
        page = export_html(nb, info.title, css, nav_bar(notebooks, index, variant), variant)

        def site_href(stem: str, fragment: str) -> str | None:
            return f"{stem}.html{fragment}" if stem in stems else None

        page, dropped = rewrite_links(page, site_href, keep)
        warnings.extend(f"{variant}/{info.html_name}: link to {href} removed (not part of the handouts)"
                        for href in dropped)
        (folder / info.html_name).write_text(page, encoding="utf-8")

        def own_href(stem: str, fragment: str, here: str = info.stem) -> str | None:
            return (fragment or "#") if stem == here else None

        source = print_dir / variant / info.html_name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(for_print(page, f"{info.number} · {stamp.short()}", own_href), encoding="utf-8")
        jobs.append((source, folder / "pdf" / info.pdf_name))

        head = head or head_of(page)
        sections.append(f'<section class="handout-notebook" id="nb-{info.stem}">{main_content(page)}</section>')

    env = jinja_env()
    context = dict(variant=variant, notebooks=notebooks, stamp=stamp, css=css, markdown=inline_markdown,
                   total=sum(nb.minutes or 0 for nb in notebooks), has_outline=variant == "instructor"
                   and OUTLINE_DOC.exists())
    (folder / "index.html").write_text(env.get_template("site_index.html.j2").render(**context), encoding="utf-8")
    if context["has_outline"]:
        outline, dropped = rewrite_links(markdown(OUTLINE_DOC.read_text(encoding="utf-8")),
                                         lambda stem, fragment: f"{stem}.html{fragment}" if stem in stems else None,
                                         keep)
        warnings.extend(f"{variant}/outline.html: link to {href} removed" for href in dropped)
        (folder / "outline.html").write_text(env.get_template("page.html.j2").render(
            title="Instructor's outline", body=outline, css=css, stamp=stamp, variant=variant), encoding="utf-8")

    cover = env.get_template("course_cover.html.j2").render(**context)
    titled = re.sub(r"<title>.*?</title>", "<title>Threads &amp; Processes in Python</title>", head, count=1,
                    flags=re.S)
    course = (titled + "</head>\n" + f'<body class="jp-Notebook handout-{variant}"><main>' + cover + "".join(sections)
              + "</main></body></html>")

    def course_href(stem: str, fragment: str) -> str | None:
        return f"#nb-{stem}" if stem in stems else None

    source = print_dir / variant / "course.html"
    source.write_text(for_print(course, stamp.short(), course_href),
                      encoding="utf-8")
    jobs.append((source, folder / "pdf" / "course.pdf"))
    return jobs


_HREF = re.compile(r'\b(?:href|src)="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def broken_links(out: Path) -> list[str]:
    """Every relative link or image of every page under ``out`` that points at a missing file or anchor."""
    problems = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(out.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for href in _HREF.findall(text):
            href = html.unescape(href)
            if not href or _SCHEME.match(href):
                continue
            path, _, fragment = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                problems.append(f"{page.relative_to(out)}: {href} (no such file)")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(_ID.findall(target.read_text(encoding="utf-8")))
                if fragment not in ids[target]:
                    problems.append(f"{page.relative_to(out)}: {href} (no such anchor)")
    return problems


# --- the whole build ------------------------------------------------------------------------

def build(out: Path, only: list[str] | None = None, fast: bool = False, start_method: str | None = None,
          jobs: int = 2) -> dict[str, Any]:
    """Execute, render and print everything into ``out``; returns what build.json records."""
    began = time.perf_counter()
    # Kernels inherit this environment. Under pytest, ipykernel would not capture a spawned child's
    # output while PYTEST_CURRENT_TEST is set (measured-facts.md): the handouts must show it.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    if fast:
        os.environ["COURSE_TIME_SCALE"] = FAST_TIME_SCALE
    if start_method:
        os.environ["COURSE_START_METHOD"] = start_method
    chromium = find_chromium()  # before minutes of executing, not after
    notebooks = discover(only)
    prepare_output(out)
    css = (ASSETS / "handout.css").read_text(encoding="utf-8")
    stamp = Stamp.now()
    log(f"handouts: {len(notebooks)} notebooks into {out}\n  {stamp.line()}")

    timings: dict[str, float] = {}
    figures: dict[str, Any] = {}
    reference = discover([REFERENCE_NOTEBOOK])
    if not any(info.stem == reference[0].stem for info in notebooks):
        step = time.perf_counter()  # the cheat sheet needs its figures even when 08 is not handed out
        nb, _, _ = execute(reference[0], out / "logs" / f"{reference[0].stem}.log", FIGURES_CELL)
        figures = take_figures(nb)
        timings["cheat sheet figures"] = time.perf_counter() - step

    executed: dict[str, Any] = {}
    records = []
    step = time.perf_counter()
    for info in notebooks:
        is_reference = info.stem == reference[0].stem
        nb, seconds, when = execute(info, out / "logs" / f"{info.stem}.log", FIGURES_CELL if is_reference else None)
        if is_reference:
            figures = take_figures(nb)
        widgets = replace_widgets(nb)
        add_stamp(nb, stamp_markdown(stamp, seconds, when))
        executed[info.stem] = nb
        records.append({"notebook": info.path.name, "title": info.title, "minutes": info.minutes,
                        "goals": info.goals, "executed_seconds": round(seconds, 1), "widgets_replaced": widgets})
        log(f"  executed {info.path.name} in {seconds:.1f} s" + (f" ({widgets} widget outputs made static)"
                                                                 if widgets else ""))
    timings["execute"] = time.perf_counter() - step

    step = time.perf_counter()
    warnings: list[str] = []
    printing: list[tuple[Path, Path]] = []
    with tempfile.TemporaryDirectory(prefix="handouts-print-") as tmp:
        for variant in VARIANTS:
            printing += write_variant(out, variant, notebooks, executed, stamp, css, Path(tmp), warnings)
        (out / "index.html").write_text(jinja_env().get_template("home.html.j2").render(
            notebooks=notebooks, stamp=stamp, css=css, total=sum(nb.minutes or 0 for nb in notebooks)),
            encoding="utf-8")
        timings["html"] = time.perf_counter() - step

        step = time.perf_counter()
        figures["type_scale"] = build_cheatsheet(out, stamp, figures, chromium)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for future in [pool.submit(print_pdf, chromium, source, target) for source, target in printing]:
                future.result()
        timings["pdf"] = time.perf_counter() - step

    pages = {str(target.relative_to(out)): count_pages(target) for _, target in printing}
    pages["cheatsheet.pdf"] = count_pages(out / "cheatsheet.pdf")
    problems = broken_links(out)
    if problems:
        raise BuildError("broken links in the handouts:\n  " + "\n  ".join(problems))
    for warning in warnings:
        log(f"  warning: {warning}")
    timings["total"] = time.perf_counter() - began
    manifest = {
        "built": stamp.when.isoformat(), "fast": fast, "machine": stamp.info, "stamp": stamp.line(),
        "notebooks": records, "figures": figures, "pages": pages, "warnings": warnings,
        "seconds": {key: round(value, 1) for key, value in timings.items()},
    }
    (out / "build.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    log(f"handouts built in {timings['total']:.0f} s (execute {timings['execute']:.0f} s, "
        f"PDFs {timings['pdf']:.0f} s): open {out / 'index.html'}")
    log("  pages: " + ", ".join(f"{name} {count}" for name, count in pages.items() if "learner" not in name))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "handouts", help="output folder (default: handouts/)")
    parser.add_argument("--only", help="comma-separated notebook numbers or names, e.g. 00,03 (default: all)")
    parser.add_argument("--fast", action="store_true",
                        help=f"scale the demos' pauses by {FAST_TIME_SCALE} (COURSE_TIME_SCALE), as the tests do")
    parser.add_argument("--start-method", choices=("fork", "spawn", "forkserver"),
                        help="start method for every process demo (default: $COURSE_START_METHOD or the platform's)")
    parser.add_argument("--jobs", type=int, default=2, help="chromium processes printing at once (default 2)")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), args.only.split(",") if args.only else None, args.fast, args.start_method,
              args.jobs)
    except BuildError as exc:
        print(f"handouts: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

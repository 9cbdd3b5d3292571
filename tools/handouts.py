"""Workshop handouts from one command: an executed HTML site, PDFs, a cheat sheet, two versions.

    python tools/handouts.py                 # every notebook, real pauses (make handouts)
    python tools/handouts.py --fast          # pauses ×0.25 (COURSE_TIME_SCALE), as the tests do
    python tools/handouts.py --only 00,03 --out /tmp/h    # a few notebooks, somewhere else
    python tools/handouts.py --fresh         # execute every notebook again, even an unchanged one

The notebooks come from notebooks/course.toml, in its order. Each is executed here, one at a time
(nbclient; the platform's start method unless ``COURSE_START_METHOD`` or ``--start-method`` says
otherwise), so every figure shows what *this* machine measured, and every page is stamped with it.
A notebook whose source, helpers/, Python, start method and machine are unchanged since its last
execution in the same output folder is not executed again: its page keeps that execution and says
when it was measured (``--fresh`` executes all). The control panels' own runs are sized to about
1 s (``COURSE_PANEL_SECONDS``) instead of the 3-5 s that let a learner watch a chart grow.
Maintained tools do the work: nbclient executes, nbconvert's ``TagRemovePreprocessor`` takes the
solutions out of the learner's copy, nbconvert's HTML exporter renders each page through the
``handout`` template (tools/handout_templates/nbconvert: navigation, print footer), headless
Chromium prints the PDFs (one browser for many pages, driven by Playwright where it is installed) and
poppler's ``pdfunite`` / ``pdfinfo`` / ``pdftoppm`` join, count and measure them (build.json lists any page
less than ``MIN_FILL`` full that is not a notebook's last). What is
left here is what no tool does: the machine stamp and the one-page cheat sheet, whose figures
the quick-reference notebook hands over itself (``helpers.handout.record_figures``).

What it writes (``handouts/``, git-ignored)::

    index.html               choose the learner's or the instructor's handout
    cheatsheet.pdf, .html    ONE page: the quick-reference table with figures measured here
    learner/                 exercises without their solutions (cells tagged "solution")
        index.html           the outline: titles, minutes, what each notebook teaches
        NN_topic.html        each executed notebook, with previous / contents / next
        NN_topic.ipynb       the executed notebook itself, widgets replaced by their picture
        pdf/NN_topic.pdf     one PDF per notebook, and pdf/course.pdf for the whole course
    instructor/              the same, with the solutions, and outline.html (docs/outline.md)
    build.json               the machine, the figures, the time each step took, page counts, which
                             notebooks were executed and which reused (and when each was measured)
    logs/NN_topic.log        what each kernel wrote to its terminal (not what the cells printed)
    .executed/               each notebook's last execution and its key (kept by the next build)

Needs Debian's ``chromium`` (``CHROMIUM=/path`` picks another) and ``poppler-utils``. Pages are
210 × 279.4 mm: A4's width and Letter's height, so they print on either paper at 100 %.
Heavy imports happen inside functions: under *spawn* a notebook's child processes must start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing it

from helpers.course import MANIFEST, Lesson, lessons  # noqa: E402
from helpers.handout import FIGURES_ENV, recorded_figures  # noqa: E402

ASSETS = Path(__file__).resolve().parent / "handout_templates"
OUTLINE_DOC = ROOT / "docs" / "outline.md"
VARIANTS = ("learner", "instructor")
SOLUTION_TAG = "solution"
STAMP_TAG = "handout-stamp"
#: Seconds of the look at the idle cores before each notebook runs (helpers.bench.cores.idle_cores).
LOAD_SAMPLE = 0.5
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Written first into the output folder, so that a rebuild only ever deletes a folder it made.
MARKER = ".handouts-build"
#: Each notebook's last execution in this output folder, kept across builds (:func:`cached_execution`).
CACHE = ".executed"
#: What the build's kernels run: the helpers tree (every file in it counts towards a notebook's key).
HELPERS = ROOT / "helpers"
FAST_TIME_SCALE = "0.25"
#: How long a control panel's own default run lasts in a handouts build ($COURSE_PANEL_SECONDS, see
#: helpers/engine/config.py), instead of the 3-5 s that let a learner watch its chart grow: nobody watches a
#: printed chart, and the final figure (the same measurement, shorter) shows the same effect. Measured on the
#: idle 2-core machine: see the README's `make handouts` row.
HANDOUT_PANEL_SECONDS = "1"
CELL_TIMEOUT = 300
#: A kernel answers within 1-2 s here. One that does not within 30 s had a port taken between jupyter_client's
#: choice and its bind (it hangs, see conftest.py's ``retrying``): another kernel, with fresh ports, is started.
KERNEL_START_TIMEOUT = 30
KERNEL_START_TRIES = 3
CHROMIUM_TIMEOUT = 180
#: Every page but a notebook's last is filled at least this far down (tests/test_handouts.py; build.json lists
#: any page under it): a page cut short by a figure or a code cell that did not fit wastes paper.
MIN_FILL = 0.6
PAGE_HEIGHT_MM = 279.4
FILL_DPI = 24
INK = 200  # a grey level darker than this (0-255) is ink, not paper: the code cells' light background is paper
#: How the notebook that measures the cheat sheet's figures is recognised: it hands them over.
RECORDS_FIGURES = "record_figures("


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do."""


def log(message: str) -> None:
    print(message, flush=True)


# --- the course, from the manifest ----------------------------------------------------------

@dataclass(frozen=True)
class Notebook:
    """One notebook of the handouts: its manifest entry and the names of its pages."""

    lesson: Lesson

    path = property(lambda self: self.lesson.path)
    number = property(lambda self: self.lesson.number)
    stem = property(lambda self: self.lesson.stem)
    title = property(lambda self: self.lesson.heading)  # "03 · Threads for waiting work"
    minutes = property(lambda self: self.lesson.minutes)
    teaches = property(lambda self: self.lesson.teaches)
    html_name = property(lambda self: f"{self.lesson.stem}.html")
    pdf_name = property(lambda self: f"{self.lesson.stem}.pdf")


def discover(only: Iterable[str] | None = None, manifest: Path = MANIFEST) -> list[Notebook]:
    """The course's notebooks in the manifest's order, or those whose number (or name) is in ``only``."""
    wanted = {item.strip() for item in only or [] if item.strip()}
    found = [Notebook(lesson) for lesson in lessons(manifest)
             if not wanted or lesson.number in wanted or lesson.stem in wanted]
    missing = wanted - {nb.number for nb in found} - {nb.stem for nb in found}
    if missing:
        raise BuildError(f"no notebook matches {', '.join(sorted(missing))} in {manifest}")
    if not found:
        raise BuildError(f"{manifest} lists no notebooks")
    return found


def figures_source(manifest: Path = MANIFEST) -> Notebook:
    """The notebook that hands the cheat sheet its figures (it calls ``record_figures``)."""
    for nb in discover(manifest=manifest):
        if RECORDS_FIGURES in nb.path.read_text(encoding="utf-8"):
            return nb
    raise BuildError(f"no notebook calls helpers.handout.{RECORDS_FIGURES.rstrip('(')}: the cheat sheet has no figures")


# --- the stamp: whose machine measured the figures ------------------------------------------

@dataclass
class Stamp:
    """When and where the handouts were measured, from :func:`helpers.engine.machine.machine_info`."""

    when: dt.datetime
    info: dict[str, Any]
    panel_seconds: str = ""  # $COURSE_PANEL_SECONDS: how long the panels' own runs were sized to last

    @classmethod
    def now(cls) -> Stamp:
        from helpers.engine.config import PANEL_SECONDS_ENV
        from helpers.engine.machine import machine_info

        return cls(dt.datetime.now(dt.timezone.utc).replace(microsecond=0), machine_info(),
                   os.environ.get(PANEL_SECONDS_ENV, "").strip())

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
        panels = f" · control panels' runs sized to about {self.panel_seconds} s" if self.panel_seconds else ""
        return ((f"{self.date} · " if with_date else "") + f"{self._get('operating system')} · {core_text} · "
                f"Python {self._get('Python')} ({self._get('implementation')}) · "
                f"start method {self._get('start method the course uses')} · {gil} · {pauses}{panels}")

    def short(self) -> str:
        """The page footer of the PDFs."""
        method = str(self._get("start method the course uses")).split(" ")[0]
        scale = self._get("pause scale", 1)
        pauses = "" if str(scale).startswith("1 ") else f" · pauses ×{scale}"
        return (f"Measured {self.when:%Y-%m-%d} on {self._get('CPU cores (os.cpu_count)')} CPU cores · "
                f"Python {self._get('Python')} · start method {method}{pauses}")


def _cores(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def load_note(seen: Any) -> str:
    """How busy the machine was while one notebook ran (a :class:`helpers.engine.verdict.MachineSeen`), in words."""
    if seen is None or seen.idle is None:
        return ""
    if seen.busy:
        return (f"**The machine was busy**: other programs left {seen.idle:.1f} of {seen.usable} usable cores idle "
                f"(sampled before / during the run: {_cores(seen.idle_before)} / {_cores(seen.idle_during)}), "
                "so figures that need free cores (speed-ups) understate what this machine does when idle; the page's "
                "verdicts say what this run could and could not show.")
    return f"The machine was otherwise idle ({seen.idle:.1f} of {seen.usable} usable cores idle during the run)."


def add_stamp(nb: Any, stamp: Stamp, seconds: float, when: dt.datetime, seen: Any = None) -> None:
    """Put the stamp right under the notebook's title (as a tagged Markdown cell).

    ``seen``: how busy the machine was while the notebook ran (:class:`helpers.engine.verdict.MachineSeen`,
    from a :class:`helpers.engine.verdict.Watch` around :func:`execute`); a busy run says so on the page.
    """
    import nbformat

    note = load_note(seen)
    cell = nbformat.v4.new_markdown_cell(
        f"**Measured on the build machine.** Executed {when:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s on: "
        f"{stamp.line(with_date=False)}. Every figure and table on this page comes from that run; run the notebook "
        "to measure your own machine." + (f" {note}" if note else ""))
    cell.metadata["tags"] = [STAMP_TAG]
    nb.cells.insert(1 if nb.cells else 0, cell)


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- executing ------------------------------------------------------------------------------

def execute(info: Notebook, log_file: Path) -> tuple[Any, float, dt.datetime]:
    """Run a notebook top to bottom in a fresh kernel (cwd: its folder). Returns it with outputs.

    The kernel's own stdout and stderr (start-up warnings, what a dying spawn child writes to the
    terminal in notebook 02) go to ``log_file``; what the cells print is in the outputs.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    began = dt.datetime.now(dt.timezone.utc)
    start = time.perf_counter()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_TRIES + 1):
        nb = nbformat.read(info.path, as_version=4)
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=KERNEL_START_TIMEOUT, kernel_name="python3",
                                resources={"metadata": {"path": str(info.path.parent)}})
        with log_file.open("wb") as terminal:
            try:
                client.execute(stdout=terminal, stderr=terminal)
            except (CellExecutionError, CellTimeoutError) as exc:
                raise BuildError(f"{info.path.name}: a cell failed while building the handouts (kernel log: "
                                 f"{log_file}):\n{exc}") from None
            except RuntimeError as exc:
                started = any(cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
                # a kernel that died mid-run (DeadKernelError) is a failure
                if type(exc) is not RuntimeError or started:
                    raise
                if attempt == KERNEL_START_TRIES:  # the kernel never answered: see KERNEL_START_TRIES
                    raise BuildError(f"{info.path.name}: its kernel did not start ({exc}; "
                                     f"kernel log: {log_file})") from None
                log(f"   {info.path.name}: the kernel did not start ({exc}); starting another")
                continue
        return nb, time.perf_counter() - start, began
    raise AssertionError("unreachable")


# --- the executions cache -------------------------------------------------------------------
# A rebuild after a change to the CSS, a template or this script re-renders and re-prints, but need not re-run
# minutes of notebooks whose figures would be measured the same way on the same machine. Each executed notebook
# is kept in <out>/.executed/ with the key of what it ran: the notebook's bytes, every file of helpers/, the
# Python and the machine (:func:`execution_key`). A notebook whose key is unchanged is reused, stamped with the
# time it was measured; any change, or --fresh, executes it again.
# Why not jupyter-cache (what Jupyter Book uses)? It keys a notebook on its code cells only (not on helpers/,
# the Python or the machine, which decide every figure here), keeps a SQLite database and brings SQLAlchemy;
# the key needed here is a hash of some files and one dict, and the store is two files a notebook.

def machine_key(info: dict[str, Any]) -> dict[str, Any]:
    """What decides a notebook's figures besides its code: the stamp's facts (:func:`machine_info`: cores, quota,
    Python, start method, pause scale...), this exact Python and build, the packages installed in it (a new
    matplotlib draws another picture), the host and its processor, and the panels' pace."""
    import hashlib
    import importlib.metadata
    import platform

    from helpers.engine.config import PANEL_SECONDS_ENV

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text(errors="replace").splitlines()
                    if line.startswith("model name")), "")
    return {**{key: str(value) for key, value in info.items()}, "python build": sys.version,
            "python executable": sys.executable, "host": platform.node(), "processor": cpu or platform.processor(),
            "packages": hashlib.sha256("\n".join(sorted(f"{dist.metadata['Name']}=={dist.version}"
                                                        for dist in importlib.metadata.distributions())).encode()
                                       ).hexdigest(),
            "panel seconds": os.environ.get(PANEL_SECONDS_ENV, "")}


def execution_key(notebook: Path, machine: dict[str, Any], helpers_dir: Path = HELPERS) -> str:
    """A hash of everything a notebook's execution depends on: its own bytes, each file under ``helpers_dir``
    (name and bytes; compiled caches excluded) and ``machine`` (:func:`machine_key`)."""
    import hashlib

    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    for path in sorted(helpers_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(path.relative_to(helpers_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    digest.update(json.dumps(machine, sort_keys=True).encode())
    return digest.hexdigest()


@dataclass
class Execution:
    """One notebook's execution: the executed notebook, how long it took, when, and how busy the machine was."""

    nb: Any
    seconds: float
    when: dt.datetime
    seen: Any  # helpers.engine.verdict.MachineSeen
    reused: bool = False


def cached_execution(out: Path, info: Notebook, key: str, figures_dir: Path) -> Execution | None:
    """The execution kept in ``out``'s cache for ``info`` if its key is ``key`` (else None): its log goes back to
    ``out``/logs, and any figures it handed over (:func:`helpers.handout.record_figures`) to ``figures_dir``."""
    import nbformat

    from helpers.engine.verdict import MachineSeen

    folder = out / CACHE
    record_file, nb_file = folder / f"{info.stem}.json", folder / f"{info.stem}.ipynb"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        nb = nbformat.read(nb_file, as_version=4)
    except (OSError, ValueError):  # none yet, or a half-written one: executed again
        return None
    log_copy = folder / f"{info.stem}.log"
    if log_copy.exists():
        (out / "logs").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_copy, out / "logs" / f"{info.stem}.log")
    if record.get("figures") is not None:
        figures_dir.mkdir(parents=True, exist_ok=True)
        (figures_dir / "cheatsheet.json").write_text(json.dumps(record["figures"], indent=2, sort_keys=True),
                                                     encoding="utf-8")
    return Execution(nb, float(record["seconds"]), dt.datetime.fromisoformat(record["when"]),
                     MachineSeen(**record["seen"]), reused=True)


def keep_execution(out: Path, info: Notebook, key: str, execution: Execution, figures: Any = None) -> None:
    """Save ``execution`` (before any page is made of it) in ``out``'s cache under ``key``; the record is written
    last, so a build stopped half-way leaves no record that points at a half-written notebook."""
    import dataclasses

    import nbformat

    folder = out / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{info.stem}.json").unlink(missing_ok=True)
    nbformat.write(execution.nb, folder / f"{info.stem}.ipynb")
    log_file = out / "logs" / f"{info.stem}.log"
    if log_file.exists():
        shutil.copyfile(log_file, folder / f"{info.stem}.log")
    record = {"key": key, "seconds": execution.seconds, "when": execution.when.isoformat(),
              "seen": dataclasses.asdict(execution.seen), "figures": figures}
    partial = folder / f"{info.stem}.json.part"
    partial.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    partial.replace(folder / f"{info.stem}.json")


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


# --- HTML: nbconvert's exporter, the handout template ---------------------------------------

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


# --- PDFs: headless chromium, poppler -------------------------------------------------------

def find_chromium() -> str:
    """Debian's chromium (or ``$CHROMIUM``); a BuildError saying how to get it otherwise."""
    chosen = os.environ.get("CHROMIUM")
    for name in [chosen] if chosen else ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        path = shutil.which(name)
        if path:
            return path
    raise BuildError("chromium is missing: the PDFs are printed with headless Chromium. Install it "
                     "(Debian/Ubuntu: sudo apt-get install chromium) or point CHROMIUM=/path/to/chromium at one.")


def find_poppler() -> None:
    for tool in ("pdfunite", "pdfinfo", "pdftoppm"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} is missing: the PDFs are joined and counted with poppler "
                             "(Debian/Ubuntu: sudo apt-get install poppler-utils).")


def _reap(group: int | None, profile: str) -> None:
    """Kill whatever is left of one chromium run: its process group (if it has its own), and any process
    using its profile."""
    if group is not None and group > 0:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    import psutil

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


def _print_with_one_browser(chromium: str, jobs: list[tuple[Path, Path]], timeout: float) -> None:
    """Print each (html, pdf) of ``jobs`` in turn with ONE headless chromium, driven by Playwright.

    Same output as :func:`print_pdf` (the page's own @page size and margins, its outline), without a browser
    start per page: starting chromium took about as long as printing a notebook here. Bounded: past ``timeout``
    seconds for the whole list the browser is killed and the build stops; no process is left behind.
    """
    import threading

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="handouts-chromium-") as profile:
        expired = threading.Event()

        def stop() -> None:  # a hung page: killing its browser makes the waiting call raise
            expired.set()
            _reap(None, profile)

        timer = threading.Timer(timeout, stop)
        timer.start()
        current = jobs[0][0] if jobs else None
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch_persistent_context(
                    profile, executable_path=chromium, headless=True, timeout=timeout * 1000,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
                          "--no-first-run", "--disable-sync", "--disable-background-networking",
                          "--disable-crash-reporter", "--disable-breakpad"])
                try:
                    page = browser.new_page()
                    for current, target in jobs:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        page.goto(current.as_uri(), wait_until="load", timeout=timeout * 1000)
                        page.pdf(path=str(target), prefer_css_page_size=True, outline=True, tagged=True)
                finally:
                    browser.close()
        except PlaywrightError as exc:
            if expired.is_set():
                raise BuildError(f"chromium took more than {timeout:.0f} s to print {len(jobs)} pages; "
                                 "stopped it.") from None
            name = current.name if current else "?"
            raise BuildError(f"chromium could not print {name}: {str(exc).splitlines()[0]}") from None
        finally:
            timer.cancel()
            _reap(None, profile)
    for _, target in jobs:
        if not target.exists() or target.stat().st_size == 0:
            raise BuildError(f"chromium wrote no {target.name}")


def print_all(chromium: str, jobs: list[tuple[Path, Path]], browsers: int = 2,
              timeout: float = CHROMIUM_TIMEOUT) -> None:
    """Print every (html, pdf) of ``jobs``: ``browsers`` headless chromiums at once, each printing its share.

    With Playwright (a test dependency, installed by ``make install-tests``), one browser prints many pages;
    without it, one chromium is started per page (:func:`print_pdf`). Each browser gets ``timeout`` seconds per
    page it prints.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        with ThreadPoolExecutor(max_workers=max(1, browsers)) as pool:
            for future in [pool.submit(print_pdf, chromium, html, pdf, timeout) for html, pdf in jobs]:
                future.result()
        return
    shares = [jobs[index::max(1, browsers)] for index in range(max(1, browsers))]
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        for future in [pool.submit(_print_with_one_browser, chromium, share, timeout * len(share))
                       for share in shares if share]:
            future.result()


def count_pages(pdf: Path) -> int:
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60)
    pages = [line.split(":", 1)[1] for line in done.stdout.splitlines() if line.startswith("Pages:")]
    if done.returncode != 0 or not pages:
        raise BuildError(f"pdfinfo cannot read {pdf}: {done.stderr.strip()}")
    return int(pages[0])


def page_margins_mm(css: str) -> tuple[float, float]:
    """The top and bottom margins of the printed page, in mm, from handout.css's ``@page`` rule."""
    found = re.search(r"@page\s*{[^}]*?margin:\s*([\d.]+)mm\s+[\d.]+mm\s+([\d.]+)mm", css)
    if not found:
        raise BuildError("handout.css's @page rule has no 'margin: <top>mm <sides>mm <bottom>mm ...'")
    return float(found.group(1)), float(found.group(2))


def page_fills(pdf: Path, margins_mm: tuple[float, float], dpi: int = FILL_DPI) -> list[float]:
    """How far down its printable area each page's content reaches (0: nothing, 1: to the bottom margin).

    The page is rendered in grey by poppler's ``pdftoppm`` and read row by row: the last row with ink
    between the top and bottom margins ends the content (the footer is in the bottom margin, outside).
    A figure counts as content, which a page's text (``pdftotext``) would not show.
    """
    with tempfile.TemporaryDirectory(prefix="handouts-fill-") as tmp:
        done = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/page"],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise BuildError(f"pdftoppm cannot render {pdf}: {done.stderr.strip()}")
        fills = []
        for image in sorted(Path(tmp).glob("page-*.pgm"), key=lambda path: int(path.stem.rsplit("-", 1)[1])):
            data = image.read_bytes()
            header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)  # binary PGM, 8 bits a pixel
            if not header:
                raise BuildError(f"pdftoppm wrote an unexpected image for {pdf}")
            width, height = int(header.group(1)), int(header.group(2))
            pixels = data[header.end():]
            top = round(height * margins_mm[0] / PAGE_HEIGHT_MM)
            bottom = height - round(height * margins_mm[1] / PAGE_HEIGHT_MM)
            inked = [row for row in range(top, bottom) if min(pixels[row * width:(row + 1) * width]) < INK]
            fills.append(round((max(inked) + 1 - top) / (bottom - top), 3) if inked else 0.0)
    return fills


def near_empty_pages(fills: dict[str, list[float]], threshold: float = MIN_FILL) -> list[str]:
    """The pages under ``threshold`` full that are not the last page of their PDF: "name p. N (NN %)"."""
    return [f"{name} p. {number} ({fill:.0%})" for name, pages in fills.items()
            for number, fill in enumerate(pages[:-1], start=1) if fill < threshold]


def join_pdfs(parts: list[Path], target: Path) -> None:
    done = subprocess.run(["pdfunite", *map(str, parts), str(target)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise BuildError(f"pdfunite could not join {len(parts)} PDFs into {target.name}: {done.stderr.strip()}")


# --- the cheat sheet ------------------------------------------------------------------------

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


# --- the site -------------------------------------------------------------------------------

def prepare_output(out: Path, fresh: bool = False) -> None:
    """Empty ``out`` if this script made it, but for its executions cache (all of it with ``fresh``); refuse to
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
    """Both variants of one notebook (in one process, so that :func:`remembered` filters are worked out once)."""
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


# --- the whole build ------------------------------------------------------------------------

def build(out: Path, only: list[str] | None = None, fast: bool = False, start_method: str | None = None,
          jobs: int = 2, fresh: bool = False) -> dict[str, Any]:
    """Execute, render and print everything into ``out``; returns what build.json records."""
    began = time.perf_counter()
    # Kernels inherit this environment. Under pytest, ipykernel would not capture a spawned child's
    # output while PYTEST_CURRENT_TEST is set (measured-facts.md): the handouts must show it.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    if fast:
        os.environ["COURSE_TIME_SCALE"] = FAST_TIME_SCALE
    if start_method:
        os.environ["COURSE_START_METHOD"] = start_method
    from helpers.engine.config import PANEL_SECONDS_ENV

    os.environ.setdefault(PANEL_SECONDS_ENV, HANDOUT_PANEL_SECONDS)  # unless the caller chose another pace
    chromium = find_chromium()  # before minutes of executing, not after
    find_poppler()
    notebooks = discover(only)
    source = figures_source()
    prepare_output(out, fresh)
    figures_dir = out / "logs" / "figures"
    os.environ[FIGURES_ENV] = str(figures_dir)  # helpers.handout.record_figures writes there
    css = (ASSETS / "handout.css").read_text(encoding="utf-8")
    stamp = Stamp.now()
    log(f"handouts: {len(notebooks)} notebooks into {out}\n  {stamp.line()}")

    from helpers.engine.verdict import Watch  # samples idle cores before a notebook, and others' CPU use during it

    machine = machine_key(stamp.info)

    def run_or_reuse(info: Notebook) -> Execution:
        """``info`` executed now, or its execution kept from an earlier build of this folder (:func:`execution_key`)."""
        key = execution_key(info.path, machine)
        kept = None if fresh else cached_execution(out, info, key, figures_dir)
        if kept is not None:
            return kept
        watch = Watch(LOAD_SAMPLE)
        nb, seconds, when = execute(info, out / "logs" / f"{info.stem}.log")
        done = Execution(nb, seconds, when, watch.stop())
        keep_execution(out, info, key, done, recorded_figures(figures_dir) if info.stem == source.stem else None)
        return done

    timings: dict[str, float] = {}
    seen_by_stem: dict[str, Any] = {}
    if not any(nb.stem == source.stem for nb in notebooks):
        step = time.perf_counter()  # the cheat sheet needs its figures even when that notebook is not handed out
        done = run_or_reuse(source)
        seen_by_stem[source.stem] = done.seen
        log(f"  {'reused' if done.reused else 'executed'} {source.path.name} for the cheat sheet's figures "
            f"(measured {done.when:%Y-%m-%d %H:%M:%S} UTC)")
        timings["cheat sheet figures"] = time.perf_counter() - step

    executed: dict[str, Any] = {}
    records = []
    step = time.perf_counter()
    for info in notebooks:
        done = run_or_reuse(info)
        nb, seconds, when, seen = done.nb, done.seconds, done.when, done.seen
        seen_by_stem[info.stem] = seen
        widgets = drop_widget_views(nb)
        add_stamp(nb, stamp, seconds, when, seen)
        executed[info.stem] = nb
        records.append({"notebook": info.path.name, "title": info.title, "minutes": info.minutes,
                        "executed_seconds": round(seconds, 1), "measured_at": when.isoformat(),
                        "reused": done.reused, "widgets_replaced": widgets,
                        "idle_cores_before": seen.idle_before, "idle_cores_during": seen.idle_during,
                        "busy": seen.busy})
        if done.reused:
            log(f"  reused {info.path.name}: measured {when:%Y-%m-%d %H:%M:%S} UTC in {seconds:.1f} s, nothing it "
                "runs has changed since (--fresh runs it again)")
            continue
        log(f"  executed {info.path.name} in {seconds:.1f} s"
            + (f" ({widgets} widget outputs shown as their picture)" if widgets else "")
            + (f"; busy machine: {seen.idle:.1f} of {seen.usable} cores idle" if seen.busy else ""))
    timings["execute"] = time.perf_counter() - step
    figures = recorded_figures(figures_dir)
    if figures is None:
        raise BuildError(f"{source.path.name} ran but recorded no figures for the cheat sheet")
    # The cheat sheet's figures come from this build's run of the source notebook (the same run as its page):
    # it says how busy the machine was during that run.
    figures["busy"] = bool(seen_by_stem[source.stem].busy)
    figures["load"] = load_note(seen_by_stem[source.stem]).replace("**", "")

    step = time.perf_counter()
    printing: list[tuple[Path, Path]] = []
    with tempfile.TemporaryDirectory(prefix="handouts-print-") as tmp:
        from helpers.engine.machine import usable_cores

        page_jobs = write_all_pages(out, notebooks, executed, stamp, css, Path(tmp), usable_cores())
        for variant in VARIANTS:
            printing += page_jobs[variant] + write_variant(out, variant, notebooks, stamp, css, Path(tmp))
        (out / "index.html").write_text(jinja_env().get_template("home.html.j2").render(
            notebooks=notebooks, stamp=stamp, css=css, total=sum(nb.minutes for nb in notebooks)),
            encoding="utf-8")
        timings["html"] = time.perf_counter() - step

        step = time.perf_counter()
        # The cheat sheet (a chromium per try: it shrinks its type until it fits one page) prints beside the pages.
        with ThreadPoolExecutor(max_workers=1) as beside:
            cheatsheet = beside.submit(build_cheatsheet, out, stamp, figures, chromium)
            print_all(chromium, printing, jobs)
            figures["type_scale"] = cheatsheet.result()
        for variant in VARIANTS:
            join_pdfs([Path(tmp) / variant / "cover.pdf"] + [out / variant / "pdf" / nb.pdf_name for nb in notebooks],
                      out / variant / "pdf" / "course.pdf")
        timings["pdf"] = time.perf_counter() - step

    pages = {str(pdf.relative_to(out)): count_pages(pdf) for pdf in sorted(out.rglob("*.pdf"))}
    margins = page_margins_mm(css)
    # Each notebook's own PDF: its last page may be short (course.pdf is the same pages, joined).
    measured = [f"{variant}/pdf/{nb.pdf_name}" for variant in VARIANTS for nb in notebooks]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # pdftoppm renders each PDF in its own process
        fills = dict(zip(measured, pool.map(lambda name: page_fills(out / name, margins), measured)))
    near_empty = near_empty_pages(fills)
    timings["total"] = time.perf_counter() - began
    manifest = {
        "built": stamp.when.isoformat(), "fast": fast, "machine": stamp.info, "stamp": stamp.line(),
        "notebooks": records, "figures": figures, "figures_from": source.path.name, "pages": pages,
        "fills": fills, "near_empty": near_empty,
        "seconds": {key: round(value, 1) for key, value in timings.items()},
    }
    (out / "build.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    log(f"handouts built in {timings['total']:.0f} s (execute {timings['execute']:.0f} s, "
        f"PDFs {timings['pdf']:.0f} s): open {out / 'index.html'}")
    log("  pages: " + ", ".join(f"{name} {count}" for name, count in pages.items() if "learner" not in name))
    if near_empty:
        log(f"  {len(near_empty)} pages under {MIN_FILL:.0%} full (not a notebook's last): " + ", ".join(near_empty))
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
    parser.add_argument("--jobs", type=int, default=2, help="chromium browsers printing at once (default 2)")
    parser.add_argument("--fresh", action="store_true",
                        help=f"execute every notebook again, even one whose last execution in this folder ({CACHE}/) "
                             "ran the same notebook, helpers, Python and start method on this machine")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), args.only.split(",") if args.only else None, args.fast, args.start_method,
              args.jobs, args.fresh)
    except BuildError as exc:
        print(f"handouts: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

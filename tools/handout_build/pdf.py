"""PDFs: headless chromium prints the pages; poppler joins, counts and measures them."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .shared import BuildError

CHROMIUM_TIMEOUT = 180
#: Every page but a notebook's last is filled at least this far down (tests/test_handouts.py; build.json lists
#: any page under it): a page cut short by a figure or a code cell that did not fit wastes paper.
MIN_FILL = 0.6
PAGE_HEIGHT_MM = 279.4
FILL_DPI = 24
INK = 200  # a grey level darker than this (0-255) is ink, not paper: the code cells' light background is paper


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

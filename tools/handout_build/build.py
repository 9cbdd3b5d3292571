"""The whole handouts build, step by step: execute (or reuse), write the pages, print, measure, record build.json."""

from __future__ import annotations

import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from helpers.handout import FIGURES_ENV, recorded_figures

from .cheatsheet import build_cheatsheet
from .execution import Execution, cached_execution, execute, execution_key, keep_execution, machine_key
from .manifest import Notebook, discover, figures_source
from .pages import drop_widget_views, jinja_env
from .pdf import (MIN_FILL, count_pages, find_chromium, find_poppler, join_pdfs, near_empty_pages, page_fills,
                  page_margins_mm, print_all)
from .shared import ASSETS, BuildError, log
from .stamp import Stamp, add_stamp, load_note
from .website import VARIANTS, prepare_output, write_all_pages, write_variant

#: Seconds of the look at the idle cores before each notebook runs (helpers.bench.cores.idle_cores).
LOAD_SAMPLE = 0.5
FAST_TIME_SCALE = "0.25"
#: How long a control panel's own default run lasts in a handouts build ($COURSE_PANEL_SECONDS, see
#: helpers/engine/config.py), instead of the 3-5 s that let a learner watch its chart grow: nobody watches a
#: printed chart, and the final figure (the same measurement, shorter) shows the same effect. Measured on the
#: idle 2-core machine: see the README's `make handouts` row.
HANDOUT_PANEL_SECONDS = "1"


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

"""The command line: ``python -m helpers.bench [--quick] [--compare OTHER.json] …``.

Measures every section of the plan, prints the tables and the budgets, writes
``bench.json`` and ``report.png`` in ``--out`` (default ``bench-output/``) and exits with
0 when every measured budget passed, 1 when one failed, 2 for bad input (before anything
starts) and 130 when interrupted (after every worker it started has been stopped).
A progress line is shown on a terminal; piped, only the tables are printed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import budgets, tables
from .plan import MOST_PAYLOAD, SECTIONS, Plan, make_plan

SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([KMG])(?:I?B)?|B)?\s*$", re.IGNORECASE)
UNITS = {None: 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def byte_size(text: str) -> int:
    """``"16M"``, ``"64KiB"``, ``"4096"`` → bytes (binary units); argparse reports anything else."""
    match = SIZE.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (examples: 4096, 64K, 16M)")
    number, unit = match.groups()
    value = int(float(number) * UNITS[unit.upper() if unit else None])
    if not 1 <= value <= MOST_PAYLOAD:
        raise argparse.ArgumentTypeError(f"{text!r} must be from 1 byte to {MOST_PAYLOAD >> 20} MiB")
    return value


def names(choices: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type: a comma-separated list, each item one of ``choices``."""
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(x.strip() for x in text.split(",") if x.strip())
        wrong = [x for x in items if x not in choices]
        if wrong or not items:
            raise argparse.ArgumentTypeError(f"{text!r}: choose from {', '.join(choices)} (comma-separated)")
        return items
    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.bench",
        description="Measure this machine the way the course does: waiting, computing, start costs, moving data, "
                    "the crossover, hashlib on threads, the live panel; check the performance budgets.",
        epilog="Exit status: 0 budgets passed, 1 a budget failed, 2 bad input, 130 interrupted.")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", dest="level", const="quick",
                      help="the short run (under a minute on 2 cores)")
    size.add_argument("--full", action="store_const", dest="level", const="full", help="the full run (default)")
    size.add_argument("--smoke", action="store_const", dest="level", const="smoke", help=argparse.SUPPRESS)
    p.add_argument("--only", type=names(SECTIONS), metavar="SECTIONS", default=SECTIONS,
                   help=f"measure only these, comma-separated: {', '.join(SECTIONS)}")
    p.add_argument("--methods", type=names(("fork", "spawn", "forkserver")), metavar="METHODS",
                   help="start methods to measure (default: every one this platform has)")
    p.add_argument("--max-workers", type=int, metavar="N", help="most workers in the speed-up sweeps")
    p.add_argument("--max-threads", type=int, metavar="K", help="most waits at once in the waiting sweeps")
    p.add_argument("--max-payload", type=byte_size, metavar="SIZE", help="largest payload moved (e.g. 16M)")
    p.add_argument("--repeats", type=int, metavar="N", help="runs per figure (the best one is kept)")
    p.add_argument("--out", type=Path, default=Path("bench-output"), metavar="DIR",
                   help="where bench.json and report.png go (default: bench-output)")
    p.add_argument("--label", metavar="NAME", help="this machine's name in tables and comparisons")
    p.add_argument("--compare", type=Path, metavar="OTHER.json", help="put another run's figures beside these")
    p.add_argument("--load", type=Path, metavar="THIS.json",
                   help="do not measure: print (and compare) a saved run instead")
    return p


class Progress:
    """One line on a terminal that says what is being measured; silent when not a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.start = time.perf_counter()
        self.where = ""

    def section(self, number: int, count: int, name: str) -> None:
        self.where = f"{number}/{count} {name}"
        self.note("")

    def note(self, text: str) -> None:
        if not self.enabled:
            return
        line = f"[{time.perf_counter() - self.start:4.0f} s] {self.where}" + (f": {text}" if text else "")
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r\x1b[K" + line[:width])
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def measurers() -> dict[str, Callable[[Plan, Callable[[str], None]], dict[str, Any]]]:
    from .build import measure_build_row
    from .computing import measure_computing, measure_hashlib
    from .crossover import measure_crossover
    from .moving import measure_moving
    from .panel_cost import measure_panel
    from .starting import measure_starting
    from .waiting import measure_waiting

    return {"waiting": measure_waiting, "computing": measure_computing, "starting": measure_starting,
            "moving": measure_moving, "crossover": measure_crossover, "hashlib": measure_hashlib,
            "panel": measure_panel, "build": measure_build_row}


def measure(plan: Plan, progress: Progress, label: str | None) -> dict[str, Any]:
    """Run every section of ``plan``; return the JSON document (machine stamp, plan, sections)."""
    from .cores import idle_cores, machine_stamp

    started = datetime.datetime.now(datetime.timezone.utc)
    progress.where = "looking at the machine"
    progress.note("how many cores are idle")
    idle_before = idle_cores()
    run_for = measurers()
    sections: dict[str, Any] = {}
    took: dict[str, float] = {}
    chosen = [name for name in SECTIONS if name in plan.sections]
    t0 = time.perf_counter()
    for number, name in enumerate(chosen, 1):
        progress.section(number, len(chosen), name)
        began = time.perf_counter()
        try:
            sections[name] = run_for[name](plan, progress.note)
        except Exception as exc:  # one section that cannot run here must not cost the others
            sections[name] = {"error": f"{type(exc).__name__}: {exc}"}
        took[name] = time.perf_counter() - began
    progress.where = "looking at the machine"
    idle_after = idle_cores()
    return {"schema": tables.SCHEMA, "started": started.strftime("%Y-%m-%d %H:%M:%S"),
            "duration_s": time.perf_counter() - t0, "section_seconds": took,
            "machine": machine_stamp(plan.usable, idle_before, idle_after, label),
            "plan": plan.to_json(), "sections": sections}


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    other = this = None
    try:
        if args.compare is not None:
            other = tables.read_json(args.compare)
        if args.load is not None:
            this = tables.read_json(args.load)
            plan = None
        else:
            plan = make_plan(args.level or "full", sections=args.only, methods=args.methods,
                             max_workers=args.max_workers, max_threads=args.max_threads,
                             max_payload=args.max_payload, repeats=args.repeats)
            if args.out.exists() and not args.out.is_dir():
                raise ValueError(f"--out {args.out} is a file, not a folder.")
            try:
                args.out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ValueError(f"--out {args.out}: cannot create it ({exc.strerror or exc}).") from None
            if not os.access(args.out, os.W_OK):
                raise ValueError(f"--out {args.out}: this user may not write there.")
    except ValueError as exc:
        p.error(str(exc))  # exits with status 2, before anything starts

    if this is None:
        assert plan is not None
        progress = Progress(sys.stderr, sys.stderr.isatty())
        try:
            this = measure(plan, progress, args.label)
        except KeyboardInterrupt:
            progress.done()
            print("Interrupted: every worker this run started was stopped; nothing was written.", file=sys.stderr)
            return 130
        progress.done()
    verdicts = budgets.check_budgets(this)
    this["budgets"] = [v.to_json() for v in verdicts]
    print(tables.full_text(this, verdicts))
    if other is not None:
        print("\n" + tables.compare_table(this, other))
    if args.load is None:
        from .page import draw_report

        json_path, report_path = args.out / "bench.json", args.out / "report.png"
        tables.write_json(this, json_path)
        draw_report(this, verdicts, report_path)
        print(f"\nWritten: {json_path} and {report_path}")
    return 0 if budgets.all_passed(verdicts) else 1


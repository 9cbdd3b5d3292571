"""The command line: ``python -m helpers.choose MODULE:FUNCTION --inputs EXPR [--json FILE] …``.

Checks everything it can before anything starts (exit 2 with one line: not importable, not
callable, inputs not a list or empty or too many, an argument that cannot be pickled), calls the
function once (exit 2 if it raises, or does not return within ``--timeout``: everything is
stopped), then measures every way (:mod:`helpers.choose.measure`), prints the table and the
recommendation, writes the PNG page and, with ``--json``, the JSON document. Exit 0 after a
measurement, 130 after Ctrl-C (every worker stopped, nothing written, no temporary file left).
A progress line is shown on a terminal; piped, only the result is printed.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..bench.cli import Progress
from .inputs import BadInput, check_inputs, inputs_from, load_function, parse_literal, read_inputs_file
from .measure import DEFAULT_TIMEOUT

#: Ways the free-threaded child may be asked for.
CHILD_WAYS = ("sequential", "threads")


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: give from more than 0 to 3600 seconds")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.choose",
        description="Measure your function on this machine every way Python can run it in parallel "
                    "(one after another, threads, processes, interpreters, asyncio, a free-threaded build) "
                    "and say which wins and why.",
        epilog="Each input is one call's argument. Exit status: 0 measured, 2 bad input (nothing started), "
               "130 interrupted (everything stopped). Example: python -m helpers.choose "
               "helpers.choose.workloads:pure_python_loop --inputs '[3_000_000] * 4'")
    p.add_argument("function", metavar="MODULE:FUNCTION", help="the function to measure, e.g. mywork:count_words")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--inputs", metavar="EXPR", help="a Python literal list, e.g. \"[3_000_000] * 4\"")
    source.add_argument("--inputs-file", type=Path, metavar="FILE", help="a JSON file holding the list")
    source.add_argument("--inputs-from", metavar="MODULE:NAME", help="a list in a module (or a function returning one)")
    source.add_argument("--inputs-pickle", type=Path, help=argparse.SUPPRESS)  # the free-threaded child's
    p.add_argument("--json", type=Path, metavar="FILE", help="write the figures and the recommendation as JSON")
    p.add_argument("--png", type=Path, default=Path("choose-output/report.png"), metavar="FILE",
                   help="the one-page report (default: choose-output/report.png)")
    p.add_argument("--no-png", action="store_true", help="do not draw the report")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"longest one call may take (default {DEFAULT_TIMEOUT:g}); past it everything is stopped")
    p.add_argument("--quick", action="store_true", help="a sample of the inputs: two calls per usable core")
    p.add_argument("--spawn", action="store_true", help="also measure processes started with spawn")
    p.add_argument("--no-free-threaded", action="store_true", help="do not look for a free-threaded Python")
    p.add_argument("--child-ways", help=argparse.SUPPRESS)
    return p


def load(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """The function and its inputs, checked; :class:`BadInput` before anything starts."""
    func = load_function(args.function)
    if args.inputs is not None:
        raw = parse_literal(args.inputs)
    elif args.inputs_file is not None:
        raw = read_inputs_file(args.inputs_file)
    elif args.inputs_from is not None:
        raw = inputs_from(args.inputs_from)
    else:
        raw = pickle.loads(args.inputs_pickle.read_bytes())
    return func, check_inputs(raw)


def start_forkserver_quietly() -> None:
    """Start multiprocessing's fork server now, with SIGINT blocked while it starts.

    A terminal's Ctrl-C goes to the whole process group; a fork server caught in its first moments (still
    importing, before it ignores SIGINT itself: ``multiprocessing.forkserver.main``) dies with a traceback of
    its own. Started with the signal blocked, it never sees one; its workers inherit the block, and this
    process stops them itself on Ctrl-C, as it does every worker.
    """
    import multiprocessing
    import signal

    from ..engine.config import resolve_start_method

    if resolve_start_method() != "forkserver" or not hasattr(signal, "pthread_sigmask"):
        return
    from multiprocessing import forkserver

    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        multiprocessing.get_context("forkserver")  # the context exists on this platform
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    child_ways = None
    if args.child_ways:
        child_ways = tuple(w for w in args.child_ways.split(",") if w in CHILD_WAYS) or None
    progress = Progress(sys.stderr, sys.stderr.isatty() and child_ways is None)
    progress.where = "helpers.choose"
    try:
        func, items = load(args)
        for path in (args.json, None if args.no_png else args.png):
            if path is not None and path.exists() and path.is_dir():
                raise BadInput(f"{path} is a folder, not a file.")
        from .measure import measure

        start_forkserver_quietly()
        measurement = measure(func, items, timeout=args.timeout, quick=args.quick, spawn=args.spawn,
                              free_threaded=not args.no_free_threaded, ways=child_ways, progress=progress.note)
    except BadInput as exc:
        progress.done()
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        progress.done()
        print("Interrupted: every worker this run started was stopped; nothing was written.", file=sys.stderr)
        return 130
    progress.done()
    if child_ways is not None:
        # A child (another build of Python, perhaps without psutil, which the verdict needs) only hands its
        # ways back: the parent judges them all together, on what it saw of the machine.
        if args.json is not None:
            import json

            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"measurement": measurement.to_json()}, indent=1, ensure_ascii=False,
                                            default=str) + "\n", encoding="utf-8")
        return 0
    from .recommendation import recommend
    from .report import draw_page, text, write_json

    answer = recommend(measurement)
    print(text(measurement, answer))
    if args.json is not None:
        write_json(measurement, answer, args.json)
    if not args.no_png:
        draw_page(measurement, answer, args.png)
    written = [str(x) for x in (args.json, None if args.no_png else args.png) if x is not None]
    if written:
        print("Written: " + " and ".join(written))
    return 0

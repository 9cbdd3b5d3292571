"""Run the process notebooks again and again under spawn; count hangs and leaked processes.

    python tools/soak.py --runs 20                 # every notebook that starts processes (course.toml)
    python tools/soak.py --runs 5 --notebooks notebooks/02_what_is_a_process.ipynb

Each execution uses a fresh kernel and a per-cell timeout (a hang is a cell that times
out); after each one the kernel is shut down and the census (helpers.engine.census) must find no
process left. Prints one line per run and a summary; exits 1 on any hang, error or leak.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from helpers.engine.census import describe, wait_for_no_children
from helpers.course import MANIFEST, lessons


def process_notebooks(manifest: Path = MANIFEST) -> list[Path]:
    """The notebooks the manifest marks ``starts_processes``, in course order."""
    return [lesson.path for lesson in lessons(manifest) if lesson.starts_processes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--method", default="spawn")
    parser.add_argument("--cell-timeout", type=int, default=120)
    parser.add_argument("--notebooks", nargs="*")
    args = parser.parse_args()
    os.environ["COURSE_START_METHOD"] = args.method
    os.environ.setdefault("COURSE_TIME_SCALE", "0.25")
    paths = [Path(p) for p in args.notebooks] if args.notebooks else process_notebooks()

    hangs = errors = leaks = executions = 0
    start = time.monotonic()
    for run in range(1, args.runs + 1):
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(nb, timeout=args.cell_timeout, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            t0 = time.monotonic()
            outcome = "ok"
            try:
                client.execute()
            except CellTimeoutError:
                hangs += 1
                outcome = "HANG"
            except CellExecutionError as exc:
                errors += 1
                outcome = f"ERROR {str(exc).splitlines()[-1][:100]}"
            executions += 1
            left = wait_for_no_children(timeout=10)
            if left:
                leaks += len(left)
                outcome += f"; LEAKED {', '.join(describe(p) for p in left)}"
                for process in left:
                    process.kill()
            print(f"run {run:2d} {path.name:<36} {time.monotonic() - t0:6.1f} s  {outcome}", flush=True)
    minutes = (time.monotonic() - start) / 60
    print(f"\n{executions} notebook executions ({args.runs} runs × {len(paths)} notebooks, {args.method}) "
          f"in {minutes:.1f} min: {hangs} hangs, {errors} errors, {leaks} leaked processes")
    return 1 if hangs or errors or leaks else 0


if __name__ == "__main__":
    sys.exit(main())

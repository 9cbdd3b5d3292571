"""Follow one press of a panel's Run button through ``helpers/`` and count what a maintainer reads.

    python tools/run_walk.py                      # processes and threads, the walk printed module by module
    python tools/run_walk.py --mode processes --quiet

The press is traced with :func:`sys.setprofile` (Python calls and returns in the pressing thread only; child
processes and worker threads are not followed). Only frames of ``helpers`` modules count. A maintainer reads
each function once: the first call of a function is followed into, later calls of the same function (the
event loop's hundredth ``_apply``, the second redraw) are not, nor anything beneath them. What is left is a
walk from module to module, consecutive repeats folded, and from it:

* **modules entered**: how many ``helpers`` modules the walk sets foot in;
* **back-steps**: how many times the walk steps into a module it has already been in and left (a return to a
  caller counts: the reader climbs back up). A path that goes down the layers and comes back once has
  ``modules entered - 1`` back-steps; every other one is a bounce between modules.

A warm-up press runs first (untraced), so imports done on first use and caches are not counted.
tests/test_run_walk.py holds the numbers under a ceiling.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing it

#: The press measured: a computing task, small enough to take a fraction of a second.
TASK, TASKS, WORKERS, SIZE = "compute", 2, 2, 20_000


@dataclass
class Walk:
    """The modules one press walks through, in order, consecutive repeats folded."""

    steps: list[str] = field(default_factory=list)
    #: For each step, the function the walk is in when it enters the step's module.
    where: list[str] = field(default_factory=list)

    def step(self, module: str | None, function: str = "") -> None:
        if module is not None and (not self.steps or self.steps[-1] != module):
            self.steps.append(module)
            self.where.append(function)

    @property
    def modules(self) -> list[str]:
        """The modules entered, in the order first entered."""
        return list(dict.fromkeys(self.steps))

    @property
    def back_steps(self) -> list[tuple[str, str]]:
        """Each ``(from, to)`` step into a module the walk had already been in."""
        seen: set[str] = set()
        back = []
        for before, after in zip([None, *self.steps], self.steps):
            if after in seen and before is not None:
                back.append((before, after))
            seen.add(after)
        return back


def _module(frame: FrameType) -> str | None:
    name = frame.f_globals.get("__name__", "")
    return name if name == "helpers" or name.startswith("helpers.") else None


def trace(action: Any) -> Walk:
    """Call ``action()`` with the profiler on and return the walk it made through ``helpers``."""
    walk = Walk()
    seen: set[Any] = set()
    # One entry per live frame: (frame, its helpers module or None, followed?)
    stack: list[tuple[FrameType, str | None, bool]] = []

    def current() -> tuple[str | None, str]:
        for frame, module, _followed in reversed(stack):
            if module is not None:
                return module, frame.f_code.co_name
        return None, ""

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call":
            followed = not stack or stack[-1][2]
            module = _module(frame)
            if followed and module is not None:
                if frame.f_code in seen:
                    followed = False  # read already: not followed again
                else:
                    seen.add(frame.f_code)
            stack.append((frame, module, followed))
            if followed:
                walk.step(module, frame.f_code.co_name)
        elif event == "return":
            while stack:
                popped, _, _ = stack.pop()
                if popped is frame:
                    break
            if stack and stack[-1][2]:
                walk.step(*current())

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return walk


def press(mode: str) -> Walk:
    """Build a panel (untraced), press Run once untraced, then once traced; the traced walk."""
    from helpers.panels.panel import LivePanel

    panel = LivePanel(TASK, size=SIZE, tasks=TASKS, workers=WORKERS, mode=mode, update_interval=0.05)
    panel._clicked(panel.button)  # warm-up: first-use imports and caches
    walk = trace(lambda: panel._clicked(panel.button))
    last = panel.results[-1]
    if last.status != "done":
        raise SystemExit(f"the traced press did not finish: {last.status} {last.message}")
    return walk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", action="append", choices=("threads", "processes", "sequential"),
                        help="the panel's mode (default: processes and threads)")
    parser.add_argument("--quiet", action="store_true", help="only the counts")
    parser.add_argument("--functions", action="store_true", help="each step with the function it lands in")
    args = parser.parse_args(argv)
    for mode in args.mode or ["processes", "threads"]:
        walk = press(mode)
        print(f"{mode}: {len(walk.modules)} modules entered, {len(walk.back_steps)} back-steps")
        if args.functions:
            for module, function in zip(walk.steps, walk.where):
                print(f"  {module.removeprefix('helpers.')}:{function}")
        elif not args.quiet:
            print("  walk: " + " > ".join(step.removeprefix("helpers.") for step in walk.steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())

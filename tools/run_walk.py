"""Follow one press of a panel's Run button through ``helpers/`` and count what a maintainer reads.

    python tools/run_walk.py                      # processes and threads, the walk printed module by module
    python tools/run_walk.py --mode processes --quiet
    python tools/run_walk.py --functions          # each step with the function it lands in, re-reads marked

The press is traced with :func:`sys.setprofile` (Python calls and returns in the pressing thread only; child
processes and worker threads are not followed). Only frames of ``helpers`` modules count. A maintainer reads
each function once: the walk keeps the first call of every function and, of the later calls (the event loop's
hundredth ``_apply``, the second redraw), only those under which a function not read yet runs (a branch first
taken there, such as the chart's last frame); the rest is left out, with everything beneath it. A generator
resumed (``next``) is the reader going back into a function they were in the middle of, like a return. What is
left is a walk from module to module, consecutive repeats folded, each step made by a *call* (going down) or a
*return* (climbing back up to a caller, or into a resumed generator), and from it:

* **modules entered**: how many ``helpers`` modules the walk sets foot in;
* **re-reads**: how many times a call enters a module the walk had already entered and left. A return is
  never a re-read: the reader goes back to a function they were in the middle of reading. "A maintainer reads
  each module once" is 0 re-reads: every module is entered by calls from one place in one stretch;
* **back-steps**: how many times the walk steps into a module it had already been in and left, by a call or
  a return. A path that goes down the layers and comes back once has ``modules entered - 1`` back-steps and no
  re-read; every other back-step is a bounce.

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

CALL, RETURN = "call", "return"


@dataclass
class Walk:
    """The modules one press walks through, in order, consecutive repeats folded."""

    steps: list[str] = field(default_factory=list)
    #: For each step, the function the walk lands in.
    where: list[str] = field(default_factory=list)
    #: For each step, how it was made: :data:`CALL` (going down) or :data:`RETURN` (climbing back up).
    how: list[str] = field(default_factory=list)

    def step(self, module: str | None, function: str = "", how: str = CALL) -> None:
        if module is not None and (not self.steps or self.steps[-1] != module):
            self.steps.append(module)
            self.where.append(function)
            self.how.append(how)

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

    @property
    def re_reads(self) -> list[tuple[str, str]]:
        """Each ``(from, to)`` *call* into a module the walk had already entered and left."""
        seen: set[str] = set()
        again = []
        for before, after, how in zip([None, *self.steps], self.steps, self.how):
            if after in seen and how == CALL and before is not None:
                again.append((before, after))
            seen.add(after)
        return again


@dataclass
class _Call:
    """One call seen by the profiler: a node of the press's call tree."""

    module: str | None
    function: str
    code: Any
    resumed: bool = False
    children: list[_Call] = field(default_factory=list)
    first: bool = False  # the first call of its function in the press
    kept: bool = False  # first, or a function not read yet runs beneath it


def _module(frame: FrameType) -> str | None:
    name = frame.f_globals.get("__name__", "")
    return name if name == "helpers" or name.startswith("helpers.") else None


def _mark(node: _Call, read: set[Any]) -> bool:
    """Mark, in call order, each node that is a function's first call or has one beneath it; True if kept."""
    if node.module is not None and not node.resumed and node.code not in read:
        read.add(node.code)
        node.first = True
    below = [_mark(child, read) for child in node.children]
    node.kept = node.first or any(below)
    return node.kept


def _walk(node: _Call, walk: Walk, how: str, caller: tuple[str, str] | None) -> None:
    """Step into ``node`` (by ``how``), through its kept children, and back to ``caller``."""
    here = (node.module, node.function) if node.module is not None else caller
    if node.module is not None:
        walk.step(node.module, node.function, RETURN if node.resumed else how)
    for child in node.children:
        if child.kept:
            _walk(child, walk, CALL, here)
            if here is not None:
                walk.step(*here, RETURN)


def trace(action: Any) -> Walk:
    """Call ``action()`` with the profiler on and return the walk it made through ``helpers``."""
    root = _Call(None, "", None)
    stack: list[tuple[FrameType | None, _Call]] = [(None, root)]
    started: set[FrameType] = set()  # frames already called once: a later call event is a generator resumed

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call":
            node = _Call(_module(frame), frame.f_code.co_name, frame.f_code, resumed=frame in started)
            started.add(frame)
            stack[-1][1].children.append(node)
            stack.append((frame, node))
        elif event == "return":
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth][0] is frame:
                    del stack[depth:]
                    break

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    _mark(root, set())
    walk = Walk()
    _walk(root, walk, CALL, None)
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
    parser.add_argument("--functions", action="store_true",
                        help="each step with the function it lands in (v: by a call, ^: by a return; re-reads marked)")
    args = parser.parse_args(argv)
    for mode in args.mode or ["processes", "threads"]:
        walk = press(mode)
        print(f"{mode}: {len(walk.modules)} modules entered, {len(walk.re_reads)} re-reads, "
              f"{len(walk.back_steps)} back-steps")
        if args.functions:
            seen: set[str] = set()
            for module, function, how in zip(walk.steps, walk.where, walk.how):
                mark = "  <- re-read" if how == CALL and module in seen else ""
                arrow = "v" if how == CALL else "^"
                print(f"  {arrow} {module.removeprefix('helpers.')}:{function}{mark}")
                seen.add(module)
        elif not args.quiet:
            print("  walk: " + " > ".join(step.removeprefix("helpers.") for step in walk.steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())

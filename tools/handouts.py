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
The work is done by the modules of tools/handout_build/ (its ``__init__`` lists them); this file is the
command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing it
if str(TOOLS) not in sys.path:  # tools/handout_build/, also when this file is loaded by its path
    sys.path.append(str(TOOLS))

from handout_build.build import FAST_TIME_SCALE, build  # noqa: E402
from handout_build.execution import CACHE  # noqa: E402
from handout_build.shared import BuildError  # noqa: E402


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

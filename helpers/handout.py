"""Figures a notebook hands to the workshop handouts, explicitly: :func:`record_figures`.

The printed cheat sheet (``make handouts``, tools/handouts.py) shows figures measured on the
build machine. The quick-reference notebook measures them anyway, so it passes them on with
one call, at the place where it has them all. The handouts build (tools/handout_build/build.py) sets
``$COURSE_HANDOUT_FIGURES`` to a folder before it executes the notebooks, and the call writes ``cheatsheet.json``
there.
Anywhere else (a learner in JupyterLab, nbval) the variable is unset and the call does nothing.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

#: Set by the handouts build (tools/handout_build/build.py) to the folder where recorded figures go.
FIGURES_ENV = "COURSE_HANDOUT_FIGURES"
FIGURES_FILE = "cheatsheet.json"

Figure = int | float | str | bool


def record_figures(**figures: Figure) -> None:
    """Save ``figures`` (name=value) for the handouts' cheat sheet, when the handouts are being built.

    Values must be numbers, text or true/false (a ``ValueError`` names any other, before anything
    is written). Returns nothing and prints nothing: the notebook looks the same either way.
    """
    if not figures:
        raise ValueError("record_figures() needs at least one figure, e.g. record_figures(io_speedup=2.9)")
    for name, value in figures.items():
        if not isinstance(value, (int, float, str, bool)):
            raise ValueError(f"record_figures: {name}={value!r} is not a number, text or true/false")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"record_figures: {name}={value!r} is not a finite number")
    folder = os.environ.get(FIGURES_ENV)
    if not folder:
        return
    path = Path(folder) / FIGURES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, sort_keys=True), encoding="utf-8")


def recorded_figures(folder: Path) -> dict[str, Figure] | None:
    """What :func:`record_figures` wrote into ``folder`` (None if nothing was recorded there)."""
    path = Path(folder) / FIGURES_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))

"""matplotlib's first import and first drawing, made whole even if ■ is pressed meanwhile.

An interrupt in the middle of importing matplotlib (or numpy under it) leaves half-initialised modules in
``sys.modules``: every later chart in that kernel fails, with errors that point nowhere near the cause
(measured here, SIGINT 0.05-0.6 s into ``import matplotlib.pyplot`` and a first chart: 8 of 10 delays left
the process unable to draw -- ``module 'matplotlib' has no attribute 'get_data_path'``, ``numpy has no
attribute 'minimum'``, ``cannot load module more than once``; in a kernel, ``KeyError 'Rectangle:kwdoc'``).
:func:`import_matplotlib` runs the imports the course draws with and one tiny drawing (fonts, artist
docstrings, the Agg canvas) under :func:`helpers.engine.interrupts.interrupt_deferred`: ■ still stops the
cell, just after matplotlib is whole.
"""

from __future__ import annotations

from ..engine.interrupts import interrupt_deferred

_READY = False


def import_matplotlib() -> None:
    """Import and warm matplotlib once per process, with ■ held back until it is done."""
    global _READY
    if _READY:
        return
    with interrupt_deferred():
        import matplotlib.collections  # noqa: F401
        import matplotlib.patches  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(1, 1), dpi=10)
        axes = figure.add_subplot()
        axes.bar([0], [1])
        axes.set_title("warm")
        FigureCanvasAgg(figure).draw()
        _READY = True

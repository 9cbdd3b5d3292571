"""All the drawing: charts of the engine's results and of the subjects' measurements.

With :mod:`helpers.panels`, the only package that imports matplotlib; it knows no lesson (the subjects above it
call it to draw their own figures). See the list in :mod:`helpers`.
"""

from .first_import import import_matplotlib as _import_matplotlib

_import_matplotlib()  # before any chart module imports matplotlib: ■ cannot leave it half imported

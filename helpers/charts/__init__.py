"""All the drawing: charts of the engine's results and of the subjects' measurements.

With :mod:`helpers.panels`, the only package that imports matplotlib; it knows no lesson (the subjects above it
call it to draw their own figures). See the list in :mod:`helpers`.
"""

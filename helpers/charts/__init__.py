"""All the drawing: charts of the engine's results and the subjects' measurements (the only matplotlib users).

See the list in :mod:`helpers`; only :mod:`helpers.panels` sits above it among the drawing layers.
"""

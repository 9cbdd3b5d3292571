"""The engine: runs tasks on threads, processes and interpreters and measures them; knows no lesson, draws nothing.

See the list in :mod:`helpers`; ``tests/test_layers.py`` keeps it below every other layer.
"""

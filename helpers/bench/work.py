"""What runs inside the measured threads, child processes and interpreters: the task of a start-cost measurement.

Every function here is importable by name, so that spawn, forkserver and interpreters can
find it. The echo children of the "moving" section are the lesson's own
(:mod:`helpers.data_transfer`, behind :class:`~helpers.data_transfer.EchoChannel`).
"""

from __future__ import annotations


def nothing() -> None:
    """The task of a start-cost measurement: start, do nothing, end."""

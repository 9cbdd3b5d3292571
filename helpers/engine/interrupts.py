"""Steps that must not be cut in half by ■: a KeyboardInterrupt held back until the step is done.

``multiprocessing.Process.start()`` forks (or spawns) the child, then records it (``_popen``, the
list of children). A KeyboardInterrupt between the two -- the stop button pressed at that moment --
leaves a child that exists but that its ``Process`` object does not know: ``join()`` then raises
``AssertionError: can only join a started process`` and the child stays a zombie for the kernel's
lifetime (seen 1 time in 50 random interrupts). :func:`interrupt_deferred` holds the interrupt until
the block is done, then raises it: the cell still stops, with a child that can be joined and reaped.

A child forked inside the block inherits the held-back handler; :func:`restore_in_child` (first thing
in the child) puts the normal one back and raises the interrupt if it arrived there meanwhile.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_held = {"pressed": False}


def _hold(signum: int, frame: Any) -> None:
    _held["pressed"] = True


@contextmanager
def interrupt_deferred() -> Iterator[None]:
    """Run the block with SIGINT held back (main thread only), then raise KeyboardInterrupt if it came."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGINT"):
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous in (signal.SIG_IGN, None):
        yield
        return
    _held["pressed"] = False
    signal.signal(signal.SIGINT, _hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if _held["pressed"]:
            _held["pressed"] = False
            raise KeyboardInterrupt


def restore_in_child() -> None:
    """In a child forked inside :func:`interrupt_deferred`: the normal handler again, and the held interrupt."""
    if signal.getsignal(signal.SIGINT) is _hold:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if _held["pressed"]:
            _held["pressed"] = False
            raise KeyboardInterrupt

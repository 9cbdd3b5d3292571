"""helpers.engine.interrupts: ■ in the middle of Process.start() leaves a child that can be joined.

The interrupt is sent from inside the start (after the child exists, before multiprocessing records it):
the stock ``multiprocessing.Process`` then has no ``_popen`` (``join()``: AssertionError, a zombie);
``helpers.Process`` raises KeyboardInterrupt only once the child is recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from helpers.engine import interrupts
from helpers.engine.census import live_children, zombies
from helpers.engine.relay import Process
from helpers.workers import wait_task

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGINT to oneself is POSIX")


def press_stop_inside_popen(monkeypatch, process_object):
    """Make the process class's Popen send this process SIGINT just after it has made the child."""
    real = type(process_object)._Popen

    def popen_then_sigint(process_obj):
        popen = real(process_obj)
        os.kill(os.getpid(), signal.SIGINT)  # ■, between the child's birth and its record
        return popen

    monkeypatch.setattr(type(process_object), "_Popen", staticmethod(popen_then_sigint))


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_stop_inside_start_raises_after_the_child_is_recorded(monkeypatch, method):
    process = Process(target=wait_task, args=(0.2,), start_method=method)
    press_stop_inside_popen(monkeypatch, process._process)
    with pytest.raises(KeyboardInterrupt):
        process.start()
    assert process.pid is not None
    process.join(10)  # no AssertionError: the child is known
    assert process.exitcode is not None
    assert live_children() == [] and zombies() == []


def test_the_block_raises_once_done_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGINT)
    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.interrupt_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("rest of the block ran")
    assert done and signal.getsignal(signal.SIGINT) is before
    with interrupts.interrupt_deferred():
        pass  # no interrupt: nothing raised


def test_without_the_hold_the_stock_process_is_left_unjoinable(monkeypatch):
    """What the course fixes: the same ■ in a plain multiprocessing.Process.start()."""
    process = multiprocessing.get_context("spawn").Process(target=wait_task, args=(0.2,))
    press_stop_inside_popen(monkeypatch, process)
    with pytest.raises(KeyboardInterrupt):
        process.start()
    with pytest.raises(AssertionError, match="can only join a started process"):
        process.join(1)
    for child in live_children() + zombies():  # the orphan this demonstrates: reaped here by hand
        child.kill()
        os.waitpid(child.pid, 0)

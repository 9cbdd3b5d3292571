"""Notebook 12's hand-written transfers end with one clear message when their child dies.

The cells are taken from the notebook itself and run in a real kernel whose echo child dies at once
(``die`` instead of the echo function): before, cell 8's ``conn.recv()`` waited forever and cell 6
ended after 30 s with a bare ``queue.Empty``.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat

from helpers.engine.census import live_children
from test_kernel_interrupt import execute, kernel  # noqa: F401  (kernel: a fixture)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "12_moving_data_between_processes.ipynb"
CELLS = {cell.id: cell.source for cell in nbformat.read(NOTEBOOK, 4).cells}
SETUP = "import time, helpers\nfrom helpers import data_transfer\nfrom helpers.executors import die\n"


def test_cell_8_reports_a_dead_child_at_once(kernel):
    km, kc, proc = kernel
    assert execute(kc, SETUP)["status"] == "ok"
    assert execute(kc, CELLS["94b03afb"])["status"] == "ok"  # cell 6, working: defines context, one_megabyte
    assert execute(kc, "data_transfer.echo_shared_memory = die  # the child dies before it answers")["status"] == "ok"
    started = time.monotonic()
    reply = execute(kc, CELLS["aaa7b181"], timeout=60)
    assert time.monotonic() - started < 20
    assert reply["status"] == "error" and reply["ename"] == "RuntimeError", reply
    assert "no answer: the child ended with exit code 1" in reply["evalue"]
    assert execute(kc, "import glob, os\nassert not [p for p in glob.glob('/dev/shm/psm_*') "
                       "if os.stat(p).st_uid == os.getuid() and block.name in p]")["status"] == "ok"
    # The dead child is collected by the kernel soon after (not within a guessed 0.5 s on a busy machine).
    deadline = time.monotonic() + 10
    while live_children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_children(proc.pid) == []


def test_cell_6_says_what_happened_instead_of_a_bare_queue_empty(kernel):
    km, kc, proc = kernel
    assert execute(kc, SETUP + "data_transfer.echo_queue = die")["status"] == "ok"
    reply = execute(kc, CELLS["94b03afb"], timeout=90)
    assert reply["status"] == "error" and reply["ename"] == "RuntimeError", reply
    assert "no answer within 30 s; the child is gone (exit code 1)" in reply["evalue"]

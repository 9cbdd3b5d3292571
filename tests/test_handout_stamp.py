"""tools/handout_build/stamp.py: every page says whose machine measured it, and how busy it was."""

from __future__ import annotations

import nbformat

from handout_build.build import HANDOUT_PANEL_SECONDS
from handout_build.stamp import Stamp, add_stamp


def test_stamp_names_the_machine(monkeypatch):
    monkeypatch.delenv("COURSE_PANEL_SECONDS", raising=False)
    assert "control panels" not in Stamp.now().line()
    monkeypatch.setenv("COURSE_PANEL_SECONDS", HANDOUT_PANEL_SECONDS)
    assert f"control panels' runs sized to about {HANDOUT_PANEL_SECONDS} s" in Stamp.now().line()
    stamp = Stamp.now()
    line = stamp.line()
    assert f"Python {stamp.info['Python']}" in line and "CPU cores" in line and "start method" in line
    assert stamp.date in line and str(stamp.info["CPU cores (os.cpu_count)"]) in stamp.short()


def test_a_page_measured_on_a_busy_machine_says_so_in_its_stamp():
    from helpers.engine.verdict import MachineSeen

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 04 · title")])
    stamp = Stamp.now()
    add_stamp(nb, stamp, 12.0, stamp.when, MachineSeen(usable=2, idle_before=0.3, idle_during=0.6))
    text = nb.cells[1].source
    assert "Measured on the build machine" in text
    assert "The machine was busy" in text and "0.3 of 2 usable cores idle" in text and "0.3 / 0.6" in text


def test_a_page_measured_on_an_idle_machine_says_that_instead():
    from helpers.engine.verdict import MachineSeen

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 04 · title")])
    stamp = Stamp.now()
    add_stamp(nb, stamp, 12.0, stamp.when, MachineSeen(usable=2, idle_before=1.9, idle_during=1.8))
    assert "otherwise idle (1.8 of 2 usable cores idle" in nb.cells[1].source
    assert "busy" not in nb.cells[1].source
    add_stamp(nb, stamp, 12.0, stamp.when)  # nothing sampled: the stamp as before
    assert nb.cells[1].source.endswith("to measure your own machine.")

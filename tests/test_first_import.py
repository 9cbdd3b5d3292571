"""helpers.charts.first_import: ■ while matplotlib is first imported no longer breaks every later chart.

A fresh Python gets SIGINT at a range of moments during ``import helpers.charts.plots`` and a first chart;
after the KeyboardInterrupt, a chart must still draw. Plain ``import matplotlib.pyplot`` under the same
interrupts left the process unable to draw for 8 of 10 delays.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import os, signal, sys, threading, time
threading.Timer(float(sys.argv[1]), lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    from helpers.charts import plots
    time.sleep(3)
except KeyboardInterrupt:
    pass
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.backends.backend_agg import FigureCanvasAgg
figure = Figure()
axes = figure.add_subplot()
axes.bar([1, 2], [3, 4])
axes.add_patch(Rectangle((0, 0), 1, 1))
FigureCanvasAgg(figure).draw()
print("drew")
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to oneself is POSIX")
def test_charts_still_draw_after_stop_during_the_first_import():
    broken = []
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6):
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(delay)], capture_output=True, text=True,
                              timeout=120, cwd=ROOT)
        if "drew" not in done.stdout:
            broken.append((delay, (done.stderr.strip().splitlines() or ["?"])[-1]))
    assert not broken, broken

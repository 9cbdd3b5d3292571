"""Does drawing the live chart distort what it measures?

Runs the same workloads with and without the live panel, alternating, and reports for
each: elapsed without / with the chart, the CPU time spent drawing as a share of the
run's elapsed time, and frames per second. Targets (issue: the chart costs <= 5 % of the run's elapsed time while
redrawing at least 4 times a second): drawing share <= 5 %, frames/s >= 4.

    python benchmarks/bench_live_chart.py            # prints a table, exits 1 if a target is missed
"""

from __future__ import annotations

import statistics
import sys
import time
from unittest import mock

from helpers import run
from helpers.panel import LivePanel, TASK_KINDS

WORKLOADS = [
    # (task kind, mode, workers, tasks, size)
    ("compute", "threads", 2, 4, 4_000_000),
    ("compute", "processes", 2, 4, 4_000_000),
    ("wait", "threads", 8, 8, 1.0),
]
REPEATS = 5


def main() -> int:
    failed = False
    print(f"{'workload':<34} {'plain s':>8} {'panel s':>8} {'slower':>7} {'drawing':>8} {'frames/s':>9}")
    for kind, mode, workers, tasks, size in WORKLOADS:
        func = TASK_KINDS[kind][0]
        plain, with_panel, shares, rates = [], [], [], []
        for _ in range(REPEATS):
            plain.append(run(func, [size] * tasks, mode=mode, workers=workers).elapsed)
            panel = LivePanel(kind, size=size, tasks=tasks, workers=workers, mode=mode)
            spent = []
            draw = panel._draw

            def timed_draw(result, draw=draw, spent=spent):
                # CPU time of the drawing thread: what the chart takes away from the run.
                # (Wall time would also count waiting for the GIL held by the workers.)
                start = time.thread_time()
                draw(result)
                if result.status == "running":
                    spent.append(time.thread_time() - start)

            panel._draw = timed_draw
            with mock.patch("helpers.panel.display", return_value=mock.Mock()):
                result = panel.run()
            with_panel.append(result.elapsed)
            shares.append(sum(spent) / result.elapsed)
            rates.append(len(spent) / result.elapsed)
        p, w = statistics.median(plain), statistics.median(with_panel)
        share, rate = statistics.median(shares), statistics.median(rates)
        ok = share <= 0.05 and rate >= 4
        failed |= not ok
        label = f"{tasks}×{kind} {size:g} on {workers} {mode}"
        print(f"{label:<34} {p:8.2f} {w:8.2f} {w / p - 1:+7.1%} {share:8.1%} {rate:9.1f} {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

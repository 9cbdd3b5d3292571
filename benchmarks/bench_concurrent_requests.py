"""1 000 simultaneous requests to a local server that waits 1 s per request: asyncio vs 1 000 threads.

Target (issue 13): with asyncio, 1 000 concurrent requests with a 1 s delay finish in <= 1.2 s on 2 cores.
The same with 1 000 threads is reported beside it, time and memory. Best of 3 runs each.

    python benchmarks/bench_concurrent_requests.py             # exits 1 if the target is missed
    python benchmarks/bench_concurrent_requests.py --count 200 --delay 0.5
"""

from __future__ import annotations

import argparse
import sys

from helpers.concurrent_requests import compare_concurrent_requests

TARGET_SECONDS = 1.2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures = compare_concurrent_requests(args.count, args.delay, args.repeats)
    load = "" if figures["load"] is None else f"; load average {figures['load']:.1f} (other programs on the cores)"
    print(f"{args.count} requests at once, each waiting {args.delay:g} s; {figures['cores']} cores; "
          f"{figures['open_files']}; best of {args.repeats}{load}")
    print(f"{'':10} {'elapsed s':>10} {'arrived':>8} {'client CPU s':>13} {'RSS growth MB':>14} {'extra threads':>14}")
    for how in ("asyncio", "threads"):
        run = figures[how]
        print(f"{how:10} {run.elapsed:10.3f} {run.ok:>8} {run.cpu:13.2f} {run.peak_rss_delta / 2**20:14.1f} "
              f"{run.extra_threads:>14}")
    per_thread, per_task = figures["per_thread"], figures["per_task"]
    print(f"memory per waiting thread: {per_thread['rss_each'] / 1024:.1f} KB resident, "
          f"{per_thread['traced_each'] / 1024:.1f} KB Python objects; per waiting task: "
          f"{per_task['rss_each'] / 1024:.1f} KB resident, {per_task['traced_each'] / 1024:.1f} KB Python objects")
    target = TARGET_SECONDS * args.delay
    run = figures["asyncio"]
    ok = run.ok == run.pages and run.elapsed <= target
    print(f"{'PASS' if ok else 'FAIL'}: asyncio {run.elapsed:.3f} s for {run.pages} requests "
          f"(target <= {target:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

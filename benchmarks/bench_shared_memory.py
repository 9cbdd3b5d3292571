"""Shared memory vs Queue for payloads up to 100 MB: the ratio at 100 MB, and the crossover size.

"fresh block": a new multiprocessing.shared_memory block per payload (created, filled, read in place by
the child, unlinked). "reused block": a multiprocessing.Array made once and filled again for each payload.
Each is a best-of-3 round trip with one child process. Passes when shared memory (fresh block) beats the
Queue at the largest size and a crossover size was found.

    python benchmarks/bench_shared_memory.py                 # 1 KB .. 100 MB (needs ~1 GB free memory)
    python benchmarks/bench_shared_memory.py --start-method spawn
"""

from __future__ import annotations

import argparse
import sys

from helpers.data_transfer import FULL_SIZES, MEMORY_FACTOR, available_memory, compare_shared_memory_and_queue
from helpers.data_transfer import human_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start-method", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [s for s in FULL_SIZES if s * MEMORY_FACTOR <= available_memory()]
    figures = compare_shared_memory_and_queue(sizes, args.repeats, args.start_method)
    transfers = figures["transfers"]
    method = transfers["queue"].start_method
    print(f"round trip, best of {args.repeats}, start method {method}")
    print(f"{'size':>8} {'Queue ms':>10} {'fresh shm ms':>13} {'reused shm ms':>14}")
    for i, size in enumerate(sizes):
        print(f"{human_size(size):>8} {transfers['queue'].seconds[i] * 1000:10.3f} "
              f"{transfers['shared_memory'].seconds[i] * 1000:13.3f} {transfers['array'].seconds[i] * 1000:14.3f}")
    largest = human_size(figures["largest"])
    cross = figures["crossover"]
    print(f"at {largest}: shared memory is {figures['ratio_fresh']:.1f}x the Queue's speed with a fresh block, "
          f"{figures['ratio_reused']:.1f}x with a reused block")
    print(f"crossover: a fresh block beats the Queue from {human_size(cross) if cross else 'no measured size'}; "
          f"a reused block from {human_size(figures['crossover_reused']) if figures['crossover_reused'] else 'none'}")
    ok = figures["ratio_fresh"] > 1 and cross is not None
    print(f"{'PASS' if ok else 'FAIL'}: ratio at {largest} {figures['ratio_fresh']:.1f}x, crossover "
          f"{human_size(cross) if cross else 'none'}" + ("" if figures["largest"] == FULL_SIZES[-1] else
                                                          f" (largest size capped by free memory at {largest})"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The build row: this Python's build (GIL or free-threaded) beside the other one, on the same pure-Python work.

:func:`measure_build_row` runs :mod:`helpers.build_workload` in a fresh child of this interpreter and,
where :func:`helpers.free_threading.find_other_build` finds one, of the other build of the same
version (``python3.14t`` beside ``python3.14``, or the reverse): 1, 2 and the usable cores' threads
sharing one fixed amount of work, one thread alone, notebook 11's unlocked counter and memory per
thread. The idle cores are sampled just before and after, since a busy machine hides the speed-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..free_threading import find_other_build, measure_build, parallelism, speedups, thread_counts
from .cores import idle_cores


def measure_build_row(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    counts = thread_counts(plan.usable)
    idle_before = idle_cores()
    note("this build, in a child interpreter")
    builds = [measure_build(None, counts, plan.build_work, plan.build_repeats)]
    other = find_other_build()
    if other is not None:
        note(f"the other build: {other.name}")
        builds.append(measure_build(other.path, counts, plan.build_work, plan.build_repeats))
    idle_after = idle_cores()
    for build in builds:
        build["speedups"] = {str(n): round(x, 3) for n, x in speedups(build).items()}
        build["cpu_per_second_2"] = round(parallelism(build, 2), 3) if "2" in build["cpu"] else None
        build.pop("executable", None)
    builds.sort(key=lambda b: b["free_threaded"])
    return {"builds": builds, "other_found": other is not None, "threads": list(counts),
            "idle_cores_before": idle_before, "idle_cores_after": idle_after}

"""How many cores a run may use, and how many of them were idle: the yardstick of every speed-up.

"Usable cores" is :func:`helpers.engine.machine.usable_cores`, the figure the notebooks use: the
smallest of the machine's cores, the cores this process may be scheduled on, and its
container's CPU quota, rounded up. That is what the process could use on an idle machine. On a busy machine other
programs take part of those cores; :func:`idle_cores` measures how many were idle during
a short sample, and the report shows both so that a missed budget on a busy machine is
read as such.
"""

from __future__ import annotations

import os
import platform
import sysconfig
from typing import Any


from ..engine.config import available_start_methods, gil_enabled, resolve_start_method
from ..engine.machine import cpu_quota, idle_cores, schedulable_cores, usable_cores  # noqa: F401 (re-exported)

def describe_cores(usable: int, idle_before: float | None, idle_after: float | None) -> str:
    """One sentence: what "usable cores" means in this run, and whether the machine looked busy."""
    quota = cpu_quota()
    limits = f"{os.cpu_count()} on the machine, {schedulable_cores()} this process may run on, " + (
        f"CPU quota {quota:g}" if quota is not None else "no CPU quota")
    text = f"usable cores = {usable} ({limits})"
    idle = [x for x in (idle_before, idle_after) if x is not None]
    if idle:
        text += f"; idle before/after the run: {' / '.join(f'{x:g}' for x in idle)}"
        if min(idle) < usable - 0.5:
            text += " — the machine was busy: speed-ups are judged against cores others were using; re-run when idle"
    return text


def machine_stamp(usable: int, idle_before: float | None, idle_after: float | None,
                  label: str | None = None) -> dict[str, Any]:
    """The facts a result depends on, for the JSON file, the tables and the report's header."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {
        "label": label or f"{os.cpu_count()}-core {platform.machine()}",
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "cpu_count": os.cpu_count(),
        "scheduler_cores": schedulable_cores(),
        "cpu_quota": cpu_quota(),
        "usable_cores": usable,
        "idle_cores_before": idle_before,
        "idle_cores_after": idle_after,
        "cores_sentence": describe_cores(usable, idle_before, idle_after),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "free_threaded": free_threaded,
        "gil_enabled": gil_enabled(),
        "start_method": resolve_start_method(),
        "start_methods": available_start_methods(),
    }

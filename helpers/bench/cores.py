"""How many cores a run may use, and how many of them were idle: the yardstick of every speed-up.

"Usable cores" here is the smallest of three limits: the cores of the machine, the cores
this process may be scheduled on (affinity, ``os.process_cpu_count`` on 3.13+), and the
CPU quota of its container (cgroup ``cpu.max`` or ``cpu.cfs_quota_us``), rounded up. That
is what the process could use on an otherwise idle machine. On a busy machine other
programs take part of those cores; :func:`idle_cores` measures how many were idle during
a short sample, and the report shows both so that a missed budget on a busy machine is
read as such.
"""

from __future__ import annotations

import math
import os
import platform
import sysconfig
from pathlib import Path
from typing import Any

import psutil

from ..config import available_start_methods, gil_enabled, resolve_start_method
from ..machine import usable_cores as scheduler_cores

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cpu_quota(root: Path = CGROUP_ROOT) -> float | None:
    """The container's CPU quota in cores (``1.5`` = one and a half), or ``None`` if unlimited or unknown."""
    try:
        text = (root / "cpu.max").read_text().split()  # cgroup v2: "max 100000" or "150000 100000"
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
        if text:
            return None
    except (OSError, ValueError, IndexError):
        pass
    try:  # cgroup v1
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def usable_cores(quota: float | None = None) -> int:
    """Cores this process may use on an idle machine: affinity and CPU quota (rounded up) both honoured."""
    cores = scheduler_cores()
    quota = cpu_quota() if quota is None else quota
    if quota is not None:
        cores = min(cores, max(1, math.ceil(quota)))
    return cores


def idle_cores(sample: float = 0.5) -> float:
    """How many of the usable cores were idle during a ``sample``-second look (busy machines show less)."""
    busy = psutil.cpu_percent(interval=sample, percpu=True)
    if hasattr(os, "sched_getaffinity"):  # only the cores this process may run on
        allowed = os.sched_getaffinity(0)
        busy = [b for cpu, b in enumerate(busy) if cpu in allowed] or busy
    idle = sum(100.0 - b for b in busy) / 100.0
    return round(min(float(usable_cores()), idle), 2)


def describe_cores(usable: int, idle_before: float | None, idle_after: float | None) -> str:
    """One sentence: what "usable cores" means in this run, and whether the machine looked busy."""
    quota = cpu_quota()
    limits = f"{os.cpu_count()} on the machine, {scheduler_cores()} this process may run on, " + (
        f"CPU quota {quota:g}" if quota is not None else "no CPU quota")
    text = f"usable cores = {usable} ({limits})"
    idle = [x for x in (idle_before, idle_after) if x is not None]
    if idle:
        text += f"; idle before/after the run: {' / '.join(f'{x:g}' for x in (idle_before, idle_after) if x is not None)}"
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
        "scheduler_cores": scheduler_cores(),
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

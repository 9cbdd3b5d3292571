"""What this machine is: the facts every measurement in the course depends on."""

from __future__ import annotations

import math
import multiprocessing
import os
import platform
import sys
import sysconfig
from pathlib import Path
from typing import Any

from .config import (START_METHOD_ENV, TIME_SCALE_ENV, gil_enabled, platform_start_method, resolve_start_method,
                     time_scale)


#: Where Linux mounts the cgroup file system; tests point :func:`usable_cores` at a fake one.
CGROUP_ROOT = Path("/sys/fs/cgroup")
#: Which cgroup this process belongs to, one line per hierarchy (``ID:controllers:path``).
SELF_CGROUP = Path("/proc/self/cgroup")
#: cgroup v1 folder names that hold the ``cpu`` controller, as distributions mount it.
_V1_CPU_FOLDERS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _own_and_parents(root: Path, inside: str) -> list[Path]:
    """``root/inside`` and each folder above it up to ``root``: a parent's limit binds its children."""
    folder = root / inside.strip("/")
    folders = [folder, *folder.parents]
    return [f for f in folders if f == root or root in f.parents]


def _quota_v2(folder: Path) -> float | None:
    text = _read(folder / "cpu.max")  # "max 100000" (no limit) or "150000 100000" (1.5 CPUs)
    if not text:
        return None
    quota, _, period = text.partition(" ")
    try:
        return int(quota) / int(period or 100000) if quota != "max" else None
    except (ValueError, ZeroDivisionError):
        return None


def _quota_v1(folder: Path) -> float | None:
    quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    try:  # quota -1 means no limit
        return int(quota) / int(period) if quota and period and int(quota) > 0 else None
    except (ValueError, ZeroDivisionError):
        return None


def cpu_quota(cgroup_root: Path | str = CGROUP_ROOT, self_cgroup: Path | str = SELF_CGROUP) -> float | None:
    """The CPU time this process's cgroup may use, in CPUs (1.5 = one and a half), or None if unlimited.

    This is how Docker ``--cpus``, Kubernetes CPU limits and Binder cap a container: the
    quota is invisible to ``os.cpu_count()``, ``os.process_cpu_count()`` and the affinity
    mask, which still count every core of the host. Reads cgroup v2 ``cpu.max`` or v1
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` for this process's cgroup and every cgroup
    above it (the smallest quota wins). Not Linux, or no cgroup file system: None.
    """
    root = Path(cgroup_root)
    membership = _read(Path(self_cgroup)) or ""
    quotas: list[float] = []
    for line in membership.splitlines():
        _, controllers, inside = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":  # cgroup v2: one unified hierarchy
            folders = _own_and_parents(root, inside)
            quotas += [q for q in map(_quota_v2, folders) if q is not None]
        elif "cpu" in controllers.split(","):
            for name in _V1_CPU_FOLDERS:
                if (root / name).is_dir():
                    folders = _own_and_parents(root / name, inside)
                    quotas += [q for q in map(_quota_v1, folders) if q is not None]
                    break
    return min(quotas) if quotas else None


def schedulable_cores() -> int:
    """The cores the scheduler lets this process run on, before any CPU quota.

    ``os.process_cpu_count()`` on 3.13+ (the affinity mask, and ``-X cpu_count``), else the
    affinity mask, else ``os.cpu_count()``.
    """
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def usable_cores(cgroup_root: Path | str = CGROUP_ROOT, self_cgroup: Path | str = SELF_CGROUP) -> int:
    """How many cores this process can keep busy at once: the figure every notebook and the panel use.

    The smallest of: the cores the scheduler lets this process run on (``os.process_cpu_count()``
    on 3.13+, else the affinity mask, else ``os.cpu_count()``), and the cgroup CPU quota
    rounded up (a quota of 1.5 CPUs still lets two threads run at the same moment). At least 1.
    """
    cores = schedulable_cores()
    quota = cpu_quota(cgroup_root, self_cgroup)
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def idle_cores(sample: float = 0.5) -> float:
    """How many of the usable cores were idle during a ``sample``-second look (busy machines show less).

    Used by ``helpers.bench`` and by :mod:`helpers.engine.verdict` (before each judged measurement).
    """
    import psutil  # a dependency of the course; imported here so that a child process never pays for it

    busy = psutil.cpu_percent(interval=sample, percpu=True)
    if hasattr(os, "sched_getaffinity"):  # only the cores this process may run on
        allowed = os.sched_getaffinity(0)
        busy = [b for cpu, b in enumerate(busy) if cpu in allowed] or busy
    idle = sum(100.0 - b for b in busy) / 100.0
    return round(min(float(usable_cores()), idle), 2)


def start_method_reason() -> tuple[str, str]:
    """The start method the course will use here, and why, in words.

    Raises ``ValueError`` when ``$COURSE_START_METHOD`` names a method this platform lacks.
    """
    method = resolve_start_method()
    if os.environ.get(START_METHOD_ENV):
        return method, f"{START_METHOD_ENV}={method} asks for it"
    default = multiprocessing.get_all_start_methods()[0]  # the platform's default comes first
    if method != default:
        return method, f"this program chose it with multiprocessing.set_start_method (the default here is {default})"
    if sys.platform == "win32":
        return method, "it is the only start method on Windows"
    if sys.platform == "darwin":
        return method, "it is the default on macOS"
    if method == "forkserver":
        return method, "it is the default on Linux from Python 3.14"
    if method == "fork":
        return method, "it is the default on Linux up to Python 3.13 (3.14 and later use forkserver)"
    return method, f"it is the default on {sys.platform}"


def importable(module: str) -> bool:
    """True when ``module`` imports in this Python: an optional package (bokeh, cryptography) is there and works."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def machine_info() -> dict[str, Any]:
    """A dict of the facts: cores, Python, implementation, OS, start methods, GIL."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {
        "CPU cores (os.cpu_count)": os.cpu_count(),
        "cores this kernel may use": usable_cores(),
        "CPU quota (cgroup)": _quota_text(cpu_quota()),
        "Python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "operating system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "platform's default start method": platform_start_method(),
        "start method the course uses": "{} ({})".format(*start_method_reason()),
        "free-threaded build": free_threaded,
        "GIL enabled": gil_enabled(),
        "pause scale": time_scale() if os.environ.get(TIME_SCALE_ENV) else "1 (real seconds)",
        "executable": os.path.basename(sys.executable),
    }


def _quota_text(quota: float | None) -> str:
    return "none" if quota is None else f"{quota:g} CPUs"


class InfoTable:
    """A two-column table that shows as HTML in a notebook and as text elsewhere."""

    def __init__(self, rows: dict[str, Any]) -> None:
        self.rows = rows

    def _repr_html_(self) -> str:
        from html import escape

        body = "".join(f"<tr><th style='text-align:left'>{escape(str(k))}</th>"
                       f"<td style='text-align:left'>{escape(str(v))}</td></tr>" for k, v in self.rows.items())
        return f"<table>{body}</table>"

    def __repr__(self) -> str:
        width = max(len(k) for k in self.rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows.items())


def show_machine() -> InfoTable:
    return InfoTable(machine_info())

"""What this machine is: the facts every measurement in the course depends on."""

from __future__ import annotations

import os
import platform
import sys
import sysconfig
from typing import Any

from .config import START_METHOD_ENV, TIME_SCALE_ENV, gil_enabled, platform_start_method, resolve_start_method, time_scale


def usable_cores() -> int:
    """Cores this process may run on (container and affinity limits included)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_info() -> dict[str, Any]:
    """A dict of the facts: cores, Python, implementation, OS, start methods, GIL."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {
        "CPU cores (os.cpu_count)": os.cpu_count(),
        "cores this kernel may use": usable_cores(),
        "Python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "operating system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "platform's default start method": platform_start_method(),
        "start method the course uses": resolve_start_method()
        + (f" (set by {START_METHOD_ENV})" if os.environ.get(START_METHOD_ENV) else " (the default)"),
        "free-threaded build": free_threaded,
        "GIL enabled": gil_enabled(),
        "pause scale": time_scale() if os.environ.get(TIME_SCALE_ENV) else "1 (real seconds)",
        "executable": os.path.basename(sys.executable),
    }


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

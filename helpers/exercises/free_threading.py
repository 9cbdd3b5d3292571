"""Checker for the free-threaded Python notebook: tell the build from the state of the GIL.

The learner writes ``describe_python()``, returning ``{"free_threaded_build": bool,
"gil_enabled": bool}`` for the Python it runs in. A function that only returns this machine's
answer would pass on this machine, so the checker also calls it inside four simulated Pythons:
it sets, for the duration of one call, what ``sys._is_gil_enabled`` and
``sysconfig.get_config_var("Py_GIL_DISABLED")`` report, exactly as each Python would. The
learner's function must read both, at call time, and survive a Python (3.12 and earlier) that
has no ``sys._is_gil_enabled``.
"""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..free_threading import gil_status
from .base import NOT_ANSWERED, Verdict, report, unanswered

_MISSING = object()

#: (description, what sys._is_gil_enabled returns or _MISSING, Py_GIL_DISABLED, the right answer)
SIMULATED_PYTHONS: list[tuple[str, Any, Any, dict[str, bool]]] = [
    ("Python 3.12 (no sys._is_gil_enabled at all)", _MISSING, None,
     {"free_threaded_build": False, "gil_enabled": True}),
    ("standard Python 3.14", True, 0, {"free_threaded_build": False, "gil_enabled": True}),
    ("free-threaded Python 3.14t, GIL off", False, 1, {"free_threaded_build": True, "gil_enabled": False}),
    ("free-threaded Python 3.14t after an extension turned the GIL back on", True, 1,
     {"free_threaded_build": True, "gil_enabled": True}),
]

_HINTS = {
    "free_threaded_build": "The build is a compile-time fact: sysconfig.get_config_var('Py_GIL_DISABLED') "
                           "(1 on a free-threaded build; 0 or None otherwise).",
    "gil_enabled": "Whether the GIL is on now is a run-time fact: sys._is_gil_enabled(), which a "
                   "free-threaded build answers True after importing an extension that needs the GIL.",
}


@contextmanager
def _simulated(gil: Any, disabled: Any) -> Iterator[None]:
    """For one call: ``sys._is_gil_enabled`` and ``Py_GIL_DISABLED`` as another Python has them."""
    saved_check = getattr(sys, "_is_gil_enabled", _MISSING)
    saved_get = sysconfig.get_config_var

    def get_config_var(name: str) -> Any:
        return disabled if name == "Py_GIL_DISABLED" else saved_get(name)

    try:
        if gil is _MISSING:
            if saved_check is not _MISSING:
                del sys._is_gil_enabled  # type: ignore[attr-defined]  # 3.13+ (checked as 3.10)
        else:
            sys._is_gil_enabled = lambda: gil  # type: ignore[attr-defined]
        sysconfig.get_config_var = get_config_var
        yield
    finally:
        sysconfig.get_config_var = saved_get
        if saved_check is _MISSING:
            if hasattr(sys, "_is_gil_enabled"):
                del sys._is_gil_enabled
        else:
            sys._is_gil_enabled = saved_check  # type: ignore[attr-defined]


def _answer(describe: Callable[[], Any]) -> dict[str, Any]:
    value = describe()
    if not isinstance(value, dict) or set(value) != {"free_threaded_build", "gil_enabled"}:
        raise TypeError(f"returned {value!r:.80}, not a dict with the keys 'free_threaded_build' and "
                        "'gil_enabled'")
    return value


def check_gil_report(describe_python: Any) -> Verdict:
    """Call ``describe_python()`` here and in four simulated Pythons; compare with the truth."""
    if unanswered(describe_python):
        return report(False, NOT_ANSWERED)
    if not callable(describe_python):
        return report(False, f"describe_python should be a function, not {type(describe_python).__name__}.",
                      "Define it with def describe_python(): ... and run the cell.")
    here = gil_status()
    truth_here = {"free_threaded_build": here.free_threaded_build, "gil_enabled": here.gil_enabled}
    worlds = [("this kernel's Python", None, None, truth_here), *SIMULATED_PYTHONS]
    for name, gil, disabled, truth in worlds:
        try:
            if gil is None:
                said = _answer(describe_python)
            else:
                with _simulated(gil, disabled):
                    said = _answer(describe_python)
        except AttributeError as exc:
            return report(False, f"in {name}, describe_python() raised AttributeError: {exc}.",
                          "Before 3.13, sys has no _is_gil_enabled (and the GIL is always on): "
                          "getattr(sys, '_is_gil_enabled', lambda: True)().")
        except Exception as exc:
            return report(False, f"in {name}, describe_python() {exc}" if isinstance(exc, TypeError)
                          else f"in {name}, describe_python() raised {type(exc).__name__}: {exc}",
                          "Return {'free_threaded_build': ..., 'gil_enabled': ...} with True or False in each.")
        for key in ("free_threaded_build", "gil_enabled"):
            if not isinstance(said[key], bool):
                return report(False, f"in {name}, {key} was {said[key]!r}, not True or False.",
                              "Wrap the value in bool(...): Py_GIL_DISABLED is 1, 0 or None.")
            if said[key] != truth[key]:
                return report(False, f"in {name}, describe_python() said {key}={said[key]}, but it is "
                              f"{truth[key]} there.", _HINTS[key])
    return report(True, f"right in this kernel ({here}) and in the {len(SIMULATED_PYTHONS)} simulated Pythons: "
                  "3.12, standard 3.14, 3.14t with the GIL off, and 3.14t with the GIL turned back on.")

"""Bad input gets one clear line before anything starts: the course's argument checks, in one place.

Every public function and widget a notebook uses checks its arguments with these before it starts a
thread, a process or a server. Each raises an error that names the argument, the allowed range and
what was given. A wrong *type* raises :class:`WrongType`, which is both a ``TypeError`` (what Python
itself raises) and a ``ValueError`` (what the course's functions have always documented), so either
``except`` catches it.

``bool`` is never a number here (``True`` is an ``int`` to Python, but ``workers=True`` is a mistake),
and NaN and the infinities are never in range.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any


class WrongType(TypeError, ValueError):
    """An argument of the wrong type (a ``TypeError`` and, for the course's older callers, a ``ValueError``)."""


def whole_number(value: Any, name: str, low: int, high: int | None = None) -> int:
    """``value`` if it is an ``int`` (not a bool) from ``low`` to ``high`` (inclusive; None: no upper end)."""
    allowed = f"a whole number from {low:,} to {high:,}" if high is not None else f"a whole number of at least {low:,}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(f"{name} must be {allowed}; you gave {value!r}.")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}; you gave {value!r}.")
    return value


def number(value: Any, name: str, low: float, high: float, *, low_open: bool = False, unit: str = "") -> float:
    """``value`` as a float if it is a finite real number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    unit = f" {unit}" if unit else ""
    allowed = (f"a number above {low:g} and at most {high:g}{unit}" if low_open
               else f"a number from {low:g} to {high:g}{unit}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WrongType(f"{name} must be {allowed}; you gave {value!r}.")
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        raise ValueError(f"{name} must be {allowed}; you gave {value!r}.")
    return float(value)


def seconds(value: Any, name: str = "timeout", high: float = 3600.0, *, zero: bool = False) -> float:
    """A duration in seconds: finite, more than 0 (or 0 too, with ``zero``) and at most ``high``."""
    return number(value, name, 0.0, high, low_open=not zero, unit="seconds")


def function(value: Any, name: str = "func") -> Callable[..., Any]:
    """``value`` if it can be called (pass the function itself, not its result)."""
    if not callable(value):
        raise WrongType(f"{name} must be a function (pass it without parentheses); you gave {value!r}.")
    return value


def items(values: Any, name: str, most: int, least: int = 1) -> list[Any]:
    """The first items of ``values`` as a list, if there are ``least`` to ``most`` of them.

    Reads at most ``most + 1`` items, so an endless iterator (``itertools.count()``) is refused
    at once instead of filling the memory.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise WrongType(f"{name} must be a list (or other iterable) of {least} to {most:,} items; you gave "
                        f"{type(values).__name__} {values!r:.60}.")
    taken = list(itertools.islice(values, most + 1))
    if len(taken) > most:
        raise ValueError(f"{name} must have {least} to {most:,} items; you gave more than {most:,}.")
    if len(taken) < least:
        raise ValueError(f"{name} must have {least} to {most:,} items; you gave {len(taken)}.")
    return taken

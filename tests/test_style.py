"""helpers.charts.style: one palette and one way to write a duration, used by every chart and message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.charts.style import MODE_COLOURS, SERIES_COLOURS, format_duration, series_colour

HELPERS = Path(__file__).resolve().parent.parent / "helpers"


@pytest.mark.parametrize(("seconds", "text"), [
    (0.0021, "2.1 ms"), (0.05, "50 ms"), (0.7, "700 ms"), (1.0, "1 s"), (1.234, "1.23 s"), (12.0, "12 s"),
])
def test_durations_are_written_as_people_say_them(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_series_colours_cycle() -> None:
    assert series_colour(0) == SERIES_COLOURS[0] and series_colour(len(SERIES_COLOURS)) == SERIES_COLOURS[0]
    assert set(MODE_COLOURS) == {"sequential", "threads", "processes", "interpreters"}


@pytest.mark.parametrize("module", sorted(str(p.relative_to(HELPERS)) for p in HELPERS.rglob("*.py")
                                         if p.name != "style.py"))
def test_no_chart_or_message_module_keeps_its_own_colours(module: str) -> None:
    source = (HELPERS / module).read_text(encoding="utf-8")
    assert not re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", source), f"{module}: use helpers.charts.style"

"""The stamp: whose machine measured a page's figures, and how busy it was, on the page and in the PDF footers."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

STAMP_TAG = "handout-stamp"


@dataclass
class Stamp:
    """When and where the handouts were measured, from :func:`helpers.engine.machine.machine_info`."""

    when: dt.datetime
    info: dict[str, Any]
    panel_seconds: str = ""  # $COURSE_PANEL_SECONDS: how long the panels' own runs were sized to last

    @classmethod
    def now(cls) -> Stamp:
        from helpers.engine.config import PANEL_SECONDS_ENV
        from helpers.engine.machine import machine_info

        return cls(dt.datetime.now(dt.timezone.utc).replace(microsecond=0), machine_info(),
                   os.environ.get(PANEL_SECONDS_ENV, "").strip())

    def _get(self, key: str, default: Any = "?") -> Any:
        return self.info.get(key, default)

    @property
    def date(self) -> str:
        return self.when.strftime("%Y-%m-%d %H:%M UTC")

    def line(self, with_date: bool = True) -> str:
        """Everything a reader needs to judge the figures, on one line."""
        cores = self._get("CPU cores (os.cpu_count)")
        usable = self._get("cores this kernel may use", cores)
        core_text = f"{cores} CPU cores" + (f" ({usable} usable)" if usable != cores else "")
        gil = "GIL enabled" if self._get("GIL enabled", True) else "no GIL (free-threaded)"
        scale = self._get("pause scale", 1)
        pauses = "real pauses" if str(scale).startswith("1 ") else f"pauses scaled ×{scale} (COURSE_TIME_SCALE)"
        panels = f" · control panels' runs sized to about {self.panel_seconds} s" if self.panel_seconds else ""
        return ((f"{self.date} · " if with_date else "") + f"{self._get('operating system')} · {core_text} · "
                f"Python {self._get('Python')} ({self._get('implementation')}) · "
                f"start method {self._get('start method the course uses')} · {gil} · {pauses}{panels}")

    def short(self) -> str:
        """The page footer of the PDFs."""
        method = str(self._get("start method the course uses")).split(" ")[0]
        scale = self._get("pause scale", 1)
        pauses = "" if str(scale).startswith("1 ") else f" · pauses ×{scale}"
        return (f"Measured {self.when:%Y-%m-%d} on {self._get('CPU cores (os.cpu_count)')} CPU cores · "
                f"Python {self._get('Python')} · start method {method}{pauses}")


def _cores(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def load_note(seen: Any) -> str:
    """How busy the machine was while one notebook ran (a :class:`helpers.engine.verdict.MachineSeen`), in words."""
    if seen is None or seen.idle is None:
        return ""
    if seen.busy:
        return (f"**The machine was busy**: other programs left {seen.idle:.1f} of {seen.usable} usable cores idle "
                f"(sampled before / during the run: {_cores(seen.idle_before)} / {_cores(seen.idle_during)}), "
                "so figures that need free cores (speed-ups) understate what this machine does when idle; the page's "
                "verdicts say what this run could and could not show.")
    return f"The machine was otherwise idle ({seen.idle:.1f} of {seen.usable} usable cores idle during the run)."


def add_stamp(nb: Any, stamp: Stamp, seconds: float, when: dt.datetime, seen: Any = None) -> None:
    """Put the stamp right under the notebook's title (as a tagged Markdown cell).

    ``seen``: how busy the machine was while the notebook ran (:class:`helpers.engine.verdict.MachineSeen`,
    from a :class:`helpers.engine.verdict.Watch` around :func:`.execution.execute`); a busy run says so on the page.
    """
    import nbformat

    note = load_note(seen)
    cell = nbformat.v4.new_markdown_cell(
        f"**Measured on the build machine.** Executed {when:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s on: "
        f"{stamp.line(with_date=False)}. Every figure and table on this page comes from that run; run the notebook "
        "to measure your own machine." + (f" {note}" if note else ""))
    cell.metadata["tags"] = [STAMP_TAG]
    nb.cells.insert(1 if nb.cells else 0, cell)


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

"""What every part of the handouts build shares: where the course and the templates are, its error, its log line."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "tools" / "handout_templates"


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do."""


def log(message: str) -> None:
    print(message, flush=True)

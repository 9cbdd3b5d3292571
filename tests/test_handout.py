"""helpers.handout: a notebook hands its figures to the handouts' cheat sheet, and only when asked."""

from __future__ import annotations

import json

import pytest

from helpers.handout import FIGURES_ENV, FIGURES_FILE, record_figures, recorded_figures


def test_nothing_is_written_outside_a_handouts_build(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(FIGURES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert record_figures(io_speedup=2.9) is None
    assert list(tmp_path.iterdir()) == [] and capsys.readouterr() == ("", "")


def test_a_build_gets_exactly_the_figures_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv(FIGURES_ENV, str(tmp_path / "figures"))
    record_figures(method="spawn", cores=2, gil=True, io_speedup=2.91)
    assert json.loads((tmp_path / "figures" / FIGURES_FILE).read_text()) == \
        {"method": "spawn", "cores": 2, "gil": True, "io_speedup": 2.91}
    assert recorded_figures(tmp_path / "figures")["io_speedup"] == 2.91
    assert recorded_figures(tmp_path / "elsewhere") is None


@pytest.mark.parametrize("figures", [{}, {"run": object()}, {"speedup": float("nan")}, {"seen": [1, 2]}])
def test_anything_but_plain_figures_is_a_value_error_before_writing(tmp_path, monkeypatch, figures):
    monkeypatch.setenv(FIGURES_ENV, str(tmp_path))
    with pytest.raises(ValueError):
        record_figures(**figures)
    assert not (tmp_path / FIGURES_FILE).exists()

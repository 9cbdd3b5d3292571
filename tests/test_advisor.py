"""helpers.advisor: recommend() is deterministic, covers every kind of job, refuses nonsense;
the reference table shows the article's rows with the measured figures under them."""

from __future__ import annotations

import itertools

import pytest

from helpers.advisor import (
    DEFAULT_PROCESS_START, PAYOFF, REFERENCE_ROWS, TOOLS, Recommendation, advisor_panel, recommend,
    reference_table,
)


@pytest.mark.parametrize(("job", "tool"), [
    (dict(waiting=True, computing=False), "threads"),
    (dict(waiting=False, computing=True, task_seconds=2.0), "processes"),
    (dict(waiting=True, computing=True, task_seconds=2.0), "both"),
    (dict(waiting=False, computing=False), "sequential"),
    # the article's heavy_math sizes: milliseconds, far less than starting a process
    (dict(waiting=False, computing=True, task_seconds=0.002, tasks=3), "sequential"),
    # waiting plus a little computing: not worth a process, threads overlap the waits
    (dict(waiting=True, computing=True, task_seconds=0.01), "threads"),
    # a single task never runs beside anything
    (dict(waiting=True, computing=True, task_seconds=10.0, tasks=1), "sequential"),
])
def test_recommends_the_tool_the_course_measured(job: dict, tool: str) -> None:
    assert recommend(**job).tool == tool


def test_process_start_cost_moves_the_threshold() -> None:
    task = 0.2
    cheap = recommend(waiting=False, computing=True, task_seconds=task, process_start=task / (PAYOFF * 2))
    dear = recommend(waiting=False, computing=True, task_seconds=task, process_start=task / (PAYOFF / 2))
    assert (cheap.tool, dear.tool) == ("processes", "sequential")
    assert "starting a process costs" in dear.reason


def test_every_answer_is_a_known_tool_with_all_parts_and_is_deterministic() -> None:
    for waiting, computing, share, seconds, tasks in itertools.product(
            (True, False), (True, False), (True, False), (0.001, 0.1, 1.0, 30.0), (1, 2, 16)):
        kwargs = dict(waiting=waiting, computing=computing, share_data=share, task_seconds=seconds, tasks=tasks)
        first, again = recommend(**kwargs), recommend(**kwargs)
        assert first == again
        assert first.tool in TOOLS and first.reason and first.start_with and first.share_with
        assert str(first).startswith(f"→ {first.tool}: ")


def test_sharing_changes_how_to_share_not_what_to_use() -> None:
    for tool_job in (dict(waiting=True, computing=False), dict(waiting=False, computing=True, task_seconds=5.0)):
        private = recommend(share_data=False, **tool_job)
        shared = recommend(share_data=True, **tool_job)
        assert private.tool == shared.tool and private.share_with != shared.share_with
    assert "Lock" in recommend(waiting=True, computing=False, share_data=True).share_with
    assert "Manager" in recommend(waiting=False, computing=True, share_data=True, task_seconds=5.0).share_with


@pytest.mark.parametrize("bad", [
    dict(waiting="yes", computing=False),
    dict(waiting=True, computing=1),
    dict(waiting=True, computing=False, share_data=None),
    dict(waiting=True, computing=False, task_seconds=0),
    dict(waiting=True, computing=False, task_seconds=-1.0),
    dict(waiting=True, computing=False, task_seconds="1"),
    dict(waiting=True, computing=False, task_seconds=True),
    dict(waiting=True, computing=False, tasks=0),
    dict(waiting=True, computing=False, tasks=2.5),
    dict(waiting=True, computing=False, process_start=0),
])
def test_nonsense_raises_value_error(bad: dict) -> None:
    with pytest.raises(ValueError):
        recommend(**bad)


def test_recommendation_is_immutable() -> None:
    advice = recommend(waiting=True, computing=False)
    assert isinstance(advice, Recommendation)
    with pytest.raises(AttributeError):
        advice.tool = "processes"  # type: ignore[misc]


def test_default_process_start_is_between_fork_and_spawn() -> None:
    assert 0.005 <= DEFAULT_PROCESS_START <= 0.2


def test_reference_table_has_the_articles_five_rows_with_figures() -> None:
    table = reference_table({"Memory": ("5 seen", "0 seen"), "Parallelism": ("×1.0", "×1.9 <2 cores>")})
    assert [row[0] for row in table.rows()] == ["Memory", "Use case", "Start with", "Data sharing", "Parallelism"]
    assert list(REFERENCE_ROWS) == [row[0] for row in table.rows()]
    html = table._repr_html_()
    assert html.count("<tr>") == 6 and "measured: 5 seen" in html and "threading.Thread" in html
    assert "&lt;2 cores&gt;" in html  # figures are escaped
    text = repr(table)
    assert "[measured: 0 seen]" in text and "multiprocessing.Process" in text
    # a row without a figure shows only the claim
    assert "measured" not in table.rows()[2][2]


def test_reference_table_refuses_unknown_rows() -> None:
    with pytest.raises(ValueError, match="unknown row"):
        reference_table({"Speed": ("fast", "faster")})


def test_advisor_panel_follows_its_controls() -> None:
    panel = advisor_panel(process_start=0.05, gil=True)  # the GIL world; without one: the test below
    checkboxes = panel.children[0].children
    sliders = panel.children[1].children
    advice = panel.children[2]
    assert advice.value.startswith("<b>threads</b>")
    checkboxes[0].value, checkboxes[1].value = False, True  # computing only
    sliders[0].value = 10.0
    assert advice.value.startswith("<b>processes</b>")
    sliders[1].value = 1
    assert advice.value.startswith("<b>sequential</b>")


def test_advisor_panel_follows_this_pythons_gil_by_default(monkeypatch) -> None:
    from helpers import config

    for gil, tool in ((True, "processes"), (False, "threads")):
        monkeypatch.setattr(config, "gil_enabled", lambda gil=gil: gil)
        panel = advisor_panel(process_start=0.05)
        panel.children[0].children[0].value, panel.children[0].children[1].value = False, True
        panel.children[1].children[0].value = 10.0
        assert panel.children[2].value.startswith(f"<b>{tool}</b>")


def test_advisor_panel_says_in_html_what_it_shows_for_pages_without_widgets() -> None:
    panel = advisor_panel(process_start=0.05)
    panel.children[0].children[1].value = True  # computing too
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab still gets the live widget
    shown = bundle["text/html"]
    assert "☑ the tasks wait" in shown and "☑ the tasks compute" in shown and "☐ the workers must share" in shown
    assert "one task takes (s): <b>1</b>" in shown and "number of tasks: <b>8</b>" in shown
    assert panel.children[2].value in shown
    # Plain text says the same words, never the widget's repr ("AdvisorBox(children=(HBox(...").
    plain = bundle["text/plain"]
    assert "☑ the tasks wait" in plain and "children=" not in plain and "<" not in plain

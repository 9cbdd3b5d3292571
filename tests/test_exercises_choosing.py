"""helpers.exercises.choosing: each job's tool compared with helpers.advisor.recommend."""

from __future__ import annotations

import pytest
from exercise_conditions import refused

from helpers.exercises.choosing import JOBS, check_job_choices

RIGHT = {"pages": "threads", "photos": "processes", "uploads": "both", "sums": "sequential"}
#: What the advisor says on a free-threaded build (no GIL): threads compute in parallel too.
RIGHT_WITHOUT_GIL = {"pages": "threads", "photos": "threads", "uploads": "threads", "sums": "threads"}


@pytest.fixture
def gil(monkeypatch):
    """Simulates the build: gil(True) a GIL build, gil(False) a free-threaded one (3.14t)."""
    def set_to(on: bool) -> None:
        monkeypatch.setattr("helpers.engine.config.gil_enabled", lambda: on)
    return set_to


def test_the_solution_passes_and_aliases_are_understood() -> None:
    assert check_job_choices(RIGHT)
    assert check_job_choices({"pages": "Threading", "photos": "multiprocessing", "uploads": "processes with threads",
                              "sums": "loop"})


@pytest.mark.parametrize(("answer", "fragments"), [
    (dict.fromkeys(JOBS, "threads"), ["1 of 4 right", "photos: you said 'threads'; recommended processes"]),
    (dict.fromkeys(JOBS, "processes"), ["sums: you said 'processes'; recommended sequential"]),
    ({**RIGHT, "uploads": "threads"}, ["3 of 4 right", "uploads"]),
    ({**RIGHT, "pages": "processes", "photos": "threads"}, ["2 of 4 right", "pages", "photos"]),
])
def test_wrong_choices_name_each_job_and_why(answer, fragments, gil) -> None:
    gil(True)
    refused(check_job_choices(answer), *fragments)


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "still `...`"),
    ({"pages": "...", "photos": "...", "uploads": "...", "sums": "..."}, "Not answered yet for pages, photos"),
    ({**RIGHT, "sums": ...}, "Not answered yet for sums"),
    ({"pages": "threads"}, "No answer yet for photos"),
    (["threads"], "not list"),
])
def test_unanswered_and_malformed(answer, fragment) -> None:
    refused(check_job_choices(answer), fragment)


def test_every_job_has_a_description_and_a_valid_description_for_the_advisor() -> None:
    from helpers.advisor import recommend

    assert set(JOBS) == set(RIGHT)
    assert all(isinstance(what, str) and what and recommend(**job).tool in RIGHT.values()
               for what, job in JOBS.values())


def test_threads_for_computing_are_right_without_a_gil(gil, capsys) -> None:
    # Before the fix: ✘ "photos: you said 'threads'; recommended processes" on 3.14t, where threads compute at once.
    gil(False)
    assert check_job_choices(RIGHT_WITHOUT_GIL)
    out = capsys.readouterr().out
    assert "no GIL" in out and "threads for photos" in out, out
    assert check_job_choices(RIGHT)  # processes still use every core without a GIL


@pytest.mark.parametrize(("answer", "fragments"), [
    ({**RIGHT, "pages": "processes"}, ["3 of 4 right", "pages: you said 'processes'"]),
    ({**RIGHT_WITHOUT_GIL, "sums": "processes"}, ["3 of 4 right", "sums", "or sequential, as with a GIL"]),
    ({**RIGHT, "uploads": "sequential"}, ["uploads"]),
])
def test_wrong_choices_are_refused_without_a_gil(answer, fragments, gil) -> None:
    gil(False)
    refused(check_job_choices(answer), *fragments)


def test_the_running_build_decides() -> None:
    from helpers.engine.config import gil_enabled

    assert check_job_choices(RIGHT)
    assert bool(check_job_choices(RIGHT_WITHOUT_GIL)) is (not gil_enabled())

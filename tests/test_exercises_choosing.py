"""helpers.exercises.choosing: each job's tool compared with helpers.advisor.recommend."""

from __future__ import annotations

import pytest
from exercise_conditions import refused

from helpers.exercises.choosing import JOBS, check_job_choices

RIGHT = {"pages": "threads", "photos": "processes", "uploads": "both", "sums": "sequential"}


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
def test_wrong_choices_name_each_job_and_why(answer, fragments) -> None:
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

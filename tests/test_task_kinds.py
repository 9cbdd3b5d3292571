"""helpers.engine.task_kinds: a kind is a checked value; its one-task estimate follows its unit."""

import pytest

from helpers import workers
from helpers.engine.task_kinds import TaskKind


def test_a_kind_in_seconds_takes_its_size():
    kind = TaskKind("pause", workers.wait_task, "seconds each", 10.0, None)
    assert kind.one_task_seconds(2.5) == 2.5


def test_a_kind_with_a_cost_per_unit_multiplies_it():
    kind = TaskKind("count", workers.sum_of_squares, "numbers", 1e8, 2e-8)
    assert kind.one_task_seconds(1_000_000) == pytest.approx(0.02)


@pytest.mark.parametrize("name, worker", [("two words", workers.wait_task), ("", workers.wait_task),
                                          ("pause", "wait_task"), ("pause", None)])
def test_a_kind_without_a_name_or_a_function_is_refused(name, worker):
    with pytest.raises(ValueError, match="task kind"):
        TaskKind(name, worker, "seconds each", 10.0, None)


def test_the_subjects_export_their_kinds_as_values():
    assert isinstance(workers.WAIT, TaskKind) and isinstance(workers.COMPUTE, TaskKind)
    assert workers.WAIT.worker is workers.wait_task
    with pytest.raises(AttributeError):  # frozen: nobody edits a kind another module uses
        workers.WAIT.largest = 1.0  # type: ignore[misc]

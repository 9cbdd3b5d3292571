"""helpers.choose.inputs: the function and inputs found and checked before anything starts (no worker started)."""

import pickle
import threading

import pytest

from helpers.choose import inputs
from helpers.choose.inputs import (BadInput, check_callable, check_inputs, check_memory, load_function, parse_literal,
                                   pickled_sizes)


@pytest.mark.parametrize(("text", "value"), [
    ("[3_000_000] * 4", [3_000_000] * 4),
    ("4 * [1, 2]", [1, 2] * 4),
    ("[(1, 'a'), (2, 'b')]", [(1, "a"), (2, "b")]),
    ("{'x': 1}", {"x": 1}),
    ("[1] * 100000", [1] * 257),  # capped before it is built: the count check refuses it next
])
def test_literals_and_a_list_times_a_number(text, value):
    assert parse_literal(text) == value


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "[1] * [2]", "open('x')", "[1,"])
def test_anything_but_a_literal_is_refused(text):
    with pytest.raises(BadInput, match="--inputs"):
        parse_literal(text)


def test_check_inputs_takes_any_iterable_but_not_text_or_a_mapping():
    assert check_inputs(range(3)) == [0, 1, 2] and check_inputs(x for x in "ab") == ["a", "b"]
    for wrong in ("abc", b"abc", {"a": 1}, 5, None):
        with pytest.raises(BadInput, match="must be a list"):
            check_inputs(wrong)


def test_an_endless_iterator_is_stopped_at_the_limit():
    def endless():
        while True:
            yield 1

    with pytest.raises(BadInput, match="too many inputs"):
        check_inputs(endless())


def test_the_unpicklable_argument_is_named_by_its_position():
    with pytest.raises(BadInput, match=r"input 2 \(<unlocked _thread.lock"):
        pickled_sizes([1, "two", threading.Lock()])
    assert pickled_sizes([b"x" * 100]) == [len(pickle.dumps(b"x" * 100, protocol=pickle.HIGHEST_PROTOCOL))]


def test_memory_is_judged_against_what_is_available(monkeypatch):
    monkeypatch.setattr(inputs, "available_memory", lambda: 1_000_000_000)
    check_memory("results", 10, 10_000_000)  # 300 MB of 1 GB: fine
    with pytest.raises(BadInput, match="too many inputs for memory: 100 results of 10 MB"):
        check_memory("results", 100, 10_000_000)


def test_load_function_names_what_is_wrong():
    assert load_function("helpers.choose.workloads:tiny").__name__ == "tiny"
    assert load_function("helpers.choose.work:Timed")  # a class is callable with one argument
    for target, words in (("nocolon", "give MODULE:FUNCTION"), ("helpers.choose.workloads:", "give MODULE:FUNCTION"),
                          ("helpers.choose.workloads:NUMBERS_PER_SECOND", "it is an int object")):
        with pytest.raises(BadInput, match=words):
            load_function(target)


def test_a_function_of_two_arguments_is_refused():
    with pytest.raises(BadInput, match="cannot be called with one argument"):
        check_callable(lambda a, b: a + b)
    assert check_callable(lambda a, b=2: a + b) and check_callable(print)

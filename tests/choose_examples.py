"""Functions and inputs that ``python -m helpers.choose`` must refuse, or measure, in tests/test_choose*.py.

Importable (the command line runs in a subprocess with this folder on its path).
"""

import threading
import time


def raises(number):
    """Fails on every input, with an error the tool must show."""
    raise ValueError(f"no square root of {number}")


def never_returns(number):
    """A pure-Python loop that never ends: only --timeout stops it."""
    while True:
        number += 1


def sleeps_forever(_):
    """Waits in C (time.sleep) far past any timeout."""
    time.sleep(3600)


def large_result(megabytes):
    """A result of ``megabytes`` MiB: with many inputs, more than the memory can hold a few times."""
    return b"\0" * (megabytes << 20)


def two_arguments(a, b):
    return a + b


def lock_inputs():
    """Inputs for --inputs-from: the second cannot be pickled."""
    return [1, threading.Lock(), 3]


NOT_A_FUNCTION = 42


def slow_square(number):
    """About 0.3 s of waiting, then a square: long enough to press Ctrl-C in the middle."""
    time.sleep(0.3)
    return number * number


def fails_on_three(number):
    """Returns for every input but 3."""
    if number == 3:
        raise KeyError(number)
    return number

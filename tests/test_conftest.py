"""The test machinery in conftest.py: a kernel that fails to start gets a fresh try, and says so."""

from __future__ import annotations

import pytest

import conftest


def flaky_start(failures: int):
    calls = []

    def start(**kwargs):
        calls.append(kwargs)
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "km", "kc"

    return start, calls


def test_a_kernel_that_died_at_start_is_started_again_and_the_log_says_so():
    start, calls = flaky_start(failures=2)
    with pytest.warns(UserWarning, match=conftest.KERNEL_RETRIED) as warned:
        assert conftest.retrying(start)(kernel_name="python3") == ("km", "kc")
    assert len(calls) == 3 and all(call == {"kernel_name": "python3"} for call in calls)
    assert len(warned) == 2 and "try 1 of 3: Kernel died" in str(warned[0].message)


def test_three_failed_starts_fail_the_test():
    start, calls = flaky_start(failures=3)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Kernel died"):
        conftest.retrying(start)()
    assert len(calls) == 3


def test_other_errors_are_not_retried():
    calls = []

    def start():
        calls.append(1)
        raise ValueError("no such kernel")

    with pytest.raises(ValueError):
        conftest.retrying(start)()
    assert calls == [1]


def test_nbvals_kernels_get_the_retries():
    nbval_kernel = pytest.importorskip("nbval.kernel")
    assert nbval_kernel.start_new_kernel.__wrapped__ is not None


def test_the_fixture_starts_a_real_kernel(start_kernel):
    km, kc = start_kernel(kernel_name="python3")
    try:
        assert kc.execute_interactive("1 + 1", timeout=30)["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

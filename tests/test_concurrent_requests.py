"""The benchmark's comparison of many simultaneous requests (helpers/concurrent_requests.py)."""

from __future__ import annotations

import pytest

from helpers import concurrent_requests, fetching


def test_the_benchmarks_comparison_reports_both_ways_and_memory():
    figures = concurrent_requests.compare_concurrent_requests(count=30, delay=0.2, repeats=1)
    assert figures["asyncio"].ok == 30 and figures["threads"].ok == 30
    assert figures["per_thread"]["count"] == 30 and figures["cores"] >= 1
    with pytest.raises(ValueError):
        concurrent_requests.compare_concurrent_requests(count=30, delay=-1)
    with pytest.raises(ValueError):
        concurrent_requests.best_of(fetching.fetch_on_threads, ["http://127.0.0.1:9/"], repeats=0)

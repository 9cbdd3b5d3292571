"""What the Dask cluster's workers run (helpers/cluster_jobs.py), called here in this process."""

from __future__ import annotations

import os

from helpers import cluster, cluster_jobs


def test_workers_functions():
    assert cluster_jobs.burn(4) == 0 + 1 + 4 + 9
    assert cluster_jobs.noop("x") == "x"
    assert cluster_jobs.payload_size(b"abc") == 3
    assert cluster_jobs.wait_job(0) == 0
    here = cluster_jobs.whereabouts(5)
    assert here == {"x": 5, "square": 25, "pid": os.getpid(), "thread": here["thread"], "worker": ""}


def test_notebook_17_imports_them_from_helpers_cluster():
    assert cluster.burn is cluster_jobs.burn and cluster.slow_square is cluster_jobs.slow_square

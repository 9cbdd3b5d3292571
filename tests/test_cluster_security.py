"""helpers.cluster_security: the course's Dask clusters let in only this kernel.

An outside client -- another user on the same machine, here a separate Python process with plain
``distributed`` and no credentials -- tries the scheduler's port over ``tcp://`` and ``tls://`` and
must be refused within a bounded time, while the course's own client works.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

pytest.importorskip("distributed")
pytest.importorskip("cryptography")

from helpers import cluster, cluster_security  # noqa: E402
from test_kernel_interrupt import execute, kernel, value  # noqa: E402,F401  (kernel: a fixture)

# What another local user would run: no helpers, no credentials; the job would reveal the worker's uid.
OUTSIDER = textwrap.dedent("""
    import os, sys
    from distributed import Client
    address = sys.argv[1]
    for scheme in ("tcp", "tls"):
        try:
            with Client(f"{scheme}://{address}", timeout=5) as client:
                print("GOT IN", scheme, client.submit(os.getuid).result(timeout=5))
        except Exception as exc:
            print("refused", scheme, type(exc).__name__)
""")


def outsider_tries(address: str) -> tuple[str, float]:
    """Run the outsider against ``host:port``; its output and how long it took."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", OUTSIDER, address], capture_output=True, text=True, timeout=90,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    return done.stdout + done.stderr, time.monotonic() - started


def host_port(address: str) -> str:
    return address.split("://", 1)[1]


def test_course_cluster_uses_tls_and_refuses_an_outside_client():
    with cluster.local_cluster(1, 1) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        output, took = outsider_tries(host_port(address))
        # The course's own client still works after the attempts.
        assert client.submit(cluster.noop, 7).result(timeout=30) == 7
    assert "GOT IN" not in output, output
    assert output.count("refused") == 2, output
    assert took < 60


def test_a_plain_local_cluster_in_a_kernel_that_imported_helpers_cluster_is_secured(kernel):
    """Notebook 17's own `with LocalCluster(...) as cluster, Client(cluster) as client:` line."""
    km, kc, proc = kernel
    reply = execute(kc, "import logging, helpers.cluster\nfrom distributed import Client, LocalCluster\n"
                        "cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, "
                        "dashboard_address='127.0.0.1:0', silence_logs=logging.ERROR)\nclient = Client(cluster)\n"
                        "assert client.submit(abs, -3).result() == 3\n", timeout=120)
    assert reply["status"] == "ok", reply
    address = value(kc, "cluster.scheduler_address")
    assert address.startswith("tls://127.0.0.1:"), address
    output, took = outsider_tries(host_port(address))
    assert "GOT IN" not in output and output.count("refused") == 2, output
    assert execute(kc, "client.close(); cluster.close()", timeout=60)["status"] == "ok"


def test_security_is_made_once_and_goes_into_dasks_configuration():
    import dask
    from distributed import Security

    first = cluster_security.course_security()
    assert first is cluster_security.course_security() and first.require_encryption
    with dask.config.set(cluster_security.security_settings(first)):
        from_config = Security()
        assert from_config.require_encryption
        assert from_config.tls_client_cert == first.tls_client_cert


def test_a_configured_scheduler_address_keeps_its_own_security(monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://10.0.0.1:8786")
    assert cluster_security.secure_by_default() is False


def test_without_cryptography_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setattr(cluster_security, "_SECURITY", None)
    monkeypatch.setattr(cluster_security, "tls_available", lambda: False)
    with pytest.raises(ImportError, match="pip install cryptography"):
        cluster_security.course_security()
    assert cluster_security.secure_by_default() is False

"""The local HTTP server: starts, answers after its delay, counts, stops and frees its port on every path."""

from __future__ import annotations

import multiprocessing
import time
import urllib.request

import pytest

from helpers.engine.census import live_children
from helpers.local_server import (LocalServer, check_delay, check_port, open_file_limit, port_is_free,
                                  raise_open_file_limit)


@pytest.mark.parametrize("bad", [-1, 31, "1", None, True, float("nan")])
def test_bad_delay_is_refused_before_anything_starts(bad):
    with pytest.raises(ValueError, match="delay"):
        LocalServer(delay=bad)
    assert live_children() == []


@pytest.mark.parametrize("bad", [-1, 80, 70000, "8080", 1.5, True])
def test_bad_port_is_refused(bad):
    with pytest.raises(ValueError, match="port"):
        check_port(bad)


def test_good_values_pass():
    assert check_delay(0) == 0.0 and check_delay(2) == 2.0
    assert check_port(0) == 0 and check_port(8080) == 8080


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_serves_after_its_delay_counts_and_frees_its_port(method):
    with LocalServer(delay=0.3, start_method=method) as server:
        port = server.port
        start = time.perf_counter()
        with urllib.request.urlopen(f"{server.url}/page/7", timeout=10) as reply:
            text = reply.read().decode()
        took = time.perf_counter() - start
        assert "/page/7" in text and 0.3 <= took < 3
        with urllib.request.urlopen(f"{server.url}/page/8?delay=0&size=5000", timeout=10) as reply:
            assert len(reply.read()) == 5000
        stats = server.stats()
        assert stats["served"] == 2 and stats["peak"] == 1 and stats["active"] == 0
        assert not port_is_free(port)
    assert port_is_free(port)
    assert not server.running and live_children() == []
    server.stop()  # twice is harmless


def test_a_bad_request_gets_400_not_a_crash():
    with LocalServer(delay=0) as server:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{server.url}/page/1?delay=99", timeout=10)
        assert error.value.code == 400
        assert server.stats()["served"] == 0


def test_an_exception_in_the_block_still_stops_the_server():
    with pytest.raises(RuntimeError):
        with LocalServer(delay=0) as server:
            port = server.port
            raise RuntimeError("boom")
    assert port_is_free(port) and live_children() == []


def test_stop_cuts_waiting_requests_short():
    import threading

    from helpers.fetching import fetch_on_threads, page_urls

    server = LocalServer(delay=20).start()
    worker = threading.Thread(target=fetch_on_threads, args=(page_urls(server.url, 20),), kwargs={"timeout": 30})
    worker.start()
    deadline = time.monotonic() + 10
    while server.stats()["active"] < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    start = time.perf_counter()
    server.stop()
    assert time.perf_counter() - start < 3
    worker.join(10)
    assert not worker.is_alive()


def test_url_before_start_is_a_clear_error():
    with pytest.raises(RuntimeError, match="start"):
        LocalServer(delay=0).url


@pytest.mark.skipif(open_file_limit() is None, reason="no open-file limit on this platform")
def test_raise_open_file_limit_reports_and_stays_within_the_hard_limit():
    import resource

    soft, hard = open_file_limit()
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        message = raise_open_file_limit(1000)
        new_soft, new_hard = open_file_limit()
        assert new_hard == hard and new_soft == (1000 if hard == resource.RLIM_INFINITY else min(1000, hard))
        assert "raised from 256" in message
        assert "enough" in raise_open_file_limit(100)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    with pytest.raises(ValueError):
        raise_open_file_limit(0)


def test_it_listens_on_loopback_only_on_a_port_the_system_picked():
    """Anyone on this machine may talk to it (documented); nobody on the network may, and no fixed port."""
    import psutil

    ports = []
    for _ in range(2):
        with LocalServer(delay=0.0) as server:
            [child] = [p for p in live_children() if p.is_running()]
            listening = [c for c in child.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
            assert [(c.laddr.ip, c.laddr.port) for c in listening] == [("127.0.0.1", server.port)]
            assert server.requested_port == 0  # the notebook's default: the system picks a free port
            ports.append(server.port)
    assert all(port >= 1024 for port in ports)

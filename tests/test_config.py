import multiprocessing
import os

import pytest

from helpers.engine import config


def test_resolve_defaults_to_platform(monkeypatch):
    monkeypatch.delenv(config.START_METHOD_ENV, raising=False)
    assert config.resolve_start_method() == config.platform_start_method()
    assert config.platform_start_method() in multiprocessing.get_all_start_methods()


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_environment_switch_chooses_method(monkeypatch, method):
    monkeypatch.setenv(config.START_METHOD_ENV, method)
    assert config.resolve_start_method() == method


def test_explicit_argument_beats_environment(monkeypatch):
    monkeypatch.setenv(config.START_METHOD_ENV, "spawn")
    other = [m for m in multiprocessing.get_all_start_methods() if m != "spawn"]
    if other:
        assert config.resolve_start_method(other[0]) == other[0]


@pytest.mark.parametrize("bad", ["spwan", "thread", "FORK", ""])
def test_unknown_method_is_rejected_with_choices(bad):
    with pytest.raises(ValueError, match="fork, spawn, forkserver"):
        config.resolve_start_method(bad)


def test_unavailable_method_says_what_platform_offers(monkeypatch):
    monkeypatch.setattr(config, "available_start_methods", lambda: ["spawn"])
    with pytest.raises(ValueError, match="not available .* offers spawn"):
        config.resolve_start_method("fork")


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv(config.START_METHOD_ENV, "sideways")
    with pytest.raises(ValueError, match=config.START_METHOD_ENV):
        config.resolve_start_method()


@pytest.mark.parametrize("raw, expected", [("", 1.0), ("0.25", 0.25), ("1", 1.0)])
def test_time_scale(monkeypatch, raw, expected):
    monkeypatch.setenv(config.TIME_SCALE_ENV, raw)
    assert config.time_scale() == expected
    assert config.seconds(2.0) == pytest.approx(2.0 * expected)


@pytest.mark.parametrize("raw", ["0", "-1", "2", "fast"])
def test_time_scale_rejects_nonsense(monkeypatch, raw):
    monkeypatch.setenv(config.TIME_SCALE_ENV, raw)
    with pytest.raises(ValueError, match=config.TIME_SCALE_ENV):
        config.time_scale()


def test_max_processes_is_bounded():
    assert 4 <= config.max_processes() <= 64


@pytest.mark.parametrize("cpus, processes, threads, tasks", [(1, 4, 64, 256), (2, 8, 64, 256), (16, 64, 64, 256),
                                                             (128, 128, 128, 512)])
def test_limits_leave_room_for_one_worker_per_core_and_two_tasks_each(cpus, processes, threads, tasks):
    # Notebooks 10 and 14 run workers=cores, tasks=2*cores: a 128-core machine must not be refused.
    assert config.limits_for(cpus) == (processes, threads, tasks)
    assert (config.max_processes(), config.MAX_THREADS, config.MAX_TASKS) == config.limits_for(os.cpu_count() or 1)


def test_gil_detection_matches_interpreter():
    import sys

    expected = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    assert config.gil_enabled() is expected


def test_run_config_reads_the_limits_and_resolves_the_start_method_only_for_processes(monkeypatch):
    monkeypatch.delenv(config.START_METHOD_ENV, raising=False)
    threads = config.run_config("teleport")  # not a run of processes: the method is not read
    assert threads.start_method is None and threads.context is None
    assert (threads.max_processes, threads.max_threads, threads.max_tasks) == (
        config.max_processes(), config.MAX_THREADS, config.MAX_TASKS)
    assert threads.modes == config.available_modes() and "threads" in threads.modes
    method = multiprocessing.get_all_start_methods()[-1]
    processes = config.run_config(method, processes=True)
    assert processes.start_method == method and processes.context.get_start_method() == method
    with pytest.raises(ValueError, match="fork, spawn, forkserver"):
        config.run_config("teleport", processes=True)


def test_panel_seconds_caps_a_panels_run_only_when_set(monkeypatch):
    monkeypatch.delenv(config.PANEL_SECONDS_ENV, raising=False)
    assert config.panel_seconds(3.5) == 3.5  # a learner's panel: as long as it asks
    monkeypatch.setenv(config.PANEL_SECONDS_ENV, "1")  # the handouts' pace
    assert config.panel_seconds(3.5) == 1.0 and config.panel_seconds(0.4) == 0.4  # a cap, never a stretch
    monkeypatch.setenv(config.PANEL_SECONDS_ENV, "soon")
    with pytest.raises(ValueError, match="COURSE_PANEL_SECONDS"):
        config.panel_seconds(3.5)

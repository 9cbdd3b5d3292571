"""helpers.interpreters and the harness's "interpreters" mode (Python 3.14+; refused clearly before)."""

import sys
import threading
import time

import pytest

from helpers import interpreters as course_interpreters
from helpers import workers
from helpers.engine.census import live_children
from helpers.engine.harness import RunTimedOut, TaskFailed, WorkerDied, available_modes, check_workers, run

NEEDS_314 = pytest.mark.skipif(not course_interpreters.available(), reason="needs Python 3.14+")


def test_availability_follows_the_version():
    assert course_interpreters.available() == (sys.version_info >= (3, 14))
    assert ("interpreters" in available_modes()) == course_interpreters.available()
    reason = course_interpreters.unavailable_reason()
    assert (reason == "") == course_interpreters.available()


@pytest.mark.skipif(course_interpreters.available(), reason="this Python has subinterpreters")
def test_before_314_the_mode_is_refused_with_the_version_it_needs():
    with pytest.raises(ValueError, match=r"need Python 3\.14 or later"):
        run(workers.compute_task, [10], mode="interpreters")
    with pytest.raises(RuntimeError, match="3.14"):
        course_interpreters.import_in_interpreter("json")


@pytest.mark.parametrize("bad", ["", None, "os; import sys", "3abc"])
def test_bad_module_names_are_refused(bad):
    with pytest.raises(ValueError):
        course_interpreters.import_in_interpreter(bad)


@pytest.mark.parametrize("bad", [{}, {"": 1}, {3: 1}, [("a", 1)]])
def test_bad_crossing_samples_are_refused(bad):
    with pytest.raises(ValueError):
        course_interpreters.crossings(bad)


@NEEDS_314
@pytest.mark.parametrize("bad", [0, 10_000, 2.5, True])
def test_bad_interpreter_counts_are_refused(bad):
    with pytest.raises(ValueError, match="from 1 to"):
        check_workers(bad, "interpreters")
    before = threading.active_count()
    with pytest.raises(ValueError):
        run(workers.compute_task, [10], mode="interpreters", workers=bad)
    assert threading.active_count() == before


@NEEDS_314
def test_a_task_defined_in_main_is_refused_before_anything_starts():
    def local(x):
        return x

    local.__module__ = "__main__"
    with pytest.raises(ValueError, match="from a module"):
        run(local, [1], mode="interpreters")


@NEEDS_314
def test_interpreters_run_in_one_process_and_each_has_its_own_id():
    from concurrent import interpreters

    before = {i.id for i in interpreters.list_all()}
    result = run(course_interpreters.interpreter_id, [None] * 4, mode="interpreters", workers=2)
    assert result.status == "done" and result.pids == {__import__("os").getpid()}
    by_worker = {}
    for task in result.tasks:
        by_worker.setdefault(task.worker, set()).add(task.result)
    # Each worker ran every task in the same interpreter, never the main one (id 0), none shared.
    assert all(len(ids) == 1 for ids in by_worker.values())
    ids = [next(iter(ids)) for ids in by_worker.values()]
    assert 0 not in ids and len(set(ids)) == len(ids)
    assert set(result.ready) == {"interp-1", "interp-2"}
    assert {i.id for i in interpreters.list_all()} == before  # every one closed
    assert not live_children()


@NEEDS_314
def test_results_match_the_sequential_run():
    inputs = [10_000, 20_000, 30_000]
    assert run(workers.compute_task, inputs, mode="interpreters").results == [workers.sum_of_squares(n)
                                                                             for n in inputs]


@NEEDS_314
def test_a_failing_task_is_named_and_the_others_still_run():
    from concurrent import interpreters

    before = {i.id for i in interpreters.list_all()}
    with pytest.raises(TaskFailed, match="ValueError") as caught:
        run(int, ["1", "x", "3"], mode="interpreters", workers=2)
    assert caught.value.result.results[0] == 1 and caught.value.result.results[2] == 3
    assert {i.id for i in interpreters.list_all()} == before


@NEEDS_314
def test_timeout_stops_the_run_and_closes_every_interpreter():
    from concurrent import interpreters

    before = {i.id for i in interpreters.list_all()}
    start = time.perf_counter()
    with pytest.raises(RunTimedOut):
        run(workers.compute_task, [3_000_000] * 40, mode="interpreters", workers=2, timeout=1.0)
    assert time.perf_counter() - start < 15
    assert {i.id for i in interpreters.list_all()} == before


@NEEDS_314
def test_keyboard_interrupt_closes_every_interpreter_and_re_raises():
    from concurrent import interpreters

    before = {i.id for i in interpreters.list_all()}
    calls = []

    def interrupt(result):
        calls.append(result.status)
        if result.finished >= 1 and result.status == "running":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        run(workers.compute_task, [1_000_000] * 20, mode="interpreters", workers=2, on_update=interrupt,
            update_interval=0.05)
    assert caught.value.result.status == "interrupted"
    assert {i.id for i in interpreters.list_all()} == before


@NEEDS_314
def test_what_crosses_between_interpreters():
    from concurrent import interpreters

    before = {i.id for i in interpreters.list_all()}
    found = course_interpreters.crossings({"an int": 7, "a lock": threading.Lock(), "a list": [1, 2]})
    assert [c.how for c in found] == ["shareable", "refused", "pickled"]
    assert "int 7" in found[0].detail and "list [1, 2]" in found[2].detail
    assert {i.id for i in interpreters.list_all()} == before


@NEEDS_314
def test_a_standard_module_loads_and_a_single_phase_extension_is_refused():
    assert course_interpreters.import_in_interpreter("json") is None
    found = course_interpreters.refusing_module()
    assert found is not None, "Pillow (a course dependency) should refuse a subinterpreter"
    name, error = found
    assert "does not support loading in subinterpreters" in error and name in course_interpreters.REFUSING_CANDIDATES


def test_the_panel_offers_interpreters_only_where_python_has_them():
    from helpers.panels.panel import LivePanel

    panel = LivePanel("compute", size=100_000, tasks=2, workers=2)
    assert ("interpreters" in panel.mode.options) == course_interpreters.available()


@NEEDS_314
def test_the_panel_runs_interpreters_and_draws_their_lanes():
    from concurrent import interpreters

    from helpers.panels.panel import LivePanel

    before = {i.id for i in interpreters.list_all()}
    panel = LivePanel("compute", size=300_000, tasks=4, workers=2, mode="interpreters")
    result = panel._run_from_widgets()
    assert result is not None and result.status == "done" and result.mode == "interpreters"
    assert {task.worker for task in result.tasks} <= {"interp-1", "interp-2"}
    assert panel.history[-1].mode == "interpreters"
    assert {i.id for i in interpreters.list_all()} == before


@NEEDS_314
@pytest.mark.skipif(sys.platform == "win32", reason="signals to a kernel are POSIX")
def test_the_stop_button_during_an_interpreters_run_closes_them_and_the_kernel_goes_on(start_kernel):
    km, kc = start_kernel(kernel_name="python3")
    try:
        def run_code(code, timeout=60):
            out = []
            kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: out.append(
                msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
            return "".join(out).strip()

        run_code("import helpers\nfrom concurrent import interpreters\n"
                 "panel = helpers.LivePanel('compute', size=3_000_000, tasks=60, workers=2, mode='interpreters')")
        msg_id = kc.execute("result = panel.run()")
        time.sleep(2.0)  # the interpreters are computing by now
        pressed = time.monotonic()
        km.interrupt_kernel()
        while kc.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
            pass
        assert time.monotonic() - pressed < 12  # the current tasks finish, then every interpreter closes
        assert run_code("print(result.status, [i.id for i in interpreters.list_all()])") == "interrupted [0]"
        assert run_code("print(panel.run(tasks=2).status)") == "done"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@NEEDS_314
def test_a_task_whose_module_refuses_subinterpreters_stops_the_run_with_the_reason():
    from concurrent import interpreters

    from PIL import Image  # Pillow's core refuses to load in a subinterpreter (2026)

    before = {i.id for i in interpreters.list_all()}
    with pytest.raises(WorkerDied, match=r"could not import PIL\.Image.*does not support loading in subinterpreters"):
        run(Image.open, ["nothing.png"], mode="interpreters", timeout=30)
    assert {i.id for i in interpreters.list_all()} == before

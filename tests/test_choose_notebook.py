"""helpers.choose(function, inputs) with a function defined in a notebook cell: threads, interpreters by value
(3.14+), asyncio; processes under spawn/forkserver refused in one line, and write_module() that fixes it."""

import linecache
import sys

import pytest

import helpers
from helpers.choose.inputs import BadInput, module_source
from helpers.interpreters import available as interpreters_available

CELL = '''
import hashlib

def digest_cell(megabytes):
    data = bytes(megabytes << 20)
    return hashlib.sha256(data).hexdigest()

async def wait_cell(seconds):
    import asyncio
    await asyncio.sleep(seconds)
    return seconds

LIMIT = 3

def uses_a_notebook_variable(x):
    return x * LIMIT
'''


def cell(source: str = CELL, counter: int = 1) -> dict:
    """Run ``source`` the way IPython runs a cell: in ``__main__``'s name, its lines kept in linecache."""
    filename = f"<ipython-input-{counter}-choose>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def test_the_package_is_the_function():
    assert callable(helpers.choose) and helpers.choose.choose.__name__ == "choose"


def test_a_notebook_function_is_measured_on_threads_and_processes_under_spawn_say_why(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_START_METHOD", "spawn")
    digest = cell()["digest_cell"]
    choice = helpers.choose(digest, [1] * 4, free_threaded=False)
    ways = {w.key: w for w in choice.measurement.ways}
    assert ways["sequential"].measured and ways["threads"].measured
    assert not ways["processes"].measured
    assert "defined in the notebook" in ways["processes"].note and "%%writefile mywork.py" in ways["processes"].note
    assert "write_module(digest_cell)" in capsys.readouterr().out
    assert "processes (spawn): digest_cell is defined in the notebook" in repr(choice)


@pytest.mark.skipif(not interpreters_available(), reason="interpreters need Python 3.14+")
def test_a_notebook_function_goes_to_interpreters_by_value():
    digest = cell(counter=2)["digest_cell"]
    choice = helpers.choose(digest, [1] * 2, free_threaded=False)
    way = choice.measurement.way("interpreters")
    assert way.measured and way.label == "interpreters (by value)", way.note


def test_one_that_uses_a_notebook_variable_is_not_sent_by_value_and_says_why():
    with pytest.raises(BadInput, match="uses LIMIT from the notebook"):
        module_source(cell(counter=3)["uses_a_notebook_variable"])


def test_a_notebook_coroutine_function_is_measured_with_asyncio():
    wait = cell(counter=4)["wait_cell"]
    choice = helpers.choose(wait, [0.1] * 4, free_threaded=False)
    # Four 0.1 s waits take at least 0.4 s one after another; all at once they end well before that only by
    # overlapping, on any load (a ×2 speed-up is what an idle machine shows, not a bound a busy one keeps).
    waits = 0.1 * choice.measurement.inputs_measured
    sequential, together = choice.measurement.way("sequential").elapsed, choice.measurement.way("asyncio").elapsed
    assert sequential >= waits and together < 0.8 * waits, (sequential, together)
    if choice.tool == "can't tell":  # honest only where a way beat its own workers: the baseline ran at a busier
        # moment (seen in CI on a loaded machine), which the figures themselves show
        assert any((w.speedup or 0) > max(1, w.workers) for w in choice.measurement.ways if w.measured
                   and w.key != "sequential"), choice.recommendation.headline
    else:
        assert choice.tool in ("asyncio", "threads"), choice.recommendation.headline
    assert choice.figure()._repr_png_()[:4] == b"\x89PNG"  # the one-page report, shown in the notebook


def test_write_module_makes_it_importable_for_spawn(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_START_METHOD", "spawn")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    digest = cell(counter=5)["digest_cell"]
    imported = helpers.choose.write_module(digest, "mywork_choose_test.py")
    try:
        assert imported.__module__ == "mywork_choose_test" and imported(1) == digest(1)
        assert "import hashlib" in (tmp_path / "mywork_choose_test.py").read_text()
        choice = helpers.choose(imported, [1] * 2, free_threaded=False)
        assert choice.measurement.way("processes").measured
        with pytest.raises(BadInput, match="already exists"):
            helpers.choose.write_module(cell(counter=6)["wait_cell"], "mywork_choose_test.py")
    finally:
        sys.modules.pop("mywork_choose_test", None)


def test_bad_inputs_raise_one_line_before_anything_starts():
    digest = cell(counter=7)["digest_cell"]
    for inputs, words in ((5, "must be a list"), ([], "are empty")):
        with pytest.raises(BadInput, match=words):
            helpers.choose(digest, inputs)
    with pytest.raises(BadInput, match="cannot be called"):
        helpers.choose(42, [1])


# The stopped thread ends with SystemExit, which threading's own hook leaves silent and pytest's reports.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_stop_in_a_notebook_also_stops_a_thread_stuck_in_the_learners_call():
    import _thread
    import threading
    import time

    import signal

    started = threading.Event()

    def spin(_):
        started.set()
        while True:
            pass

    def press_stop():
        # ■ once the learner's call is running (not at a guessed 0.5 s: on a loaded machine that can fall in
        # the set-up before the call, measured lost in CI-like runs at load ~20).
        if started.wait(60):
            time.sleep(0.2)
        _thread.interrupt_main()  # what the kernel's ■ does

    # interrupt_main() does nothing where SIGINT is ignored or left to the OS: a test before this one must not
    # have left it so (this names the culprit instead of a 60 s timeout).
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, signal.getsignal(signal.SIGINT)

    before = threading.active_count()
    presser = threading.Thread(target=press_stop)
    presser.start()
    with pytest.raises(KeyboardInterrupt):
        helpers.choose(spin, [1, 2], free_threaded=False)
    presser.join()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before

"""python -m helpers.choose: bad input (exit 2, one line, nothing started), a measurement (exit 0, JSON, PNG),
Ctrl-C (exit 130, no process left), and the default timeout."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from ctrl_c import ctrl_c

from helpers.choose.cli import parser
from helpers.choose.freethreaded import find_free_threaded
from helpers.choose.measure import DEFAULT_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def choose(*args: str, **kwargs) -> subprocess.Popen:
    """The command in a subprocess, run from tests/ (so choose_examples imports), helpers on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "helpers.choose", *args], cwd=TESTS, text=True, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def finished(*args: str, timeout: float = 120) -> tuple[int, str, str]:
    process = choose(*args)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.mark.parametrize("args, words", [
    (["nosuch_module:f", "--inputs", "[1]"], "cannot import nosuch_module: ModuleNotFoundError"),
    (["choose_examples:missing", "--inputs", "[1]"], "choose_examples has no 'missing'"),
    (["choose_examples:NOT_A_FUNCTION", "--inputs", "[1]"], "cannot be called: it is an int object"),
    (["choose_examples:two_arguments", "--inputs", "[1]"], "cannot be called with one argument"),
    (["choose_examples:raises", "--inputs", "5"], "the inputs must be a list"),
    (["choose_examples:raises", "--inputs", "[]"], "the inputs are empty"),
    (["choose_examples:raises", "--inputs", "[1] * 1000"], "too many inputs: at most 256"),
    (["choose_examples:raises", "--inputs", "__import__('os')"], "is not a Python literal"),
    (["choose_examples:slow_square", "--inputs-from", "choose_examples:lock_inputs"],
     "input 1 (<unlocked _thread.lock"),
    (["choose_examples:raises", "--inputs", "[3, 4]"],
     "raised on the first input (3): ValueError: no square root of 3"),
    (["choose_examples:fails_on_three", "--inputs", "[1, 2, 3, 4]"], "raised on input 2 (3): KeyError: 3"),
    (["choose_examples:never_returns", "--inputs", "[1]", "--timeout", "0.5"],
     "did not return within --timeout 0.5 s on the first input (1); its thread was stopped"),
    (["choose_examples:large_result", "--inputs", "[64] * 256"], "too many inputs for memory: 256 results of"),
])
def test_bad_input_gets_one_line_and_exit_2_and_nothing_is_written(args, words, tmp_path):
    code, out, err = finished(*args, "--json", str(tmp_path / "x.json"), "--png", str(tmp_path / "x.png"))
    assert code == 2, (out, err)
    assert words in err and "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_inputs_file_must_hold_json(tmp_path):
    broken = tmp_path / "inputs.json"
    broken.write_text("[1, 2,")
    code, _, err = finished("choose_examples:raises", "--inputs-file", str(broken))
    assert code == 2 and "is not JSON" in err


def test_the_default_timeout_is_a_minute_a_call():
    assert parser().parse_args(["m:f", "--inputs", "[1]"]).timeout == DEFAULT_TIMEOUT == 60.0


def test_a_measurement_prints_the_table_and_writes_json_and_png(tmp_path):
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps([0.25] * 4))
    code, out, err = finished("helpers.choose.workloads:sleeping", "--inputs-file", str(inputs), "--quick",
                              "--json", str(tmp_path / "choice.json"), "--png", str(tmp_path / "page.png"))
    assert code == 0, err
    assert "one after another" in out and "threads" in out and "→ threads" in out
    document = json.loads((tmp_path / "choice.json").read_text())
    assert document["recommendation"]["tool"] == "threads"
    assert document["recommendation"]["reasons"] and document["measurement"]["ways"][0]["key"] == "sequential"
    ways = {w["key"]: w for w in document["measurement"]["ways"]}
    assert {"sequential", "threads", "processes", "interpreters"} <= set(ways)
    if find_free_threaded():  # the same calls in a child free-threaded Python, its threads overlapping too
        alone, together = ways["free-threaded-sequential"]["elapsed"], ways["free-threaded-threads"]["elapsed"]
        # Waits overlap on any build and any load: two 0.25 s sleeps on two threads end well before 0.5 s,
        # which they cannot do one after another (the child ran 2 calls per usable core, at least 2).
        calls = round(alone / 0.25)
        assert alone >= 0.25 * calls and together < 0.8 * 0.25 * calls, ways
        assert "work that waits needs no other build of Python" in " ".join(document["recommendation"]["reasons"])
    else:
        assert "no free-threaded Python" in ways["free-threaded"]["note"]
    assert (tmp_path / "page.png").read_bytes()[:4] == b"\x89PNG"


def test_spawn_on_request_and_a_coroutine_function_gets_asyncio(tmp_path):
    code, out, err = finished("helpers.choose.workloads:async_sleeping", "--inputs", "[0.25] * 4", "--spawn",
                              "--no-png", "--no-free-threaded", "--json", str(tmp_path / "c.json"))
    assert code == 0, err
    ways = {w["key"]: w for w in json.loads((tmp_path / "c.json").read_text())["measurement"]["ways"]}
    assert ways["asyncio"]["speedup"] > 2 and "coroutine" in out  # 4 waits of 0.25 s overlap: ideal ×4
    if "processes-spawn" in ways:  # not where spawn is already the platform's method
        assert ways["processes-spawn"]["elapsed"] is not None


@pytest.mark.parametrize("whom", ["group", "command"])
def test_ctrl_c_stops_everything_exit_130_and_no_process_is_left(whom, tmp_path):
    process = choose("choose_examples:slow_square", "--inputs", "[1] * 40", "--json", str(tmp_path / "c.json"),
                     "--png", str(tmp_path / "c.png"), "--no-free-threaded", start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen, out, err = ctrl_c(process, whom, ready=lambda seen: any(map(_worker, seen.values())),  # the processes way's
                            within=60, settle=0.2, what="no worker process started")  # workers
    assert process.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err and not list(tmp_path.iterdir())
    _, alive = psutil.wait_procs(list(seen.values()), timeout=10)
    assert not alive, [" ".join(p.cmdline()) for p in alive]
    assert not [p for p in psutil.process_iter() if _session(p) == process.pid]


HOUSEKEEPING = ("multiprocessing.forkserver import main", "multiprocessing.resource_tracker import main")


def _worker(p: psutil.Process) -> bool:
    """A worker, not multiprocessing's fork server or resource tracker (a fork server's children are workers)."""
    try:
        command, parent = " ".join(p.cmdline()), p.parent()
        parent_command = " ".join(parent.cmdline()) if parent else ""
    except psutil.Error:
        return False
    return not any(mark in command and mark not in parent_command for mark in HOUSEKEEPING)


def _session(p: psutil.Process) -> int | None:
    try:
        return os.getsid(p.pid)
    except OSError:
        return None

"""The reference workloads' recommendations on 2 cores and on 1 core (the command pinned with
sched_setaffinity, as ``taskset -c 0`` does), at small sizes. "can't tell" is accepted only where the
tool measured the machine busy; a wrong winner never is."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.choose.workloads import megabytes_for, numbers_for
from helpers.local_server import LocalServer

ROOT = Path(__file__).resolve().parent.parent
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
SEQUENTIAL, CANNOT_TELL = "one after another", "can't tell"
COMPUTING = ("processes", "interpreters")

pytestmark = pytest.mark.skipif(len(CPUS) < 2, reason="needs 2 CPUs to pin runs to 2 and to 1")


def recommendation(target: str, inputs: list, cores: int, tmp_path: Path, *extra: str) -> dict:
    (tmp_path / "inputs.json").write_text(json.dumps(inputs))
    out = tmp_path / "choice.json"
    pinned = set(CPUS[:cores])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "helpers.choose", f"helpers.choose.workloads:{target}",
                           "--inputs-file", str(tmp_path / "inputs.json"), "--json", str(out), "--no-png",
                           "--no-free-threaded", *extra],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
                          preexec_fn=lambda: os.sched_setaffinity(0, pinned))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    assert document["measurement"]["machine"]["usable_cores"] == cores
    return document["recommendation"]


def judge(answer: dict, expected: str) -> None:
    tool = answer["tool"]
    right = tool.startswith(COMPUTING) if expected == "computing" else tool == expected
    if not right:
        assert tool == CANNOT_TELL and answer["busy"], f"wrong winner {tool!r}: {answer['headline']}"


@pytest.mark.parametrize("cores", [2, 1])
def test_waiting_work_is_threads(cores, tmp_path):
    judge(recommendation("sleeping", [0.1] * 4, cores, tmp_path, "--quick"), "threads")


@pytest.mark.parametrize("cores", [2, 1])
def test_fetching_from_the_local_server_is_threads(cores, tmp_path):
    with LocalServer(delay=0.1) as server:
        urls = [f"{server.url}/page/{n}" for n in range(4)]
        judge(recommendation("fetching", urls, cores, tmp_path, "--quick"), "threads")


@pytest.mark.parametrize("cores, expected", [(2, "computing"), (1, SEQUENTIAL)])
def test_a_pure_python_loop_is_processes_on_two_cores_and_one_after_another_on_one(cores, expected, tmp_path):
    judge(recommendation("pure_python_loop", [numbers_for(0.15)] * 4, cores, tmp_path, "--quick"), expected)


@pytest.mark.parametrize("cores, expected", [(2, "threads"), (1, SEQUENTIAL)])
def test_sha256_is_threads_on_two_cores_and_one_after_another_on_one(cores, expected, tmp_path):
    judge(recommendation("sha256_megabytes", [megabytes_for(0.12)] * 4, cores, tmp_path, "--quick"), expected)


@pytest.mark.parametrize("cores, expected", [(2, "threads"), (1, SEQUENTIAL)])
def test_numpy_matmul_with_one_blas_thread_is_threads_on_two_cores(cores, expected, tmp_path):
    pytest.importorskip("numpy")
    judge(recommendation("numpy_matmul", [500] * 4, cores, tmp_path, "--quick"), expected)


@pytest.mark.parametrize("cores", [2, 1])
def test_tiny_tasks_run_one_after_another(cores, tmp_path):
    judge(recommendation("tiny", [1500] * 128, cores, tmp_path), SEQUENTIAL)


@pytest.mark.parametrize("cores", [2, 1])
def test_large_results_run_one_after_another_crossing_dominates(cores, tmp_path):
    answer = recommendation("allocate_megabytes", [100] * 4, cores, tmp_path)
    judge(answer, SEQUENTIAL)
    assert any("crossing dominates" in reason for reason in answer["reasons"])

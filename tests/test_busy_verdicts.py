"""Notebooks 04 and 14 run beside two busy loops: no verdict may state the opposite of the lesson, each says "busy".

Issue 20: handouts built at load 6 printed "threads ×1.38, processes ×0.84" under "the threads' line
stays near ×1", and "sha256: ×0.92 → took turns". Here each notebook runs (its measurement and verdict
cells; the live panels and the exercise checkers are left out, they have tests of their own) with
two processes spinning beside it, at COURSE_TIME_SCALE=0.25, and every verdict it printed is read.

Marked ``busy_notebooks``: each takes about a minute on two cores. ``pytest -m "not busy_notebooks"``
leaves them out.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.busy_notebooks, pytest.mark.timeout(600)]

#: Cells left out: they are not measurements with a verdict (panels, checkers, solutions).
LEFT_OUT = ("LivePanel", "helpers.exercises", "check_")

#: Sentences that would state the opposite of a lesson as a fact (GIL build).
OPPOSITES = [
    "this run shows that threads running Python code run in parallel",
    "this run shows that without a GIL",  # only on a free-threaded build; these runs have the GIL
    "threads ran in parallel", "took turns ->", "-> took turns", "-> in parallel",
    "this run shows that sha256 takes turns", "this run shows that sha256-1KiB runs in parallel",
    "this run shows that json runs in parallel", "this run shows that zlib takes turns",
]


def execute(notebook: str) -> list[tuple[str, str]]:
    """(source, printed text) of each code cell of ``notebook`` that ran, beside two spinning processes."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or not (
        any(word in c.source for word in LEFT_OUT) or "solution" in c.metadata.get("tags", []))]
    env_before = dict(os.environ)
    os.environ["COURSE_TIME_SCALE"] = "0.25"
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()
        os.environ.clear()
        os.environ.update(env_before)
    printed = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            printed.append((cell.source, text))
    return printed


def verdicts(printed: list[tuple[str, str]], call: str) -> str:
    found = [text for source, text in printed if call in source and "print(" in source]
    assert found, f"no cell calls {call}"
    return "\n".join(found)


def check(text: str) -> None:
    print(text)  # shown with -s, and in the report of a failure
    for opposite in OPPOSITES:
        assert opposite not in text, f"printed as a fact on a busy machine: {opposite!r}"
    machine_lines = [line for line in text.splitlines() if line.startswith("machine:")]
    assert machine_lines and all("busy:" in line for line in machine_lines), machine_lines


@pytest.mark.skipif(os.cpu_count() is None or os.cpu_count() > 4,
                    reason="two spinning processes make only a machine of up to 4 cores busy")
def test_04_beside_two_busy_loops():
    printed = execute("04_processes_for_cpu_work.ipynb")
    for call in ("claims.cpu_work(", "claims.crossover("):
        check(verdicts(printed, call))


@pytest.mark.skipif(os.cpu_count() is None or os.cpu_count() > 4,
                    reason="two spinning processes make only a machine of up to 4 cores busy")
def test_14_beside_two_busy_loops():
    printed = execute("14_threads_that_compute_in_c.ipynb")
    for call in ("claims.gil_release({name", "claims.gil_release({\"json\""):
        check(verdicts(printed, call))

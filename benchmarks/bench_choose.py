"""Does ``python -m helpers.choose`` give the right recommendation on the reference workloads, on 2 cores and on
1 core, at what overhead, and how long does ``--quick`` take?

Targets (issue 26):
* the right recommendation for each reference workload (:mod:`helpers.choose.workloads`), on 2 cores and on 1 core
  (``taskset -c 0``): sleeping and fetching from the local server → threads; a pure-Python loop of about 1 s →
  processes (or interpreters) on 2 cores, one after another on 1; SHA-256 of 64 MB and a NumPy matrix product
  (BLAS limited to one thread; skipped without NumPy) → threads on 2 cores, one after another on 1; tiny 50 µs
  tasks and a function returning 200 MB → one after another. "can't tell" is honest, not right: it counts as right
  only when the tool measured the machine busy, and is then shown as such;
* the tool's own overhead ≤ 5 % of a run of 1 s tasks: its baseline against a plain ``for`` loop timed here, on
  sleeps (which a busy machine does not slow) and on the pure-Python loop;
* ``--quick`` ≤ 30 s for 1 s tasks (8 inputs, the free-threaded build included when found).

Every run is the real command in a subprocess (``taskset`` pins it), its JSON read back.

    python benchmarks/bench_choose.py              # the table; exit 1 if a target is missed
    python benchmarks/bench_choose.py --scale 0.3  # shorter tasks (a check of the benchmark itself)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.bench.cores import idle_cores  # noqa: E402
from helpers.bench.tables import table  # noqa: E402
from helpers.choose.workloads import pure_python_loop, sleeping  # noqa: E402
from helpers.local_server import LocalServer  # noqa: E402

SEQUENTIAL, CANNOT_TELL = "one after another", "can't tell"
COMPUTING = ("processes", "interpreters")


def right(expected: str, tool: str) -> bool:
    if expected == "computing":
        return tool.startswith(COMPUTING)
    return tool == expected


def numbers_for(seconds: float) -> int:
    start = time.perf_counter()
    pure_python_loop(1_000_000)
    return int(1_000_000 * seconds / (time.perf_counter() - start))


def has_numpy() -> bool:
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


def choose(target: str, inputs: list, cpus: str, folder: Path, *extra: str) -> tuple[dict, float]:
    inputs_file = folder / "inputs.json"
    inputs_file.write_text(json.dumps(inputs))
    out = folder / "choice.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "helpers.choose", f"helpers.choose.workloads:{target}", "--inputs-file",
               str(inputs_file), "--json", str(out), "--no-png", *extra]
    if shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=folder, env=env)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{target} on CPUs {cpus}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return json.loads(out.read_text()), took


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="task length factor (1 = the issue's sizes)")
    args = p.parse_args()
    scale = args.scale
    cpus_two = ",".join(map(str, sorted(os.sched_getaffinity(0))[:2]))
    cpus_one = cpus_two.split(",")[0]
    print(f"machine: {os.cpu_count()} CPUs, idle now {idle_cores(1.0):g}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; Python {sys.version.split()[0]}")
    rows, misses = [], 0
    with tempfile.TemporaryDirectory(prefix="bench-choose-") as tmp, LocalServer(delay=0.5 * scale) as server:
        folder = Path(tmp)
        loop = numbers_for(1.0 * scale)
        workloads = [
            ("sleeping 1 s", "sleeping", [1.0 * scale] * 8, "threads", "threads"),
            ("fetching (local server, 0.5 s)", "fetching", [f"{server.url}/page/{i}" for i in range(8)],
             "threads", "threads"),
            (f"pure-Python loop ~{scale:g} s", "pure_python_loop", [loop] * 4, "computing", SEQUENTIAL),
            ("SHA-256 of 64 MB", "sha256_megabytes", [64] * 8, "threads", SEQUENTIAL),
            ("NumPy matmul (1 BLAS thread)", "numpy_matmul", [700] * 8, "threads", SEQUENTIAL),
            ("tiny 50 µs tasks", "tiny", [1500] * 256, SEQUENTIAL, SEQUENTIAL),
            ("returns 200 MB", "allocate_megabytes", [200] * 4, SEQUENTIAL, SEQUENTIAL),
        ]
        for name, target, inputs, on_two, on_one in workloads:
            if target == "numpy_matmul" and not has_numpy():
                rows.append([name, "skipped: no numpy", "", "", ""])
                continue
            cells, marks = [], []
            for cpus, expected in ((cpus_two, on_two), (cpus_one, on_one)):
                doc, took = choose(target, inputs, cpus, folder, "--no-free-threaded")
                answer = doc["recommendation"]
                ok = right(expected, answer["tool"])
                honest = answer["tool"] == CANNOT_TELL and answer["busy"]
                marks.append("yes" if ok else "can't tell (measured busy)" if honest else "NO")
                misses += not (ok or honest)
                ways = {w["key"]: w for w in doc["measurement"]["ways"]}
                best = max((w for w in ways.values() if w.get("speedup") and w["key"] != "sequential"),
                           key=lambda w: w["speedup"], default=None)
                idle = doc["measurement"]["machine"]
                cells.append(f"{answer['tool']} (best {best['label']} ×{best['speedup']:.2f}; idle "
                             f"{idle['idle_before']}/{idle['idle_after']}; {took:.0f} s)" if best else answer["tool"])
            expected_words = f"{on_two.replace('computing', 'processes/interpreters')} | {on_one}"
            rows.append([name, cells[0], cells[1], expected_words, " | ".join(marks)])
            print(f"  measured: {name}", file=sys.stderr, flush=True)

        # Overhead: the tool's baseline against a plain loop of the same calls, timed here.
        overhead_rows = []
        for name, func, target, inputs in (("sleeps of 1 s", sleeping, "sleeping", [1.0] * 4),
                                           ("pure-Python loop ~1 s", pure_python_loop, "pure_python_loop",
                                            [numbers_for(1.0)] * 4)):
            start = time.perf_counter()
            for x in inputs:
                func(x)
            plain = time.perf_counter() - start
            doc, took = choose(target, inputs, cpus_two, folder, "--no-free-threaded")
            baseline = doc["measurement"]["ways"][0]["elapsed"]
            runs = sum(w["elapsed"] or 0 for w in doc["measurement"]["ways"])
            overhead_rows.append([name, f"{plain:.3f}", f"{baseline:.3f}", f"{(baseline - plain) / plain:+.1%}",
                                  f"{took:.1f}", f"{runs:.1f}", f"{(took - runs) / runs:.0%}"])
            misses += (baseline - plain) / plain > 0.05 and name.startswith("sleeps")
        quick_rows = []
        for name, target, inputs in (("sleeps of 1 s", "sleeping", [1.0] * 8),
                                     ("pure-Python loop ~1 s", "pure_python_loop", [numbers_for(1.0)] * 8)):
            _, took = choose(target, inputs, cpus_two, folder, "--quick")
            quick_rows.append([name, "8", f"{took:.1f}", "yes" if took <= 30 else "NO"])
            misses += took > 30

    print("\nRecommendations (2 cores = taskset -c " + cpus_two + ", 1 core = taskset -c " + cpus_one + ")")
    print(table(["workload", "2 cores", "1 core", "right answer (2 | 1)", "right? (2 | 1)"], rows))
    print("\nOverhead: the tool's baseline against a plain for loop timed here (target ≤ 5 % on sleeps; "
          "computing is shown, but a busy machine moves it)")
    print(table(["1 s tasks × 4", "plain loop s", "tool's baseline s", "overhead", "whole command s",
                 "runs s", "command beyond runs"], overhead_rows))
    print("\n--quick (target ≤ 30 s for 1 s tasks; free-threaded build included when found)")
    print(table(["1 s tasks", "inputs", "whole command s", "≤ 30 s?"], quick_rows))
    print(f"\nidle cores now: {idle_cores(1.0):g}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

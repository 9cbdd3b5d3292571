"""Run every notebook under each start method on each Python version found here.

    python tools/matrix.py                         # 3.10–3.13 × every start method
    python tools/matrix.py --methods spawn         # spawn only (what `make test` runs on the other versions)
    python tools/matrix.py --versions 3.12 3.13
    python tools/matrix.py --jobs 3                 # three cells at a time (what `make test` does)
    python tools/matrix.py --versions current       # the interpreter running this script, as it is

Interpreters are found without hard-coded paths: `python3.X` on PATH, else pyenv's
versions folder (`pyenv root`). A version that is missing is skipped with a message. Each
version gets its own virtual environment, `.venv-3.X`, with the course and nbval in it.
Prints a table (start method × version: pass / FAIL / skip, with seconds) and writes it
to test-output/matrix.md; exits 1 if any cell failed.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ["3.10", "3.11", "3.12", "3.13"]
METHODS = ["fork", "spawn", "forkserver"]
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "--nbval-cell-timeout=180", "-p", "no:cacheprovider", "-q"]


def find_python(version: str) -> str | None:
    found = shutil.which(f"python{version}")
    if found and _reports(found, version):
        return found
    if shutil.which("pyenv"):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        candidates = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", "python")),
                            key=lambda p: [int(x) for x in Path(p).parent.parent.name.split(".") if x.isdigit()])
        for candidate in reversed(candidates):
            if _reports(candidate, version):
                return candidate
    return None


def _reports(python: str, version: str) -> bool:
    done = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == version


def environment(python: str, version: str) -> Path:
    venv = ROOT / f".venv-{version}"
    stamp = venv / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run(pip + ["--upgrade", "pip"], check=True)
        subprocess.run(pip + ["-e", str(ROOT), "nbval", "pytest"], check=True)
        stamp.touch()
    return venv / "bin" / "python"


def run_cell(venv_python: Path, version: str, method: str, time_scale: str) -> tuple[bool, float, str]:
    """nbval over every notebook with one interpreter and start method; returns (ok, seconds, output)."""
    env = dict(os.environ, COURSE_START_METHOD=method, COURSE_TIME_SCALE=time_scale)
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as log:
        done = subprocess.run([str(venv_python), "-m", "pytest", *NBVAL, "notebooks"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
        log.seek(0)
        output = log.read()
    return done.returncode == 0, time.monotonic() - start, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="+", default=VERSIONS)
    parser.add_argument("--methods", nargs="+", default=METHODS)
    parser.add_argument("--time-scale", default=os.environ.get("TEST_TIME_SCALE", "0.25"))
    parser.add_argument("--jobs", type=int, default=1, help="cells run at the same time")
    args = parser.parse_args()

    results: dict[tuple[str, str], str] = {}
    cells: list[tuple[Path, str, str]] = []
    for version in args.versions:
        if version == "current":  # this interpreter and its environment, e.g. the course's .venv
            version = "%d.%d" % sys.version_info[:2]
            python, venv_python = sys.executable, Path(sys.executable)
        else:
            python = find_python(version)
            venv_python = None
        if python is None:
            print(f"== Python {version}: not found (no python{version} on PATH, none in pyenv): skipped")
            for method in args.methods:
                results[(method, version)] = "skip (no interpreter)"
            continue
        if venv_python is None:
            venv_python = environment(python, version)  # one at a time: installs share pip's cache
        available = subprocess.run([str(venv_python), "-c", "import multiprocessing as m; print(*m.get_all_start_methods())"],
                                   capture_output=True, text=True).stdout.split()
        for method in args.methods:
            if method in available:
                cells.append((venv_python, version, method))
            else:
                results[(method, version)] = "skip (not on this platform)"

    failed = False
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_cell, py, version, method, args.time_scale): (version, method)
                   for py, version, method in cells}
        for future, (version, method) in futures.items():
            ok, seconds, output = future.result()
            print(f"== Python {version}, {method}: {'pass' if ok else 'FAIL'} in {seconds:.0f} s ==", flush=True)
            print(output if not ok else output.strip().splitlines()[-1], flush=True)
            failed |= not ok
            results[(method, version)] = f"{'pass' if ok else 'FAIL'} ({seconds:.0f} s)"

    versions = list(dict.fromkeys(version for _, version in results))
    header = "| start method | " + " | ".join(versions) + " |"
    lines = [header, "|" + "---|" * (len(versions) + 1)]
    for method in args.methods:
        lines.append(f"| {method} | " + " | ".join(results.get((method, v), "") for v in versions) + " |")
    table = "\n".join(lines)
    print(table)
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / f"matrix-{'-'.join(versions)}.md").write_text(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Render the Binder image's build without building it: ``repo2docker --no-build --debug`` on this repository.

repo2docker is not a test dependency (it brings docker-py and its own pins; about 38 MB, 22 packages), so
this check runs where it is installed and says how to get it elsewhere:

    python -m venv /tmp/r2d && /tmp/r2d/bin/pip install jupyter-repo2docker
    python tools/binder_render.py --repo2docker /tmp/r2d/bin/repo2docker

It needs no Docker daemon. It fails when repo2docker refuses the environment (versions before 2025.12
refuse Python 3.14, binder/environment.yml's version), when the Dockerfile does not install
binder/environment.yml, or when it does not run binder/postBuild. Exit status 0: the build renders;
1: it does not; 2: repo2docker is not installed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The first repo2docker release that accepts Python 3.14 (README, "Binder").
FIRST_WITH_PYTHON_314 = (2025, 12)


def render(repo2docker: str) -> tuple[bool, str]:
    """Run repo2docker in render-only mode on this repository; (it rendered as expected, its output or the reason)."""
    done = subprocess.run([repo2docker, "--no-build", "--no-run", "--debug", str(ROOT)], capture_output=True,
                          text=True, timeout=300)
    output = done.stdout + done.stderr
    python = re.search(r"^\s*-\s*python\s*=\s*([\d.]+)", (ROOT / "binder" / "environment.yml").read_text(), re.M)
    problems = []
    if done.returncode != 0:
        problems.append(f"repo2docker exited with {done.returncode}")
    if python and f"python={python.group(1)}" not in output:
        problems.append(f"repo2docker did not build for python={python.group(1)} (binder/environment.yml)")
    if '--file "binder/environment.yml"' not in output:
        problems.append("the Dockerfile does not install binder/environment.yml")
    if "./binder/postBuild" not in output:
        problems.append("the Dockerfile does not run binder/postBuild")
    return not problems, "; ".join(problems) or output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo2docker", default=shutil.which("repo2docker"), help="the repo2docker command")
    args = parser.parse_args(argv)
    if not args.repo2docker:
        print("repo2docker is not installed: pip install jupyter-repo2docker (in a venv of its own)")
        return 2
    version = subprocess.run([args.repo2docker, "--version"], capture_output=True, text=True).stdout.strip()
    ok, said = render(args.repo2docker)
    release = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
    if not ok:
        hint = (f" (repo2docker {version} is older than {FIRST_WITH_PYTHON_314[0]}.{FIRST_WITH_PYTHON_314[1]}, "
                "which refuses Python 3.14)" if release and release < FIRST_WITH_PYTHON_314 else "")
        print(f"✘ repo2docker {version}: {said}{hint}")
        return 1
    print(f"✔ repo2docker {version} renders the Binder build: binder/environment.yml, then binder/postBuild")
    return 0


if __name__ == "__main__":
    sys.exit(main())

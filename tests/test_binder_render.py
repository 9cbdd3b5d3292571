"""tools/binder_render.py: the Binder build renders with repo2docker (no daemon), where repo2docker is installed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPO2DOCKER = os.environ.get("REPO2DOCKER") or shutil.which("repo2docker")


@pytest.mark.skipif(not REPO2DOCKER,
                    reason="repo2docker is not installed (not a test dependency: tools/binder_render.py)")
def test_the_binder_build_renders():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "binder_render.py"), "--repo2docker", REPO2DOCKER],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("✔ repo2docker")


def test_without_repo2docker_it_says_how_to_get_it():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "binder_render.py"), "--repo2docker", ""],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "pip install jupyter-repo2docker" in done.stdout

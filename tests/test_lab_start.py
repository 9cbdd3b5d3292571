"""`make lab` as a learner meets it: a real JupyterLab started with the Makefile's arguments opens 00_welcome,
and the course's settings (binder/overrides.json) turn JupyterLab's news pop-up off.

Reading the Makefile's text could not see that JupyterLab overrides ``ServerApp.default_url`` (its launcher wins):
so the server is started on a free 127.0.0.1 port with ``make lab-args`` and ``/`` is fetched, redirects followed.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from lab_server import LabServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "binder" / "overrides.json"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"

pytestmark = pytest.mark.timeout(180)


def make_lab_args() -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-s", "--no-print-directory", "lab-args"], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=30).stdout
    return shlex.split(out)


def served(tmp_path: Path, args: list[str], **kwargs) -> LabServer:
    pytest.importorskip("jupyterlab")
    # The test's server has its own copy of the notebooks, port and token: the Makefile's root_dir and ip are
    # the ones LabServer sets too (checked below), every other argument is passed as make lab passes it.
    own = [a for a in args if not a.startswith(("--ServerApp.root_dir=", "--ServerApp.ip="))]
    return LabServer(ROOT / "notebooks", tmp_path / "lab", extra_args=own, **kwargs)


def test_make_lab_opens_the_welcome_notebook(tmp_path: Path) -> None:
    args = make_lab_args()
    assert "--ServerApp.ip=127.0.0.1" in args and "--ServerApp.root_dir=notebooks" in args
    server = served(tmp_path, args)
    try:
        server.start(timeout=90)
        with urllib.request.urlopen(server.url("/"), timeout=30) as reply:  # follows the redirects
            landed = reply.geturl()
            page = reply.read().decode(errors="replace")
        assert urllib.request.urlparse(landed).path == "/lab/tree/00_welcome.ipynb", landed
        assert "JupyterLab" in page
    finally:
        assert server.stop() == []


def test_the_course_settings_turn_the_news_pop_up_off(tmp_path: Path) -> None:
    settings = json.loads(OVERRIDES.read_text())
    assert settings[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}
    # make lab and binder/postBuild install the file where JupyterLab reads a site's overrides.
    makefile, post_build = (ROOT / "Makefile").read_text(), (ROOT / "binder" / "postBuild").read_text()
    assert "cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json" in makefile
    assert "share/jupyter/lab/settings" in post_build and "binder/overrides.json" in post_build
    # A real JupyterLab with that file as its app settings, and no user settings of the test's own, reports
    # the news as "Never" by default (the installed schema's own default is "none": ask).
    app_settings = tmp_path / "app-settings"
    app_settings.mkdir()
    shutil.copyfile(OVERRIDES, app_settings / "overrides.json")
    server = served(tmp_path, [*make_lab_args(), f"--LabApp.app_settings_dir={app_settings}"], user_settings=False)
    try:
        server.start(timeout=90)
        reply = server.api("GET", f"/lab/api/settings/{NOTIFICATION}")
        # The server applies a site's overrides to the schema's defaults (jupyterlab_server: settings_utils).
        defaults = {name: spec.get("default") for name, spec in reply["schema"]["properties"].items()}
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, defaults
        assert reply.get("settings", {}).get("fetchNews") is None  # from the course's file, not a user setting
    finally:
        assert server.stop() == []

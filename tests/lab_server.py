"""A throw-away JupyterLab (or Jupyter Notebook 7) server and a headless system chromium, for the browser test.

``LabServer`` starts JupyterLab the way the README does (``jupyter lab --ServerApp.ip=127.0.0.1
--ServerApp.root_dir=notebooks``) on a copy of the course notebooks, with a fresh random token,
a free port, and every Jupyter directory (config, data, runtime, settings, workspaces) inside a
temporary folder, so neither the learner's setup nor an earlier run can change what it shows.
News and update checks are off: the test machine has no outside network, and a pop-up
asking about news would cover the notebook.

``LabServer(..., frontend="notebook")`` starts Jupyter Notebook 7 instead (``jupyter notebook``,
the ``notebook`` package), on the same kind of server with the same options: Notebook 7 is built
from JupyterLab's parts, so the same settings, widgets and REST API apply. ``stop()`` shuts the kernels down
through the REST API, then the server, then terminates (and, if need be, kills) the server's process group,
and reports every process of the
server's tree that was still alive afterwards. Nothing here downloads anything: the browser
is the one the system package manager installed (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from helpers.engine.census import describe, kill_all

#: Flags chromium needs to run headless as root in a container with no outside network:
#: no sandbox (root), no GPU, and none of the background connections (updates, sync, field
#: trials, QUIC) that would only be refused and slow the start down.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
)

#: Where Debian and Ubuntu put chromium (the binary itself first: /usr/bin/chromium is a shell
#: wrapper that adds flags and Google API keys we do not want).
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")

#: Settings a learner could also choose in Settings → Notifications; here they keep the
#: browser from asking the network for news or a newer JupyterLab.
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: Environment the server must not pass on to its kernels. COURSE_TIME_SCALE: the test wants
#: real one-second pauses, long enough to watch several frames of the live chart.
#: PYTEST_CURRENT_TEST: a kernel that sees it turns its output capture off.
DROPPED_ENV = ("COURSE_TIME_SCALE", "PYTEST_CURRENT_TEST", "JUPYTER_TOKEN", "JUPYTER_PATH",
               "JUPYTER_CONFIG_PATH")


def chromium_environment(home: Path) -> dict[str, str]:
    """The environment for chromium: its config and cache folders inside ``home``.

    Chromium starts crash handlers that detach from it (their parent becomes pid 1) and keep
    a crash database under ``$XDG_CONFIG_HOME/chromium``; with these folders in the test's
    temporary directory, nothing is written to the learner's home and every chromium process
    names that directory on its command line, so a leftover one can still be found.
    """
    env = dict(os.environ)
    for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    return env


def find_chromium() -> str | None:
    """Path of the system chromium (``$COURSE_CHROMIUM`` first), or None if there is none."""
    for candidate in (os.environ.get("COURSE_CHROMIUM"), *CHROMIUM_CANDIDATES):
        if not candidate:
            continue
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The processes of ``processes`` that still run (zombies count as gone)."""
    left = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                left.append(process)
        except psutil.Error:
            pass
    return left


#: The two front-ends a learner opens the course in: the module that starts each, and the
#: address of a notebook in it.
FRONTENDS = {
    "lab": ("jupyterlab", "/lab/tree/{}"),
    "notebook": ("notebook", "/notebooks/{}"),
}


class LabServer:
    """One JupyterLab (or Notebook 7) server on a copy of ``notebooks``; use :meth:`start` and :meth:`stop`.

    ``url(path)`` gives an address with the token. ``stop()`` returns the descriptions of
    processes that had to be killed because they outlived the shutdown (an empty list when
    everything ended on its own); it never raises, so it is safe in a ``finally``.
    """

    def __init__(self, notebooks: Path, workdir: Path, log: Path | None = None, frontend: str = "lab",
                 extra_args: list[str] | None = None, user_settings: bool = True) -> None:
        if frontend not in FRONTENDS:
            raise ValueError(f"frontend must be one of {', '.join(FRONTENDS)}, not {frontend!r}")
        self.frontend = frontend
        self.extra_args = list(extra_args or [])  # e.g. what `make lab` passes (make lab-args)
        self.user_settings = user_settings  # False: JupyterLab's settings as a learner's fresh install has them
        self.workdir = workdir
        self.root = workdir / "notebooks"
        shutil.copytree(notebooks, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log or workdir / "lab.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    # --- environment ------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        dirs = {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
            "IPYTHONDIR": "ipython",
        }
        for name, sub in dirs.items():
            path = self.workdir / sub
            path.mkdir(parents=True, exist_ok=True)
            env[name] = str(path)
        for relative, values in (LAB_USER_SETTINGS if self.frontend == "lab" and self.user_settings else {}).items():
            target = self.workdir / "lab-settings" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values, indent=2))
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def command(self) -> list[str]:
        # The README's command, plus what a test needs: its own port and token, no browser.
        command = [
            sys.executable, "-m", FRONTENDS[self.frontend][0],
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={self.root}",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
        ]
        if self.frontend == "lab":  # Notebook 7 has no news or update check to turn off
            command += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        command += self.extra_args
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root; Jupyter refuses without it
        return command

    # --- life cycle -------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> LabServer:
        """Start the server and wait until ``/api/status`` answers with the token."""
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command(), cwd=self.workdir, env=self.environment(),
                                        stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)  # its own process group, killed as one
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter {self.frontend} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter {self.frontend} did not answer within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"{self.base}{path}?token={self.token}"

    def notebook_url(self, notebook: str) -> str:
        """The address that opens ``notebook`` in this server's front-end."""
        return self.url(FRONTENDS[self.frontend][1].format(notebook))

    def api(self, method: str, path: str, timeout: float = 10.0) -> Any:
        """Call the server's REST API with the token; return the decoded JSON (or None)."""
        request = urllib.request.Request(self.base + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict[str, Any]]:
        return self.api("GET", "/api/kernels")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> list[str]:
        """Shut kernels and server down; kill what is left; return what had to be killed."""
        if self.process is None:
            return []
        try:
            server = psutil.Process(self.process.pid)
            tree = [server, *server.children(recursive=True)]
        except psutil.Error:
            tree = []
        if self.process.poll() is None:
            try:
                for kernel in self.kernels():
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=20)
            except Exception:  # the server may be wedged: the signals below still end it
                pass
            try:
                self.api("POST", "/api/shutdown", timeout=10)
            except Exception:
                pass
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        # Kernels run in process groups of their own; anything of the tree still alive
        # (a kernel, a worker a kernel started) is terminated, then killed.
        killed: list[str] = []
        survivors = alive(tree)
        if survivors:
            killed = [describe(p) for p in survivors]
            self._signal_group(signal.SIGTERM)
            for process in survivors:
                try:
                    process.terminate()
                except psutil.Error:
                    pass
            _, survivors = psutil.wait_procs(survivors, timeout=5)
            self._signal_group(signal.SIGKILL)
            kill_all(survivors)
            psutil.wait_procs(survivors, timeout=5)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            killed.append(f"pid {self.process.pid}: jupyter lab would not exit")
        if self._log is not None:
            self._log.close()
            self._log = None
        self.process = None
        return killed

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError, AttributeError):
            pass

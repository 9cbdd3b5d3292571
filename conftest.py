"""Process census for the notebook runs: a course about processes must not leak any; kernels that start.

For every notebook that nbval runs, just before its kernel is shut down:
  * no child process started by the course may still be alive (multiprocessing's own
    fork server and resource tracker are allowed: they live as long as the kernel),
    and none may be left unreaped (a ``<defunct>`` zombie);
  * no TCP port may be listening in the kernel's process tree that was not listening when its first
    cell ran (a server or cluster left open);
and after the shutdown:
  * every process that descended from the kernel must be gone within a few seconds;
  * no /dev/shm segment the kernel's processes used may still exist (helpers.engine.leftovers.ShmWatcher samples
    them during the run: other notebooks running beside this one are not counted);
  * the kernel's own TMPDIR (a fresh directory per kernel) must be empty: no ``pymp-*``, no
    ``dask-scratch-space``.
Each failure names what was left (pid and command line, segment, directory, port) and removes it.

Every kernel a test starts (nbval's, and the unit tests' through the ``start_kernel`` fixture)
gets up to three tries: see :func:`retrying`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import psutil
import pytest

try:
    from nbval.plugin import IPyNbCell
except ImportError:  # nbval missing: nothing to watch
    IPyNbCell = None

from helpers.engine import leftovers
from helpers.engine.census import describe, kill_all, wait_for_no_children, wait_until_ended, zombies


def _kernel_process(item: pytest.Item) -> psutil.Process | None:
    kernel = getattr(item.parent, "kernel", None)
    try:
        return psutil.Process(kernel.km.provisioner.pid)
    except (AttributeError, TypeError, psutil.Error):
        return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    """At a notebook's first cell (its kernel just started): note its ports, start watching its /dev/shm use."""
    result = yield
    if IPyNbCell is not None and isinstance(item, IPyNbCell) and not hasattr(item.parent, "course_shm_watcher"):
        kernel = _kernel_process(item)
        if kernel is not None:
            item.parent.course_ports_before = {(a, p) for _, a, p in leftovers.listening_ports(kernel.pid)}
            watcher = item.parent.course_shm_watcher = leftovers.ShmWatcher(kernel.pid)
            watcher.start()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    last_cell = (IPyNbCell is not None and isinstance(item, IPyNbCell)
                 and (nextitem is None or nextitem.parent is not item.parent))
    kernel = _kernel_process(item) if last_cell else None
    leaked: list[psutil.Process] = []
    unreaped: list[str] = []
    everything: list[psutil.Process] = []
    ports: list[str] = []
    if kernel is not None:
        before = getattr(item.parent, "course_ports_before", set())
        ports = sorted(f"{address}:{port} (pid {pid})" for pid, address, port in leftovers.listening_ports(kernel.pid)
                       if (address, port) not in before)
        watcher = getattr(item.parent, "course_shm_watcher", None)
        if watcher is not None:
            watcher.sample()  # one last look before the shutdown, whatever the thread's timing
        leaked = wait_for_no_children(kernel.pid, timeout=5.0)
        leaked_names = [describe(process) for process in leaked]  # before shutdown ends them
        unreaped = [f"pid {p.pid} <defunct>" for p in wait_for_no_children(kernel.pid, timeout=2.0, count=zombies)]
        everything = kernel.children(recursive=True)
    tmpdir = _kernel_tmpdir(item) if kernel is not None else None  # nbval forgets its kernel at shutdown
    result = yield  # nbval shuts the kernel down here
    if kernel is not None:
        survivors = wait_until_ended(everything, timeout=10)
        problems = []
        if ports:
            problems.append(f"{item.parent.name} left {len(ports)} port(s) listening before shutdown: "
                            + ", ".join(ports))
        if leaked:
            problems.append(f"{item.parent.name} left {len(leaked)} child process(es) running before shutdown:\n  "
                            + "\n  ".join(leaked_names))
        if unreaped:
            problems.append(f"{item.parent.name} left {len(unreaped)} ended child process(es) unreaped (zombies):\n  "
                            + "\n  ".join(unreaped))
        if survivors:
            problems.append(f"{len(survivors)} process(es) outlived the kernel of {item.parent.name}:\n  "
                            + "\n  ".join(kill_all(survivors)))
        problems += _files_left(item, tmpdir)
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
    return result


def _kernel_tmpdir(item: pytest.Item) -> str | None:
    return getattr(getattr(getattr(item.parent, "kernel", None), "km", None), "course_tmpdir", None)


def _files_left(item: pytest.Item, tmpdir: str | None) -> list[str]:
    """/dev/shm segments the kernel's processes used and its TMPDIR's entries, still there after shutdown (removed)."""
    import shutil

    problems = []
    watcher = getattr(item.parent, "course_shm_watcher", None)
    if watcher is not None:
        watcher.stop()
        segments = watcher.leaked()
        if segments:
            problems.append(f"{item.parent.name} left {len(segments)} /dev/shm segment(s): " + ", ".join(segments))
            leftovers.remove_shm(segments)
    if tmpdir:
        entries = leftovers.left_in(tmpdir)
        if entries:
            problems.append(f"{item.parent.name} left in its TMPDIR: " + ", ".join(entries))
        shutil.rmtree(tmpdir, ignore_errors=True)
    return problems


def with_private_tmpdir(start: Callable[..., Any]) -> Callable[..., Any]:
    """``start`` (a ``start_new_kernel``) with the kernel's TMPDIR a fresh directory (``km.course_tmpdir``)."""

    @functools.wraps(start)
    def start_with_tmpdir(*args: Any, **kwargs: Any) -> Any:
        import os

        tmpdir = leftovers.private_tmpdir()
        env = dict(kwargs.pop("env", None) or os.environ)
        env["TMPDIR"] = tmpdir
        km, kc = start(*args, env=env, **kwargs)
        km.course_tmpdir = tmpdir
        return km, kc

    return start_with_tmpdir


@pytest.fixture(autouse=True)
def no_leftover_children(request: pytest.FixtureRequest):
    """After every unit test: no child process of this test run may still be alive."""
    yield
    if not isinstance(request.node, pytest.Function) or request.node.get_closest_marker("allow_children"):
        return
    leaked = wait_for_no_children(timeout=5.0)
    names = kill_all(leaked)
    if leaked:
        pytest.fail(f"{request.node.name} left {len(leaked)} child process(es) running:\n  " + "\n  ".join(names),
                    pytrace=False)


#: Printed (as a warning) for every kernel start that failed and was tried again; tools/matrix.py shows these lines.
KERNEL_RETRIED = "kernel did not start, tried again"
KERNEL_START_TRIES = 3
#: Seconds a kernel may take to answer (nbval's --nbval-kernel-startup-timeout in tools/matrix.py says the same).
#: Starts took 1-2 s on the 2-core machine with both cores busy; a kernel whose port was taken never answers.
KERNEL_START_TIMEOUT = 30


def retrying(start: Callable[..., Any]) -> Callable[..., Any]:
    """``start`` (a ``start_new_kernel``), tried again with a fresh kernel when it raises RuntimeError.

    jupyter_client asks the OS for five free ports and the kernel binds them a moment later.
    A process that opens connections in that moment (notebook 13 opens 1 000 at once; Dask binds
    ports of its own) can take one first; the kernel's bind fails with ``ZMQError: Address already
    in use``. Then the kernel either exits ("Kernel died before replying to kernel_info") or, seen
    more often, hangs in ``zmq.Context.term()`` as it closes ("Kernel didn't respond in N seconds"):
    hence a start-up timeout of :data:`KERNEL_START_TIMEOUT` s, where a start takes 1-2 s here.
    Measured: 1 start in 60 failed while another process opened 1 000 local connections at a time;
    1 in 120 hung while three processes started kernels beside that and two busy loops. A second
    start picks new ports. Each failed try is reported as a warning, so a log shows it happened.
    """

    @functools.wraps(start)
    def start_with_retries(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, KERNEL_START_TRIES + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as error:
                if attempt == KERNEL_START_TRIES:
                    raise
                warnings.warn(f"{KERNEL_RETRIED} (try {attempt} of {KERNEL_START_TRIES}: {error})", stacklevel=2)
        raise AssertionError("unreachable")

    return start_with_retries


def start_over_ipc(startup_timeout: float = 60, kernel_name: str = "python3", *,
                   kernel_spec_manager: Any = None, **kwargs: Any) -> tuple[Any, Any]:
    """``jupyter_client.manager.start_new_kernel`` with the kernel's channels on Unix sockets, not TCP ports.

    Over TCP, ipykernel 7.4 warns at every start "Kernel is running over TCP without encryption"
    (ipykernel/kernelapp.py: ``IPKernelApp.init_sockets``), and rightly on a shared machine: messages are
    signed with the connection file's key, but anyone on the machine may connect to the kernel's IOPub
    port and read every output. The sockets here are files beside the connection file in Jupyter's
    runtime directory (mode 0700: only this user), removed by jupyter_client at shutdown
    (``KernelManager.cleanup_ipc_files``); and no port can be taken by another process between
    jupyter_client choosing it and the kernel binding it. Windows has no IPC transport, and a socket path
    longer than ``sun_path`` (104-108 bytes) cannot be bound: TCP there.
    """
    import os
    import uuid

    from jupyter_client.manager import KernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    extra: dict[str, Any] = {} if kernel_spec_manager is None else {"kernel_spec_manager": kernel_spec_manager}
    runtime = jupyter_runtime_dir()
    base = os.path.join(runtime, f"k-{uuid.uuid4().hex[:12]}")
    # A Unix socket's path holds at most 107 bytes on Linux (104 on macOS): a longer runtime path keeps TCP.
    if os.name != "nt" and len(os.fsencode(base)) + len("-ipc-99999") < 104:
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        extra.update(transport="ipc", ip=base + "-ipc", connection_file=base + ".json")
    km = KernelManager(kernel_name=kernel_name, **extra)
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel()
        raise
    return km, kc


@pytest.fixture
def start_kernel() -> Callable[..., Any]:
    """A kernel started over Unix sockets (:func:`start_over_ipc`), with :func:`retrying`'s tries and a start-up
    timeout of 30 s."""
    return retrying(functools.partial(start_over_ipc, startup_timeout=KERNEL_START_TIMEOUT))


def _nbval_start_over_ipc(startup_timeout: float = 60, kernel_name: str = "python", **kwargs: Any) -> Any:
    """nbval's ``start_new_kernel`` (its kernel spec manager), over Unix sockets."""
    import nbval.kernel

    return start_over_ipc(startup_timeout, kernel_name, kernel_spec_manager=nbval.kernel.NbvalKernelspecManager(),
                          **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_children: the test manages its own long-lived child processes")
    try:
        import nbval.kernel
    except ImportError:
        return
    if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
        nbval.kernel.start_new_kernel = retrying(with_private_tmpdir(_nbval_start_over_ipc))

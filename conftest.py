"""Process census for the notebook runs: a course about processes must not leak any; kernels that start.

For every notebook that nbval runs, just before its kernel is shut down:
  * no child process started by the course may still be alive (multiprocessing's own
    fork server and resource tracker are allowed: they live as long as the kernel),
    and none may be left unreaped (a ``<defunct>`` zombie);
and after the shutdown:
  * every process that descended from the kernel must be gone within a few seconds.
Either failure names the survivors (pid and command line) and kills them.

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

from helpers.engine.census import describe, kill_all, wait_for_no_children, wait_until_ended, zombies


def _kernel_process(item: pytest.Item) -> psutil.Process | None:
    kernel = getattr(item.parent, "kernel", None)
    try:
        return psutil.Process(kernel.km.provisioner.pid)
    except (AttributeError, TypeError, psutil.Error):
        return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    last_cell = (IPyNbCell is not None and isinstance(item, IPyNbCell)
                 and (nextitem is None or nextitem.parent is not item.parent))
    kernel = _kernel_process(item) if last_cell else None
    leaked: list[psutil.Process] = []
    unreaped: list[str] = []
    everything: list[psutil.Process] = []
    if kernel is not None:
        leaked = wait_for_no_children(kernel.pid, timeout=5.0)
        leaked_names = [describe(process) for process in leaked]  # before shutdown ends them
        unreaped = [f"pid {p.pid} <defunct>" for p in wait_for_no_children(kernel.pid, timeout=2.0, count=zombies)]
        everything = kernel.children(recursive=True)
    result = yield  # nbval shuts the kernel down here
    if kernel is not None:
        survivors = wait_until_ended(everything, timeout=10)
        problems = []
        if leaked:
            problems.append(f"{item.parent.name} left {len(leaked)} child process(es) running before shutdown:\n  "
                            + "\n  ".join(leaked_names))
        if unreaped:
            problems.append(f"{item.parent.name} left {len(unreaped)} ended child process(es) unreaped (zombies):\n  "
                            + "\n  ".join(unreaped))
        if survivors:
            problems.append(f"{len(survivors)} process(es) outlived the kernel of {item.parent.name}:\n  "
                            + "\n  ".join(kill_all(survivors)))
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
    return result


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


@pytest.fixture
def start_kernel() -> Callable[..., Any]:
    """``jupyter_client.manager.start_new_kernel``, with :func:`retrying`'s tries and a start-up timeout of 30 s."""
    from jupyter_client.manager import start_new_kernel

    return retrying(functools.partial(start_new_kernel, startup_timeout=KERNEL_START_TIMEOUT))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_children: the test manages its own long-lived child processes")
    try:
        import nbval.kernel
    except ImportError:
        return
    if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
        nbval.kernel.start_new_kernel = retrying(nbval.kernel.start_new_kernel)

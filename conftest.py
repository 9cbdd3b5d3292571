"""Process census for the notebook runs: a course about processes must not leak any.

For every notebook that nbval runs, just before its kernel is shut down:
  * no child process started by the course may still be alive (multiprocessing's own
    fork server and resource tracker are allowed: they live as long as the kernel),
    and none may be left unreaped (a ``<defunct>`` zombie);
and after the shutdown:
  * every process that descended from the kernel must be gone within a few seconds.
Either failure names the survivors (pid and command line) and kills them.
"""

from __future__ import annotations

import psutil
import pytest

try:
    from nbval.plugin import IPyNbCell
except ImportError:  # nbval missing: nothing to watch
    IPyNbCell = None

from helpers.census import describe, kill_all, wait_for_no_children, wait_until_ended, zombies


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_children: the test manages its own long-lived child processes")

"""Looking inside a running asyncio program: Python 3.14's ``python -m asyncio ps PID``.

:func:`asyncio_ps` starts a small program whose named tasks wait for slow pages from the local
server, runs ``python -m asyncio ps`` on it, and stops it (killed and reaped on every path).
Before 3.14, or where the system forbids one process to read another's memory, it says so.
"""

from __future__ import annotations

import threading
from typing import Any

from .fetching import check_urls


#: A program with three named tasks waiting for slow pages; `python -m asyncio ps` inspects it.
PS_TARGET = """
import asyncio, ctypes, sys
try:  # Linux (Yama): let a process that is not our parent inspect this one
    ctypes.CDLL(None).prctl(0x59616D61, ctypes.c_ulong(-1), 0, 0, 0)
except (OSError, AttributeError):
    pass
import aiohttp

async def fetch(session, url):
    async with session.get(url) as reply:
        return await reply.text()

async def main(base):
    async with aiohttp.ClientSession() as session:
        async with asyncio.TaskGroup() as group:
            for i in range(3):
                group.create_task(fetch(session, f"{base}/page/{i}?delay=30"), name=f"fetch-page-{i}")
            await asyncio.sleep(0.3)
            print("ready", flush=True)

asyncio.run(main(sys.argv[1]))
"""


def asyncio_ps(base_url: str, timeout: float = 30.0) -> tuple[bool, str]:
    """Start :data:`PS_TARGET` against ``base_url``, run ``python -m asyncio ps`` on it, stop it.

    Returns ``(True, the table)``, or ``(False, why not)`` before Python 3.14 or where the
    operating system refuses to let one process read another's memory.
    """
    import subprocess
    import sys

    if sys.version_info < (3, 14):
        return False, (f"`python -m asyncio ps` needs Python 3.14 or later; this is "
                       f"{sys.version_info.major}.{sys.version_info.minor}: skipped.")
    check_urls([base_url])
    target = subprocess.Popen([sys.executable, "-c", PS_TARGET, base_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        ready = _read_line(target, timeout)
        if ready != "ready":
            said = target.stderr.read() if target.poll() is not None else ready
            return False, f"the program to inspect did not start: {said}"
        done = subprocess.run([sys.executable, "-m", "asyncio", "ps", str(target.pid)], capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            return False, ("this system did not let one process inspect another (on macOS it needs sudo; on Linux "
                           f"see /proc/sys/kernel/yama/ptrace_scope): {done.stderr.strip().splitlines()[-1:]}")
        return True, done.stdout
    finally:
        target.kill()
        target.communicate(timeout=10)


def _read_line(process: Any, timeout: float) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline().strip()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else ""

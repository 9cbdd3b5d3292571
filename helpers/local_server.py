"""A real HTTP server on 127.0.0.1, in its own process, that waits before it answers.

The stand-in for a slow web site in notebook 13: every request waits ``delay`` seconds
(``?delay=0.5`` overrides it per request) and then returns a small page. The server is an
``asyncio`` server in a child process, so it holds thousands of connections at once and
costs the notebook's own process nothing; it counts what it served and the most requests it
held at the same moment (``stats()``), which is how a checker *observes* concurrency.

:class:`LocalServer` starts it and stops it: ``with LocalServer(delay=1.0) as server: ...``.
It is stopped, and its port freed, on every exit path: the ``with`` block's end, an exception,
``KeyboardInterrupt``, the kernel exiting (``weakref.finalize``), and ``stop()`` by hand.

Who can reach it: it listens on 127.0.0.1 only (never another interface), on a port the system
picks (``port=0``), and asks for no credentials, so any user *of this machine* can fetch its pages
and reset its ``/stats`` while it runs. That is acceptable for a demo that only sends a short page
and runs nothing it is sent; the servers that run code (Jupyter, the Dask cluster) authenticate.

Two limits decide whether 1 000 connections at once can work, on both sides:

* the **listen backlog**: connections the kernel queues before the server accepts them.
  The server asks for :data:`BACKLOG`; Linux caps it at ``net.core.somaxconn`` (4096 on recent
  kernels, 128 on old ones).
* the **open-file limit** (``RLIMIT_NOFILE``): every connection is a file descriptor. macOS
  starts shells at 256. :func:`raise_open_file_limit` raises the *soft* limit up to the *hard*
  one (allowed without privileges) and says what it did.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import weakref
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .engine import validate
from .engine.config import resolve_start_method, start_context

#: The listen backlog the server asks for (the kernel may cap it: ``net.core.somaxconn``).
BACKLOG = 4096
#: Longest delay a request may ask for, in seconds.
MAX_DELAY = 30.0
#: Largest page body the server will send, in bytes.
MAX_BODY = 1_000_000
#: Seconds to wait for the server process to start or to stop.
START_TIMEOUT = 30.0


def check_delay(delay: Any) -> float:
    """Return ``delay`` as a float if it is a number of seconds in [0, MAX_DELAY], else raise ValueError."""
    return validate.seconds(delay, "delay", MAX_DELAY, zero=True)


def check_port(port: Any) -> int:
    """Return ``port`` if it is 0 (any free port) or 1024–65535, else raise ValueError."""
    if isinstance(port, bool) or not isinstance(port, int) or not (port == 0 or 1024 <= port <= 65535):
        raise ValueError(f"port must be 0 (any free port) or a whole number from 1024 to 65535; you gave {port!r}.")
    return port


def open_file_limit() -> tuple[int, int] | None:
    """``(soft, hard)`` limits on open files for this process, or None where there are none (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, hard


#: The most open files a process may ask for: Linux's default ``fs.nr_open`` (2**20; kernel Documentation
#: admin-guide/sysctl/fs.rst). No demo needs more than a few thousand.
MOST_OPEN_FILES = 1_048_576


def raise_open_file_limit(needed: int) -> str:
    """Make sure this process may open ``needed`` files; return a sentence saying what was done.

    Only the soft limit is raised, and never above the hard limit (no privileges needed).
    ``needed``: 1 to :data:`MOST_OPEN_FILES` (Linux's default ceiling, ``fs.nr_open``).
    """
    validate.whole_number(needed, "needed (files)", 1, MOST_OPEN_FILES)
    limits = open_file_limit()
    if limits is None:
        return "this platform has no open-file limit to raise (Windows)"
    import resource

    soft, hard = limits
    infinite = resource.RLIM_INFINITY
    if soft == infinite or soft >= needed:
        return f"open-file limit {'unlimited' if soft == infinite else soft}: enough for {needed}"
    target = needed if hard == infinite else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:  # macOS refuses values above kern.maxfilesperproc
        return f"open-file limit {soft} (could not raise it: {exc}); expect errors above about {soft - 50} connections"
    note = "" if target >= needed else f"; the hard limit {hard} is below {needed}: expect errors beyond it"
    return f"open-file limit raised from {soft} to {target} (the hard limit is {hard}){note}"


# --- the server (runs in the child process) ---------------------------------------------------


class _Counters:
    def __init__(self) -> None:
        self.served = 0
        self.active = 0
        self.peak = 0
        self.first: float | None = None
        self.last: float | None = None


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float,
                  counters: _Counters) -> None:
    try:
        while True:  # HTTP/1.1 keep-alive: one connection may carry several requests
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split()
            target = parts[1] if len(parts) >= 2 else "/"
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            url = urlsplit(target)
            query = parse_qs(url.query)
            if url.path == "/stats":
                body = json.dumps({"served": counters.served, "active": counters.active, "peak": counters.peak,
                                   "first": counters.first, "last": counters.last}).encode()
                status = "200 OK"
                if query.get("reset"):
                    counters.served, counters.peak, counters.first, counters.last = 0, 0, None, None
            else:
                try:
                    wait = float(query["delay"][0]) if "delay" in query else delay
                    size = int(query["size"][0]) if "size" in query else 100
                    check_delay(wait)
                    if not 0 <= size <= MAX_BODY:
                        raise ValueError(size)
                except (ValueError, TypeError):
                    body, status = b"bad delay or size\n", "400 Bad Request"
                else:
                    counters.active += 1
                    counters.peak = max(counters.peak, counters.active)
                    now = time.time()
                    counters.first = now if counters.first is None else counters.first
                    try:
                        await asyncio.sleep(wait)
                    finally:
                        counters.active -= 1
                    counters.served += 1
                    counters.last = time.time()
                    text = f"page {url.path} after {wait:g} s\n".encode()
                    body = (text * (size // len(text) + 1))[:size] if size else b""
                    status = "200 OK"
            close = headers.get("connection", "").lower() == "close"
            writer.write(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nContent-Type: text/plain\r\n"
                         f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n".encode() + body)
            await writer.drain()
            if close:
                return
    except ConnectionError:
        return
    finally:
        writer.close()


async def _serve(port: int, delay: float, conn: Any) -> None:
    counters = _Counters()
    handlers: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await _handle(reader, writer, delay, counters)
        except asyncio.CancelledError:
            writer.close()
        finally:
            handlers.discard(task)

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=BACKLOG, reuse_address=True)
    conn.send(("ready", server.sockets[0].getsockname()[1]))
    # The parent says "stop" (or dies, which closes the pipe): either way the server ends.
    # A thread waits on the pipe, which works on every OS (add_reader does not on Windows).
    try:
        await asyncio.to_thread(conn.recv)
    except (EOFError, OSError):
        pass
    server.close()
    for task in list(handlers):  # requests still waiting are cut short: their clients see the connection close
        task.cancel()
    await asyncio.gather(*handlers, return_exceptions=True)
    await server.wait_closed()


def serve_forever(port: int, delay: float, conn: Any) -> None:
    """The child process's body: serve on 127.0.0.1:``port`` until ``conn`` is written to or closed."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the notebook's ■ interrupts the kernel; the parent stops us
    raise_open_file_limit(8192)
    try:
        asyncio.run(_serve(port, delay, conn))
    except OSError as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


# --- the parent's handle --------------------------------------------------------------------


def _stop_process(process: Any, conn: Any) -> None:
    try:
        conn.send("stop")
    except (OSError, ValueError):
        pass
    process.join(5)
    if process.is_alive():
        process.terminate()
        process.join(5)
    if process.is_alive():
        process.kill()
        process.join(5)
    try:
        conn.close()
    except OSError:
        pass


class LocalServer:
    """An HTTP server on 127.0.0.1 in a child process; every request waits ``delay`` seconds.

    ``port=0`` picks a free port (read it from ``.port``; ``.url`` is the base URL).
    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, delay: float = 1.0, *, port: int = 0, start_method: str | None = None) -> None:
        self.delay = check_delay(delay)
        self.requested_port = check_port(port)
        self.start_method = resolve_start_method(start_method)
        self.port: int | None = None
        self._process: Any = None
        self._finalizer: Any = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the server is not running: call start() first")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> LocalServer:
        if self.running:
            return self
        context = start_context(self.start_method)
        mine, theirs = context.Pipe()
        process = context.Process(target=serve_forever, args=(self.requested_port, self.delay, theirs),
                                  name="course-local-server", daemon=True)
        try:
            process.start()
            theirs.close()
            if not mine.poll(START_TIMEOUT):
                raise RuntimeError(f"the local server did not start within {START_TIMEOUT:.0f} s")
            kind, value = mine.recv()
            if kind != "ready":
                raise RuntimeError(f"the local server could not start: {value}")
        except BaseException:  # KeyboardInterrupt included: nothing is left running
            _stop_process(process, mine)
            raise
        self._process, self.port = process, value
        self._finalizer = weakref.finalize(self, _stop_process, process, mine)
        return self

    def stop(self) -> None:
        """Stop the server and wait until its port is free. Calling it twice is harmless."""
        if self._finalizer is not None:
            self._finalizer()  # runs _stop_process once
        port, self.port = self.port, None
        self._process = self._finalizer = None
        if port is not None:
            wait_until_port_is_free(port)

    def stats(self, reset: bool = False) -> dict[str, Any]:
        """What the server counted: ``served``, ``active`` now, ``peak`` (most at once), first/last times."""
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/stats{'?reset=1' if reset else ''}", timeout=10) as reply:
            return json.loads(reply.read())

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<LocalServer {where}, delay {self.delay:g} s>"


def port_is_free(port: int) -> bool:
    """True if nothing listens on 127.0.0.1:``port`` (a connection is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", check_port(port))) != 0


def wait_until_port_is_free(port: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not port_is_free(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True

"""Child processes whose printed lines come back to the cell that started them.

A plain ``multiprocessing.Process`` writes to the file descriptors it inherited. In
JupyterLab on Linux and macOS, ipykernel happens to capture those and shows them in the
cell (late, unless the child flushes); on Windows it does not capture them at all
(ipykernel issue 882), and under pytest the capture is switched off. So the course does
not rely on it: :class:`Process` gives each child a one-way pipe, the child's
``sys.stdout``/``sys.stderr`` send every finished line through it, and one relay thread
in the parent writes those lines into the parent's own streams, i.e. into the cell.

``join()`` returns only after the child's last line has been written, so a line the child
printed always appears before whatever the parent prints after ``join()``.

:func:`supervised` keeps a group of such children from start to end as one loop its owner drives (the harness's
worker processes): started, watched for one that died, joined by a deadline, and stopped on every way out.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import Any, TextIO, cast

from .config import resolve_start_method, start_context
from .interrupts import interrupt_deferred, restore_in_child

#: How long ``join()`` waits, after the child has exited, for its last lines to arrive.
DRAIN_TIMEOUT = 5.0


class _LineSender:
    """A text stream for the child: sends each complete line to the parent as it is written."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, conn: multiprocessing.connection.Connection, stream: str, lock: threading.Lock) -> None:
        self._conn = conn
        self._stream = stream
        self._lock = lock
        self._pending = ""

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                complete, _, self._pending = self._pending.rpartition("\n")
                self._send(complete + "\n")
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                pending, self._pending = self._pending, ""
                self._send(pending)

    def _send(self, text: str) -> None:
        try:
            self._conn.send((self._stream, text))
        except (OSError, EOFError, ValueError):
            pass  # The parent stopped listening (it was interrupted); nowhere left to print.

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _child_main(conn: multiprocessing.connection.Connection, target: Callable[..., Any],
                args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Runs in the child: route prints into the pipe, then call ``target``."""
    lock = threading.Lock()
    sys.stdout = _LineSender(conn, "stdout", lock)
    sys.stderr = _LineSender(conn, "stderr", lock)
    try:
        restore_in_child()  # forked inside Process.start's held-back interrupt: the normal handler again
        target(*args, **kwargs)
    except KeyboardInterrupt:
        # The learner pressed stop: the kernel's whole process group got SIGINT. The
        # parent reports the interruption; a traceback from every child would only bury it.
        sys.stdout.flush()
        raise SystemExit(130) from None


class _Relay:
    """One daemon thread in the parent that copies lines from every child pipe to our streams."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pipes: dict[multiprocessing.connection.Connection, tuple[threading.Event, TextIO, TextIO]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, conn: multiprocessing.connection.Connection, done: threading.Event) -> None:
        # The streams are captured now, in the thread that starts the child: that is the
        # cell's output, wherever the relay thread happens to run later.
        with self._lock:
            self._pipes[conn] = (done, sys.stdout, sys.stderr)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="course-output-relay", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                conns = list(self._pipes)
                if not conns:
                    self._thread = None
                    return
            ready = multiprocessing.connection.wait(conns, timeout=0.1)
            for conn in cast("list[multiprocessing.connection.Connection]", ready):  # of those it was given
                done, out, err = self._pipes[conn]
                try:
                    stream, text = conn.recv()
                except (EOFError, OSError):
                    with self._lock:
                        del self._pipes[conn]
                    conn.close()
                    done.set()
                    continue
                target = err if stream == "stderr" else out
                target.write(text)
                target.flush()


_RELAY = _Relay()


class Process:
    """A ``multiprocessing.Process`` whose prints appear in the notebook cell that started it.

    Same constructor arguments and methods as ``multiprocessing.Process`` (``start``,
    ``join``, ``is_alive``, ``terminate``, ``kill``, ``pid``, ``exitcode``, ``name``,
    ``daemon``), plus ``start_method``: ``None`` means ``$COURSE_START_METHOD`` or the
    platform's default (or ``context``: a ``multiprocessing`` context resolved already, e.g. a
    :class:`~helpers.engine.validate.RunPlan`'s). ``target`` must be importable (defined in a module such as
    ``helpers.workers``), so that spawn and forkserver children can find it.
    """

    def __init__(self, target: Callable[..., Any], args: Iterable[Any] = (),
                 kwargs: Mapping[str, Any] | None = None, *, name: str | None = None,
                 daemon: bool | None = None, start_method: str | None = None,
                 context: multiprocessing.context.DefaultContext | None = None) -> None:
        if context is None:
            context = start_context(resolve_start_method(start_method))
        self.start_method: str = context.get_start_method()
        self._reader, self._writer = context.Pipe(duplex=False)
        self._drained = threading.Event()
        self._process = context.Process(
            target=_child_main,
            args=(self._writer, target, tuple(args), dict(kwargs or {})),
            name=name, daemon=daemon,
        )

    def start(self) -> None:
        """Start the child and begin relaying what it prints."""
        interrupted = False
        try:
            try:
                with interrupt_deferred():  # ■ is held until the child is started and recorded, then raised
                    self._process.start()
            except KeyboardInterrupt:
                if self._process.pid is None:  # start itself did not get as far as a child
                    raise
                interrupted = True
        except BaseException:
            self._reader.close()
            raise
        finally:
            # The child holds its own copy of the write end; closing ours means the
            # pipe reports end-of-file exactly when the child (and its copies) are gone.
            self._writer.close()
        _RELAY.watch(self._reader, self._drained)
        if interrupted:  # the cell stops, with a child that join() and the reaper know
            raise KeyboardInterrupt

    def join(self, timeout: float | None = None) -> None:
        """Wait for the child to end (at most ``timeout`` s), then for its last printed lines."""
        self._process.join(timeout)
        if self._process.exitcode is not None:
            self._drained.wait(DRAIN_TIMEOUT)

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def terminate(self) -> None:
        self._process.terminate()

    def kill(self) -> None:
        self._process.kill()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def exitcode(self) -> int | None:
        return self._process.exitcode

    @property
    def name(self) -> str:
        return self._process.name

    @property
    def daemon(self) -> bool:
        return self._process.daemon

    @daemon.setter
    def daemon(self, value: bool) -> None:
        self._process.daemon = value

    def __repr__(self) -> str:
        state = "alive" if self.is_alive() else f"exitcode={self.exitcode}"
        return f"<helpers.Process {self.name} pid={self.pid} {self.start_method} {state}>"


def stop(process: Process | multiprocessing.process.BaseProcess, grace: float = 1.0) -> None:
    """Make sure ``process`` is gone: terminate, wait ``grace`` s, then kill. Never blocks for long."""
    if process.pid is None:
        return
    if process.is_alive():
        process.terminate()
        process.join(grace)
    if process.is_alive():
        process.kill()
        process.join(grace)


def supervised(target: Callable[..., Any], args: tuple[Any, ...], count: int, *, name: str,
               context: multiprocessing.context.DefaultContext,
               grace: float = 1.0) -> Generator[tuple[int | None, int | None] | None, float | None, None]:
    """``count`` children running ``target(*args)``, from start to end, as one loop that their owner drives.

    The first ``next()`` builds them (named ``name-1``, ``name-2``, ...; daemons), the second starts them; each later
    ``next()`` yields ``(pid, exit code)`` of a child that ended with an error, else ``None``; ``send(deadline)``
    waits for each until ``deadline`` (a :func:`time.perf_counter` time) and stops any still running. Closing the
    loop (``close()``, or an exception in it, ■ included) stops every child that is left: none outlives its owner's
    run.
    """
    children = [Process(target, args, name=f"{name}-{n + 1}", daemon=True, context=context) for n in range(count)]
    try:
        yield None  # built, none started: the owner may start its clock
        for child in children:
            child.start()
        deadline = yield None
        while deadline is None:
            deadline = yield next(((child.pid, child.exitcode) for child in children
                                   if child.exitcode not in (None, 0)), None)
        for child in children:
            child.join(max(0.1, deadline - time.perf_counter()))
        for child in children:
            stop(child, grace)  # anything alive after the deadline is stopped, not waited for
        yield None
    finally:
        for child in children:
            stop(child, grace)

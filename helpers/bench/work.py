"""What runs inside the measured threads, child processes and interpreters.

Every function here is importable by name, so that spawn, forkserver and interpreters can
find it. The echo loops serve :mod:`helpers.bench.moving`: each takes a payload, makes it
its own (a copy in its memory) and answers with its length, until told to stop; none of
them waits more than :data:`CHILD_TIMEOUT` seconds for a message, so a parent that died
cannot leave one behind for long. Child processes ignore Ctrl-C: the parent, which gets it
too, stops them itself, and one message is better than a traceback from every child.
"""

from __future__ import annotations

import signal
from typing import Any

#: Longest a child waits for its next message before giving up on its parent.
CHILD_TIMEOUT = 30.0


def nothing() -> None:
    """The task of a start-cost measurement: start, do nothing, end."""


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def echo_queue(inbox: Any, outbox: Any) -> None:
    """Take payloads from ``inbox`` and put each one's length on ``outbox``; ``None`` ends it.

    Works with ``multiprocessing.Queue`` and with a ``Manager().Queue()`` proxy alike.
    """
    _ignore_ctrl_c()
    while True:
        payload = inbox.get(timeout=CHILD_TIMEOUT)
        if payload is None:
            return
        outbox.put(len(payload))


def echo_pipe(conn: Any) -> None:
    """Receive payloads on a ``Pipe`` end and answer each with its length; an empty message ends it."""
    _ignore_ctrl_c()
    while conn.poll(CHILD_TIMEOUT):
        payload = conn.recv_bytes()
        if not payload:
            return
        conn.send(len(payload))


def echo_shared_memory(conn: Any, name: str) -> None:
    """Copy ``size`` bytes out of the shared memory block ``name`` for each ``size`` received; ``None`` ends it.

    The block carries the data, the pipe only a number: the copy into this process's own
    memory is counted, as it is for the other channels.
    """
    from multiprocessing import shared_memory

    _ignore_ctrl_c()
    block = shared_memory.SharedMemory(name=name)
    try:
        while conn.poll(CHILD_TIMEOUT):
            size = conn.recv()
            if size is None:
                return
            assert block.buf is not None  # None only once the block is closed
            conn.send(len(bytes(block.buf[:size])))
    finally:
        block.close()

"""Two patterns of moving data between processes, timed: inheriting vs pickling, and piece sizes.

* :func:`start_with_payload`: a child gets a payload as its ``Process`` argument. Under fork it
  inherits it with the parent's memory; under spawn and forkserver the argument is pickled and sent.
* :func:`send_in_pieces`: the same bytes through a ``Queue`` as one message or as thousands.

Every child is joined (killed if it must be) before a function returns or raises.
"""

from __future__ import annotations

import time
from typing import Any

from .engine.config import resolve_start_method, start_context
from .data_transfer import ROUND_TRIP_TIMEOUT, acknowledge, reap_process, check_size, payload


def _receive(conn: Any, what: str) -> Any:
    """The next message from the child, or TimeoutError after :data:`ROUND_TRIP_TIMEOUT` s."""
    if not conn.poll(ROUND_TRIP_TIMEOUT):
        raise TimeoutError(f"the child did not {what} within {ROUND_TRIP_TIMEOUT:.0f} s")
    return conn.recv()


def answer_argument(data: Any, conn: Any) -> None:
    """Child: answer at once about the payload it was started with."""
    conn.send(acknowledge(data))
    conn.close()


def start_with_payload(size: int, start_method: str | None = None) -> float:
    """Seconds from ``Process(target, args=(payload,)).start()`` to the child's answer.

    Under fork the child inherits the payload with the parent's memory; under spawn and
    forkserver the arguments are pickled and sent to the new process.
    """
    data = payload(check_size(size))
    context = start_context(resolve_start_method(start_method))
    mine, theirs = context.Pipe(duplex=False)
    process = context.Process(target=answer_argument, args=(data, theirs), daemon=True)
    start = time.perf_counter()
    try:
        process.start()
        theirs.close()
        answer = _receive(mine, "answer")
        elapsed = time.perf_counter() - start
    finally:
        mine.close()
        reap_process(process)
    if tuple(answer) != (len(data), data[-1]):
        raise RuntimeError(f"the child saw {answer}")
    return elapsed


#: The most messages :func:`send_in_pieces` will send.
MAX_PIECES = 200_000


def count_bytes(inbox: Any, conn: Any) -> None:
    """Child: say "ready" after the first message, then add up the length of every message from
    ``inbox`` until ``None``; send the total."""
    inbox.get()  # the parent's hello: we are up
    conn.send("ready")
    total = 0
    while (data := inbox.get()) is not None:
        total += len(data)
    conn.send(total)
    conn.close()


def send_in_pieces(total: int, piece: int, start_method: str | None = None) -> float:
    """Seconds to send ``total`` bytes through a ``Queue`` as messages of ``piece`` bytes each.

    Timed from the first ``put`` to the child's answer that it has every byte (the child is
    started, and has said hello, before the clock starts).
    """
    check_size(total)
    check_size(piece)
    if piece > total:
        raise ValueError(f"a piece ({piece:,} bytes) cannot be larger than the total ({total:,} bytes).")
    if total // piece > MAX_PIECES:
        raise ValueError(f"{total // piece:,} pieces is too many; keep it at most {MAX_PIECES:,}.")
    chunk = payload(piece)
    count = total // piece
    context = start_context(resolve_start_method(start_method))
    inbox = context.Queue()
    mine, theirs = context.Pipe(duplex=False)
    process = context.Process(target=count_bytes, args=(inbox, theirs), daemon=True)
    try:
        process.start()
        theirs.close()
        inbox.put(b"")  # a hello, answered once the child is up: its start-up is not timed
        if _receive(mine, "start") != "ready":
            raise RuntimeError("the child did not say it was ready")
        start = time.perf_counter()
        for _ in range(count):
            inbox.put(chunk)
        inbox.put(None)
        received = _receive(mine, "finish")
        elapsed = time.perf_counter() - start
    finally:
        inbox.cancel_join_thread()
        inbox.close()
        mine.close()
        reap_process(process)
    if received != count * piece:
        raise RuntimeError(f"the child counted {received} bytes, expected {count * piece}")
    return elapsed

"""Checker for the exercise of notebook 12: hand data to a child process through shared memory.

The learner writes ``share(data) -> tuple``: create a ``SharedMemory`` block, copy ``data`` in,
start a child running :func:`helpers.data_transfer.checksum_shared_block`, return what it put on
the queue, and unlink the block on every path. The checker observes, from the child's own report,
that a *child* read the bytes *from the named block* (the report carries a proof made from the
data's first 16 bytes, random every time, so it cannot be typed up), that the checksum is the data's, that the
block no longer exists afterwards, and that no process was left running.
"""

from __future__ import annotations

import os
import secrets
import zlib
from collections.abc import Callable
from typing import Any

from ..data_transfer import block_proof, payload
from .base import NOT_ANSWERED, Verdict, call_learner, report, unanswered

SIZE = 3_000_000
HINT_SHAPE = ("create the block with shared_memory.SharedMemory(create=True, size=len(data)), copy with "
              "block.buf[:len(data)] = data, pass block.name and len(data) to the child, and close()+unlink() "
              "in a finally: block.")


def _block_exists(name: str) -> bool:
    from multiprocessing import shared_memory

    from ..data_transfer import attach_shared_memory

    try:
        block = attach_shared_memory(name)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return False
    # Still there: the learner forgot unlink(). Remove it so the notebook leaks nothing.
    block.close()
    try:
        shared_memory.SharedMemory(name=name).unlink()
    except FileNotFoundError:
        pass
    return True


def check_shared_memory(share: Callable[[bytes], Any]) -> Verdict:
    """Run ``share(data)`` on 3 MB of data and check what the child reported, and what was left behind."""
    if unanswered(share):
        return report(False, NOT_ANSWERED)
    if not callable(share):
        return report(False, f"share should be a function taking the data, not {type(share).__name__}.",
                      "def share(data): ...")
    # The first 16 bytes are different every time: neither checksum nor proof can be remembered.
    data = secrets.token_bytes(16) + payload(SIZE)[16:]
    answer, elapsed, failed = call_learner(lambda: share(data), "share", HINT_SHAPE)
    if failed is not None:
        return failed
    if not (isinstance(answer, tuple) and len(answer) == 4):
        return report(False, f"share() returned {answer!r:.80}, not the (checksum, name, pid, proof) tuple that "
                             "checksum_shared_block put on the queue.",
                      "return results.get(timeout=30): the child's report, as it came.")
    checksum, name, pid, proof = answer
    if pid == os.getpid():
        return report(False, "that answer was not made by checksum_shared_block in a child process.",
                      "start a multiprocessing Process with target=checksum_shared_block.")
    if checksum != zlib.crc32(data):
        return report(False, "the child read other bytes than the data: its checksum does not match.",
                      "copy the data into the block before starting the child: block.buf[:len(data)] = data.")
    proven = isinstance(name, str) and isinstance(pid, int) and proof == block_proof(data[:16], name, pid, checksum)
    if not proven:
        return report(False, "that answer was not made by checksum_shared_block in a child process.",
                      "start a multiprocessing Process with target=checksum_shared_block.")
    if isinstance(name, str) and _block_exists(name):
        return report(False, f"the child read the block correctly, but block {name!r} still existed after "
                             "share() returned: it was never unlinked (the checker has removed it now).",
                      "call block.unlink() (after block.close()) in a finally: clause.")
    return report(True, f"a child process (pid {pid}) read {SIZE / 1e6:g} MB in place from shared memory "
                        f"block {name!r}, the checksum matches, and the block is gone; {elapsed:.2f} s in all.")

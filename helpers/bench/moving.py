"""Moving data between processes: ``Queue``, ``Pipe``, ``Manager``, ``Array`` and shared memory, by payload size.

The channels are notebook 12's, measured by the lesson's own machinery
(:class:`helpers.data_transfer.EchoChannel`: one piece of code for "an echo child behind a channel"). One child
process per channel echoes: the parent hands it a payload, the child takes it and answers with its length and
last byte. A round trip therefore counts every copy and every pickling the data needs to arrive; throughput is
payload bytes / round-trip time (one way). Small payloads measure the channel's latency, large ones its
bandwidth. The child is started with the course's start method, ends quietly on Ctrl-C, and is stopped (then
killed if need be) and reaped by the parent whatever happens; shared-memory blocks are unlinked on every path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..data_transfer import EchoChannel, payload
from ..engine.config import start_context
from ..engine.limits import fit_to_shm, shm_space

#: The benchmark's label for each of the lesson's channels (the labels its tables, report and budgets show).
#: What each measures is the lesson's (helpers/data_transfer.py), which differs from this module's own echo
#: children before they were merged into the lesson's (December 2026):
#: * "Manager": a ``Manager().dict()`` the parent writes and the child reads, told when by a pipe (the payload
#:   crosses twice, through the manager's process); it used to be two ``Manager().Queue()`` proxies, one each way;
#: * "shared memory": a fresh ``SharedMemory`` block per payload, read in place by the child (what notebook 12
#:   calls shared memory); it used to be one block made at the start, reused, and copied out by the child;
#: * "Array": new here, the lesson's block made once before the child starts and reused for every payload.
CHANNELS = {"Queue": "queue", "Pipe": "pipe", "Manager": "manager", "Array": "array",
            "shared memory": "shared_memory"}
#: The channels whose payloads live in ``/dev/shm`` (64 MB under Docker and Binder; a block past its free space
#: kills the process with SIGBUS at the first write): their sizes stop where :func:`fit_to_shm` says.
IN_SHM = ("array", "shared_memory")


def time_round_trips(channel: EchoChannel, label: str, size: int, seconds: float) -> dict[str, Any]:
    """Round trips of ``size`` bytes for about ``seconds`` s (at least 3, after one to warm up)."""
    data = payload(size)
    channel.round_trip(data)
    count, spent, start = 0, 0.0, time.perf_counter()
    while count < 3 or (time.perf_counter() - start < seconds and count < 100_000):
        spent += channel.round_trip(data)  # the round trip alone, as EchoChannel times it
        count += 1
    each = spent / count
    return {"channel": label, "bytes": size, "round_trip_ms": each * 1000, "mb_per_s": size / each / 1e6,
            "round_trips": count}


def measure_moving(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """Every channel at every payload size of the plan, one echo child per channel."""
    rows = []
    context = start_context(plan.course_method)
    in_shm, why = fit_to_shm(plan.payloads, shm_space())
    if why:
        note(why)
    for label, channel in CHANNELS.items():
        sizes = [s for s in plan.payloads if channel not in IN_SHM or s in in_shm]
        if not sizes:
            continue
        note(f"{label}: starting its echo child ({plan.course_method})")
        with EchoChannel(channel, context, max(sizes)) as link:
            for size in sizes:
                note(f"{label}: round trips of {size:,} bytes")
                rows.append(time_round_trips(link, label, size, plan.seconds_per_payload))
    return {"method": plan.course_method, "rows": rows}

"""Sharing data between processes: a consumer that takes everything a running producer sends."""

from __future__ import annotations

import queue as queue_module
import random
import time
from typing import Any

from ..charts.style import format_duration
from ..engine.bounded import DidNotReturn, call_within
from .base import Verdict, check_function, learner_limit, never_returned, report

#: The checker's producer puts between this many numbers (a random count), this far apart (scaled), then SENTINEL.
ITEMS = (150, 250)
PAUSE = 0.001
#: A consumer returns within microseconds of taking the SENTINEL; past this (on two runs) it did not stop at it.
PROMPT = 0.02
#: Past this, once is enough: no busy machine holds a thread back that long.
LINGER = 0.3
#: A SENTINEL that lay in the queue this long while the consumer was not asking for it: it was busy elsewhere.
LAY = 0.3


class _CheckerGaveUp(BaseException):
    """Raised inside the learner's consumer when the checker's deadline has passed.

    A ``BaseException`` so that a learner's ``except Exception`` (or ``except queue.Empty``)
    cannot swallow it and loop on.
    """


class _WatchedQueue:
    """The queue handed to the learner's consumer: no call waits past ``deadline``, every get is timed.

    ``get()`` without a timeout would otherwise block forever once the producer is done;
    here it gives up at the deadline, and the checker says why. ``gets`` holds the
    ``(entered, left)`` times of every get, ``sentinel_taken`` the moment the SENTINEL was
    handed out.
    """

    def __init__(self, queue: Any, deadline: float, sentinel: Any) -> None:
        self._queue = queue
        self._deadline = deadline
        self._sentinel = sentinel
        self.gets: list[tuple[float, float]] = []
        self.sentinel_taken: float | None = None
        self.asked_after: int = 0  # get()/empty()/qsize() calls made after the SENTINEL was taken

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _CheckerGaveUp
        return left

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if self.sentinel_taken is not None:
            self.asked_after += 1
        left = self._left()
        entered = time.perf_counter()
        try:
            if not block:
                item = self._queue.get(False)
            else:
                wait = left if timeout is None else min(timeout, left)
                try:
                    item = self._queue.get(True, wait)
                except queue_module.Empty:
                    if timeout is None or timeout >= left:
                        raise _CheckerGaveUp from None
                    raise
        finally:
            self.gets.append((entered, time.perf_counter()))
        if item is self._sentinel and self.sentinel_taken is None:
            self.sentinel_taken = time.perf_counter()
        return item

    def get_nowait(self) -> Any:
        return self.get(False)

    def empty(self) -> bool:
        if self.sentinel_taken is not None:
            self.asked_after += 1
        self._left()
        return self._queue.empty()

    def qsize(self) -> int:
        if self.sentinel_taken is not None:
            self.asked_after += 1
        return self._queue.qsize()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


#: What ``take_all`` "returned" when it was stopped for running past the time limit.
_STUCK = object()


def check_take_all(take_all: Any, *, timeout: float = 10.0) -> Verdict:
    """``take_all(q)`` must return every item a *running* producer puts on ``q``, in order, and stop at once.

    The checker starts a child process that puts a random count of random numbers, 1 ms
    apart (scaled), then :data:`~helpers.workers.SENTINEL`, and calls ``take_all(q)`` at once
    in this process, while the producer is still starting. Observed: the list returned is
    exactly the numbers sent (the learner cannot know them without taking them), the
    SENTINEL left out; ``take_all`` was waiting on the queue when the SENTINEL was sent (not
    busy elsewhere), and returned within :data:`PROMPT` s of taking it without asking the
    queue again (slower once: a second run decides, since a busy machine may hold a thread
    back once; past :data:`LINGER` s, once is enough). ``take_all`` gets at
    most ``timeout`` s; then any wait on ``q`` gives up. The producer is always reaped.
    """
    not_yet = check_function(take_all, "take_all", "check_take_all")
    if not_yet is not None:
        return not_yet
    import multiprocessing

    from ..engine.config import resolve_start_method, seconds
    from ..engine.relay import Process, stop
    from ..workers import SENTINEL
    from .probes import put_unguessable

    def one_round() -> tuple[list[int], _WatchedQueue, float, float, bool, Exception | None, Any, float]:
        chance = random.SystemRandom()
        numbers = [chance.randrange(1000, 1_000_000) for _ in range(chance.randint(*ITEMS))]
        context = multiprocessing.get_context(resolve_start_method())
        queue = context.Queue()
        sentinel_sent = context.Value("d", 0.0, lock=False)
        producer = Process(target=put_unguessable, args=(queue, numbers, seconds(PAUSE), sentinel_sent))
        producer.start()
        watched = _WatchedQueue(queue, time.monotonic() + timeout, SENTINEL)
        started = time.perf_counter()
        gave_up = False
        error: Exception | None = None
        got: Any = None
        try:
            got = call_within(lambda: take_all(watched), limit)
        except DidNotReturn:  # busy without ever asking the queue: stopped; reported below
            got = _STUCK
        except _CheckerGaveUp:
            gave_up = True
        except Exception as exc:  # the learner's bug: report it, never raise it
            error = exc
        finally:
            returned = time.perf_counter()
            # The producer's few kilobytes fit in the pipe, so it can end even if nobody read them.
            producer.join(timeout=10)
            stop(producer)
            queue.close()
        return numbers, watched, started, returned, gave_up, error, got, sentinel_sent.value

    limit = learner_limit(max(30.0, 3 * timeout))
    numbers, watched, started, returned, gave_up, error, got, sent = one_round()
    if got is _STUCK:
        return never_returned("take_all", limit)
    lingered = returned - watched.sentinel_taken if watched.sentinel_taken is not None else 0.0
    rounds = 1
    if PROMPT < lingered <= LINGER and not watched.asked_after and not gave_up and error is None:
        # Slow to return once: a busy machine may have held the thread back. A consumer that does
        # something after the SENTINEL (a nap, a wait for silence) is slow again; a right one is not.
        numbers, watched, started, returned, gave_up, error, got, sent = one_round()
        if got is _STUCK:
            return never_returned("take_all", limit)
        rounds = 2
    elapsed = returned - started

    stop_at_sentinel = "Loop on q.get() and stop (return) when it gives you SENTINEL."
    if gave_up:
        return report(False, f"take_all was still waiting on the queue after {elapsed:.1f} s, long after the "
                      f"producer had sent its {len(numbers)} items and the SENTINEL.", stop_at_sentinel)
    if error is not None:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return report(False, f"take_all raised {detail}.",
                      "Did it wait for the items? q.get() waits; q.get_nowait() and q.get(False) do not.")
    if got is None:
        return report(False, "take_all returned None.", "Collect the items in a list and return the list.")
    try:
        got = list(got)
    except TypeError:
        return report(False, f"take_all returned {got!r:.60}, not a list of items.",
                      "Collect the items in a list and return the list.")
    if any(item is SENTINEL for item in got):
        return report(False, f"Your list holds the SENTINEL ({SENTINEL!r}) as if it were an item.",
                      "When q.get() gives SENTINEL, stop without appending it.")
    if got != numbers:
        if got == numbers[:len(got)]:
            return report(False, f"take_all got only {len(got)} of {len(numbers)} items: it stopped while "
                          "the producer was still producing. q.empty() only says 'nothing right now', not "
                          "'nothing ever'.", stop_at_sentinel)
        taken = len(watched.gets)
        took = f"it took {taken} things off the queue" if taken else "it never took anything off the queue"
        return report(False, f"take_all returned {len(got)} items, but not the {len(numbers)} numbers the producer "
                      f"sent, in their order ({took}; first returned: {got[:3]}).",
                      "Append each item exactly as you get it from q; do not sort, change or invent them.")
    if watched.sentinel_taken is None:
        return report(False, "take_all returned the items but never took the SENTINEL off the queue.",
                      stop_at_sentinel)
    lingered = returned - watched.sentinel_taken
    waiting = any(entered <= sent <= left for entered, left in watched.gets)
    delay = watched.sentinel_taken - sent
    if sent and not waiting and delay > LAY:
        return report(False, f"The SENTINEL lay in the queue for {format_duration(delay)} before take_all asked for "
                      "it: the consumer was busy elsewhere (sleeping?) instead of waiting on q.get().",
                      "Do not sleep or guess how long the producer needs: q.get() waits exactly as long as needed.")
    if watched.asked_after:
        return report(False, f"take_all took the SENTINEL and then asked the queue {watched.asked_after} more "
                      f"time{'s' if watched.asked_after > 1 else ''}, returning {format_duration(lingered)} after the "
                      "SENTINEL: it kept waiting although nothing more could come.", stop_at_sentinel)
    if lingered > (PROMPT if rounds > 1 else LINGER):
        return report(False, f"take_all returned {format_duration(lingered)} after it had taken the SENTINEL"
                      f"{' (in two runs)' if rounds > 1 else ''}: it kept waiting although nothing more could come.",
                      stop_at_sentinel)
    return report(True, f"take_all got all {len(numbers)} of {len(numbers)} items, in order, from a producer that "
                  f"was still running, and returned {format_duration(max(lingered, 0.0))} after the SENTINEL.")

"""Checker for the locks notebook: a money transfer between two accounts, safe from races and deadlocks.

The learner writes ``transfer(source, target, amount)`` using each :class:`Account`'s own
``lock``. The accounts here watch what the learner's code does: every write of a balance
checks that the writing thread holds that account's lock, every lock records in which
order a thread took it, a read of a balance lets other threads run (so a missing lock
loses money every time, on every Python), and a lock waited on for too long gives up
(so a deadlock ends by itself and is reported instead of freezing the kernel).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from ..engine.bounded import stop_threads
from ..engine.config import seconds
from .base import NOT_ANSWERED, Verdict, learner_limit, never_returned, report, unanswered

#: Threads, transfers per thread and accounts the checker uses.
THREADS = 4
TRANSFERS = 150
#: Seconds the 4 threads of transfers may take in all before they are stopped (``$COURSE_CHECK_TIMEOUT`` overrides).
LIMIT = 120.0
ACCOUNTS = 3
START_BALANCE = 1_000


class GaveUp(BaseException):
    """A lock waited on for longer than the checker allows: most likely a deadlock.

    A ``BaseException``, so the learner's ``except Exception`` cannot swallow it.
    """


class WatchedLock:
    """A ``threading.Lock`` that remembers its owner, the order locks were taken in, and never waits forever."""

    def __init__(self, number: int, watch: Watch) -> None:
        self.number = number
        self._lock = threading.Lock()
        self._watch = watch
        self.owner: int | None = None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        limit = self._watch.patience if timeout is None or timeout < 0 else min(timeout, self._watch.patience)
        got = self._lock.acquire(blocking, limit) if blocking else self._lock.acquire(False)
        if not got:
            if blocking and (timeout is None or timeout < 0):
                self._watch.gave_up(self.number)
                raise GaveUp(f"waited {limit:.1f} s for the lock of account {self.number}")
            return False
        self.owner = threading.get_ident()
        self._watch.taken(self.number)
        self._watch.count(self.number)
        time.sleep(0)  # let the other threads run now: what a real program does at the worst moment
        return True

    def release(self) -> None:
        self.owner = None
        self._watch.released(self.number)
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


class Watch:
    """What the checker saw: writes without the lock, the orders locks were taken in, give-ups."""

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self._guard = threading.Lock()
        self._held: dict[int, list[int]] = {}
        self.orders: set[tuple[int, int]] = set()
        self.unlocked_writes: list[int] = []
        self.lonely_writes: list[int] = []
        self.deadlocks: list[str] = []
        self._acquired = threading.local()  # this thread's acquisitions per lock, since the last reset
        self.uneven: list[str] = []  # transfers that did not take each of their two locks exactly once

    def count(self, number: int) -> None:
        counts = getattr(self._acquired, "counts", None)
        if counts is not None:
            counts[number] = counts.get(number, 0) + 1

    def start_counting(self) -> None:
        self._acquired.counts = {}

    def counted(self) -> dict[int, int]:
        return dict(getattr(self._acquired, "counts", {}) or {})

    def taken(self, number: int) -> None:
        with self._guard:
            held = self._held.setdefault(threading.get_ident(), [])
            self.orders.update((earlier, number) for earlier in held)
            held.append(number)

    def released(self, number: int) -> None:
        with self._guard:
            held = self._held.get(threading.get_ident(), [])
            if number in held:
                held.remove(number)

    def holding(self) -> int:
        """How many watched locks the calling thread holds."""
        with self._guard:
            return len(self._held.get(threading.get_ident(), []))

    def gave_up(self, number: int) -> None:
        with self._guard:
            held = self._held.get(threading.get_ident(), [])
            self.deadlocks.append(f"{threading.current_thread().name} held account(s) {held} and waited "
                                  f"for account {number}")


class Account:
    """A bank account with its own ``lock``; reading ``balance`` lets other threads run first.

    Every write is watched, through ``balance`` or the private ``_balance`` alike.
    """

    def __init__(self, number: int, balance: int, watch: Watch | None = None) -> None:
        self.number = number
        self.watch = watch if watch is not None else Watch(patience=seconds(4.0))
        self.lock = WatchedLock(number, self.watch)
        self._money = balance

    @property
    def balance(self) -> int:
        value = self._money
        time.sleep(0)  # a read, then a pause: another thread may now change the balance
        return value

    @balance.setter
    def balance(self, value: int) -> None:
        if self.lock.owner != threading.get_ident():
            self.watch.unlocked_writes.append(self.number)
        elif self.watch.holding() < 2:
            self.watch.lonely_writes.append(self.number)
        self._money = value

    #: The private field, watched as well: writing it directly is still a write of the balance.
    _balance = balance

    def __repr__(self) -> str:
        return f"Account({self.number}, balance={self._money})"


def _times(n: int) -> str:
    return {0: "not at all", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _outcome(final: list[int], expected: list[int]) -> str:
    """The balances against those expected, the total named only where it differs."""
    if final == expected:
        return f"the balances {final} came out right this time"
    total = (f"the total {sum(final)} instead of {sum(expected)}" if sum(final) != sum(expected)
             else f"the total {sum(final)} is right, but money moved wrongly between accounts")
    return f"balances {final} instead of {expected} ({total})"


def _plan(seed: int) -> list[list[tuple[int, int, int]]]:
    """Each thread's transfers: (source, target, amount), in both directions between every pair."""
    rng = random.Random(seed)
    return [[(a, b, rng.randint(1, 9)) for a, b in (rng.sample(range(ACCOUNTS), 2) for _ in range(TRANSFERS))]
            for _ in range(THREADS)]


def check_transfer(transfer: Any) -> Verdict:
    """``transfer(source, target, amount)`` moves ``amount`` using the accounts' own locks, safely.

    Runs 4 threads × 150 transfers between 3 accounts, in both directions, and checks: no
    balance written (through ``balance`` or ``_balance``) without its account's lock held;
    each transfer took each of its two locks exactly once; every lock taken in one global order
    (no thread takes 2 before 1 while another takes 1 before 2); no lock waited on for
    seconds (a deadlock); the final balances exactly those the transfers add up to.
    """
    if unanswered(transfer):
        return report(False, NOT_ANSWERED)
    if not callable(transfer):
        return report(False, "Pass the function itself: check_transfer(transfer), without ().")
    watch = Watch(patience=max(2.0, seconds(4.0)))
    accounts = [Account(n, START_BALANCE, watch) for n in range(ACCOUNTS)]
    plan = _plan(11)
    expected = [START_BALANCE] * ACCOUNTS
    for moves in plan:
        for a, b, amount in moves:
            expected[a] -= amount
            expected[b] += amount
    errors: list[str] = []

    def body(moves: list[tuple[int, int, int]]) -> None:
        try:
            for a, b, amount in moves:
                watch.start_counting()
                transfer(accounts[a], accounts[b], amount)
                taken = watch.counted()
                if (taken.get(a, 0), taken.get(b, 0)) != (1, 1) and len(watch.uneven) < 5:
                    watch.uneven.append(f"a transfer from account {a} to {b} took account {a}'s lock "
                                        f"{_times(taken.get(a, 0))} and account {b}'s {_times(taken.get(b, 0))}")
        except GaveUp:
            pass  # recorded by the watch
        except Exception as exc:  # the learner's bug, reported below
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=body, args=(moves,), name=f"thread-{i + 1}", daemon=True)
               for i, moves in enumerate(plan)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    limit = learner_limit(min(LIMIT, watch.patience * (TRANSFERS + 2)))
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    elapsed = time.perf_counter() - start
    if any(thread.is_alive() for thread in threads):
        return never_returned("transfer", limit, stop_threads(threads))
    if errors:
        return report(False, f"transfer() raised {errors[0]}", "Run it once by hand on two Accounts to see why.")
    final = [account._money for account in accounts]
    moved = f"{THREADS} threads × {TRANSFERS} transfers between {ACCOUNTS} accounts in {elapsed:.2f} s"
    if watch.deadlocks:
        return report(False, f"Deadlock: {watch.deadlocks[0]} for {watch.patience:.1f} s, which another thread "
                      "held while waiting for one it had.",
                      "Take the two locks in the same order in every call, e.g. the lower account number first.")
    if watch.unlocked_writes:
        numbers = sorted(set(watch.unlocked_writes))
        return report(False, f"{len(watch.unlocked_writes)} balance writes on account(s) {numbers} happened "
                      f"without that account's lock held; {_outcome(final, expected)}.",
                      "Hold BOTH accounts' locks while you change the two balances.")
    if watch.lonely_writes:
        return report(False, f"{len(watch.lonely_writes)} balance writes happened with only that account's lock "
                      "held: between the two writes the money was in neither account, and a thread adding up "
                      "the balances then would find it missing.",
                      "Hold both locks for the whole transfer: take both, change both balances, release both.")
    crossed = sorted((a, b) for a, b in watch.orders if (b, a) in watch.orders and a < b)
    if crossed:
        a, b = crossed[0]
        return report(False, f"No deadlock this time, but one thread took account {a}'s lock before {b}'s and "
                      f"another {b}'s before {a}'s: that can deadlock on the next run.",
                      "Take the two locks in the same order in every call, e.g. the lower account number first.")
    if watch.uneven:
        return report(False, f"Every write held its locks, but {watch.uneven[0]}: each transfer should take each of "
                      f"its two locks once and hold both throughout; {_outcome(final, expected)}.",
                      "Take both locks once, change both balances, then release both: `with first.lock, "
                      "second.lock:` around the two changes.")
    if final != expected:
        return report(False, f"{_outcome(final, expected).capitalize()}.",
                      "Subtract amount from source.balance and add it to target.balance, once each.")
    return report(True, f"{moved}: balances {final} as expected, every write under its lock, locks always in "
                  "the same order, no deadlock.")

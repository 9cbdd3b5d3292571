"""The course's performance budgets, judged on ratios measured in one run.

* processes on large tasks reach ≥ 0.9 × usable cores of ideal speed-up (the course's start method);
* 32 threads that each wait 1 s finish within 1.05 s (1.05 × one wait);
* 1 000 asyncio waits of 1 s finish within 1.1 s (1.1 × one wait);
* the live panel costs ≤ 5 % of a run's elapsed time while redrawing ≥ 4 times a second;
* the build row: pure-Python work on 2 threads ≥ ×1.7 against 1 thread on the free-threaded build, and
  ≤ ×1.1 on the GIL build in the same run (judged where both builds were found and 2 cores are usable).

They hold on an otherwise idle machine; a busy one is said so beside the verdict. A budget
whose measurement was not taken (``--only``) is "not measured", neither passed nor failed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

PROCESS_SHARE = 0.9
THREAD_WAIT_COUNT, THREAD_WAIT_RATIO = 32, 1.05
ASYNCIO_WAIT_COUNT, ASYNCIO_WAIT_RATIO = 1000, 1.10
PANEL_SHARE, PANEL_FRAMES = 0.05, 4.0
FREE_THREADED_SPEEDUP, GIL_SPEEDUP = 1.7, 1.1


@dataclass(frozen=True)
class Verdict:
    """One budget: what it asks, what was measured, and whether it passed (``None``: not measured)."""

    name: str
    target: str
    figure: str
    passed: bool | None
    note: str = ""

    @property
    def word(self) -> str:
        return {True: "pass", False: "FAIL", None: "not measured"}[self.passed]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def measured(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The section ``name`` of a run, or ``None`` if it was not measured or failed."""
    section = results["sections"].get(name)
    return None if not section or "error" in section else section


def busy_note(results: dict[str, Any]) -> str:
    """Why the machine looked busy during the run (fewer idle cores than usable ones, or a starved
    sequential baseline), or ``""``: the budgets hold on an idle machine only."""
    machine = results["machine"]
    usable = int(machine["usable_cores"])
    idle = [x for x in (machine.get("idle_cores_before"), machine.get("idle_cores_after")) if x is not None]
    if idle and min(idle) < usable - 0.5:
        return f"machine busy (only {min(idle):g} of {usable} cores idle): re-run on an idle machine"
    computing = measured(results, "computing")
    shares = [s for s in (computing.get("cpu_share"), (computing.get("large") or {}).get("cpu_share"))
              if s is not None] if computing else []
    if shares and min(shares) < 0.8:
        return f"machine busy (a sequential run had {min(shares):.0%} of a core): re-run on an idle machine"
    return ""


def _not_measured(name: str, target: str, why: str) -> Verdict:
    return Verdict(name, target, "—", None, why)


def processes_budget(results: dict[str, Any]) -> Verdict:
    name = "processes on large tasks"
    machine = results["machine"]
    usable = int(machine["usable_cores"])
    target = f"speed-up ≥ {PROCESS_SHARE:g} × {usable} usable cores = {PROCESS_SHARE * usable:.2f}"
    computing = measured(results, "computing")
    row = computing.get("large") if computing else None
    if not row:
        return _not_measured(name, target, "computing was not measured (or failed)")
    figure = (f"{row['speedup']:.3f}× on {row['workers']} processes ({row['method']}), "
              f"{row['tasks']} tasks of {row['task_seconds']:.2f} s")
    return Verdict(name, target, figure, row["speedup"] >= PROCESS_SHARE * usable, busy_note(results))


def _waiting_budget(results: dict[str, Any], key: str, count: int, ratio: float, what: str) -> Verdict:
    waiting = measured(results, "waiting")
    wait = waiting["wait"] if waiting else 1.0
    name = f"{count} {what} of {wait:g} s"
    target = f"≤ {ratio * wait:.3g} s ({ratio:g} × one wait)"
    if not waiting:
        return _not_measured(name, target, "waiting was not measured (or failed)")
    row = next((r for r in waiting[key] if r["count"] == count), None)
    if row is None:
        return _not_measured(name, target, f"{count} {what} were not measured (--max-threads?)")
    note = "" if wait == 1.0 else f"waits scaled to {wait:g} s: the ratio is judged"
    return Verdict(name, target, f"{row['elapsed']:.3f} s (× {row['ratio']:.3f})", row["ratio"] <= ratio, note)


def threads_waiting_budget(results: dict[str, Any]) -> Verdict:
    return _waiting_budget(results, "threads", THREAD_WAIT_COUNT, THREAD_WAIT_RATIO, "threads × one wait")


def asyncio_waiting_budget(results: dict[str, Any]) -> Verdict:
    return _waiting_budget(results, "asyncio", ASYNCIO_WAIT_COUNT, ASYNCIO_WAIT_RATIO, "asyncio waits")


def panel_budget(results: dict[str, Any]) -> Verdict:
    name = "live panel overhead"
    target = f"drawing ≤ {PANEL_SHARE:.0%} of the run at ≥ {PANEL_FRAMES:g} redraws/s"
    panel = measured(results, "panel")
    if not panel or not panel["rows"]:
        return _not_measured(name, target, "the live panel was not measured (or failed)")
    share = max(r["drawing_share"] for r in panel["rows"])
    rate = min(r["frames_per_s"] for r in panel["rows"])
    slower = max(r["slower"] for r in panel["rows"])
    figure = f"worst {share:.1%} at {rate:.1f} redraws/s (runs up to {slower:+.1%} longer)"
    return Verdict(name, target, figure, share <= PANEL_SHARE and rate >= PANEL_FRAMES)


def _build_budget(results: dict[str, Any], free_threaded: bool) -> Verdict:
    kind = "free-threaded" if free_threaded else "GIL"
    name = f"2 threads, {kind} build"
    target = (f"speed-up ≥ ×{FREE_THREADED_SPEEDUP:g} against 1 thread" if free_threaded
              else f"speed-up ≤ ×{GIL_SPEEDUP:g} against 1 thread")
    section = measured(results, "build")
    if not section:
        return _not_measured(name, target, "the build row was not measured (or failed)")
    if not section["other_found"]:
        return _not_measured(name, target, "only one build was found: both are judged in the same run")
    if int(results["machine"]["usable_cores"]) < 2:
        return _not_measured(name, target, "one usable core: nothing can run side by side")
    build = next(b for b in section["builds"] if b["free_threaded"] == free_threaded)
    speedup = build["speedups"]["2"]
    idle = [x for x in (section.get("idle_cores_before"), section.get("idle_cores_after")) if x is not None]
    note = (f"only {min(idle):g} cores idle around this row: re-run on an idle machine"
            if idle and min(idle) < 1.5 else "")
    figure = f"×{speedup:.2f} ({build['cpu_per_second_2']:.2f} CPU-s per s), Python {build['python']}"
    return Verdict(name, target, figure, speedup >= FREE_THREADED_SPEEDUP if free_threaded else speedup <= GIL_SPEEDUP,
                   note)


def free_threaded_budget(results: dict[str, Any]) -> Verdict:
    return _build_budget(results, True)


def gil_build_budget(results: dict[str, Any]) -> Verdict:
    return _build_budget(results, False)


BUDGETS = (processes_budget, threads_waiting_budget, asyncio_waiting_budget, panel_budget, free_threaded_budget,
           gil_build_budget)


def check_budgets(results: dict[str, Any]) -> list[Verdict]:
    """Every budget judged on ``results`` (the JSON document of one run); a miss on a busy machine says so."""
    verdicts = [budget(results) for budget in BUDGETS]
    busy = busy_note(results)
    return [replace(v, note=v.note or busy) if v.passed is False and busy else v for v in verdicts]


def all_passed(verdicts: list[Verdict]) -> bool:
    """True unless a measured budget failed (a budget not measured neither passes nor fails)."""
    return all(v.passed is not False for v in verdicts)

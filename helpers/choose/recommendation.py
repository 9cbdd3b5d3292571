"""From a measurement to a recommendation, with its reasons and figures, in the course's words.

:func:`recommend` is a pure function of a :class:`~helpers.choose.measure.Measurement`: the same
figures always give the same answer. What the machine was (busy, one usable core) and whether a
speed-up shows a way running in parallel or taking turns are decided by the course's one verdict,
:func:`helpers.engine.verdict.judge`: each way's speed-up is put to it as a
:class:`~helpers.engine.verdict.Figure`, with :func:`machine_seen` as the machine. A way wins only
where the verdict says this run shows it ran in parallel (for a function that computes, it must also
have kept several cores busy); when nothing won but the function computes and the cores were busy, or it
waits and the machine was busy, the answer is "can't tell", with the verdict's reason, never a wrong winner;
so it is when a way came out faster than its workers can make it (the baseline ran at a busier moment),
whatever the function does;
on one usable core the verdict's own sentence says that nothing computes side by side here.

What stays here is what only a choice between ways knows: start-up and pickling costs that rule
processes out whatever the load, tiny tasks (one after another), a coroutine (asyncio), the
simplest of ways that came out close, and which way ran beside other programs' work.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..charts.style import format_duration
from ..engine.verdict import BUSY_MARGIN, Figure, MachineSeen, Verdict, judge
from .measure import Measurement, Way

#: Among the ways that won, a simpler one within this share of the best is preferred.
CLOSE = 0.9
#: A call spending at least this share of its own time on a CPU computes; at most WAITS, it waits.
COMPUTES, WAITS = 0.6, 0.3
#: A call that queued for a CPU more than this share of its wall time ran on a busy machine.
QUEUED_SHARE = 0.2
#: Simplest first: asyncio (one thread), threads, interpreters (one process), processes, another build.
SIMPLEST_FIRST = ("asyncio", "threads", "interpreters", "processes", "free-threaded-threads")
#: The tools, as the course names them.
SEQUENTIAL, CANNOT_TELL = "one after another", "can't tell"


@dataclass(frozen=True)
class Recommendation:
    """``tool``: the way to use ("one after another", "threads", "processes (fork)", …, or "can't tell");
    ``headline``: one line with the deciding figures; ``reasons``: one sentence per figure that decided."""

    tool: str
    headline: str
    reasons: list[str] = field(default_factory=list)
    kind: str = ""          # "waits", "computes" or "mixed"
    busy: bool = False

    def __str__(self) -> str:
        return "\n".join([f"→ {self.headline}", *(f"  • {r}" for r in self.reasons)])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _x(speedup: float | None) -> str:
    return "—" if speedup is None else f"×{speedup:.2f}"


def _size(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def kind_of(m: Measurement) -> str:
    share = m.cpu_share
    return "computes" if share >= COMPUTES else "waits" if share <= WAITS else "mixed"


def idle(m: Measurement) -> float | None:
    """The fewest idle cores seen around the runs (the verdict's :attr:`MachineSeen.idle`), or None."""
    return machine_seen(m).idle


def queued(m: Measurement) -> bool:
    """A call waited for a CPU more than :data:`QUEUED_SHARE` of its time: other programs had the cores."""
    return m.call_queued is not None and m.call_wall > 0 and m.call_queued > QUEUED_SHARE * m.call_wall


def machine_seen(m: Measurement) -> MachineSeen:
    """What was seen of the machine, as the verdict takes it: the idle cores before the runs, and during them
    the fewest that other programs left (the look after the runs, and each way's share of other programs' work)."""
    usable = int(m.machine["usable_cores"])
    during = [m.machine.get("idle_after")] + [usable - w.others_busy for w in m.ways if w.others_busy is not None]
    seen = [max(0.0, min(float(usable), x)) for x in during if x is not None]
    return MachineSeen(usable=usable, idle_before=m.machine.get("idle_before"),
                       idle_during=round(min(seen), 2) if seen else None,
                       gil=bool(m.machine.get("gil_enabled", True)))


def is_busy(m: Measurement) -> bool:
    """Busy as the verdict says it (:attr:`MachineSeen.busy`), or a call that queued for a CPU."""
    return machine_seen(m).busy or queued(m)


def loaded(way: Way) -> bool:
    """Other programs kept more than the verdict's :data:`~helpers.engine.verdict.BUSY_MARGIN` of a core busy
    while this way ran."""
    return way.others_busy is not None and way.others_busy > BUSY_MARGIN


def ruled_out_by_cost(m: Measurement, way: Way) -> bool:
    """A process or interpreter way that cannot pay here whatever the load: starting its workers takes longer
    than all the calls one after another, or pickling a call's argument and result costs more than the call."""
    if not way.key.startswith(("processes", "interpreters")):
        return False
    tiny = way.startup is not None and way.startup > m.baseline.elapsed  # type: ignore[operator]
    crossing = (way.key.startswith("processes") and m.crossing_seconds is not None
                and m.crossing_seconds > m.call_own)
    return tiny or crossing


def speedup_figure(way: Way, kind: str) -> Figure:
    """A way's speed-up as the verdict judges it: it ran in parallel (waits overlap on one core too)."""
    if kind == "waits":
        return Figure(way.label, way.speedup or 0.0, way.workers, "parallel",
                      f"the waits overlap on {way.label}", needs_cores=False)
    return Figure(way.label, way.speedup or 0.0, way.workers, "parallel", f"{way.label} ran it in parallel")


def kept_cores_busy(way: Way, usable: int) -> bool:
    """The way's own CPU seconds / elapsed cleared the verdict's parallel threshold for its workers: a figure
    that, unlike a speed-up, other programs coming and going do not inflate."""
    return Figure(way.label, way.parallelism or 0.0, way.workers, "parallel", "").scaled(usable)


def holds_the_gil(m: Measurement, busy: bool | None = None) -> tuple[bool | None, str]:
    """Whether the function holds the GIL, as this run shows it, and the verdict's line on the threads.

    ``True``: threads took turns while a second core was seen free; ``False``: threads ran in parallel
    and kept several cores busy; ``None``: this run cannot show either (the line says why)."""
    threads = m.way("threads")
    seen = machine_seen(m)
    if threads is None or not threads.measured or threads.speedup is None:
        return None, ""
    if busy or (busy is None and queued(m)):
        seen.idle_during = min(seen.idle_during if seen.idle_during is not None else seen.usable,
                               seen.usable - 2 * BUSY_MARGIN)
    parallel = speedup_figure(threads, "computes")
    turns = Figure(threads.label, threads.speedup, threads.workers, "turns",
                   "the function holds the GIL (threads take turns)")
    # Processes that scaled show a second core was free, on a busy machine too (the verdict's rule).
    others = [speedup_figure(w, "computes") for w in m.ways if w.measured and w.speedup is not None
              and w.key.startswith("processes") and kept_cores_busy(w, seen.usable)]
    if judge(parallel, seen).shown and kept_cores_busy(threads, seen.usable):
        return False, (f"threads {_x(threads.speedup)}: the function lets go of the GIL while it computes "
                       "(C code working on its own data)")
    verdict = judge([turns, *others], seen)
    return (True if verdict.supported[0] else None), verdict.lines[0]


def recommend(m: Measurement) -> Recommendation:
    """Which way to run the function here, and why (see the module's docstring for the rules)."""
    seen = machine_seen(m)
    cores = seen.usable
    kind = kind_of(m)
    busy = is_busy(m)
    if busy and not seen.busy:  # the calls queued for a CPU: judge with a busy machine's thresholds
        seen.idle_during = min(seen.idle_during if seen.idle_during is not None else cores, cores - 2 * BUSY_MARGIN)
    reasons = [_call_sentence(m, kind)]
    measured = [w for w in m.ways if w.measured and w.key != "sequential" and w.key != "free-threaded-sequential"
                and w.speedup is not None]
    verdict = judge([speedup_figure(w, kind) for w in measured], seen) if measured else Verdict(machine=seen)
    shown = {w.key: ok for w, ok in zip(measured, verdict.supported)}
    why = {w.key: line for w, line in zip(measured, verdict.lines)}
    # A function that computes can only be sped up by computing on several cores at once: a way that was
    # faster without doing so was lucky (the machine got less busy after the baseline), not better.
    parallel = [w for w in measured if shown[w.key] and (kind != "computes" or kept_cores_busy(w, cores))]
    lucky = [w for w in measured if kind == "computes" and w not in parallel
             and speedup_figure(w, kind).scaled(cores) and not kept_cores_busy(w, cores)]
    # Another build of Python is worth switching to for computing only (waits overlap on threads anyway), and
    # only if its threads beat its own one-after-another run: its runs happened at another moment than ours.
    own_ft = m.way("free-threaded-sequential")

    def beats_own_baseline(w: Way) -> bool:
        if own_ft is None or not own_ft.elapsed or not w.elapsed:
            return False
        own = Figure(w.label, own_ft.elapsed / w.elapsed, w.workers, "parallel", "")
        return judge(own, seen).shown

    winners = [w for w in parallel if not w.key.startswith("free-threaded") or (
        kind != "waits" and beats_own_baseline(w))]
    passed_over = [w for w in parallel if w not in winners]
    reasons += _gil_sentences(m, kind, busy)
    reasons += _cost_sentences(m)
    if busy:
        loads = sorted(w.others_busy for w in m.ways if w.others_busy is not None and loaded(w))
        beside = ([f"other programs kept {loads[0]:.1f}" + (f"–{loads[-1]:.1f}" if loads[-1] - loads[0] >= 0.1
                                                             else "") + f" cores busy during {len(loads)} of "
                   f"{sum(w.measured for w in m.ways)} runs"] if loads else [])
        before = m.machine.get("idle_before")
        reasons.append("the machine was busy: " + "; ".join(
            ([f"{before:g} of {cores} usable cores idle before the runs"] if before is not None else []) + beside
            + (["calls waited for a CPU"] if queued(m) else [])))
    reasons += [f"{w.label}: {w.note}" for w in m.ways if not w.measured and w.note]
    reasons += [f"{w.label} was {_x(w.speedup)} faster but kept only {w.parallelism or 0:.2f} cores busy: not "
                "parallel computing, the machine's load changed between runs" for w in lucky]
    reasons += [f"{w.label} {_x(w.speedup)}: " + ("work that waits needs no other build of Python" if kind == "waits"
                else "its threads did not run in parallel against its own one after another") for w in passed_over]
    # Ways whose result the load may have decided: they ran beside other programs' work, on a machine where
    # computing in parallel was possible, and nothing load-independent rules them out.
    unfair = [w for w in measured if kind != "waits" and cores >= 2 and loaded(w) and not ruled_out_by_cost(m, w)]

    # A way faster than its workers can make it (the baseline ran at a busier moment) was set aside by the verdict,
    # yet it ran faster than the rest: neither "one after another" nor a slower winner is what this run shows
    # (seen in CI: sleeps ×2.33 on 2 threads on 1 core; fetches, threads ×5.13 on 4 set aside, processes ×2.26 "won").
    best_text = ", ".join(f"{w.label} {_x(w.speedup)}" for w in measured) or "no other way could run"
    overreached = [w for w in measured if not shown[w.key] and (w.speedup or 0) > max(1, w.workers)]
    fastest = max(overreached, key=lambda w: w.speedup or 0) if overreached else None
    if fastest is not None and (kind == "waits" or cores >= 2) and (
            not winners or (fastest.speedup or 0) > max(w.speedup or 0 for w in winners)):
        because = why[fastest.key].split(" -> ", 1)[-1] if fastest.key in why else "the machine was busy"
        return Recommendation(CANNOT_TELL, f"can't tell: {best_text}; {because}", reasons, kind, busy)
    if winners:
        best = max(winners, key=lambda w: w.speedup or 0)
        simple = [w for w in winners if (w.speedup or 0) >= CLOSE * (best.speedup or 0)]
        choice = min(simple, key=_simplicity)
        others = ", ".join(f"{w.label} {_x(w.speedup)}" for w in measured if w is not choice)
        doubtful = [w for w in unfair if _simplicity(w) < _simplicity(choice) and w not in simple]
        if doubtful:
            names = ", ".join(f"{w.label} {_x(w.speedup)}" for w in doubtful)
            return Recommendation(CANNOT_TELL, f"can't tell: {choice.label} {_x(choice.speedup)} won, but {names} "
                                  "ran while other programs kept the cores busy and may have lost to them; run "
                                  "it again on an idle machine", reasons, kind, busy)
        headline = (f"{choice.label}: {_x(choice.speedup)} against one after another"
                    + (f" on {cores} usable core{'s' if cores != 1 else ''}" if _uses_cores(choice) else "")
                    + (f"; {others}" if others else ""))
        if choice is not best:
            reasons.append(f"{best.label} was {_x(best.speedup)}, within {1 - CLOSE:.0%}: {choice.label} is simpler")
        return Recommendation(choice.label, headline, reasons, kind, busy)

    if kind != "waits" and cores >= 2 and (unfair or lucky or (busy and not all(map(_settled(m), measured)))):
        # The verdict's own sentence on the way the load may have cost the most: why this run cannot show it.
        open_ways = [w for w in measured if not ruled_out_by_cost(m, w)] or measured
        first = max(open_ways, key=lambda w: w.speedup or 0)
        because = why[first.key].split(" -> ", 1)[-1] if first.key in why else "the cores were busy"
        return Recommendation(CANNOT_TELL, f"can't tell: no way ran in parallel ({best_text}); {because}",
                              reasons, kind, busy)
    if kind == "waits" and busy and measured:
        # Waits overlap on threads on any machine that gives the calls a CPU now and then; on one so busy that the
        # calls queued for a CPU, none overlapping may be the load's doing (seen in CI: fetches, threads ×1.04).
        return Recommendation(CANNOT_TELL, f"can't tell: no way ran in parallel ({best_text}); the machine was busy, "
                              "and waits that queue for a CPU overlap no more: run it again on a quieter machine",
                              reasons, kind, busy)
    if kind != "waits" and cores < 2:
        reasons += [why[w.key] for w in measured if w.key in why and _uses_cores(w)][:1] or [
            "this kernel has one usable core, so nothing computes side by side here (a second core is needed "
            "to tell)"]
    return Recommendation(SEQUENTIAL, f"one after another: no way ran in parallel ({best_text})",
                          reasons, kind, busy)


def _settled(m: Measurement) -> Any:
    """A way whose loss the load cannot explain: ruled out by its costs, or it ran with the cores to itself."""
    return lambda w: ruled_out_by_cost(m, w) or (w.others_busy is not None and not loaded(w))


def _simplicity(way: Way) -> int:
    key = "processes" if way.key.startswith("processes") else way.key
    return SIMPLEST_FIRST.index(key) if key in SIMPLEST_FIRST else len(SIMPLEST_FIRST)


def _uses_cores(way: Way) -> bool:
    return way.key.startswith(("processes", "interpreters", "free-threaded"))


def _call_sentence(m: Measurement, kind: str) -> str:
    own = m.call_own
    queued = (f" (plus {format_duration(m.call_queued)} waiting for a busy CPU)"
              if m.call_queued and m.call_queued > 0.05 * m.call_wall else "")
    what = {"computes": "it computes", "waits": "it waits", "mixed": "it waits and computes"}[kind]
    return (f"a call lasts {format_duration(own)}{queued}, {format_duration(m.call_cpu)} of it on a CPU "
            f"({m.cpu_share:.0%}): {what}")


def _gil_sentences(m: Measurement, kind: str, busy: bool) -> list[str]:
    threads = m.way("threads")
    if threads is None or not threads.measured:
        return []
    if kind == "waits":
        if judge(speedup_figure(threads, kind), machine_seen(m)).shown:
            return [f"threads {_x(threads.speedup)} on {threads.workers} threads: the waits overlap"]
        return [f"threads {_x(threads.speedup)} on {threads.workers} threads: the waits did not overlap here "
                "(a busy machine, or something that serves one call at a time?)"]
    _, line = holds_the_gil(m, busy)
    return [line] if line else []


def _cost_sentences(m: Measurement) -> list[str]:
    out = []
    starts = [w.startup for w in m.ways if w.key.startswith("processes") and w.startup]
    if starts:
        start = min(starts)
        task = m.call_wall
        ratio = task / start if start > 0 else float("inf")
        times = f"{ratio:.0f} ×" if ratio >= 1 else f"1/{1 / ratio:.0f} of"
        out.append(f"a task lasts {format_duration(task)}, {times} a process start-up ({format_duration(start)})")
    if m.result_bytes is not None and m.crossing_seconds is not None:
        share = m.crossing_seconds / m.call_own if m.call_own > 0 else 0
        line = (f"crossing to a process: argument {_size(m.argument_bytes)}, result {_size(m.result_bytes)} pickled; "
                f"pickling them there and back costs {format_duration(m.crossing_seconds)} a call")
        if share >= 0.5:
            line += f", {share:.0%} of the call's own time: crossing dominates"
        out.append(line)
    return out

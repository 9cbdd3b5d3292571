"""From a measurement to a recommendation, with its reasons and figures, in the course's words.

:func:`recommend` is a pure function of a :class:`~helpers.choose.measure.Measurement`: the same
figures always give the same answer. It is honest on its own about the machine (until it is routed
through the course's shared verdict): a way wins only if it was at least :data:`GAIN` × faster than
one after another *in this run*; when nothing won but the function computes and the cores were
measured busy, the answer is "can't tell", never a wrong winner; on one usable core it says that
nothing computes in parallel here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..charts.style import format_duration
from .measure import Measurement, Way

#: A way must be at least this many times faster than one after another to be worth its machinery.
GAIN = 1.25
#: Among the ways that won, a simpler one within this share of the best is preferred.
CLOSE = 0.9
#: A call spending at least this share of its own time on a CPU computes; at most WAITS, it waits.
COMPUTES, WAITS = 0.6, 0.3
#: A function that computes ran in parallel only if the way kept more than this many cores busy at once
#: (CPU seconds / elapsed). Unlike a speed-up, this does not change when other programs come and go.
PARALLEL = 1.2
#: Idle cores short of the usable ones by more than this: the machine was busy.
BUSY_MARGIN = 0.5
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
    seen = [x for x in (m.machine.get("idle_before"), m.machine.get("idle_after")) if x is not None]
    return min(seen) if seen else None


def is_busy(m: Measurement) -> bool:
    """Measured busy: fewer idle cores than usable ones (by :data:`BUSY_MARGIN`) before or after, a way that
    ran beside other programs' work, or a call that queued for a CPU a fifth of its time."""
    seen = idle(m)
    queued = m.call_queued is not None and m.call_wall > 0 and m.call_queued > 0.2 * m.call_wall
    return (queued or (seen is not None and seen < m.machine["usable_cores"] - BUSY_MARGIN)
            or any(loaded(w) for w in m.ways))


def loaded(way: Way) -> bool:
    """Other programs kept more than :data:`BUSY_MARGIN` of a core busy while this way ran."""
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


def recommend(m: Measurement) -> Recommendation:
    """Which way to run the function here, and why (see the module's docstring for the rules)."""
    cores = int(m.machine["usable_cores"])
    kind = kind_of(m)
    busy = is_busy(m)
    reasons = [_call_sentence(m, kind)]
    measured = [w for w in m.ways if w.measured and w.key != "sequential" and w.key != "free-threaded-sequential"
                and w.speedup is not None]
    faster = [w for w in measured if w.speedup >= GAIN]  # type: ignore[operator]
    # A function that computes can only be sped up by computing on several cores at once: a way that
    # was faster without doing so was lucky (the machine got less busy after the baseline), not better.
    parallel = [w for w in faster if kind != "computes" or (w.parallelism or 0) >= PARALLEL]
    lucky = [w for w in faster if w not in parallel]
    # Another build of Python is worth switching to for computing only (waits overlap on threads anyway), and
    # only if its threads beat its own one-after-another run: its runs happened at another moment than ours.
    own_ft = m.way("free-threaded-sequential")
    winners = [w for w in parallel if not w.key.startswith("free-threaded") or (
        kind != "waits" and own_ft is not None and own_ft.elapsed and w.elapsed
        and own_ft.elapsed / w.elapsed >= GAIN)]
    passed_over = [w for w in parallel if w not in winners]
    threads = m.way("threads")
    reasons += _gil_sentences(m, kind, threads, cores, busy)
    reasons += _cost_sentences(m)
    if busy:
        seen = idle(m)
        loads = sorted(w.others_busy for w in m.ways if w.others_busy is not None and loaded(w))
        beside = ([f"other programs kept {loads[0]:.1f}" + (f"–{loads[-1]:.1f}" if loads[-1] - loads[0] >= 0.1
                                                             else "") + f" cores busy during {len(loads)} of "
                   f"{sum(w.measured for w in m.ways)} runs"] if loads else [])
        reasons.append("the machine was busy: " + "; ".join(
            ([f"{seen:g} of {cores} usable cores idle before/after"] if seen is not None else []) + beside
            or ["calls waited for a CPU"]))
    reasons += [f"{w.label}: {w.note}" for w in m.ways if not w.measured and w.note]
    reasons += [f"{w.label} was {_x(w.speedup)} faster but kept only {w.parallelism or 0:.2f} cores busy: not "
                "parallel computing, the machine's load changed between runs" for w in lucky]
    reasons += [f"{w.label} {_x(w.speedup)}: " + ("work that waits needs no other build of Python" if kind == "waits"
                else f"its threads were not ×{GAIN:g} faster than its own one after another") for w in passed_over]
    # Ways whose result the load may have decided: they ran beside other programs' work, on a machine where
    # computing in parallel was possible, and nothing load-independent rules them out.
    unfair = [w for w in measured if kind != "waits" and cores >= 2 and loaded(w) and not ruled_out_by_cost(m, w)]

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

    best_text = ", ".join(f"{w.label} {_x(w.speedup)}" for w in measured) or "no other way could run"
    if kind != "waits" and cores >= 2 and (unfair or lucky or (busy and not all(map(_settled(m), measured)))):
        return Recommendation(CANNOT_TELL, f"can't tell: no way computed ×{GAIN:g} faster on several cores at once "
                              f"({best_text}), but the cores were busy, so it could not show; run it again on an "
                              "idle machine", reasons, kind, busy)
    if kind != "waits" and cores < 2:
        reasons.append("1 usable core: nothing computes in parallel here; on a machine with more (idle) cores, "
                       "measure again")
    return Recommendation(SEQUENTIAL, f"one after another: no way was ×{GAIN:g} faster ({best_text})",
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


def _gil_sentences(m: Measurement, kind: str, threads: Way | None, cores: int, busy: bool) -> list[str]:
    if threads is None or not threads.measured or kind == "waits":
        if threads is not None and threads.measured and (threads.speedup or 0) >= GAIN:
            return [f"threads {_x(threads.speedup)} on {threads.workers} threads: the waits overlap"]
        if threads is not None and threads.measured:
            return [f"threads {_x(threads.speedup)} on {threads.workers} threads: the waits did not overlap here "
                    "(a busy machine, or something that serves one call at a time?)"]
        return []
    if cores < 2:
        return [f"threads {_x(threads.speedup)}: on one usable core threads cannot compute at the same time, "
                "GIL or not"]
    if (threads.speedup or 0) >= GAIN and (kind != "computes" or (threads.parallelism or 0) >= PARALLEL):
        return [f"threads {_x(threads.speedup)}: the function lets go of the GIL while it computes "
                "(C code working on its own data)"]
    busy_cores = f"{threads.parallelism or 0:.2f} cores busy at once"
    if busy:
        return [f"threads {_x(threads.speedup)}, {busy_cores}: the function holds the GIL, or the busy machine "
                "left no second core"]
    return [f"threads {_x(threads.speedup)}, {busy_cores}: the function holds the GIL (threads take turns)"]


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

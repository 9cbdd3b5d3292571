"""What a run prints, and what it keeps: terminal tables, the JSON document, two machines side by side.

The JSON document (``SCHEMA``) holds the machine stamp, the plan, every section's raw
figures and the budgets' verdicts; everything printed or drawn is made from it, so a
saved file can be printed, drawn and compared again later (``--load``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .budgets import Verdict

SCHEMA = "helpers.bench/2"
#: Earlier documents this still reads. In version 1 the moving section's "Manager" was two ``Manager().Queue()``
#: proxies and its "shared memory" one block reused for every payload; from version 2 both are notebook 12's
#: channels (a manager dict, a fresh block per payload), so a version-1 figure keeps a name of its own
#: (:data:`RENAMED_IN_1`) and is never set beside a version-2 figure as if it measured the same thing.
READS = (SCHEMA, "helpers.bench/1")
RENAMED_IN_1 = {"Manager": "Manager queues (bench/1)", "shared memory": "reused shared-memory block (bench/1)"}


# --- the JSON document ------------------------------------------------------------------

def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> dict[str, Any]:
    """A saved run, or ``ValueError`` saying why the file is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("schema") not in READS:
        raise ValueError(f"{path} is not a result of python -m helpers.bench (schema {SCHEMA}).")
    return data


# --- tables -----------------------------------------------------------------------------

def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine_lines(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    build = "free-threaded" if m["free_threaded"] else "with the GIL"
    return [f"Machine: {m['label']} — {m['os']}",
            f"Python {m['python']} ({m['implementation']}, {build}); start method {m['start_method']} "
            f"(offered: {', '.join(m['start_methods'])})",
            m["cores_sentence"],
            f"Run: {results['plan']['level']}, {results['started']} UTC, {results['duration_s']:.0f} s"
            + (" (" + ", ".join(f"{name} {s:.0f}" for name, s in results["section_seconds"].items()) + ")"
               if results.get("section_seconds") else "")]


def waiting_table(section: dict[str, Any]) -> str:
    asyncio = {r["count"]: r for r in section["asyncio"]}
    threads = {r["count"]: r for r in section["threads"]}
    rows = []
    for count in sorted(set(asyncio) | set(threads)):
        t, a = threads.get(count), asyncio.get(count)
        rows.append([count, f"{t['elapsed']:.3f}" if t else "", f"{t['ratio']:.3f}" if t else "",
                     f"{a['elapsed']:.3f}" if a else "", f"{a['ratio']:.3f}" if a else ""])
    return (f"Waiting: k waits of {section['wait']:g} s at once (ideal: one wait)\n"
            + table(["k", "threads s", "× ideal", "asyncio s", "× ideal"], rows))


def _column(row: dict[str, Any]) -> str:
    if row["kind"] == "processes":
        return f"processes ({row['method']})"
    return row["kind"]


def speedup_table(section: dict[str, Any], title: str) -> str:
    columns = list(dict.fromkeys(_column(r) for r in section["runs"]))
    by = {(_column(r), r["workers"]): r for r in section["runs"]}
    rows = []
    for workers in sorted({r["workers"] for r in section["runs"]}):
        cells = []
        for column in columns:
            r = by.get((column, workers))
            cells.append(f"{r['speedup']:.2f}× {r['efficiency']:.0%}" if r else "")
        rows.append([workers] + cells)
    measured = section.get("interpreters", "measured") == "measured"
    extra = "" if measured else f"\ninterpreters: {section['interpreters']}"
    share = section.get("cpu_share")
    got = f", which had {share:.0%} of a core" if share is not None else ""
    return (f"{title}: speed-up against one after another ({section['sequential']:.2f} s{got}), "
            "efficiency = speed-up / min(workers, usable cores)\n"
            + table(["workers"] + columns, rows) + extra)


def computing_table(section: dict[str, Any]) -> str:
    title = (f"Computing: {section['tasks']} tasks of sum_of_squares({section['task_numbers']:,}), "
             f"{section['task_seconds']:.3f} s each")
    text = speedup_table(section, title)
    large = section.get("large")
    if large:
        text += (f"\nlarge tasks: {large['tasks']} of {large['task_seconds']:.2f} s on {large['workers']} processes "
                 f"({large['method']}): {large['speedup']:.2f}× ({large['efficiency']:.0%}) against "
                 f"{large['sequential']:.2f} s one after another (with {large.get('cpu_share', 1):.0%} of a core)")
    return text


def hashlib_table(section: dict[str, Any]) -> str:
    title = f"hashlib on threads: {section['tasks']} SHA-256 of {section['block_bytes'] / 2**20:.3g} MiB"
    return speedup_table(section, title)


def starting_table(section: dict[str, Any]) -> str:
    rows = [[r["what"] + (f" ({r['method']})" if r["method"] else ""), f"{r['ms']:.2f}", f"{r['first_ms']:.2f}",
             r["samples"]] for r in section["rows"]]
    extra = f"\ninterpreters: {section['interpreters']}" if section["interpreters"] != "measured" else ""
    return "Start cost: start + join of a worker that does nothing\n" + table(
        ["worker", "median ms", "first ms", "samples"], rows) + extra


def size_words(n: float) -> str:
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n:g} B"


def moving_table(section: dict[str, Any]) -> str:
    channels = list(dict.fromkeys(r["channel"] for r in section["rows"]))
    by = {(r["channel"], r["bytes"]): r for r in section["rows"]}
    rows = []
    for size in sorted({r["bytes"] for r in section["rows"]}):
        cells = [f"{by[c, size]['mb_per_s']:,.0f} MB/s {by[c, size]['round_trip_ms']:.2f} ms" if (c, size) in by
                 else "" for c in channels]
        rows.append([size_words(size)] + cells)
    return (f"Moving data: parent → child ({section['method']}) and back, per payload (MB/s one way, round trip)\n"
            + table(["payload"] + channels, rows))


def crossover_table(section: dict[str, Any]) -> str:
    methods = list(section["processes"])
    rows = []
    for i, size in enumerate(section["sizes"]):
        rows.append([f"{size:,}", f"{section['sequential'][i]:.3f}"] + [f"{section['processes'][m][i]:.3f}"
                                                                        for m in methods])
    lines = [f"Crossover: {section['tasks']} tasks one after another vs on {section['workers']} processes (s)",
             table(["numbers/task", "sequential"] + methods, rows)]
    for method, found in section["crossover"].items():
        lines.append(f"  {method}: processes start to pay at {crossover_words(found)}")
    return "\n".join(lines)


def crossover_words(found: dict[str, Any]) -> str:
    if found["where"] == "below":
        return f"≤ {found['numbers']:,.0f} numbers a task (the smallest size measured)"
    if found["where"] == "above":
        return "more than the largest size measured"
    return f"≈ {found['numbers']:,.0f} numbers a task"


def panel_table(section: dict[str, Any]) -> str:
    rows = [[r["workload"], f"{r['plain']:.2f}", f"{r['panel']:.2f}", f"{r['slower']:+.1%}",
             f"{r['drawing_share']:.1%}", f"{r['frames_per_s']:.1f}"] for r in section["rows"]]
    return "Live panel: the same run without and with the panel (medians)\n" + table(
        ["workload", "plain s", "panel s", "slower", "drawing", "frames/s"], rows)


def budgets_table(verdicts: Sequence[Verdict]) -> str:
    lines = ["Budgets (ratios from this run; they hold on an otherwise idle machine)"]
    for v in verdicts:
        note = f"\n        {v.note}" if v.note else ""
        lines.append(f"  {v.word:<4}  {v.name}: {v.figure}  [target {v.target}]{note}")
    return "\n".join(lines)


def build_table(section: dict[str, Any]) -> str:
    """The build row: each build measured (GIL, free-threaded) on the same pure-Python work."""
    counts = section["threads"]
    gil = next((b for b in section["builds"] if not b["free_threaded"]), None)
    rows = []
    for b in section["builds"]:
        kind = ("free-threaded" + (", GIL ON" if b["gil_enabled"] else "")) if b["free_threaded"] else "GIL"
        # One thread against the GIL build: wall-clock, and CPU time (the steadier one on a busy machine).
        ratio = f"×{b['one_thread'] / gil['one_thread']:.2f}" if gil else "—"
        if gil and b.get("one_thread_cpu") and gil.get("one_thread_cpu"):
            ratio += f" (CPU ×{b['one_thread_cpu'] / gil['one_thread_cpu']:.2f})"
        rows.append([f"Python {b['python']} {kind}", f"{b['cpu']['1']['seconds']:.3f} s",
                     *(f"×{b['speedups'][str(n)]:.2f}" for n in counts if n > 1),
                     "—" if b.get("cpu_per_second_2") is None else f"{b['cpu_per_second_2']:.2f}",
                     f"{b['one_thread']:.3f} s", ratio, "/".join(f"{x:,}" for x in b["race"]["lost"]),
                     "—" if b.get("memory_kib_per_thread") is None else f"{b['memory_kib_per_thread']:.0f}"])
    idle = [x for x in (section.get("idle_cores_before"), section.get("idle_cores_after")) if x is not None]
    title = ("Build: the same pure-Python loop shared by 1, " + ", ".join(str(n) for n in counts if n > 1)
             + " threads" + ("" if section["other_found"] else " (no other build found: this one only)")
             + (f"; idle cores before/after: {' / '.join(f'{x:g}' for x in idle)}" if idle else ""))
    lost = f"lost of {gil['race']['expected'] if gil else section['builds'][0]['race']['expected']:,}"
    return title + "\n" + table(["build", "1 thread", *(f"{n} threads" for n in counts if n > 1),
                                  "CPU-s/s at 2", "one thread", "vs GIL", lost, "KiB/thread"], rows)


SECTION_TABLES = {"waiting": waiting_table, "computing": computing_table, "starting": starting_table,
                  "moving": moving_table, "crossover": crossover_table, "hashlib": hashlib_table,
                  "panel": panel_table, "build": build_table}


def full_text(results: dict[str, Any], verdicts: Sequence[Verdict]) -> str:
    """Every table of a run, machine stamp first and budgets last."""
    parts = ["\n".join(machine_lines(results))]
    for name, section in results["sections"].items():
        failed = section.get("error")
        parts.append(f"{name}: could not be measured here — {failed}" if failed else SECTION_TABLES[name](section))
    parts.append(budgets_table(verdicts))
    return "\n\n".join(parts)


# --- two machines side by side ------------------------------------------------------------

def headline(results: dict[str, Any]) -> dict[str, float]:
    """The figures worth comparing across machines, by name."""
    m = results["machine"]
    s = {name: section for name, section in results["sections"].items() if "error" not in section}
    out: dict[str, float] = {"usable cores": m["usable_cores"]}
    if "waiting" in s:
        for key, what in (("threads", "threads"), ("asyncio", "asyncio waits")):
            for r in s["waiting"][key]:
                out[f"{r['count']} {what} × one wait: × ideal"] = r["ratio"]
    for name in ("computing", "hashlib"):
        if name in s:
            if name == "computing":
                out["sum_of_squares: million numbers/s, one core"] = (
                    s[name]["task_numbers"] / s[name]["task_seconds"] / 1e6)
            best: dict[str, float] = {}
            for r in s[name]["runs"]:
                key = f"{name}: best speed-up, {_column(r)}"
                best[key] = max(best.get(key, 0.0), r["speedup"])
            out.update(best)
    if "starting" in s:
        for r in s["starting"]["rows"]:
            method = f" ({r['method']})" if r["method"] else ""
            out[f"start {r['what']}{method}: ms"] = r["ms"]
    if "moving" in s:
        rows = s["moving"]["rows"]
        small, large = min(r["bytes"] for r in rows), max(r["bytes"] for r in rows)
        renamed = RENAMED_IN_1 if results.get("schema") == "helpers.bench/1" else {}
        for r in rows:
            channel = renamed.get(r["channel"], r["channel"])
            if r["bytes"] == small:
                out[f"{channel} round trip, {size_words(small)}: ms"] = r["round_trip_ms"]
            if r["bytes"] == large:
                out[f"{channel}, {size_words(large)}: MB/s"] = r["mb_per_s"]
    if "crossover" in s:
        for method, found in s["crossover"]["crossover"].items():
            if found["numbers"] is not None:
                out[f"crossover ({method}): numbers a task"] = found["numbers"]
    if "build" in s:
        for b in s["build"]["builds"]:
            kind = "free-threaded" if b["free_threaded"] else "GIL"
            if "2" in b["speedups"]:
                out[f"build {kind}: 2 threads, speed-up"] = b["speedups"]["2"]
            out[f"build {kind}: one thread, s"] = b["one_thread"]
    if "panel" in s and s["panel"]["rows"]:
        out["live panel: worst drawing share %"] = 100 * max(r["drawing_share"] for r in s["panel"]["rows"])
    return out


def compare_table(this: dict[str, Any], other: dict[str, Any]) -> str:
    """The headline figures of two runs side by side, with their ratio."""
    a, b = headline(this), headline(other)
    rows = []
    for key in list(a) + [k for k in b if k not in a]:
        x, y = a.get(key), b.get(key)
        ratio = f"{y / x:.2f}" if x and y is not None else ""
        rows.append([key, _figure(x), _figure(y), ratio])
    names = (this["machine"]["label"], other["machine"]["label"])
    if names[0] == names[1]:
        names = (f"{names[0]} (this)", f"{names[1]} (other)")
    return (f"Side by side: {names[0]} — {this['started']}  |  {names[1]} — {other['started']}\n"
            + table(["figure", names[0], names[1], "other / this"], rows))


def _figure(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

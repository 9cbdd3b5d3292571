"""One measurement of a learner's function: the baseline, then every way Python can run it in parallel.

:func:`measure` runs, through :func:`helpers.harness.run` (which starts, times, bounds and reaps
every worker), the same calls

1. once, alone (the probe: does it raise? does it return within ``timeout``? how big is its result?);
2. one after another (the baseline), each call timed: wall, CPU, queued for a CPU;
3. on threads; on processes (the platform's start method, and spawn when asked); on interpreters
   (3.14+); with asyncio for a coroutine function; on threads of a free-threaded build, in a child
   Python, when one is found (:mod:`helpers.choose.freethreaded`).

A way that cannot run here is kept with one line saying why; a way that fails is kept with its
error; ``KeyboardInterrupt`` goes up after the harness has stopped everything it started.
"""

from __future__ import annotations

import os
import pickle
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..engine import harness
from ..engine.config import MAX_THREADS, gil_enabled, resolve_start_method
from ..engine.harness import RunError, RunResult, RunTimedOut, TaskFailed
from ..engine.machine import idle_cores as machine_idle_cores, usable_cores
from .inputs import (BadInput, check_memory, defined_in_a_notebook, function_name, is_coroutine_function,
                     module_source, pickled_sizes)
from .work import FunctionSource, GatherAll, RunCoroutine, Timed, TimedCall

#: Longest one call may take unless ``--timeout`` says otherwise: a call that has not returned by
#: then is taken to never return, and everything is stopped.
DEFAULT_TIMEOUT = 60.0
#: Seconds spent looking at how idle the cores are, before and after.
IDLE_SAMPLE = 0.3

Progress = Callable[[str], None]
OnUpdate = Callable[[str, RunResult], None]
#: Called just before each run starts (label, mode, workers, calls): a chart draws its empty axes then, not
#: while the run's threads need the GIL.
OnStart = Callable[[str, str, int, int], None]


@dataclass
class Way:
    """One way of running the calls, and what it measured (``elapsed`` is ``None`` if it did not run)."""

    key: str
    label: str
    workers: int = 0
    elapsed: float | None = None
    speedup: float | None = None
    efficiency: float | None = None
    startup: float | None = None   # median time from the run's start until a worker was ready
    #: CPU seconds used during the run (this process and its reaped children) / elapsed: how many cores
    #: it kept busy at once. A function that computes runs in parallel only where this exceeds 1.
    parallelism: float | None = None
    #: Cores kept busy by *other* programs during the run (all busy cores minus this run's own), Linux only.
    #: Above about half a core, a way that lost may have lost to the load, not to the way itself.
    others_busy: float | None = None
    note: str = ""                 # why it did not run, or how it failed

    @property
    def measured(self) -> bool:
        return self.elapsed is not None


@dataclass
class Measurement:
    """Everything one measurement found: the calls, the machine, and each :class:`Way`."""

    function: str
    coroutine: bool
    notebook_function: bool
    inputs_given: int
    inputs_measured: int
    quick: bool
    call_wall: float                 # median seconds per call, one after another
    call_cpu: float
    call_queued: float | None        # waiting for a CPU (a busy machine), Linux only
    argument_bytes: int              # largest pickled argument
    result_bytes: int | None         # pickled result of the probe call (None: cannot be pickled)
    crossing_seconds: float | None   # pickle + unpickle of one argument and one result, here
    machine: dict[str, Any]
    ways: list[Way] = field(default_factory=list)
    duration: float = 0.0            # the whole measurement, probe and looks at the machine included
    first_error: str = ""

    @property
    def call_own(self) -> float:
        """A call's own time: its wall time less its time queued for a CPU (never less than its CPU time)."""
        return max(self.call_cpu, self.call_wall - (self.call_queued or 0.0))

    @property
    def cpu_share(self) -> float:
        """How much of a call's own time was spent on a CPU (0 to 1)."""
        return min(1.0, self.call_cpu / self.call_own) if self.call_own > 0 else 0.0

    def way(self, key: str) -> Way | None:
        return next((w for w in self.ways if w.key == key), None)

    @property
    def baseline(self) -> Way:
        way = self.way("sequential")
        assert way is not None
        return way

    def runs_seconds(self) -> float:
        return sum(w.elapsed or 0.0 for w in self.ways)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cpu_share"] = self.cpu_share
        return data


def idle_cores(sample: float = IDLE_SAMPLE) -> float | None:
    """How many usable cores were idle during a short look: the course's one sampler
    (:func:`helpers.engine.machine.idle_cores`, which the verdict and ``helpers.bench`` use); ``None`` where it
    cannot look (no ``psutil``, as in a bare free-threaded Python, or no per-core times)."""
    try:
        return machine_idle_cores(sample)
    except Exception:  # noqa: BLE001 -- ImportError (psutil) or a platform without per-core times
        return None


def cpu_snapshot() -> dict[str, tuple[int, int]] | None:
    """Idle and total time so far of each CPU this process may run on (``/proc/stat``, Linux), or ``None``."""
    allowed = ({f"cpu{n}" for n in os.sched_getaffinity(0)} if hasattr(os, "sched_getaffinity") else None)
    found = {}
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                name, *values = line.split()
                if name.startswith("cpu") and name != "cpu" and (allowed is None or name in allowed):
                    numbers = list(map(int, values[:8]))
                    found[name] = (numbers[3] + numbers[4], sum(numbers))
    except (OSError, ValueError, IndexError):
        return None
    return found or None


def busy_cores_since(before: dict[str, tuple[int, int]] | None) -> float | None:
    """How many of this process's CPUs were busy (anyone's work) on average since the snapshot ``before``."""
    after = cpu_snapshot()
    if before is None or after is None:
        return None
    busy = 0.0
    for name, (idle, total) in after.items():
        if name in before and total > before[name][1]:
            busy += 1.0 - (idle - before[name][0]) / (total - before[name][1])
    return busy


def machine_facts(idle_before: float | None, idle_after: float | None) -> dict[str, Any]:
    import sysconfig

    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")), "gil_enabled": gil_enabled(),
            "cpu_count": os.cpu_count(), "usable_cores": usable_cores(), "idle_before": idle_before,
            "idle_after": idle_after, "start_method": resolve_start_method(), "os": platform.system()}


def quick_inputs(items: list[Any]) -> list[Any]:
    """``--quick``: two calls per usable core (at least two), from the start of the inputs."""
    return items[: max(2, 2 * usable_cores())]


def measure(func: Callable[[Any], Any], items: list[Any], *, timeout: float = DEFAULT_TIMEOUT,
            quick: bool = False, spawn: bool = False, free_threaded: bool = True,
            ways: tuple[str, ...] | None = None, progress: Progress | None = None,
            on_update: OnUpdate | None = None, on_start: OnStart | None = None) -> Measurement:
    """Measure ``func`` over ``items`` every way this machine offers; see the module's docstring.

    ``ways`` limits the ways measured (the free-threaded child asks for baseline and threads only, and
    does not look at the idle cores). Raises :class:`BadInput` when the probe call raises, does not return
    within ``timeout`` (everything is stopped), or its results would not fit in memory.
    """
    note: Progress = progress or (lambda text: None)
    started = time.perf_counter()
    given = len(items)
    if quick:
        items = quick_inputs(items)
    argument_bytes = max(pickled_sizes(items)) if items else 0
    check_memory("inputs", len(items), argument_bytes)
    coroutine = is_coroutine_function(func)
    call = RunCoroutine(func) if coroutine else func
    child = ways is not None
    note("how idle are the cores")
    idle_before = None if child else idle_cores()

    result_bytes: int | None = None
    crossing: float | None = None
    # The probe runs in the free-threaded child too: a first call pays for lazy imports and caches, which
    # must not land in one way's figures and not in another's.
    note("calling it once (the probe)")
    if on_start is not None:
        on_start("calling it once", "sequential", 1, 1)
    probe = _run_or_bad_input("the probe", Timed(call), items[:1], "sequential", timeout, on_update)
    value = probe.tasks[0].result.result
    result_bytes, crossing = _crossing(items[0], value)
    del probe, value
    check_memory("results", len(items), result_bytes or 0)

    cpu_used: dict[int, tuple[float, float | None]] = {}

    def run_way(label: str, task: Callable[[Any], Any], arguments: list[Any], mode: str, workers: int,
                method: str | None = None) -> RunResult:
        note(label)
        if on_start is not None:
            on_start(label, mode, workers, len(arguments))
        limit = _run_limit(timeout, len(arguments), workers)
        before, snapshot = cpu_seconds(), cpu_snapshot()
        result = harness.run(task, arguments, mode=mode, workers=workers, start_method=method, timeout=limit,
                             on_update=(lambda r: on_update(label, r)) if on_update else None)
        used = cpu_seconds() - before
        everyone = busy_cores_since(snapshot)
        own = used / result.elapsed if result.elapsed > 0 else 0.0
        # /proc/stat counts in ticks of 10 ms: a run shorter than a tenth of a second says little about others.
        short = result.elapsed < 0.1
        cpu_used[id(result)] = (used, None if everyone is None or short else max(0.0, everyone - own))
        return result

    wanted = ways or ("sequential", "threads", "processes", "spawn", "interpreters", "asyncio", "free-threaded")
    found: list[Way] = []
    cores = usable_cores()
    n = len(items)

    # 1. the baseline, each call timed
    try:
        baseline = run_way(f"{n} calls one after another", Timed(call), items, "sequential", 1)
    except TaskFailed as exc:  # a later input than the probe's: the first error, and nothing measured
        failed = next(t for t in exc.result.tasks if t.error)
        raise BadInput(f"the function raised on input {failed.index} ({_short(failed.argument)}): {failed.error}. "
                       "Nothing was measured.") from None
    except RunTimedOut:
        from .stopping import stop_stuck_threads

        raise BadInput(f"the calls one after another did not end in time (each call may take up to --timeout "
                       f"{timeout:g} s); {stop_stuck_threads()} Nothing was measured.") from None
    calls: list[TimedCall] = [t.result for t in baseline.tasks]
    sequential = baseline.elapsed
    used, others = cpu_used.pop(id(baseline), (0.0, None))
    found.append(Way("sequential", "one after another", 1, sequential, 1.0, 1.0,
                     parallelism=used / sequential if sequential > 0 else None, others_busy=others))
    del baseline

    def add(key: str, label: str, workers: int, body: Callable[[], RunResult], speed_label: str = "") -> None:
        way = Way(key, label, workers)
        try:
            result = body()
        except _Skipped as exc:
            way.note = str(exc)
        except TaskFailed as exc:
            way.note = f"failed: {exc.result.errors[0] if exc.result.errors else exc}"
        except RunTimedOut as exc:
            way.note = f"stopped: {exc}"
        except RunError as exc:
            way.note = f"failed: {exc}"
        except (ValueError, OSError) as exc:
            way.note = f"could not run: {exc}"
        else:
            way.elapsed = result.elapsed
            way.speedup = sequential / result.elapsed if result.elapsed > 0 else None
            way.efficiency = way.speedup / min(workers, cores) if way.speedup else None
            if id(result) in cpu_used and result.elapsed > 0:
                used, way.others_busy = cpu_used.pop(id(result))
                way.parallelism = used / result.elapsed
            ready = sorted(result.ready.values())
            way.startup = statistics.median(ready) if ready else None
        found.append(way)

    notebook = defined_in_a_notebook(func)
    if "threads" in wanted:
        threads = min(n, MAX_THREADS)
        add("threads", "threads", threads,
            lambda: run_way(f"{n} calls on {threads} threads", call, items, "threads", threads))
    method = resolve_start_method()
    workers = min(n, cores)
    if "processes" in wanted:
        _processes(add, run_way, call, items, workers, method, notebook, result_bytes, func)
    if "spawn" in wanted and spawn and method != "spawn":
        _processes(add, run_way, call, items, workers, "spawn", notebook, result_bytes, func)
    if "interpreters" in wanted:
        _interpreters(add, run_way, call, func, items, workers, notebook, coroutine)
    if "asyncio" in wanted and coroutine:
        add("asyncio", "asyncio", n, lambda: _asyncio(run_way, func, items, n))
    if "free-threaded" in wanted and free_threaded and not child:
        from .freethreaded import measure_free_threaded

        note("looking for a free-threaded Python")
        found.extend(Way(**row) for row in measure_free_threaded(func, items, sequential, timeout=timeout,
                                                                 quick=quick, notebook=notebook, note=note))

    note("how idle are the cores")
    idle_after = None if child else idle_cores()
    # Means, not medians: Linux adds a wait for a CPU to a thread's figures when the thread next gets one,
    # so a call may be charged a wait that began before it; over all calls these shifts cancel out.
    wall = sum(c.wall for c in calls) / n
    queued = ([min(c.queued, c.wall) for c in calls if c.queued is not None])
    return Measurement(
        function=function_name(func), coroutine=coroutine, notebook_function=notebook, inputs_given=given,
        inputs_measured=n, quick=quick, call_wall=wall, call_cpu=sum(c.cpu for c in calls) / n,
        call_queued=min(sum(queued) / n, wall) if len(queued) == n else None,
        argument_bytes=argument_bytes, result_bytes=result_bytes, crossing_seconds=crossing,
        machine=machine_facts(idle_before, idle_after), ways=found, duration=time.perf_counter() - started)


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and by its children that have been reaped (Unix)."""
    used = time.process_time()
    try:
        import resource
    except ImportError:  # Windows: child processes' CPU time is not counted
        return used
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used + children.ru_utime + children.ru_stime


def _run_limit(timeout: float, calls: int, workers: int) -> float:
    """A run's time limit: every call may take up to ``timeout``, in rounds of ``workers``, plus start-up."""
    return min(3600.0, timeout * -(-calls // max(1, workers)) + 30.0)


def _run_or_bad_input(what: str, task: Callable[[Any], Any], items: list[Any], mode: str, timeout: float,
                      on_update: OnUpdate | None) -> RunResult:
    try:
        return harness.run(task, items, mode=mode, workers=1, timeout=timeout,
                           on_update=(lambda r: on_update("calling it once", r)) if on_update else None)
    except TaskFailed as exc:
        error = exc.result.tasks[0].error or str(exc)
        raise BadInput(f"the function raised on the first input ({_short(items[0])}): {error}. "
                       "Nothing was measured.") from None
    except RunTimedOut:
        from .stopping import stop_stuck_threads

        stopped = stop_stuck_threads()
        raise BadInput(f"the function did not return within --timeout {timeout:g} s on the first input "
                       f"({_short(items[0])}); {stopped} Nothing was measured.") from None


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _crossing(argument: Any, value: Any) -> tuple[int | None, float | None]:
    """Pickled size of the result, and what pickling + unpickling the argument and the result costs here."""
    start = time.perf_counter()
    try:
        pickle.loads(pickle.dumps(argument, protocol=pickle.HIGHEST_PROTOCOL))
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        size = len(data)
        pickle.loads(data)
    except Exception:
        return None, None
    return size, time.perf_counter() - start


def _processes(add: Any, run_way: Any, call: Any, items: list[Any], workers: int, method: str,
               notebook: bool, result_bytes: int | None, func: Any) -> None:
    key = "processes" if method == resolve_start_method() else f"processes-{method}"
    label = f"processes ({method})"
    if notebook and method != "fork":
        why = (f"{func.__qualname__} is defined in the notebook, and a {method} child starts a fresh Python that "
               "cannot import it: put it in a file (%%writefile mywork.py, or helpers.choose.write_module) and "
               "import it from there")
        add(key, label, workers, lambda: _skip(why))
        return
    if result_bytes is None:
        add(key, label, workers, lambda: _skip("its result cannot be pickled, so a process cannot send it back"))
        return
    add(key, label, workers, lambda: run_way(f"{len(items)} calls on {workers} {label}", call, items,
                                             "processes", workers, method))


def _skip(why: str) -> RunResult:
    raise _Skipped(why)


class _Skipped(ValueError):
    pass


def _interpreters(add: Any, run_way: Any, call: Any, func: Any, items: list[Any], workers: int,
                  notebook: bool, coroutine: bool) -> None:
    from ..interpreters import available, unavailable_reason

    if not available():
        add("interpreters", "interpreters", workers, lambda: _skip(unavailable_reason()))
        return
    task = call
    if notebook:
        try:
            source = FunctionSource(func.__name__, module_source(func))
        except BadInput as exc:
            why = f"not sent by value: {exc}"
            add("interpreters", "interpreters", workers, lambda: _skip(why))
            return
        task = RunCoroutine(source) if coroutine else source
    add("interpreters", "interpreters" + (" (by value)" if notebook else ""), workers,
        lambda: run_way(f"{len(items)} calls on {workers} interpreters", task, items, "interpreters", workers))


def _asyncio(run_way: Any, func: Any, items: list[Any], n: int) -> RunResult:
    """All calls at once in one event loop: one harness task whose argument is the whole list."""
    return run_way(f"{n} calls at once with asyncio", GatherAll(func), [items], "sequential", 1)

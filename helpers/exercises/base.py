"""What every checker shares: the verdict, "not answered yet", calling the learner's code, the census.

A checker prints one line starting with ✔ (right), ✘ (not yet, with a hint) or ◌ (this
machine cannot show the effect, and why) and returns a :class:`Verdict`. It never raises
for a wrong or missing answer, so a notebook whose exercise is still open runs from top to
bottom. ``...`` (Ellipsis) means "not answered yet".
Checkers for each topic live in their own module of this package and import from here.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..charts.style import format_duration

#: The three outcomes of a check.
RIGHT, WRONG, CANNOT_SHOW = "right", "wrong", "cannot show"
_MARKS = {RIGHT: "✔ ", WRONG: "✘ ", CANNOT_SHOW: "◌ "}


class Verdict:
    """A checker's answer: truthy when right; ``message`` is what was printed.

    ``status`` is :data:`RIGHT`, :data:`WRONG` or :data:`CANNOT_SHOW` (the answer could not be
    judged on this machine: falsy, but not a mistake of the learner's).
    """

    def __init__(self, ok: bool, message: str, status: str | None = None) -> None:
        self.ok = ok
        self.message = message
        self.status = status or (RIGHT if ok else WRONG)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok}, status={self.status!r}, message={self.message!r})"

    def _ipython_display_(self) -> None:
        pass  # the printed line already said it


def report(ok: bool, message: str, hint: str = "") -> Verdict:
    """Print the verdict the way every checker does, and return it."""
    status = RIGHT if ok else WRONG
    text = _MARKS[status] + message + (f"\n  Hint: {hint}" if hint and not ok else "")
    print(text)
    return Verdict(ok, text, status)


def cannot_show(message: str, why: str) -> Verdict:
    """Print "this machine cannot show it" (never a ✘: the answer was not refuted) and return it."""
    text = f"{_MARKS[CANNOT_SHOW]}This machine cannot show the effect, because {why}. {message}".rstrip()
    print(text)
    return Verdict(False, text, CANNOT_SHOW)


NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


def unanswered(answer: Any) -> bool:
    return answer is ...


# --- the learner's function: given, callable, written -------------------------------------

def _ellipsis_lines(func: Callable[..., Any]) -> tuple[list[int], bool, bool] | None:
    """Lines (1 = the ``def`` line) of ``func`` that still hold ``...``, whether that is its whole body,
    and whether the body does nothing (only ``pass``).

    ``None`` when the source cannot be read (then the compiled code is looked at instead).
    """
    try:
        source = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if node is None:
        return None
    body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                         and isinstance(s.value.value, str))]  # without the docstring
    lines = sorted({n.lineno - node.lineno + 1 for s in body for n in ast.walk(s)
                    if isinstance(n, ast.Constant) and n.value is Ellipsis})
    only = bool(body) and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                              and s.value.value is Ellipsis for s in body)
    empty = all(isinstance(s, ast.Pass) for s in body)
    return lines, only, empty


def _empty() -> None:
    pass


def unfinished(func: Callable[..., Any], name: str) -> Verdict | None:
    """A ✘ verdict when ``func`` still holds ``...`` in its body (or does nothing at all); else ``None``."""
    found = _ellipsis_lines(func)
    if found is not None:
        lines, only, empty = found
        if only:
            return report(False, f"{name}() is not written yet: its body is still only `...`.",
                          f"Replace the `...` under `def {name}(…):` with your code, run that cell, then this one.")
        if lines:
            where = ", ".join(str(n) for n in lines)
            return report(False, f"{name}() still has `...` in its body (line {where} of the function).",
                          "Replace each `...` with your code, run that cell, then this one.")
        if empty:
            return report(False, f"{name}() does nothing yet: its body is empty.",
                          f"Write the body of {name}, run that cell, then this one.")
        return None
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    if Ellipsis in code.co_consts:
        return report(False, f"{name}() still has `...` in its body.", "Replace each `...` with your code.")
    if code.co_code == _empty.__code__.co_code and set(code.co_consts) <= {None}:
        return report(False, f"{name}() does nothing yet: its body is empty (or only `...`).",
                      f"Write the body of {name}, run that cell, then this one.")
    return None


def check_function(answer: Any, name: str, checker: str) -> Verdict | None:
    """The verdict for an answer that is not a written function yet; ``None`` when it is one.

    ``name``: the function the exercise asks for; ``checker``: the checker's own name, for
    the messages (``check_two_threads(run_two)``).
    """
    if unanswered(answer):
        return report(False, f"{name} is still `...`: write the function {name}, then delete the line "
                      f"`{name} = ...` under it, and run that cell again.")
    if not callable(answer):
        passed = "None (what calling it returned?)" if answer is None else f"{type(answer).__name__} {answer!r:.60}"
        return report(False, f"{checker}() needs the function {name} itself, not {passed}.",
                      f"Write {checker}({name}), without () after {name}.")
    return unfinished(answer, name)


# --- the census: threads and processes left running ---------------------------------------

#: Threads that are machinery, not the learner's: the course's output relay, and the feeder
#: thread a ``multiprocessing.Queue`` keeps for as long as the queue lives.
_OWN_THREADS = ("course-output-relay", "QueueFeederThread")


class Census:
    """What was running before the learner's code: threads, and processes below this one.

    ``leftovers()`` names what the learner's code started and left running; ``stop()``
    ends those processes (threads cannot be stopped; a thread left running is reported).
    Processes are found with :func:`helpers.engine.census.live_children` (multiprocessing's
    housekeeping left out, a fork server's children included).
    """

    def __init__(self) -> None:
        self.threads = {t.ident for t in threading.enumerate()}
        self.pids = {p.pid for p in _live_children()}

    def new_threads(self) -> list[threading.Thread]:
        return [t for t in threading.enumerate()
                if t.ident not in self.threads and t.is_alive() and t.name not in _OWN_THREADS]

    def new_processes(self) -> list[Any]:
        return [p for p in _live_children() if p.pid not in self.pids]

    def leftovers(self, settle: float = 0.5) -> tuple[list[threading.Thread], list[Any]]:
        """Threads and processes started since the census and still running, after ``settle`` s at most.

        ``settle`` lets a thread or process that is ending right now (a pool's last thread
        after ``shutdown``) finish before it is counted.
        """
        deadline = time.monotonic() + settle
        while True:
            threads, processes = self.new_threads(), self.new_processes()
            if not (threads or processes) or time.monotonic() >= deadline:
                return threads, processes
            time.sleep(0.02)

    @staticmethod
    def stop(processes: list[Any]) -> None:
        from ..engine.census import kill_all

        kill_all(processes)
        _reap()


def _live_children() -> list[Any]:
    from ..engine.census import live_children

    return live_children()


def _reap() -> None:
    import multiprocessing

    multiprocessing.active_children()  # joins the finished children this process started


def describe_leftovers(threads: list[threading.Thread], processes: list[Any]) -> str:
    parts = []
    if threads:
        parts.append(f"{len(threads)} thread{'s' if len(threads) > 1 else ''} "
                     f"({', '.join(t.name for t in threads[:4])})")
    if processes:
        parts.append(f"{len(processes)} process{'es' if len(processes) > 1 else ''} "
                     f"(pid {', '.join(str(p.pid) for p in processes[:4])})")
    return " and ".join(parts)


# Kept for the topic modules written before the census: child processes of this one.
def new_children(before: set[int]) -> list[Any]:
    """Child processes of this process, started since ``before`` (a set of pids), still alive."""
    import multiprocessing

    return [p for p in multiprocessing.active_children() if p.pid not in before]


def child_pids() -> set[int]:
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


# --- what the learner's code did with its threads, processes and pools, observed ------------

class Worker:
    """A thread or process started while observing: when, and every ``join()`` called on it.

    ``joins``: ``(entered, left, ended)`` per ``join()`` call, ``ended`` whether the worker had
    ended when that call returned (a ``join(timeout)`` that timed out has ``ended`` False).
    """

    def __init__(self, obj: Any, kind: str) -> None:
        self.obj = obj
        self.kind = kind  # "thread" or "process"
        self.started = time.perf_counter()
        self.joins: list[tuple[float, float, bool]] = []

    @property
    def ident(self) -> int | None:
        """The thread's ident, or the process's pid."""
        return getattr(self.obj, "ident" if self.kind == "thread" else "pid", None)

    @property
    def joined(self) -> bool:
        """A ``join()`` on it returned after it had ended."""
        return any(ended for *_, ended in self.joins)

    def waiting_at(self, moment: float) -> bool:
        """Whether a ``join()`` on this worker was in progress at ``moment``."""
        return any(entered <= moment <= left for entered, left, _ in self.joins)

    def ended(self) -> bool:
        """Whether it has ended, without reaping a process (its exit code stays uncollected)."""
        if self.kind == "thread":
            return not self.obj.is_alive()
        popen = getattr(self.obj, "_popen", None)
        if popen is None or getattr(popen, "returncode", None) is not None:
            return True
        from multiprocessing.connection import wait

        return bool(wait([self.obj.sentinel], 0))

    def collected(self) -> bool:
        """For a process: its exit code was collected (joined, or reaped by reading ``exitcode``)."""
        popen = getattr(self.obj, "_popen", None)
        return popen is None or getattr(popen, "returncode", None) is not None


class Pool:
    """An executor or ``multiprocessing`` pool made while observing, and whether it was shut down."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.calls: list[str] = []

    @property
    def name(self) -> str:
        return type(self.obj).__name__

    @property
    def shut_down(self) -> bool:
        if self.name.endswith("Executor"):
            return "shutdown" in self.calls
        return "terminate" in self.calls or ("close" in self.calls and "join" in self.calls)


class Observation:
    """While inside: every thread and process started, every ``join()`` on them, every pool made and shut down.

    Observed by wrapping ``threading.Thread.start``/``join``, ``multiprocessing``'s
    ``BaseProcess.start``/``join``, the executors' and ``multiprocessing.pool.Pool``'s
    constructors and shutdown methods, in this process, for as long as the ``with`` lasts
    (whoever calls them: the learner's code, a pool's own machinery). The learner's code
    cannot make these up: they are the checker's own records of what happened.
    """

    def __init__(self) -> None:
        self.threads: list[Worker] = []
        self.processes: list[Worker] = []
        self.pools: list[Pool] = []
        self._guard = threading.Lock()
        self._saved: list[tuple[Any, str, Any]] = []

    def worker(self, obj: Any) -> Worker | None:
        for worker in (*self.threads, *self.processes):
            if worker.obj is obj:
                return worker
        return None

    def thread(self, ident: int) -> Worker | None:
        return next((w for w in self.threads if w.ident == ident), None)

    def process(self, pid: int) -> Worker | None:
        return next((w for w in self.processes if w.ident == pid), None)

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = owner.__dict__.get(name)
        if original is None:
            return
        self._saved.append((owner, name, original))
        setattr(owner, name, make(original))

    def __enter__(self) -> Observation:
        import concurrent.futures as futures
        import multiprocessing.pool
        import multiprocessing.process

        observation = self

        def starting(kind: str, into: list[Worker]) -> Callable[[Any], Any]:
            def make(original: Any) -> Any:
                def start(obj: Any, *args: Any, **kwargs: Any) -> Any:
                    with observation._guard:
                        into.append(Worker(obj, kind))
                    return original(obj, *args, **kwargs)
                return start
            return make

        def joining(original: Any) -> Any:
            def join(obj: Any, *args: Any, **kwargs: Any) -> Any:
                entered = time.perf_counter()
                try:
                    return original(obj, *args, **kwargs)
                finally:
                    worker = observation.worker(obj)
                    if worker is not None:
                        worker.joins.append((entered, time.perf_counter(), worker.ended()))
            return join

        def made(original: Any) -> Any:
            def init(obj: Any, *args: Any, **kwargs: Any) -> Any:
                if observation.pool(obj) is None:
                    with observation._guard:
                        observation.pools.append(Pool(obj))
                return original(obj, *args, **kwargs)
            return init

        def noting(name: str) -> Callable[[Any], Any]:
            def make(original: Any) -> Any:
                def method(obj: Any, *args: Any, **kwargs: Any) -> Any:
                    pool = observation.pool(obj)
                    if pool is not None:
                        pool.calls.append(name)
                    return original(obj, *args, **kwargs)
                return method
            return make

        self._patch(threading.Thread, "start", starting("thread", self.threads))
        self._patch(threading.Thread, "join", joining)
        self._patch(multiprocessing.process.BaseProcess, "start", starting("process", self.processes))
        self._patch(multiprocessing.process.BaseProcess, "join", joining)
        pool_classes = [futures.ThreadPoolExecutor, futures.ProcessPoolExecutor, multiprocessing.pool.Pool]
        interpreter_pool = getattr(futures, "InterpreterPoolExecutor", None)  # Python 3.14+
        pool_classes += [interpreter_pool] if interpreter_pool is not None else []
        for cls in pool_classes:
            self._patch(cls, "__init__", made)
            for name in ("shutdown", "close", "terminate", "join"):
                self._patch(cls, name, noting(name))
        return self

    def pool(self, obj: Any) -> Pool | None:
        return next((p for p in self.pools if p.obj is obj), None)

    def __exit__(self, *exc: Any) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            setattr(owner, name, original)

    def leftovers(self) -> list[str]:
        """What the observed code left behind: pools never shut down, threads and processes still
        running, processes that ended but whose exit code nobody collected (zombies). Judged at
        once, not after a wait: a right answer has shut down, joined or reaped everything."""
        found = []
        pools = [p.name for p in self.pools if not p.shut_down]
        if pools:
            found.append(f"{_count(len(pools), 'pool')} never shut down ({', '.join(pools[:3])})")
        running = [w for w in self.threads if not w.ended() and getattr(w.obj, "name", "") not in _OWN_THREADS]
        if running:
            found.append(f"{_count(len(running), 'thread')} still running "
                         f"({', '.join(w.obj.name for w in running[:4])})")
        unreaped = [w for w in self.processes if not w.collected()]
        alive = [w for w in unreaped if not w.ended()]
        zombies = [w for w in unreaped if w.ended()]
        if alive:
            found.append(f"{_count(len(alive), 'process', 'processes')} still running "
                         f"(pid {', '.join(str(w.ident) for w in alive[:4])})")
        if zombies:
            found.append(f"{_count(len(zombies), 'process', 'processes')} ended but never joined, "
                         f"{'their exit codes' if len(zombies) > 1 else 'its exit code'} never collected "
                         f"(a zombie: pid {', '.join(str(w.ident) for w in zombies[:4])})")
        return found

    def clean_up(self) -> None:
        """Shut down what was left: pools without waiting, processes stopped and reaped."""
        for pool in self.pools:
            if not pool.shut_down:
                try:
                    if pool.name.endswith("Executor"):
                        pool.obj.shutdown(wait=False, cancel_futures=True)
                        # A thread pool's threads end once their task is done: wait a little for them, so
                        # nothing (an interpreter closed under a running thread) is pulled from under them.
                        for thread in list(getattr(pool.obj, "_threads", ())):
                            thread.join(5.0)
                    else:
                        pool.obj.terminate()
                except Exception:
                    pass
        alive = [w.obj for w in self.processes if not w.collected()]
        for process in alive:
            try:
                if not Worker(process, "process").ended():
                    process.terminate()
                process.join(2.0)
                if process.is_alive():
                    process.kill()
                    process.join(2.0)
            except Exception:
                pass


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def waited_by_joining(workers: list[Worker], ends: list[float], returned: float, what: str,
                      name: str, prompt: bool = True) -> Verdict | None:
    """A ✘ verdict unless every worker was joined, and the function waited for the last one in ``join()``.

    ``workers``: the threads or processes that ran the work; ``ends``: when the work in each
    ended (recorded by the worker itself); ``returned``: when the learner's function returned.
    A right answer is inside ``join()`` when the last worker ends and returns within
    milliseconds; one that slept, or waited on an event or a timer, was elsewhere then.
    ``prompt=False``: only the joins are judged (a right answer waits on a queue first).
    """
    unjoined = [i for i, w in enumerate(workers) if not w.joined]
    if unjoined:
        which = ", ".join(f"{what[:-2] if what.endswith('es') else what[:-1]} {i + 1}" for i in unjoined)
        timed_out = any(w.joins for i, w in enumerate(workers) if i in unjoined)
        return report(False, f"{name}() never joined {len(unjoined)} of its {len(workers)} {what} ({which})"
                      + (": join(timeout) ran out before it ended" if timed_out else "")
                      + (", although they had ended by the time it returned." if not timed_out else "."),
                      f"Call join() on each of the {what}, after starting them all: join() waits exactly "
                      "as long as needed, and a worker that ended by itself still needs its join().")
    last = max(ends)
    late = returned - last
    if prompt and late > PROMPT and not any(w.waiting_at(last) for w in workers):
        one = what[:-2] if what.endswith("es") else what[:-1]
        return report(False, f"{name}() returned {format_duration(late)} after its last {one} "
                      "had finished, and it was not waiting in join() when that happened: it waited some other way "
                      "(a sleep, a timed wait), which guesses how long the work takes.",
                      f"Start all the {what}, then join() each: join() returns the moment a worker ends.")
    return None



def waited_for_processes(calls: list[Any], observation: Observation, returned: float, elapsed: float, name: str,
                         hint: str, prompt: bool = True) -> Verdict | None:
    """A ✘ verdict unless ``name()`` returned after every recorded call in a child process had ended, and joined
    each of those processes (:func:`waited_by_joining`). ``calls``: the recorded calls (``pid``, ``end``);
    ``hint``: what to do when the function returned while its processes still worked."""
    late = [c for c in calls if c.end is None or c.end > returned]
    if late:
        return report(False, f"{name}() returned after {format_duration(elapsed)}, while {len(late)} of its "
                      f"processes {'were' if len(late) > 1 else 'was'} still working: it did not wait for them.", hint)
    ran = [observation.process(c.pid) for c in calls]
    return waited_by_joining([w for w in ran if w is not None], [c.end for c in calls if c.end is not None],
                             returned, "processes", name, prompt=prompt)


def returned_list(value: Any, name: str, what: str, hint: str = "") -> list[Any] | Verdict:
    """``value`` (what ``name()`` returned) as a list, or a ✘ verdict saying it was not ``what``."""
    try:
        return list(value)
    except TypeError:
        return report(False, f"{name}() returned {value!r:.60}, not {what}.", hint)

#: A right answer returns within milliseconds of its last worker's end; past this it waited otherwise.
PROMPT = 0.05


def skipped_work(spans: list[tuple[float, float | None]], least: float, worker: str) -> Verdict | None:
    """A ✘ verdict when a call of ``worker`` took less than ``least`` s: its pauses were skipped.

    ``spans``: each call's start and end. A pause (``time.sleep``) lasts at least its time, on
    any machine: a call much shorter than its pauses did not do the work it stands for (a worker
    swapped for a quicker one, a patched clock).
    """
    short = [end - start for start, end in spans if end is not None and end - start < 0.9 * least]
    if short:
        return report(False, f"{len(short)} {worker} call{'s' if len(short) > 1 else ''} took "
                      f"{format_duration(min(short))}, shorter than {format_duration(least)} of pauses it makes: "
                      "the work was not done.", f"Run {worker} as it is; do not change it or what it calls.")
    return None


#: Seconds a learner's function may run before the checker stops it (``$COURSE_CHECK_TIMEOUT`` overrides).
LEARNER_LIMIT = 60.0
HINT_NEVER_RETURNED = ("Does it wait for something that never comes: a result of a task that never ends, a join() "
                       "on a worker that never stops, a get() on an empty queue? Give such waits a timeout.")


def learner_limit(default: float = LEARNER_LIMIT) -> float:
    """The time limit for one call of the learner's code: ``$COURSE_CHECK_TIMEOUT``, else ``default``."""
    from ..engine.bounded import time_limit

    return time_limit(default)


def never_returned(name: str, limit: float, still: list[threading.Thread] | None = None) -> Verdict:
    """The one ✘ line for a learner's function stopped after ``limit`` s.

    ``still``: threads it started that could not be stopped."""
    stuck = ""
    if still:
        stuck = (f" {_count(len(still), 'thread')} it started ({', '.join(t.name for t in still[:3])}) "
                 f"{'is' if len(still) == 1 else 'are'} stuck inside a C call and could not be stopped: "
                 "restart the kernel to end them.")
    return report(False, f"{name}() did not return within {limit:g} s: the checker stopped it and ended "
                  f"what it had started.{stuck}", HINT_NEVER_RETURNED)


def end_stuck_call(observation: Observation, census: Census) -> list[threading.Thread]:
    """After a call that was stopped: shut its pools, end its processes, stop its threads.

    Returns the threads that would not stop."""
    from ..engine.bounded import stop_threads

    observation.clean_up()
    _, processes = census.leftovers(settle=0.0)
    Census.stop(processes)
    threads = [w.obj for w in observation.threads
               if not w.ended() and getattr(w.obj, "name", "") not in _OWN_THREADS]
    threads += [t for t in census.new_threads() if t not in threads]
    return stop_threads(threads)


def call_learner(func: Callable[[], Any], name: str, hint: str = "",
                 leftover_hint: str = "Join every thread and process you started before returning.",
                 observation: Observation | None = None, limit: float | None = None,
                 ) -> tuple[Any, float, Verdict | None]:
    """Call the learner's ``func()`` and time it: ``(value, seconds, None)`` when it behaved.

    A raised exception, or anything of its own left behind when it returned (see
    :meth:`Observation.leftovers`: a pool never shut down, a thread or process still running,
    a process never joined), gives a ✘ verdict as the third item; what was left is then shut
    down, so the notebook leaks nothing. Judged the moment it returns: nothing is given time
    to disappear by itself. ``observation``: pass one to read what was observed afterwards.
    ``limit``: seconds it may run (default :func:`learner_limit`); past it, it is stopped
    (:func:`helpers.engine.bounded.call_within`), what it started is ended, and the ✘ says so.
    """
    from ..engine.bounded import DidNotReturn, call_within

    limit = learner_limit() if limit is None else limit
    census = Census()
    observation = observation if observation is not None else Observation()
    start = time.perf_counter()
    def watched() -> Any:
        with observation:
            return func()

    try:
        try:
            value = call_within(watched, limit)
        except DidNotReturn:
            still = end_stuck_call(observation, census)
            return None, time.perf_counter() - start, never_returned(name, limit, still)
    except Exception as exc:  # the learner's bug is reported, not raised: the notebook runs on
        elapsed = time.perf_counter() - start
        observation.clean_up()
        _, processes = census.leftovers(settle=0.0)
        Census.stop(processes)
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return None, elapsed, report(False, f"{name}() raised {detail}", hint)
    elapsed = time.perf_counter() - start
    left = observation.leftovers()
    observed = {w.ident for w in observation.processes}
    _, others = census.leftovers(settle=0.0)
    others = [p for p in others if p.pid not in observed]
    if others:
        left.append(describe_leftovers([], others) + " still running")
    if left:
        observation.clean_up()
        Census.stop(others)
        return value, elapsed, report(False, f"When {name}() returned: {'; '.join(left)}.", leftover_hint)
    return value, elapsed, None


def not_true_or_false(answer: dict[str, Any], keys: Iterable[str]) -> Verdict | None:
    """A ✘ verdict while a ``{key: True or False}`` answer still holds ``...`` or a non-bool; else ``None``."""
    keys = list(keys)
    open_keys = [key for key in keys if answer[key] is ...]
    if open_keys:
        return report(False, f"Not answered yet for {', '.join(map(repr, open_keys))}: replace each ... with "
                      "True or False and run the cell again.")
    wrong_type = [key for key in keys if not isinstance(answer[key], bool)]
    if wrong_type:
        return report(False, f"{', '.join(map(repr, wrong_type))}: answer True or False, not "
                      f"{', '.join(repr(answer[k]) for k in wrong_type)}.")
    return None

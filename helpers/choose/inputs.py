"""The learner's function and inputs, found and checked before anything starts.

Every check raises :class:`BadInput` with one line a learner can act on; the command line turns
it into exit status 2. Nothing here starts a thread or a process.
"""

from __future__ import annotations

import ast
import builtins
import dis
import importlib
import inspect
import json
import os
import pickle
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine.config import MAX_TASKS

#: The most memory (as a share of what is available) the inputs and results may need.
MEMORY_SHARE = 0.5
#: Copies of an object a run may hold at once: the list, a pickled copy in a queue, the unpickled copy.
COPIES = 3


class BadInput(ValueError):
    """The function or its inputs cannot be measured; the message says why, in one line."""


# --- the function ------------------------------------------------------------------------

def load_function(target: str) -> Callable[..., Any]:
    """``"package.module:name"`` (or ``module:Class.method``) → the function; :class:`BadInput` if not.

    The current folder is searched first, as ``python -m`` does for a learner's ``mywork.py``.
    """
    module_name, sep, name = target.partition(":")
    if not sep or not module_name or not name:
        raise BadInput(f"{target!r}: give MODULE:FUNCTION, for example mywork:count_words.")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module's own code failing
        raise BadInput(f"cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    thing: Any = module
    for part in name.split("."):
        if not hasattr(thing, part):
            raise BadInput(f"{module_name} has no {name!r} (it has: {', '.join(public_names(module))}).")
        thing = getattr(thing, part)
    check_callable(thing, target)
    return thing


def public_names(module: types.ModuleType, most: int = 8) -> list[str]:
    names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
    return names[:most] + (["…"] if len(names) > most else [])


def check_callable(func: Any, what: str | None = None) -> Callable[..., Any]:
    """``func`` if it can be called with one argument, else :class:`BadInput`."""
    what = what or repr(func)
    if not callable(func):
        kind = type(func).__name__
        raise BadInput(f"{what} cannot be called: it is {'an' if kind[0] in 'aeiou' else 'a'} {kind} object, "
                       "not a function.")
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return func  # a builtin without a signature: the probe call will tell
    try:
        signature.bind(object())
    except TypeError:
        raise BadInput(f"{what}{signature} cannot be called with one argument: each input is one call's "
                       "only argument (wrap several in a tuple and unpack it inside).") from None
    return func


def function_name(func: Any) -> str:
    """``module:qualname``, how tables and the JSON name the function."""
    module = getattr(func, "__module__", None) or "?"
    return f"{module}:{getattr(func, '__qualname__', getattr(func, '__name__', repr(func)))}"


def defined_in_a_notebook(func: Any) -> bool:
    """True for a function that lives only in ``__main__`` or inside another function: a process
    started with spawn or forkserver (and another Python) cannot import it by name."""
    qualname = getattr(func, "__qualname__", "")
    return getattr(func, "__module__", "__main__") == "__main__" or "<locals>" in qualname or "<lambda>" in qualname


def is_coroutine_function(func: Any) -> bool:
    # An object whose __call__ is ``async def`` counts too (its type's method, as a call would find it).
    return inspect.iscoroutinefunction(func) or (
        not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__))


# --- inputs ------------------------------------------------------------------------------

def parse_literal(text: str) -> Any:
    """``--inputs``: a Python literal (``"[3_000_000] * 4"`` is allowed: a literal list times a number)."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise BadInput(f"--inputs {text!r} is not a Python literal ({exc.msg}).") from None
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Mult):
        left, right = (_literal(tree.left, text), _literal(tree.right, text))
        if isinstance(left, (list, tuple)) and isinstance(right, int) and not isinstance(right, bool):
            return left * min(right, MAX_TASKS + 1)  # a huge count is refused below, not built
        if isinstance(right, (list, tuple)) and isinstance(left, int) and not isinstance(left, bool):
            return right * min(left, MAX_TASKS + 1)
        raise BadInput(f"--inputs {text!r}: only a list times a whole number is allowed, such as [1_000] * 4.")
    return _literal(tree, text)


def _literal(node: ast.AST, text: str) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise BadInput(f"--inputs {text!r} is not a Python literal (numbers, strings, lists, tuples, dicts); "
                       "for anything else use --inputs-from MODULE:NAME.") from None


def read_inputs_file(path: Path) -> Any:
    """``--inputs-file``: a JSON file holding a list."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"--inputs-file {path}: cannot read it ({exc.strerror or exc}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"--inputs-file {path} is not JSON ({exc}).") from None


def inputs_from(target: str) -> Any:
    """``--inputs-from MODULE:NAME``: a list in a module, or a function that returns one (called once)."""
    module_name, sep, name = target.partition(":")
    if not sep:
        raise BadInput(f"--inputs-from {target!r}: give MODULE:NAME.")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise BadInput(f"--inputs-from: cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    if not hasattr(module, name):
        raise BadInput(f"--inputs-from: {module_name} has no {name!r}.")
    value = getattr(module, name)
    if callable(value):
        try:
            value = value()
        except Exception as exc:
            raise BadInput(f"--inputs-from: {target}() raised {type(exc).__name__}: {exc}") from None
    return value


def check_inputs(inputs: Any) -> list[Any]:
    """The inputs as a list: iterable (not a string), 1 to :data:`~helpers.config.MAX_TASKS` items."""
    if isinstance(inputs, (str, bytes, dict)) or not _iterable(inputs):
        raise BadInput(f"the inputs must be a list (one item per call), not a {type(inputs).__name__}: "
                       f"{_short(inputs)}. One call with it? Give [{_short(inputs)}].")
    items = []
    for item in inputs:
        items.append(item)
        if len(items) > MAX_TASKS:
            raise BadInput(f"too many inputs: at most {MAX_TASKS} calls are measured (each way runs all of "
                           "them); give a sample of your real inputs.")
    if not items:
        raise BadInput("the inputs are empty: give at least one call's argument, e.g. [1_000_000] * 4.")
    return items


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def pickled_sizes(items: list[Any]) -> list[int]:
    """Each input's pickled size; :class:`BadInput` naming the first one that cannot be pickled."""
    sizes = []
    for index, item in enumerate(items):
        try:
            sizes.append(len(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)))
        except Exception as exc:
            raise BadInput(f"input {index} ({_short(item)}) cannot be pickled ({type(exc).__name__}: {exc}): "
                           "processes and interpreters receive their arguments pickled. Pass what it is made "
                           "from (a file name, a number) and build it inside the function.") from None
    return sizes


def available_memory() -> int | None:
    """Bytes of memory available now (``MemAvailable`` on Linux, psutil elsewhere), or ``None``."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:
        return None


def check_memory(what: str, count: int, each: int) -> None:
    """:class:`BadInput` when ``count`` objects of ``each`` bytes, held :data:`COPIES` times, need more
    than :data:`MEMORY_SHARE` of the memory available now."""
    free = available_memory()
    need = COPIES * count * each
    if free is not None and need > MEMORY_SHARE * free:
        raise BadInput(f"too many inputs for memory: {count} {what} of {_bytes(each)} held up to {COPIES} times "
                       f"need about {_bytes(need)}; {_bytes(free)} is available. Give fewer inputs "
                       f"(at most {max(1, int(MEMORY_SHARE * free / (COPIES * max(each, 1))))}).")


def _bytes(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


# --- a notebook's function, sent by value or written to a module ---------------------------

def global_names(func: Any) -> set[str]:
    """Names ``func``'s code reads as globals (nested functions' and comprehensions' included)."""
    names: set[str] = set()
    codes = [func.__code__]
    while codes:
        code = codes.pop()
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                names.add(str(instruction.argval))
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


def _importable_name(value: Any) -> bool:
    """True for a function or class that its module (not ``__main__``) gives back under its own name."""
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or module == "__main__" or "." in qualname:
        return False
    try:
        return getattr(importlib.import_module(module), qualname, None) is value
    except Exception:
        return False


def module_source(func: Any) -> str:
    """Source that defines ``func`` on its own: ``import`` lines for the modules it uses, then its code.

    :class:`BadInput` (why, in one line) when it uses anything else from the notebook (a variable,
    another function), has a closure, or its source cannot be read.
    """
    if not isinstance(func, types.FunctionType):
        raise BadInput(f"{function_name(func)} is not a plain function: write it to a module by hand.")
    if func.__closure__:
        raise BadInput(f"{func.__name__} uses variables of the function it was defined in: define it at the top "
                       "of a cell.")
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        raise BadInput(f"the source of {func.__name__} cannot be read (defined with exec?).") from None
    imports, others = [], []
    for name in sorted(global_names(func)):
        if name not in func.__globals__:
            if not hasattr(builtins, name):
                others.append(name)  # not defined yet: the call would fail anyway
            continue
        value = func.__globals__[name]
        if isinstance(value, types.ModuleType):
            imports.append(f"import {value.__name__}" + (f" as {name}" if value.__name__ != name else ""))
        elif _importable_name(value):
            module, qualname = value.__module__, value.__qualname__
            imports.append(f"from {module} import {qualname}" + (f" as {name}" if qualname != name else ""))
        else:
            others.append(name)
    if others:
        raise BadInput(f"{func.__name__} uses {', '.join(others)} from the notebook, which cannot be sent with "
                       "it: move them into the function (or into a module it imports).")
    import textwrap

    return "\n".join(imports + ["", "", textwrap.dedent(source)])

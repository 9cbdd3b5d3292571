"""Reading many real files: one after another, on a thread pool, and from asyncio with ``to_thread``.

Notebook 13 makes the files in a temporary folder (:class:`FileHeap`, removed on every exit path)
and times the three ways with :func:`time_reading`. Files the operating system has just written
sit in its page cache, so reading them involves no wait for a disk: the figures show what that
means for threads (little gain) as honestly as a slow disk would show the opposite.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .engine import validate

#: The most files one heap may hold, and the largest file.
MAX_FILES = 20_000
MAX_FILE_SIZE = 10_000_000
WAYS = ("one by one", "threads", "asyncio.to_thread")


def read_file(path: str | Path) -> int:
    """Read one file to the end; return its size in bytes."""
    with open(path, "rb") as handle:
        return len(handle.read())


class FileHeap:
    """``count`` files of ``size`` bytes in a fresh temporary folder; ``remove()`` (or ``with``) deletes them."""

    def __init__(self, count: int, size: int) -> None:
        validate.whole_number(count, "count", 1, MAX_FILES)
        validate.whole_number(size, "size in bytes", 0, MAX_FILE_SIZE)
        self.folder = Path(tempfile.mkdtemp(prefix="course-files-"))
        try:
            block = bytes(range(256)) * (size // 256 + 1)
            self.paths = []
            for index in range(count):
                path = self.folder / f"file-{index:05d}.bin"
                path.write_bytes(block[:size])
                self.paths.append(path)
        except BaseException:
            self.remove()
            raise

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> FileHeap:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def read_one_by_one(paths: list[Path]) -> int:
    return sum(read_file(path) for path in paths)


def read_on_threads(paths: list[Path], threads: int = 16) -> int:
    validate.whole_number(threads, "threads", 1, 256)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(read_file, paths))


async def read_with_to_thread(paths: list[Path]) -> int:
    sizes = await asyncio.gather(*(asyncio.to_thread(read_file, path) for path in paths))
    return sum(sizes)


def time_reading(way: str, paths: list[Path], repeats: int = 3) -> tuple[float, int]:
    """Best-of-``repeats`` seconds to read every file ``way``; and the bytes read."""
    from .engine.coroutines import run_coroutine

    if way not in WAYS:
        raise ValueError(f"way must be one of {', '.join(WAYS)}; you gave {way!r}.")
    validate.whole_number(repeats, "repeats", 1, 20)
    best, total = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        if way == "one by one":
            total = read_one_by_one(paths)
        elif way == "threads":
            total = read_on_threads(paths)
        else:
            total = run_coroutine(read_with_to_thread(paths))
        best = min(best, time.perf_counter() - start)
    return best, total

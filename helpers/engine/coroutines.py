"""Run a coroutine to its end from plain (not async) code: bounded in time, cancelled by ■.

In Jupyter an event loop already runs in the kernel's thread, so ``asyncio.run`` refuses; :func:`run_coroutine`
then gives the coroutine a loop on a thread of its own. Used by the subjects that wait with asyncio (fetching,
many files) and by the checkers.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any


def run_coroutine(coroutine: Any, timeout: float | None = None) -> Any:
    """Run ``coroutine`` to its end and return its value, from plain (not async) code.

    Where no event loop runs in this thread, that is ``asyncio.run``. In Jupyter a loop already
    runs, so the coroutine gets a loop on a thread of its own. Either way, ``timeout`` (seconds)
    bounds it, and an interrupt (■) cancels it: the coroutine's ``finally:`` blocks run.
    """
    if timeout is not None:
        coroutine = asyncio.wait_for(coroutine, timeout)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    loop = asyncio.new_event_loop()
    main = loop.create_task(coroutine)
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["value"] = loop.run_until_complete(main)
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=runner, name="asyncio-run", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.05)
    except BaseException:  # KeyboardInterrupt: cancel the tasks, let their cleanup run, then re-raise
        loop.call_soon_threadsafe(main.cancel)
        thread.join(10)
        raise
    if "error" in box:
        raise box["error"]
    return box.get("value")

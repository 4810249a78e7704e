"""Background work that shutdown waits for: Bolt's lazy listeners, announcements, recounts.

One ``BackgroundTasks`` per process. ``spawn`` keeps a reference to the task (asyncio keeps
only weak ones) and ``drain`` waits for everything spawned so far: the web app's shutdown
calls it, and tests call it instead of sleeping to see what a request left behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (up to ``timeout``) for every task, including ones spawned while waiting."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and loop.time() < deadline:
            await asyncio.wait(list(self._tasks), timeout=max(deadline - loop.time(), 0))

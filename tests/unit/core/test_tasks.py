"""``bot.core.tasks.BackgroundTasks``: what it keeps, what ``drain`` waits for and when it gives up."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.tasks import BackgroundTasks


async def test_spawn_keeps_the_task_until_it_is_done_and_drain_waits_for_it() -> None:
    tasks, gate, done = BackgroundTasks(), asyncio.Event(), []

    async def work() -> str:
        await gate.wait()
        done.append("work")
        return "result"

    task = tasks.spawn(work())
    assert task in tasks._tasks  # a strong reference: asyncio keeps only weak ones
    gate.set()
    await tasks.drain()
    assert done == ["work"] and task.result() == "result"
    assert not tasks._tasks  # forgotten once done


async def test_drain_waits_for_tasks_spawned_while_it_waits() -> None:
    tasks, done = BackgroundTasks(), []

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        tasks.spawn(second())  # e.g. a lazy listener that announces something afterwards
        done.append("first")

    tasks.spawn(first())
    await tasks.drain()
    assert done == ["first", "second"]
    assert not tasks._tasks


async def test_a_failing_or_cancelled_task_neither_stops_drain_nor_stays_kept() -> None:
    tasks, gate, done = BackgroundTasks(), asyncio.Event(), []

    async def fails() -> None:
        raise RuntimeError("boom")

    async def waits() -> None:
        await gate.wait()
        done.append("waited")

    failing, cancelled, finishing = tasks.spawn(fails()), tasks.spawn(waits()), tasks.spawn(waits())
    cancelled.cancel()
    gate.set()
    await tasks.drain()
    assert done == ["waited"] and finishing.done()
    assert cancelled.cancelled()
    with pytest.raises(RuntimeError, match="boom"):
        failing.result()  # drain does not raise what a task raised; it stays on the task
    assert not tasks._tasks


async def test_drain_gives_up_at_its_timeout_and_leaves_the_unfinished_task_kept() -> None:
    tasks = BackgroundTasks()
    never = tasks.spawn(asyncio.Event().wait())
    await tasks.drain(timeout=0)  # returns at once: the deadline has passed
    assert not never.done() and never in tasks._tasks
    never.cancel()
    await tasks.drain()
    assert never.cancelled() and not tasks._tasks


async def test_drain_with_nothing_spawned_returns_at_once() -> None:
    tasks = BackgroundTasks()
    await asyncio.wait_for(tasks.drain(), timeout=1)
    assert not tasks._tasks

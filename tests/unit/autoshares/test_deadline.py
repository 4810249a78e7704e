"""One deadline per command (``bot.autoshares.deadline``): the time left on a clock the test moves,
never below zero, the sooner of nested deadlines, whether a wait fits, and tasks inheriting it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.autoshares import deadline
from bot.autoshares.deadline import fits, remaining, within


class Clock:
    """``time.monotonic`` as the module reads it, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(deadline, "time", SimpleNamespace(monotonic=clock.monotonic))
    return clock


def test_outside_any_deadline_nothing_is_left_to_count_and_every_wait_fits(clock: Clock) -> None:
    assert remaining() is None
    assert fits(10_000.0)
    with within(None):
        assert remaining() is None


def test_the_time_left_runs_down_with_the_clock_and_stops_at_zero(clock: Clock) -> None:
    with within(5.0):
        assert remaining() == 5.0
        clock.now += 2.0
        assert remaining() == 3.0
        assert fits(2.9) and not fits(3.0)  # a wait that uses up all the time left does not fit
        clock.now += 10.0
        assert remaining() == 0.0
        assert not fits(0.0)
    assert remaining() is None


def test_the_sooner_of_nested_deadlines_wins_and_the_outer_one_comes_back(clock: Clock) -> None:
    with within(10.0):
        with within(30.0):
            assert remaining() == 10.0  # an inner deadline never extends the outer one
        with within(4.0):
            assert remaining() == 4.0
            with within(None):
                assert remaining() == 4.0  # no deadline inside one leaves it in force
        clock.now += 1.0
        assert remaining() == 9.0


def test_a_block_left_by_an_exception_gives_its_deadline_up(clock: Clock) -> None:
    with pytest.raises(RuntimeError), within(1.0):
        raise RuntimeError("boom")
    assert remaining() is None


async def test_tasks_started_inside_inherit_the_deadline_and_their_own_stays_their_own(clock: Clock) -> None:
    async def left_in_task(seconds: float | None) -> float | None:
        with within(seconds):
            await asyncio.sleep(0)
            return remaining()

    with within(6.0):
        inherited = asyncio.create_task(left_in_task(None))
        shorter = asyncio.create_task(left_in_task(2.0))
        assert await inherited == 6.0
        assert await shorter == 2.0
        assert remaining() == 6.0  # the task's own deadline did not leak out
    assert await asyncio.create_task(left_in_task(None)) is None

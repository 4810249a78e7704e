"""The pieces background passes are made of: per-user pacing (on the test database, shared by
replicas), chunked passes with bounded concurrency, one listing per key per pass, due thresholds."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.autoshares.paging import Page, typed_page
from bot.autoshares.resources import PriceAlert
from bot.core.pacing import Standing, UserPacing
from bot.core.passes import (
    DUE_SHARE,
    Meter,
    OncePerPass,
    PassReport,
    due_after,
    grouped,
    read_pages,
    run_pass,
)
from storage.db import Database
from storage.pacing import AllowanceRepository


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


U = ("T1", "U1")
V = ("T1", "U2")


def pacing_on(db: Database, per_minute: int, clock: FakeClock) -> UserPacing:
    return UserPacing(AllowanceRepository(db.sessions), per_minute, clock=clock)


async def test_allowance_is_spent_overdrawn_and_paid_back(db: Database) -> None:
    clock = FakeClock()
    pacing = pacing_on(db, 6, clock)  # 6 calls a minute: one every 10 s
    assert await pacing.ready(U)
    await pacing.spend(U, 5)
    assert await pacing.ready(U)  # one call left
    await pacing.spend(U, 4)  # a listing finished once begun: 3 calls overdrawn
    assert not await pacing.ready(U)
    assert await pacing.standing(U) is Standing.PACED
    clock.now += 30  # 3 calls back: the debt is paid, none to spend yet
    assert not await pacing.ready(U)
    clock.now += 10
    assert await pacing.ready(U)
    assert await pacing.ready(V)  # allowances are per user
    clock.now += 3600
    await pacing.spend(U, 6)  # never more than a minute's worth saved up
    assert not await pacing.ready(U)


async def test_a_429_backs_the_user_off_until_retry_after(db: Database) -> None:
    clock = FakeClock()
    pacing = pacing_on(db, 60, clock)
    await pacing.back_off(U, 30)
    assert await pacing.backed_off(U) and not await pacing.ready(U)
    assert await pacing.ready(V) and not await pacing.backed_off(V)
    clock.now += 29.5
    assert not await pacing.ready(U)
    clock.now += 0.5
    assert await pacing.ready(U) and not await pacing.backed_off(U)
    with pytest.raises(ValueError):
        pacing_on(db, 0, clock)


async def test_two_replicas_spend_one_allowance_and_share_a_back_off(db: Database) -> None:
    clock = FakeClock()
    first, second = pacing_on(db, 60, clock), pacing_on(db, 60, clock)
    # Both replicas spend at once: every call is counted, none lost to the other's write.
    await asyncio.gather(*(replica.spend(U, 10) for replica in (first, second) for _ in range(3)))
    allowance = await first.allowances.get(*U, now=clock.now, per_minute=60)
    assert allowance is not None and allowance.calls == 0
    assert not await first.ready(U) and not await second.ready(U)
    clock.now += 1  # one call back, for either replica: one spends it
    assert await second.ready(U)
    await first.spend(U)
    assert not await second.ready(U)
    await second.back_off(V, 60)  # AutoShares' 429 seen by one replica holds the other back
    assert await first.backed_off(V)
    clock.now += 60
    assert await first.ready(V)


def test_due_after_is_a_little_less_than_the_interval() -> None:
    assert due_after(30) == timedelta(seconds=30 * DUE_SHARE)
    assert due_after(30) < timedelta(seconds=30)


def test_grouped_keeps_first_appearance_order() -> None:
    rows = [("b", 1), ("a", 2), ("b", 3)]
    assert grouped(rows, lambda r: r[0]) == [("b", [("b", 1), ("b", 3)]), ("a", [("a", 2)])]


async def test_a_pass_leases_every_chunk_and_checks_groups_a_bounded_number_at_once() -> None:
    chunks = [[(u, i) for u in range(10) for i in range(3)], [(u, 9) for u in range(10, 25)], []]
    in_flight = peak = 0
    checked: list[tuple[int, int]] = []
    gate = asyncio.Event()

    async def claim() -> list[tuple[int, int]]:
        return chunks.pop(0)

    async def check(key: int, rows: list[tuple[int, int]]) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 4:
            gate.set()
        await gate.wait()  # every check waits until four are in flight at once
        await asyncio.sleep(0)
        checked.extend(rows)
        in_flight -= 1
        if key == 3:
            raise RuntimeError("one group's bug")

    report = await run_pass(claim, lambda r: r[0], check, concurrency=4, report=PassReport("test"))
    assert peak == 4
    assert sorted(checked) == sorted(
        [(u, i) for u in range(10) for i in range(3)] + [(u, 9) for u in range(10, 25)]
    )
    assert (report.rows, report.groups, report.failed) == (45, 25, 1)


async def test_a_pass_cancelled_cancels_its_checks() -> None:
    started = asyncio.Event()
    cancelled = []

    async def claim() -> list[int]:
        return [1]

    async def check(key: int, rows: list[int]) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(key)
            raise

    task = asyncio.create_task(run_pass(claim, lambda r: r, check, concurrency=1, report=PassReport("t")))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled == [1]


async def test_once_per_pass_shares_one_listing_per_key() -> None:
    calls = []

    async def listing(key: str) -> str:
        calls.append(key)
        await asyncio.sleep(0)
        return key.upper()

    once: OncePerPass[str, str] = OncePerPass()
    results = await asyncio.gather(*(once.get(k, lambda k=k: listing(k)) for k in ["a", "b", "a", "a"]))
    assert results == ["A", "B", "A", "A"]
    assert calls == ["a", "b"]


async def test_read_pages_follows_paging_and_meters_each_call(db: Database) -> None:
    bodies = {0: {"Result": [{"Id": 1}, {"Id": 2}], "NextPageLink": "p1"}, 1: {"Result": [{"Id": 3}]}}
    report = PassReport("t")
    pacing = UserPacing(AllowanceRepository(db.sessions), 60)

    def alerts(body: dict, number: int, size: int) -> Page[PriceAlert]:
        return typed_page(PriceAlert, body, number, size, "GET /users/{userId}/pricealerts")

    async def fetch(number: int) -> Page[PriceAlert]:
        return alerts(bodies[number], number, 2)

    listing = await read_pages(fetch, Meter(report, pacing, U), page_size=2)
    assert sorted(listing.items) == [1, 2, 3] and listing.complete
    assert report.calls == 2

    async def endless(number: int) -> Page[PriceAlert]:
        return alerts({"Result": [{"Id": number + 1}], "NextPageLink": "more"}, number, 1)

    truncated = await read_pages(endless, Meter(report, pacing, V), page_size=1)
    assert not truncated.complete and len(truncated.items) == 50

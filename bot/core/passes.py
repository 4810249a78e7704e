"""One background pass over everything due: leased in chunks, checked group by group, a bounded
number at a time.

A pass has one start time. It leases the rows due at that moment in chunks (``claim`` returns
the next chunk, and nothing once no due row is left: what it leased is stamped with the pass's
start, so it is no longer due) and checks them a group at a time (a user's alerts, an account's
orders), at most ``concurrency`` groups at once, so AutoShares' latency overlaps instead of
adding up, without flooding the connection pool. The next chunk is leased once every group of
the previous one has started: no more rows wait leased than a chunk and what is in flight.

A group split over two chunks is still one AutoShares listing: :class:`OncePerPass` shares the
first listing of a key with every later check of that key in the same pass.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, Protocol, TypeVar

from bot.autoshares.paging import Page
from bot.core.pacing import Standing, UserPacing
from bot.core.users import UserKey

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Identified(Protocol):
    """A resource AutoShares lists with its ``Id`` (an order, a price alert)."""

    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=Identified)

#: A row a pass checked is due again once this share of the interval has passed since that pass
#: started: a little less than all of it, so the next pass on the same schedule always finds it
#: due (timers and clocks are not exact), while replicas on other schedules leave it alone.
DUE_SHARE = 0.9
#: Pages of one AutoShares listing a pass reads at most (100 items each).
MAX_PAGES = 50


def due_after(interval_seconds: float) -> timedelta:
    """How long after a check a row is due again, for passes every ``interval_seconds``."""
    return timedelta(seconds=interval_seconds * DUE_SHARE)


@dataclass(frozen=True)
class PollPolicy:
    """How passes run: at most ``concurrency`` groups checked at once (AutoShares calls in
    flight), ``chunk`` rows leased per claim."""

    concurrency: int = 8
    chunk: int = 500


@dataclass
class PassReport:
    """What one pass did, for logs, metrics and benchmarks."""

    kind: str
    rows: int = 0  # rows leased and looked at
    groups: int = 0  # distinct users (alerts) or accounts (orders) checked
    calls: int = 0  # AutoShares calls made
    announced: int = 0  # messages owed to Slack (an alert fired, an order moved on)
    paced: int = 0  # users left for a later pass: their background allowance is spent
    backed_off: int = 0  # users left for later: AutoShares answered 429 for them
    failed: int = 0  # checks that failed (AutoShares down, a link needing renewal, a bug)
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.kind} pass: {self.rows} rows in {self.groups} groups, {self.calls} AutoShares calls, "
            f"{self.announced} announced, {self.paced} paced, {self.backed_off} backed off, "
            f"{self.failed} failed, {self.seconds:.2f} s"
        )


@dataclass(frozen=True)
class Listing(Generic[Item]):
    """What a paged AutoShares list returned, by Id. Without ``complete`` paging stopped early,
    so an item missing from it may only be on a page not read."""

    items: dict[int, Item] = field(default_factory=dict)
    complete: bool = True


class OncePerPass(Generic[K, V]):
    """The first ``get`` of a key runs ``make``; every later ``get`` of it in the same pass
    shares that result (or that exception)."""

    def __init__(self) -> None:
        self._runs: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K, make: Callable[[], Awaitable[V]]) -> V:
        run = self._runs.get(key)
        if run is None:
            run = self._runs[key] = asyncio.ensure_future(make())
        return await run


class Meter:
    """Counts the AutoShares calls made for one user: in the pass's report, and against the
    user's allowance (``UserPacing``). ``acting`` is whatever the pass acts as for them."""

    def __init__(self, report: PassReport, pacing: UserPacing, user: UserKey, acting: Any = None) -> None:
        self.report = report
        self.pacing = pacing
        self.user = user
        self.acting = acting

    async def may_call(self) -> bool:
        """Whether background work may call AutoShares for the user now (counts the reason
        when not)."""
        standing = await self.pacing.standing(self.user)
        if standing is Standing.BACKED_OFF:
            self.report.backed_off += 1
            return False
        if standing is Standing.PACED:
            self.report.paced += 1
            return False
        return True

    async def called(self, calls: int = 1) -> None:
        self.report.calls += calls
        await self.pacing.spend(self.user, calls)

    async def rate_limited(self, retry_after: float) -> None:
        """AutoShares answered 429: back the user off until its Retry-After has passed."""
        await self.pacing.back_off(self.user, retry_after)
        self.report.backed_off += 1
        log.info(
            "%s pass: AutoShares rate-limited a user; no background call for them for %.0f s",
            self.report.kind,
            retry_after,
        )


async def read_pages(
    fetch: Callable[[int], Awaitable[Page[Item]]], meter: Meter, *, page_size: int, first_page: int = 0
) -> Listing[Item]:
    """Every page of an AutoShares list (``fetch(page_number)`` → a typed page), at most
    ``MAX_PAGES``; each call is counted by ``meter``."""
    items: dict[int, Item] = {}
    for number in range(first_page, first_page + MAX_PAGES):
        page = await fetch(number)
        await meter.called()
        for item in page.items:
            items[item.id] = item
        if not page.has_next:
            return Listing(items, complete=True)
    return Listing(items, complete=False)


def grouped(rows: Sequence[T], group_of: Callable[[T], K]) -> list[tuple[K, list[T]]]:
    """Rows by group, groups in order of first appearance."""
    groups: dict[K, list[T]] = {}
    for row in rows:
        groups.setdefault(group_of(row), []).append(row)
    return list(groups.items())


async def run_pass(
    claim: Callable[[], Awaitable[Sequence[T]]],
    group_of: Callable[[T], K],
    check: Callable[[K, list[T]], Awaitable[None]],
    *,
    concurrency: int,
    report: PassReport,
) -> PassReport:
    """Lease chunk after chunk with ``claim`` until it returns nothing, and ``check`` each
    group of rows, at most ``concurrency`` at once; returns ``report`` filled in."""
    started = time.perf_counter()
    slots = asyncio.Semaphore(max(concurrency, 1))
    running: set[asyncio.Task[None]] = set()
    seen: set[K] = set()

    async def guarded(key: K, rows: list[T]) -> None:
        try:
            await check(key, rows)
        except Exception:  # one group's failure must not end the pass for everyone else
            report.failed += 1
            log.exception("%s pass: checking a group failed", report.kind)
        finally:
            slots.release()

    try:
        while chunk := await claim():
            report.rows += len(chunk)
            for key, rows in grouped(chunk, group_of):
                await slots.acquire()
                seen.add(key)
                report.groups = len(seen)
                task = asyncio.create_task(guarded(key, rows))
                running.add(task)
                task.add_done_callback(running.discard)
        if running:
            await asyncio.wait(set(running))
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
    report.seconds = time.perf_counter() - started
    return report

"""Portfolio digests: a summary of a member's portfolio on a schedule they choose.

`/autoshares digest daily 16:15` (the member's Slack time zone), `… weekdays at close` (16:00
New York time, the regular session's close), `digest list`, `digest off`. A digest goes to the
member's DM, or to the channel where it was set when the workspace's policy lets the bot post
there on its own (the alerts policy, ``bot.core.team``); otherwise to the DM, and the answer says
so. No digest is posted on a US market holiday (``bot.core.market_clock``),
and a ``weekdays`` one not at weekends.

Exactly once per occurrence, however many replicas run: :meth:`DigestService.run_once` takes
the due schedules with one conditional write each (``storage.digests``), which owes the post to
the outbox; the delivery composes it as AutoShares has it then (:meth:`DigestService.compose`).
The pass takes ``now`` from its caller, so the demo and the tests run it on the sandbox's clock.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.autoshares.errors import AutoSharesError
from bot.autoshares.resources import Balance, Order, Position, Quote
from bot.core.alerts import AlertService
from bot.core.commands import DigestRequest
from bot.core.errors import TeamRefusal
from bot.core.market import MarketService
from bot.core.market_clock import MARKET_ZONE_NAME, REGULAR_CLOSE, REGULAR_OPEN, is_market_holiday
from bot.core.orders import FIRST_PAGE, open_orders
from bot.core.ports import SlackDirectory
from bot.core.team import TeamService
from bot.core.users import LinkedUsers
from storage.digests import DigestRepository
from storage.records import FIRED, Digest

log = logging.getLogger(__name__)

#: Named times, in the exchange's zone (a digest "at close" keeps 16:00 on an early close).
MARKET_TIMES = {"close": REGULAR_CLOSE, "open": REGULAR_OPEN}
#: Schedules one member may keep.
MOST_DIGESTS = 5
#: Positions read per account (the first page: a digest names movers, not every holding).
POSITIONS_READ = 100
#: Movers listed in a digest.
TOP_MOVERS = 3
#: How far back a digest looks for alerts that fired.
ALERTS_WINDOW = timedelta(hours=24)
#: A digest this late (the bot was down) is skipped rather than posted.
LATE_GRACE = timedelta(hours=6)


def zone_of(name: str | None) -> ZoneInfo:
    """A time zone by name; New York when it is missing or unknown (the market's own)."""
    try:
        return ZoneInfo(name or MARKET_ZONE_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(MARKET_ZONE_NAME)


def posts_on(every: str, day: date) -> bool:
    """Whether a schedule posts on ``day`` (its local date): never on a market holiday; a
    ``weekdays`` one only Monday to Friday."""
    if is_market_holiday(day):
        return False
    return every == "daily" or day.weekday() < 5


def next_occurrence(every: str, at_local: str, zone: str, after: datetime) -> datetime:
    """The first time after ``after`` (UTC) at ``at_local`` (HH:MM) in ``zone`` on a date the
    schedule posts on. A local time a clock change skips is taken an hour later (zoneinfo's fold
    rules), never dropped."""
    tz = zone_of(zone)
    hour, minute = (int(part) for part in at_local.split(":"))
    local = after.astimezone(tz)
    day = local.date()
    for _ in range(400):  # a year of dates is more than any calendar skips
        candidate = datetime.combine(day, time(hour, minute), tzinfo=tz)
        if candidate.astimezone(UTC) > after and posts_on(every, day):
            return candidate.astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError(f"no date to post {every} at {at_local} in {zone}")


def schedule_label(request: DigestRequest) -> str:
    when = "every day" if request.every == "daily" else "on weekdays"
    if request.market_time:
        return f"{when} at the market {request.market_time}"
    return f"{when} at {request.at}"


# -- the summary ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mover:
    symbol: str
    change_percent: Decimal
    market_value: Decimal | None = None


@dataclass(frozen=True)
class DigestSummary:
    """What a digest shows; any part AutoShares could not answer is None (said so, not hidden)."""

    slack_user_id: str
    label: str
    as_of: datetime
    total_value: Decimal | None = None
    day_change: Decimal | None = None
    movers: list[Mover] | None = None
    open_orders: list[Order] | None = None
    fired: list[Any] = field(default_factory=list)
    currency: str = "USD"


def account_value(balances: Balance | None) -> Decimal | None:
    """The account's total value as its balances state it (None when they state none)."""
    return balances.equity if balances is not None else None


class DigestService:
    def __init__(
        self,
        *,
        repo: DigestRepository,
        users: LinkedUsers,
        alerts: AlertService,
        market: MarketService,
        team: TeamService,
        directory: SlackDirectory,
    ) -> None:
        self._market = market
        self.repo = repo
        self._users = users
        self._alerts = alerts
        self._team = team
        self._directory = directory

    # -- commands --------------------------------------------------------------------------------
    async def schedule(
        self,
        team_id: str,
        slack_user_id: str,
        channel_id: str,
        request: DigestRequest,
        *,
        now: datetime | None = None,
    ) -> tuple[Digest, bool]:
        """A new schedule for a linked member: (the schedule, whether the channel was refused by
        the workspace's policy so that it goes to their DM instead)."""
        await self._users.acting(team_id, slack_user_id)  # only linked members have a portfolio
        target, refused = slack_user_id, False
        if channel_id and not channel_id.startswith("D"):
            try:
                await self._team.alert_place(team_id, channel_id)
                target = channel_id
            except TeamRefusal:
                refused = True
        if request.market_time:
            zone, at_local = MARKET_ZONE_NAME, MARKET_TIMES[request.market_time].strftime("%H:%M")
        else:
            zone = await self._directory.time_zone(team_id, slack_user_id) or MARKET_ZONE_NAME
            at_local = request.at or "16:00"
        digest = await self.repo.create(
            team_id=team_id,
            slack_user_id=slack_user_id,
            channel_id=target,
            every=request.every,
            at_local=at_local,
            zone=zone,
            label=schedule_label(request),
            next_run_at=next_occurrence(request.every, at_local, zone, now or datetime.now(UTC)),
            most=MOST_DIGESTS,
        )
        return digest, refused

    async def listed(self, team_id: str, slack_user_id: str) -> list[Digest]:
        return await self.repo.for_user(team_id, slack_user_id)

    async def off(self, team_id: str, slack_user_id: str, digest_id: int | None = None) -> int:
        return await self.repo.remove(team_id, [slack_user_id], digest_id)

    # -- the schedule ----------------------------------------------------------------------------
    async def run_once(self, now: datetime | None = None) -> int:
        """One pass: owe every due digest to the outbox, once each. Returns how many."""

        def following(schedule: Digest, after: datetime) -> datetime:
            return next_occurrence(schedule.every, schedule.at_local, schedule.zone, after)

        return len(await self.repo.take_due(now or datetime.now(UTC), following, late=LATE_GRACE))

    # -- the summary -----------------------------------------------------------------------------
    async def compose(self, digest: Digest, occurrence: datetime) -> DigestSummary:
        """The member's portfolio as AutoShares has it now. Raises when the member is no longer
        linked (nothing to post); a part AutoShares cannot answer is left out and said so."""
        user = await self._users.acting(digest.team_id, digest.slack_user_id)
        account_ids = [a.id for a in await user.api.accounts()]

        async def balances(account_id: int) -> Balance | None:
            try:
                return await user.api.balances(account_id)
            except AutoSharesError:
                return None

        async def positions(account_id: int) -> list[Position] | None:
            try:
                page = await user.api.positions(
                    account_id, page=FIRST_PAGE, page_size=POSITIONS_READ, sort_field="Symbol"
                )
            except AutoSharesError:
                return None
            return page.items

        async def orders(account_id: int) -> list[Order] | None:
            try:
                return await open_orders(user.api, account_id)
            except AutoSharesError:
                return None

        balance_list, position_lists, order_lists = await asyncio.gather(
            asyncio.gather(*(balances(a) for a in account_ids)),
            asyncio.gather(*(positions(a) for a in account_ids)),
            asyncio.gather(*(orders(a) for a in account_ids)),
        )
        values = [account_value(b) for b in balance_list]
        held = [p for ps in position_lists for p in ps or []]
        quotes: dict[int, Quote] = {}
        ids = {p.security_id for p in held}
        if ids:
            try:
                quotes = await self._market.streamer.get(user.api, ids)
            except AutoSharesError as exc:
                log.info("digest quotes unavailable: %s", exc.code)
        day_change, movers = self._moves(held, quotes) if None not in position_lists else (None, None)
        fired = [
            r
            for r in await self._alerts.routes.for_user(digest.team_id, digest.slack_user_id)
            if r.state == FIRED and r.fired_at is not None and r.fired_at >= occurrence - ALERTS_WINDOW
        ]
        return DigestSummary(
            slack_user_id=digest.slack_user_id,
            label=digest.label,
            as_of=occurrence,
            total_value=sum((v for v in values if v is not None), Decimal(0))
            if values and None not in values
            else None,
            day_change=day_change,
            movers=movers,
            open_orders=[o for os in order_lists for o in os or []] if None not in order_lists else None,
            fired=fired,
        )

    @staticmethod
    def _moves(held: list[Position], quotes: dict[int, Quote]) -> tuple[Decimal | None, list[Mover]]:
        """The day's change in value (quantity × each quote's Change; None when a held
        security has no quote) and the biggest movers by percent."""
        total: Decimal | None = Decimal(0)
        movers = []
        for position in held:
            quote = quotes.get(position.security_id)
            change = quote.change if quote is not None else None
            percent = quote.change_pc if quote is not None else None
            quantity = position.quantity or Decimal(0)
            if change is None or total is None:
                total = None
            else:
                total += quantity * change * position.shares_per_unit
            if percent is not None:
                value = (
                    position.market_value if position.market_value is not None else position.market_value_eod
                )
                movers.append(Mover(position.symbol or "?", percent, value))
        ranked = sorted(movers, key=lambda m: abs(m.change_percent), reverse=True)[:TOP_MOVERS]
        return (total.quantize(Decimal("0.01")) if total is not None else None), ranked

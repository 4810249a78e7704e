"""Price alerts: create at AutoShares and remember where to announce; announce exactly once.

``create`` resolves the symbol to its security id (``GET /equities/{symbol}``), creates the
AutoShares alert (PriceAlertEditableModel: State New, Operator GTEQ/LTEQ, Field, Argument,
ExpirationDate in epoch seconds) and records the route: the channel it was set in, or the
user's DM with the bot when set in a DM.

A trigger reaches us by the signed ``alert.triggered`` webhook and by ``poll_once`` watching
alert states (every ``ALERT_POLL_SECONDS`` without a webhook secret; with one, as a backstop for
a webhook that never comes). Either way ``AlertRouteRepository.fire`` claims the route (active →
fired) with one conditional UPDATE, so the channel gets one message however many deliveries,
pollers and replicas see the trigger; the same transaction owes that message to the outbox,
which delivers it (``bot.core.delivery``).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.autoshares import deadline
from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.paging import read_page
from bot.core.commands import AlertRequest
from bot.core.errors import AlertNotFound, BotError, NotLinkedError, UnknownSymbolError
from bot.core.events import AlertTrigger, EventOutcome, alert_trigger
from bot.core.pacing import UserPacing
from bot.core.passes import Listing, Meter, OncePerPass, PassReport, PollPolicy, read_pages, run_pass
from bot.core.team import TeamService
from bot.core.users import ActingUser, LinkedUsers, UserKey
from storage.alerts import AlertRouteRepository, FireOutcome
from storage.audit import AuditLog
from storage.records import DELETED, EXPIRED, Route, utcnow

log = logging.getLogger(__name__)

#: AutoShares alert states: New is armed, Completed has fired.
ARMED, FIRED_STATE, EXPIRED_STATE, STOPPED_STATE = "New", "Completed", "Expired", "Stopped"
ALERTS_PAGE_SIZE = 100
#: How long a webhook may spend asking AutoShares which alerts fired (it wants a 2xx within 5 s).
CONFIRM_SECONDS = 3.5


def alert_body(request: AlertRequest, security_id: int, expires_at: datetime) -> dict[str, Any]:
    """The PriceAlertEditableModel for a parsed ``/alert``."""
    return {
        "State": ARMED,
        "Operator": request.operator,
        "SecurityId": security_id,
        "Field": request.field,
        "Argument": float(request.price),
        "ExpirationDate": int(expires_at.timestamp()),
    }


def route_channel(channel_id: str, slack_user_id: str) -> str:
    """Where to announce: the channel, or the user (their DM with the bot) when set in a DM."""
    return slack_user_id if not channel_id or channel_id.startswith("D") else channel_id


async def list_price_alerts(api: UserApi) -> list[dict[str, Any]]:
    """The user's price alerts, every page."""
    return await api.alerts(page_size=ALERTS_PAGE_SIZE)


class AlertService:
    """Price alerts for Slack users: create, list, delete, and announce triggers exactly once."""

    def __init__(
        self,
        *,
        users: LinkedUsers,
        routes: AlertRouteRepository,
        audit: AuditLog,
        default_expiry: timedelta,
        pacing: UserPacing,
        policy: PollPolicy,
        team: TeamService,
    ) -> None:
        self._team = team
        self._users = users
        self.routes = routes
        self._audit = audit
        self._default_expiry = default_expiry
        self.pacing = pacing
        self._policy = policy

    # -- commands --------------------------------------------------------------------------------
    async def create(
        self, team_id: str, slack_user_id: str, channel_id: str, request: AlertRequest
    ) -> tuple[dict[str, Any], Route]:
        """Create the AutoShares alert and its route; returns (PriceAlertInfoModel, route). The
        workspace's policy decides whether alerts may post in this conversation."""
        await self._team.alert_place(team_id, channel_id)
        user = await self._users.acting(team_id, slack_user_id)
        try:
            equity = await user.api.equity(request.symbol)
        except e.AutoSharesNotFound:
            raise UnknownSymbolError(request.symbol) from None
        expires_in = request.expires_in or self._default_expiry
        expires_at = (utcnow() + expires_in).replace(microsecond=0)
        body = alert_body(request, int(equity["Id"]), expires_at)
        created = await user.api.create_alert(body)
        alert_id = int(created["Id"])
        route = await self.routes.create(
            alert_id=alert_id,
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_user_id=user.link.autoshares_user_id,
            channel_id=route_channel(channel_id, slack_user_id),
            symbol=str(equity.get("Symbol") or request.symbol),
            security_id=int(equity["Id"]),
            operator=request.operator,
            field=request.field,
            argument=Decimal(request.price),
            expires_at=expires_at,
        )
        return created, route

    async def list_alerts(self, team_id: str, slack_user_id: str) -> list[dict[str, Any]]:
        """The user's alerts at AutoShares, armed ones first, each with where it is announced."""
        user = await self._users.acting(team_id, slack_user_id)
        alerts = await list_price_alerts(user.api)
        routes = {r.alert_id: r for r in await self.routes.for_user(team_id, slack_user_id)}
        for alert in alerts:
            route = routes.get(int(alert.get("Id") or 0))
            alert["_channel"] = route.channel_id if route else None
        alerts.sort(key=lambda a: (a.get("State") != ARMED, int(a.get("Id") or 0)))
        return alerts

    async def active(self, api: UserApi, *, page_size: int = 50) -> list[dict[str, Any]]:
        """The user's alerts still watching (one page of the newest), for App Home."""
        items = read_page(await api.alerts_page(page_size=page_size, newest_first=True), 0, page_size).items
        return [a for a in items if isinstance(a, dict) and str(a.get("State") or ARMED) == ARMED]

    async def delete(self, team_id: str, slack_user_id: str, alert_id: int) -> None:
        user = await self._users.acting(team_id, slack_user_id)
        try:
            await user.api.delete_alert(alert_id)
        except e.AutoSharesNotFound:
            raise AlertNotFound(alert_id) from None
        if not await self.routes.end(alert_id, DELETED, slack_user_id=slack_user_id, team_id=team_id):
            # No active route (set outside Slack, or already fired): still audit the deletion.
            await self._audit.record(
                subject="alert",
                action="deleted",
                team_id=team_id,
                slack_user_id=slack_user_id,
                subject_id=str(alert_id),
                autoshares_id=alert_id,
            )

    # -- triggers --------------------------------------------------------------------------------
    async def on_triggered(self, event_id: str, data: Mapping[str, Any]) -> EventOutcome:
        """A signed alert.triggered webhook: claim (deduplicated) and announce the alerts of ours
        it is about.

        An event naming the alert (``alertId``, or ``Id`` in the older PascalCase shape) fires
        that route. The documented event names only the symbol, the condition and the current
        price (``bot.core.events.alert_trigger``): the active routes on that symbol whose
        condition fits are then checked at AutoShares, each owner's alerts read with their own
        token, and those AutoShares shows as fired (Completed) are announced. An owner whose
        token no longer works (a trading token past its time) cannot be asked: their route is
        announced when the event states its condition in full. If AutoShares cannot be asked
        now, nothing is recorded and the answer asks for the event again later.
        """
        trigger = alert_trigger(data)
        if trigger.alert_id is not None:
            result = await self.routes.fire(
                trigger.alert_id, event_id=event_id, source="webhook", price=trigger.price
            )
            return EventOutcome.DUPLICATE if result.outcome is FireOutcome.DUPLICATE else EventOutcome.DONE
        if await self.routes.seen(event_id):
            return EventOutcome.DUPLICATE
        candidates = [
            route
            for route in await self.routes.active_on(trigger.symbol or "")
            if trigger.may_be(route.symbol, route.operator, route.field, route.argument)
        ]
        try:
            with deadline.within(CONFIRM_SECONDS):
                fired = await self._fired_at_autoshares(candidates, trigger)
        except e.AutoSharesError as exc:
            log.warning("alert.triggered %s: AutoShares could not confirm it now (%s)", event_id, exc.code)
            return EventOutcome.RETRY
        claimed = False
        for route in fired:
            result = await self.routes.fire(
                route.alert_id,
                event_id=None if claimed else event_id,
                source="webhook",
                price=trigger.price,
            )
            if result.outcome is FireOutcome.DUPLICATE:
                return EventOutcome.DUPLICATE  # the same event, delivered twice at once
            claimed = True
        if not claimed and not await self.routes.remember(event_id, "alert.triggered"):
            return EventOutcome.DUPLICATE
        if not fired:
            log.info("alert.triggered %s matches no alert of ours that AutoShares shows as fired", event_id)
        return EventOutcome.DONE

    async def _fired_at_autoshares(self, routes: list[Route], trigger: AlertTrigger) -> list[Route]:
        """The routes whose alert AutoShares shows as fired, asking each owner's alerts once.
        For an owner who cannot be asked (no longer linked, or needing to link again), the
        routes whose condition the event states in full; AutoShares being down raises."""
        by_user: dict[tuple[str, str], list[Route]] = defaultdict(list)
        for route in routes:
            by_user[(route.team_id, route.slack_user_id)].append(route)
        fired: list[Route] = []
        for (team_id, slack_user_id), user_routes in by_user.items():
            try:
                user = await self._users.acting(team_id, slack_user_id)
                alerts = {int(a.get("Id") or 0): a for a in await list_price_alerts(user.api)}
            except (BotError, e.RelinkRequired, e.AutoSharesUnauthorized, e.AutoSharesForbidden) as exc:
                log.info("an alert owner cannot be asked (%s); matching the stated condition", exc.code)
                fired += [r for r in user_routes if trigger.states(r.symbol, r.operator, r.field, r.argument)]
                continue
            fired += [
                r
                for r in user_routes
                if str((alerts.get(r.alert_id) or {}).get("State") or "") == FIRED_STATE
            ]
        return fired

    async def poll_once(self, every: timedelta, *, now: datetime | None = None) -> PassReport:
        """One pass: every active route not checked within ``every`` is compared with its
        alert's state at AutoShares, and those that fired are announced (each owes its one
        message to the outbox).

        Routes are leased in chunks of ``PollPolicy.chunk`` until none due is left, never-checked
        first; each user's alerts are listed once per pass (every page), at most
        ``PollPolicy.concurrency`` users at a time, within the user's background allowance
        (``UserPacing``; a 429 backs them off). A route whose alert AutoShares no longer lists is
        ended as deleted, but only when the whole list was read.
        """
        stamp = now or utcnow()
        report = PassReport("alerts")
        listings: OncePerPass[UserKey, Listing | None] = OncePerPass()
        acting: dict[UserKey, ActingUser] = {}

        async def claim() -> list[Route]:
            routes = await self.routes.claim_for_polling(every, limit=self._policy.chunk, now=stamp)
            # The chunk's users are read in one query, not one each.
            acting.update(
                await self._users.acting_many({(r.team_id, r.slack_user_id) for r in routes} - acting.keys())
            )
            return routes

        async def check(key: UserKey, routes: list[Route]) -> None:
            listing = await listings.get(key, lambda: self._list_for_poll(acting.get(key), key, report))
            if listing is not None:
                await self._apply_states(routes, listing, report)

        return await run_pass(
            claim,
            lambda route: (route.team_id, route.slack_user_id),
            check,
            concurrency=self._policy.concurrency,
            report=report,
        )

    async def _list_for_poll(
        self, user: ActingUser | None, key: UserKey, report: PassReport
    ) -> Listing | None:
        """The user's alerts at AutoShares, every page; None when they are left for later."""
        meter = Meter(report, self.pacing, key)
        if not meter.may_call():
            return None
        try:
            if user is None:
                raise NotLinkedError()
            return await read_pages(
                lambda number: user.api.alerts_page(page=number, page_size=ALERTS_PAGE_SIZE),
                meter,
                page_size=ALERTS_PAGE_SIZE,
            )
        except e.AutoSharesRateLimited as exc:
            meter.called()
            meter.rate_limited(exc.retry_after)
        except (BotError, e.AutoSharesError) as exc:
            report.failed += 1
            log.info("alert poll skipped a user: %s", exc.code)
        return None

    async def _apply_states(self, routes: list[Route], listing: Listing, report: PassReport) -> None:
        for route in routes:
            alert = listing.items.get(route.alert_id)
            if alert is None:
                if listing.complete:  # deleted at AutoShares (outside Slack)
                    await self.routes.end(route.alert_id, DELETED, audit=False)
                continue
            state = str(alert.get("State") or "")
            if state == FIRED_STATE:
                result = await self.routes.fire(route.alert_id, source="poller")
                report.announced += result.outcome is FireOutcome.FIRED
            elif state == EXPIRED_STATE:
                await self.routes.end(route.alert_id, EXPIRED)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def expiry_text(epoch: Any) -> datetime | None:
    """An ExpirationDate (epoch seconds, or milliseconds above 1e11) as a UTC time."""
    number = _number(epoch)
    if not number:
        return None
    seconds = number / 1000 if number > 100_000_000_000 else number
    return datetime.fromtimestamp(seconds, UTC)

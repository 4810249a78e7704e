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

Beyond one-shot levels (``bot.core.alerts`` with ``storage.alert_groups``): a percent move
(``/alert AAPL moves 5%``) reads the previous close from the quote stream and sets AutoShares
alerts at close × (1 ± 5%), one each way for ``moves``; a repeating alert (``repeat [every
1h]``) is armed again at the same level by :meth:`AlertService.rearm_once` once the cool-down
after a trigger is over (AutoShares alerts fire once, so each re-arm is a new alert). Such an
alert group's triggers reply in the thread of its first post, its owner can snooze it, and
deleting any of its alerts ends it. Each member chooses whether triggers go to the channel an
alert was set in (the default) or to their DM (``/alert deliver dm``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.autoshares import deadline
from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import AlertState, PriceAlert, Quote
from bot.autoshares.resources.alerts import price_alert_body
from bot.autoshares.streamer import QuoteStreamer
from bot.core.commands import AlertDelivery, AlertEditCommand, AlertMoveRequest, AlertRequest
from bot.core.errors import (
    AlertDmNotAllowed,
    AlertNotEditable,
    AlertNotFound,
    AlertNotYours,
    BotError,
    NoPreviousClose,
    NotLinkedError,
    PlaceNotAllowed,
    UnknownSymbolError,
)
from bot.core.events import AlertTrigger, EventOutcome, alert_trigger
from bot.core.pacing import UserPacing
from bot.core.passes import Listing, Meter, OncePerPass, PassReport, PollPolicy, read_pages, run_pass
from bot.core.team import TeamService
from bot.core.users import ActingUser, LinkedUsers, UserKey
from bot.core.views import ListedAlert
from storage.alert_groups import AlertGroupRepository, NewRoute
from storage.alert_preferences import AlertPreferences
from storage.alerts import AlertRouteRepository, FireOutcome
from storage.audit import AuditLog
from storage.records import ACTIVE, DELETED, DELIVER_DM, DOWN, EXPIRED, MOVES, UP, Route, RouteGroup, utcnow

log = logging.getLogger(__name__)

#: AutoShares alert states: New is armed, Completed has fired.
ARMED, FIRED_STATE, EXPIRED_STATE, STOPPED_STATE = (
    AlertState.New,
    AlertState.Completed,
    AlertState.Expired,
    AlertState.Stopped,
)
ALERTS_PAGE_SIZE = 100
#: How long a webhook may spend asking AutoShares which alerts fired (it wants a 2xx within 5 s).
CONFIRM_SECONDS = 3.5


#: Snoozing a group's triggers: the choices of the Snooze buttons.
SNOOZES = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
#: How long the re-arm pass holds a route it is re-arming; another replica takes it after this.
REARM_LEASE = timedelta(minutes=2)
CENT = Decimal("0.01")


def level_body(
    operator: str, field: str, price: Decimal, security_id: int, expires_at: datetime | None
) -> dict[str, Any]:
    """A PriceAlertEditableModel (written by the client): armed, at ``price``, until
    ``expires_at`` (None: never)."""
    return price_alert_body(
        operator=operator,
        field=field,
        argument=price,
        security_id=security_id,
        expiration=int(expires_at.timestamp()) if expires_at else 0,
    )


def alert_body(request: AlertRequest, security_id: int, expires_at: datetime) -> dict[str, Any]:
    """The PriceAlertEditableModel for a parsed ``/alert``."""
    return level_body(request.operator, request.field, request.price, security_id, expires_at)


def previous_close(quote: Quote) -> Decimal | None:
    """The previous session's close a QuoteModel states: ``PreviousClose``, else ``Close``,
    else ``Last - Change``; None when it states none of them above zero."""
    for close in (quote.previous_close, quote.close):
        if close is not None and close > 0:
            return close
    last, change = quote.last, quote.change
    if last is not None and change is not None and last - change > 0:
        return last - change
    return None


def move_levels(close: Decimal, direction: str, percent: Decimal) -> list[tuple[str, Decimal]]:
    """(operator, level) of the AutoShares alerts of a percent move from ``close``, to the
    cent: above for ``up``, below for ``down``, both (above first) for ``moves``."""
    step = close * percent / 100
    above = ("GTEQ", (close + step).quantize(CENT, rounding=ROUND_HALF_UP))
    below = ("LTEQ", (close - step).quantize(CENT, rounding=ROUND_HALF_UP))
    return {MOVES: [above, below], UP: [above], DOWN: [below]}[direction]


@dataclass(frozen=True)
class AlertSet:
    """What one ``/alert`` set: the AutoShares alerts (PriceAlertInfoModel) and their routes in
    the same order, their group (a percent move or a repeating alert; None for a plain level),
    and whether triggers go to the member's DM."""

    alerts: list[PriceAlert]
    routes: list[Route]
    group: RouteGroup | None = None
    to_dm: bool = False


@dataclass(frozen=True)
class Snoozed:
    """A snoozed group, and the route whose message the Snooze button was on."""

    route: Route
    group: RouteGroup


@dataclass(frozen=True)
class AlertListing:
    """The member's alerts at AutoShares (armed first), and where their triggers go."""

    alerts: list[ListedAlert]
    to_dm: bool = False


def route_channel(channel_id: str, slack_user_id: str) -> str:
    """Where to announce: the channel, or the user (their DM with the bot) when set in a DM."""
    return slack_user_id if not channel_id or channel_id.startswith("D") else channel_id


async def list_price_alerts(api: UserApi) -> list[PriceAlert]:
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
        groups: AlertGroupRepository,
        preferences: AlertPreferences,
        streamer: QuoteStreamer,
    ) -> None:
        self._team = team
        self.groups = groups
        self.preferences = preferences
        self._streamer = streamer
        self._users = users
        self.routes = routes
        self._audit = audit
        self._default_expiry = default_expiry
        self.pacing = pacing
        self._policy = policy

    # -- commands --------------------------------------------------------------------------------
    async def create(
        self, team_id: str, slack_user_id: str, channel_id: str, request: AlertRequest | AlertMoveRequest
    ) -> AlertSet:
        """Create the AutoShares alert(s) and their routes. The workspace's policy decides
        whether alerts may post in this conversation.

        A level alert is one AutoShares alert; a percent move reads the previous close from
        the quote stream and sets one alert per direction. A percent move or a repeating alert
        makes a group of them (``storage.alert_groups``). If AutoShares refuses one of a
        move's two alerts, the one already made is deleted again."""
        await self._team.alert_place(team_id, channel_id)
        user = await self._users.acting(team_id, slack_user_id)
        try:
            equity = await user.api.equity(request.symbol)
        except e.AutoSharesNotFound:
            raise UnknownSymbolError(request.symbol) from None
        security_id = equity.id
        symbol = equity.symbol or request.symbol
        expires_in = request.expires_in or self._default_expiry
        expires_at = (utcnow() + expires_in).replace(microsecond=0)
        reference: Decimal | None = None
        if isinstance(request, AlertMoveRequest):
            quote = (await self._streamer.get(user.api, [security_id])).get(security_id)
            reference = previous_close(quote) if quote else None
            if reference is None:
                raise NoPreviousClose(symbol)
            levels = move_levels(reference, request.direction, request.percent)
        else:
            levels = [(request.operator, request.price)]
        created = await self._create_levels(user.api, levels, request.field, security_id, expires_at)
        to_dm = await self.preferences.delivery(team_id, slack_user_id) == DELIVER_DM
        where = route_channel(channel_id, slack_user_id)
        repeat = int(request.repeat_every.total_seconds()) if request.repeat_every else None
        if reference is None and repeat is None:
            route = await self.routes.create(
                alert_id=created[0].id,
                team_id=team_id,
                slack_user_id=slack_user_id,
                autoshares_user_id=user.link.autoshares_user_id,
                channel_id=where,
                symbol=symbol,
                security_id=security_id,
                operator=levels[0][0],
                field=request.field,
                argument=Decimal(levels[0][1]),
                expires_at=expires_at,
            )
            return AlertSet(created, [route], to_dm=to_dm)
        move = request if isinstance(request, AlertMoveRequest) else None
        group, routes = await self.groups.create(
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_user_id=user.link.autoshares_user_id,
            channel_id=where,
            symbol=symbol,
            security_id=security_id,
            field=request.field,
            expires_at=expires_at,
            alerts=[
                NewRoute(alert.id, operator, Decimal(level))
                for alert, (operator, level) in zip(created, levels, strict=True)
            ],
            direction=move.direction if move else None,
            percent=move.percent if move else None,
            reference=reference,
            repeat_seconds=repeat,
        )
        return AlertSet(created, routes, group, to_dm)

    async def _create_levels(
        self,
        api: UserApi,
        levels: Sequence[tuple[str, Decimal]],
        field: str,
        security_id: int,
        expires_at: datetime,
    ) -> list[PriceAlert]:
        created: list[PriceAlert] = []
        try:
            for operator, level in levels:
                created.append(
                    await api.create_alert(level_body(operator, field, level, security_id, expires_at))
                )
        except e.AutoSharesError:
            for alert in created:  # all of a move, or none of it
                try:
                    await api.delete_alert(alert.id)
                except e.AutoSharesError as exc:
                    log.warning("could not remove half of a refused percent move (%s)", exc.code)
            raise
        return created

    async def list_alerts(self, team_id: str, slack_user_id: str) -> AlertListing:
        """The user's alerts at AutoShares, armed ones first, each with where it is announced
        and its group, and where the member's triggers go."""
        user = await self._users.acting(team_id, slack_user_id)
        alerts = await list_price_alerts(user.api)
        routes = {r.alert_id: r for r in await self.routes.for_user(team_id, slack_user_id)}
        groups = await self.groups.many(r.group_id for r in routes.values() if r.group_id is not None)
        listed = []
        for alert in sorted(alerts, key=lambda a: (a.state != ARMED, a.id)):
            route = routes.get(alert.id)
            group = groups.get(route.group_id) if route and route.group_id is not None else None
            listed.append(ListedAlert(alert, route.channel_id if route else None, group))
        to_dm = await self.preferences.delivery(team_id, slack_user_id) == DELIVER_DM
        return AlertListing(listed, to_dm)

    async def active(self, api: UserApi, *, page_size: int = 50) -> list[PriceAlert]:
        """The user's alerts still watching (one page of the newest), for App Home."""
        page = await api.alerts_page(page_size=page_size, newest_first=True)
        return [a for a in page.items if (a.state or ARMED) == ARMED]

    async def delete(self, team_id: str, slack_user_id: str, alert_id: int) -> list[int]:
        """Delete the alert at AutoShares and end its route; an alert of a group ends the whole
        group (its other armed alerts are deleted too, nothing is re-armed). Returns the ids
        deleted, the one asked for first."""
        user = await self._users.acting(team_id, slack_user_id)
        route = await self.routes.get(alert_id)
        mine = route is not None and (route.team_id, route.slack_user_id) == (team_id, slack_user_id)
        try:
            await user.api.delete_alert(alert_id)
            found = True
        except e.AutoSharesNotFound:
            found = False
        if mine and route is not None and route.group_id is not None:
            ended = await self.groups.end(
                route.group_id, DELETED, slack_user_id=slack_user_id, team_id=team_id
            )
            others = [other for other in ended if other != alert_id]
            for other in others:
                try:
                    await user.api.delete_alert(other)
                except e.AutoSharesNotFound:
                    pass
            if alert_id not in ended:
                await self._audit_deleted(team_id, slack_user_id, alert_id)
            return [alert_id, *others]
        if not found:
            raise AlertNotFound(alert_id)
        if not await self.routes.end(alert_id, DELETED, slack_user_id=slack_user_id, team_id=team_id):
            # No active route (set outside Slack, or already fired): still audit the deletion.
            await self._audit_deleted(team_id, slack_user_id, alert_id)
        return [alert_id]

    async def edit(
        self, team_id: str, slack_user_id: str, command: AlertEditCommand
    ) -> tuple[PriceAlert, Route | None]:
        """Move an alert to a new level in place (``PUT …/pricealerts/{alertId}``), keeping its
        id, its security, where it is announced and, unless given, its field and expiry. An
        alert of a group, or one whose route already fired, is not edited (AlertNotEditable)."""
        user, route, current = await self._editable(team_id, slack_user_id, command.alert_id)
        mine = route is not None
        assert current.security_id is not None
        if command.expires_in is not None:
            expires_at: datetime | None = (utcnow() + command.expires_in).replace(microsecond=0)
        else:
            expires_at = expiry_text(current.expiration_date)
        field = command.field or (current.field.value if current.field else "Last")
        body = level_body(command.operator, field, command.price, current.security_id, expires_at)
        try:
            updated = await user.api.update_alert(command.alert_id, body)
        except e.AutoSharesNotFound:
            raise AlertNotFound(command.alert_id) from None
        if mine and route is not None:
            await self.routes.edit(
                command.alert_id,
                operator=command.operator,
                field=field,
                argument=command.price,
                expires_at=expires_at,
                team_id=team_id,
                slack_user_id=slack_user_id,
            )
            route = await self.routes.get(command.alert_id)
        return updated, route if mine else None

    async def for_edit(self, team_id: str, slack_user_id: str, alert_id: int) -> PriceAlert:
        """The alert as AutoShares has it, to prefill its Edit modal (refused as ``edit`` would)."""
        return (await self._editable(team_id, slack_user_id, alert_id))[2]

    async def _editable(
        self, team_id: str, slack_user_id: str, alert_id: int
    ) -> tuple[ActingUser, Route | None, PriceAlert]:
        """The user, the alert's route when it is theirs, and the alert; AlertNotEditable for
        an alert of a group or one that fired, AlertNotFound when AutoShares has none."""
        user = await self._users.acting(team_id, slack_user_id)
        route = await self.routes.get(alert_id)
        if route is not None and (route.team_id, route.slack_user_id) != (team_id, slack_user_id):
            route = None
        if route is not None and route.group_id is not None:
            raise AlertNotEditable(alert_id, "group")
        if route is not None and route.state != ACTIVE:
            raise AlertNotEditable(alert_id, "fired")
        try:
            current = await user.api.alert(alert_id)
        except e.AutoSharesNotFound:
            raise AlertNotFound(alert_id) from None
        if current.security_id is None:
            raise AlertNotFound(alert_id)
        return user, route, current

    async def _audit_deleted(self, team_id: str, slack_user_id: str, alert_id: int) -> None:
        await self._audit.record(
            subject="alert",
            action="deleted",
            team_id=team_id,
            slack_user_id=slack_user_id,
            subject_id=str(alert_id),
            autoshares_id=alert_id,
        )

    async def snooze(
        self,
        team_id: str,
        slack_user_id: str,
        alert_id: int,
        duration: timedelta,
        *,
        now: datetime | None = None,
    ) -> Snoozed:
        """Hold the triggers of the alert's group (and its re-arming) for ``duration``; only
        the member who set it may."""
        route = await self.routes.get(alert_id)
        if route is None or route.team_id != team_id or route.group_id is None:
            raise AlertNotFound(alert_id)
        if route.slack_user_id != slack_user_id:
            raise AlertNotYours(alert_id, route.slack_user_id)
        until = ((now or utcnow()) + duration).replace(microsecond=0)
        group = await self.groups.snooze(route.group_id, until, slack_user_id=slack_user_id)
        if group is None:
            raise AlertNotFound(alert_id)
        return Snoozed(route, group)

    async def set_delivery(self, team_id: str, slack_user_id: str, to: AlertDelivery) -> None:
        """Where the member's triggers go from now on. A DM only where the workspace's policy
        allows alerts in direct messages."""
        if to == DELIVER_DM:
            try:
                await self._team.alert_place(team_id, None)
            except PlaceNotAllowed as exc:
                raise AlertDmNotAllowed(exc.places) from None
        await self.preferences.set_delivery(team_id, slack_user_id, to)

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
                alerts = {a.id: a for a in await list_price_alerts(user.api)}
            except (BotError, e.RelinkRequired, e.AutoSharesUnauthorized, e.AutoSharesForbidden) as exc:
                log.info("an alert owner cannot be asked (%s); matching the stated condition", exc.code)
                fired += [r for r in user_routes if trigger.states(r.symbol, r.operator, r.field, r.argument)]
                continue
            fired += [
                r for r in user_routes if (found := alerts.get(r.alert_id)) and found.state == FIRED_STATE
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
        listings: OncePerPass[UserKey, Listing[PriceAlert] | None] = OncePerPass()
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
    ) -> Listing[PriceAlert] | None:
        """The user's alerts at AutoShares, every page; None when they are left for later."""
        meter = Meter(report, self.pacing, key)
        if not await meter.may_call():
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
            await meter.called()
            await meter.rate_limited(exc.retry_after)
        except (BotError, e.AutoSharesError) as exc:
            report.failed += 1
            log.info("alert poll skipped a user: %s", exc.code)
        return None

    async def _apply_states(
        self, routes: list[Route], listing: Listing[PriceAlert], report: PassReport
    ) -> None:
        for route in routes:
            alert = listing.items.get(route.alert_id)
            if alert is None:
                if listing.complete:  # deleted at AutoShares (outside Slack)
                    await self.routes.end(route.alert_id, DELETED, audit=False)
                continue
            state = alert.state
            if state == FIRED_STATE:
                result = await self.routes.fire(route.alert_id, source="poller")
                report.announced += result.outcome is FireOutcome.FIRED
            elif state == EXPIRED_STATE:
                await self.routes.end(route.alert_id, EXPIRED)

    # -- repeating alerts ------------------------------------------------------------------------
    async def rearm_once(self, *, now: datetime | None = None) -> int:
        """One pass: every fired alert of a repeating group whose cool-down is over at ``now``
        (and whose group is not snoozed) gets a new AutoShares alert at the same level, exactly
        once across replicas (``AlertGroupRepository.claim_rearm``). Returns how many were armed.

        Each re-arm reads the member's alerts and makes one (two calls of their background
        allowance). An alert the group has outlived is not armed again, and the group ends. A
        crash after AutoShares made the new alert but before it was recorded leaves that alert
        armed with no route: the next attempt adopts it (an armed alert of the member at the
        same level that no route names) instead of making another one.
        """
        stamp = now or utcnow()
        armed = 0
        while True:
            leased = await self.groups.claim_rearm(stamp, lease=REARM_LEASE, limit=self._policy.chunk)
            if not leased:
                return armed
            for route in leased:
                armed += await self._rearm(route, stamp)

    async def _rearm(self, route: Route, now: datetime) -> int:
        if route.group_id is None:
            return 0
        if route.expires_at is not None and route.expires_at <= now:
            if await self.groups.stop_rearming(route):
                await self.groups.end(route.group_id, EXPIRED)
            return 0
        try:
            user = await self._users.acting(route.team_id, route.slack_user_id)
        except NotLinkedError:  # unlinked: nothing of theirs is watched any more
            if await self.groups.stop_rearming(route):
                await self.groups.end(route.group_id, DELETED)
            return 0
        except (BotError, e.AutoSharesError) as exc:
            log.info("re-arming alert %s left for later: %s", route.alert_id, exc.code)
            return 0
        # Within the member's allowance of background calls; what waits is tried again when
        # the lease runs out.
        key = (route.team_id, route.slack_user_id)
        if not await self.pacing.ready(key):
            return 0
        try:
            alert_id, made = await self._arm_again(user.api, route)
        except e.AutoSharesRateLimited as exc:
            await self.pacing.back_off(key, exc.retry_after)
            return 0
        except (BotError, e.AutoSharesError) as exc:
            log.info("re-arming alert %s left for later: %s", route.alert_id, exc.code)
            return 0
        finally:
            await self.pacing.spend(key, 2)
        if await self.groups.rearmed(route, alert_id) is not None:
            return 1
        if made:  # the group ended, or another replica took over meanwhile
            try:
                await user.api.delete_alert(alert_id)
            except e.AutoSharesError as exc:
                log.warning("could not remove alert %s armed for an ended group (%s)", alert_id, exc.code)
        return 0

    async def _arm_again(self, api: UserApi, route: Route) -> tuple[int, bool]:
        """The id of an armed alert at ``route``'s level: one left by an interrupted re-arm
        (adopted), else a new one; and whether it was made now."""
        for alert in await list_price_alerts(api):
            same = (
                alert.state == ARMED
                and alert.security_id == route.security_id
                and alert.operator == route.operator
                and alert.field == route.field
                and alert.argument == route.argument
            )
            if same and await self.routes.get(alert.id) is None:
                return alert.id, False
        body = level_body(route.operator, route.field, route.argument, route.security_id, route.expires_at)
        created = await api.create_alert(body)
        return created.id, True


def expiry_text(epoch: int | None) -> datetime | None:
    """An ExpirationDate (epoch seconds, or milliseconds above 1e11) as a UTC time."""
    number = epoch
    if not number:
        return None
    seconds = number / 1000 if number > 100_000_000_000 else number
    return datetime.fromtimestamp(seconds, UTC)

"""Price alerts: create at AutoShares and remember where to announce; announce exactly once.

``create`` resolves the symbol to its security id (``GET /equities/{symbol}``), creates the
AutoShares alert (PriceAlertEditableModel: State New, Operator GTEQ/LTEQ, Field, Argument,
ExpirationDate in epoch seconds) and records the route: the channel it was set in, or the
user's DM with the bot when set in a DM.

A trigger reaches us by the signed ``alert.triggered`` webhook or, where no webhook secret is
configured, by ``poll_once`` watching alert states. Either way ``AlertRouteRepository.fire``
claims the route (active → fired) with one conditional UPDATE, so the channel gets one
message however many deliveries, pollers and replicas see the trigger. A channel the bot cannot
post to (not in it, archived, gone) falls back to a DM to the user.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.core.errors import BotError
from storage.alerts import DELETED, EXPIRED, AlertRouteRepository, FireOutcome, FireResult, Route
from storage.links import utcnow

if TYPE_CHECKING:  # handlers import this module; keep the import one-way at run time
    from handlers.parsing import AlertRequest

log = logging.getLogger(__name__)

#: Slack errors after which an alert is sent to the user's DM instead of the channel.
FALLBACK_ERRORS = frozenset({"not_in_channel", "is_archived", "channel_not_found"})
#: AutoShares alert states: New is armed, Completed has fired.
ARMED, FIRED_STATE, EXPIRED_STATE, STOPPED_STATE = "New", "Completed", "Expired", "Stopped"
ALERTS_PAGE_SIZE = 100


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


@dataclass(frozen=True)
class Trigger:
    """What an announcement says: the route, the price that triggered it (when known)."""

    route: Route
    price: float | None
    source: str


class AlertService:
    """Alerts for Slack users; one per process (see :func:`alert_service`)."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.settings = services.settings
        self.routes = AlertRouteRepository(services.db.sessions)

    # -- commands --------------------------------------------------------------------------------
    async def create(
        self, team_id: str, slack_user_id: str, channel_id: str, request: AlertRequest
    ) -> tuple[dict[str, Any], Route]:
        """Create the AutoShares alert and its route; returns (PriceAlertInfoModel, route)."""
        api = await self.services.user_api(team_id, slack_user_id)
        try:
            equity = await api.equity(request.symbol)
        except e.AutoSharesNotFound:
            raise BotError(
                f"unknown symbol {request.symbol}",
                user_message=f"AutoShares does not know the symbol {request.symbol}. "
                "Check it with `/quote` and try again.",
            ) from None
        expires_in = request.expires_in or timedelta(days=self.settings.alert_default_expiry_days)
        expires_at = (utcnow() + expires_in).replace(microsecond=0)
        body = alert_body(request, int(equity["Id"]), expires_at)
        created = await api.create_alert(body)
        alert_id = int(created["Id"])
        route = await self.routes.create(
            alert_id=alert_id,
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_user_id=api.user_id,
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
        api = await self.services.user_api(team_id, slack_user_id)
        alerts = await list_price_alerts(api)
        routes = {r.alert_id: r for r in await self.routes.for_user(team_id, slack_user_id)}
        for alert in alerts:
            route = routes.get(int(alert.get("Id") or 0))
            alert["_channel"] = route.channel_id if route else None
        alerts.sort(key=lambda a: (a.get("State") != ARMED, int(a.get("Id") or 0)))
        return alerts

    async def delete(self, team_id: str, slack_user_id: str, alert_id: int) -> None:
        api = await self.services.user_api(team_id, slack_user_id)
        try:
            await api.delete_alert(alert_id)
        except e.AutoSharesNotFound:
            raise BotError(
                f"alert {alert_id} not found",
                user_message=f"You have no price alert {alert_id}. Run `/alert list` to see yours.",
            ) from None
        if not await self.routes.end(alert_id, DELETED, slack_user_id=slack_user_id, team_id=team_id):
            # No active route (set outside Slack, or already fired): still audit the deletion.
            from storage.audit import AuditLog

            await AuditLog(self.services.db.sessions).record(
                subject="alert",
                action="deleted",
                team_id=team_id,
                slack_user_id=slack_user_id,
                subject_id=str(alert_id),
                autoshares_id=alert_id,
            )

    # -- triggers --------------------------------------------------------------------------------
    async def on_triggered(self, event_id: str, data: Mapping[str, Any]) -> FireResult:
        """A signed alert.triggered webhook: claim (deduplicated) and, if ours, announce."""
        try:
            alert_id = int(data.get("Id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            await self.routes.remember(event_id, "alert.triggered")
            return FireResult(FireOutcome.UNKNOWN)
        price = _number(data.get("Price"))
        result = await self.routes.fire(alert_id, event_id=event_id, source="webhook", price=price)
        if result.outcome is FireOutcome.FIRED and result.route is not None:
            self.services.spawn(self.announce(Trigger(result.route, price, "webhook")))
        return result

    async def poll_once(self) -> int:
        """Check leased routes' alert states at AutoShares; announce those that fired.

        Returns how many were announced. Used where no webhook secret is configured.
        """
        every = timedelta(seconds=max(self.settings.alert_poll_seconds, 0.05))
        routes = await self.routes.claim_for_polling(every)
        by_user: dict[tuple[str, str], list[Route]] = defaultdict(list)
        for route in routes:
            by_user[(route.team_id, route.slack_user_id)].append(route)
        announced = 0
        for (team_id, slack_user_id), user_routes in by_user.items():
            try:
                api = await self.services.user_api(team_id, slack_user_id)
                alerts = {int(a.get("Id") or 0): a for a in await list_price_alerts(api)}
            except BotError as exc:
                log.info("alert poll skipped a user: %s", exc.code)
                continue
            for route in user_routes:
                alert = alerts.get(route.alert_id)
                if alert is None:
                    await self.routes.end(route.alert_id, DELETED, audit=False)
                    continue
                state = str(alert.get("State") or "")
                if state == FIRED_STATE:
                    result = await self.routes.fire(route.alert_id, source="poller")
                    if result.outcome is FireOutcome.FIRED and result.route is not None:
                        await self.announce(Trigger(result.route, None, "poller"))
                        announced += 1
                elif state == EXPIRED_STATE:
                    await self.routes.end(route.alert_id, EXPIRED)
        return announced

    async def announce(self, trigger: Trigger) -> None:
        """Post the one message for a fired alert: the channel, else the user's DM."""
        from handlers.blocks.alert import alert_triggered_message

        route = trigger.route
        try:
            client = await self.services.slack.for_team(route.team_id)
        except BotError as exc:
            log.error("cannot announce alert %s: %s", route.alert_id, exc)
            return
        payload = alert_triggered_message(route, trigger.price)
        try:
            await client.chat_postMessage(channel=route.channel_id, **payload)
            self.services.metrics.alerts_fired.inc()
            return
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error not in FALLBACK_ERRORS or route.channel_id == route.slack_user_id:
                log.error("announcing alert %s failed: %s", route.alert_id, error)
                return
            log.info(
                "alert %s: cannot post in %s (%s); sending a DM", route.alert_id, route.channel_id, error
            )
        fallback = alert_triggered_message(route, trigger.price, undeliverable_channel=route.channel_id)
        try:
            await client.chat_postMessage(channel=route.slack_user_id, **fallback)
            self.services.metrics.alerts_fired.inc()
        except SlackApiError as exc:
            log.error("announcing alert %s by DM failed: %s", route.alert_id, exc.response.get("error"))


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def expiry_text(epoch: Any) -> datetime | None:
    """An ExpirationDate (epoch seconds, or milliseconds above 1e11) as a UTC time."""
    number = _number(epoch)
    if not number:
        return None
    seconds = number / 1000 if number > 100_000_000_000 else number
    return datetime.fromtimestamp(seconds, UTC)


def alert_service(services: Any) -> AlertService:
    """The process's AlertService (built on first use, kept in ``services.extras``)."""
    found = services.extras.get("alert_service")
    if found is None:
        found = services.extras["alert_service"] = AlertService(services)
    return found

"""The App Home tab, published on ``app_home_opened`` and by its Refresh / Unlink buttons.

Opening the tab is acked at once; the lazy listener reads the link, asks AutoShares for the
default account's balances, its open orders and the user's active alerts (concurrently, each
allowed to fail on its own), and publishes the view with ``views.publish``. Unlinked users (and
those whose sign-in expired) get a fresh single-use Link button.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.core.errors import BotError, RelinkRequiredError
from bot.core.linking import LinkService
from handlers import blocks
from handlers.router import CommandRouter

log = logging.getLogger(__name__)

#: Order statuses that still work in the market (GET orders is asked for these only).
OPEN_STATUSES = (
    "New",
    "PartiallyFilled",
    "PendingNew",
    "PendingReplace",
    "PendingCancel",
    "Held",
    "Suspended",
    "AcceptedForBidding",
)
OPEN_FILTER = "Status in ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))
ACTIVE_ALERT_STATES = frozenset({"New"})
ORDERS_PAGE_SIZE = 50
ALERTS_PAGE_SIZE = 50


async def open_orders(api: UserApi, account_id: int) -> list[dict[str, Any]]:
    """Open orders of an account, newest first. The filter is asked of AutoShares; a
    deployment that rejects the filter syntax is asked without it and filtered here."""
    try:
        body = await api.orders(account_id, page=0, page_size=ORDERS_PAGE_SIZE, filter=OPEN_FILTER)
    except e.AutoSharesInvalid:
        body = await api.orders(account_id, page=0, page_size=ORDERS_PAGE_SIZE)
    items = body.get("Result") if isinstance(body, dict) else body
    orders = [o for o in items or [] if isinstance(o, dict) and str(o.get("Status")) in OPEN_STATUSES]
    return sorted(orders, key=lambda o: int(o.get("Id") or 0), reverse=True)


async def active_alerts(api: UserApi) -> list[dict[str, Any]]:
    """The user's alerts still watching (one page of the newest; the tab shows ten)."""
    body = await api.alerts_page(page_size=ALERTS_PAGE_SIZE, newest_first=True)
    items = body.get("Result") if isinstance(body, dict) else body
    return [
        a for a in items or [] if isinstance(a, dict) and str(a.get("State") or "New") in ACTIVE_ALERT_STATES
    ]


async def _safely(coroutine: Any, problems: list[str], name: str) -> Any:
    """Await; None (and a note in ``problems``) when AutoShares fails. Relinking propagates."""
    try:
        return await coroutine
    except RelinkRequiredError:
        raise
    except BotError as exc:
        log.info("app home: %s unavailable (%s)", name, exc.code)
        problems.append(name)
        return None


async def build_home(
    services: Any, team_id: str, user_id: str, *, notice: str | None = None
) -> dict[str, Any]:
    """The Home view for one user, as it is right now."""
    linking = LinkService(services)
    link = await services.links.get(team_id, user_id)
    if link is None:
        return blocks.unlinked_home_view(await linking.start(team_id, user_id), notice=notice)
    data = blocks.HomeData(link=link, notice=notice)
    if link.needs_relink:
        data.relink_url = await linking.start(team_id, user_id)
        return blocks.home_view(data)
    api = services.api_for(link)
    try:
        accounts = await _safely(api.accounts(), data.problems, "accounts")
        if accounts:
            by_id = {int(a["Id"]): a for a in accounts if a.get("Id") is not None}
            chosen = link.default_account_id if link.default_account_id in by_id else next(iter(by_id), None)
            data.account = by_id.get(chosen) if chosen is not None else None
        account_id = int(data.account["Id"]) if data.account else None
        jobs = [
            _safely(api.balances(account_id), data.problems, "balances") if account_id else _none(),
            _safely(open_orders(api, account_id), data.problems, "orders") if account_id else _empty(),
            _safely(active_alerts(api), data.problems, "alerts"),
        ]
        data.balances, data.orders, data.alerts = await asyncio.gather(*jobs)
    except RelinkRequiredError:
        data.link = await services.links.get(team_id, user_id) or link
        data.relink_url = await linking.start(team_id, user_id)
    return blocks.home_view(data)


def _problem_view(sentence: str) -> dict[str, Any]:
    return {"type": "home", "blocks": [blocks.error_message(sentence)["blocks"][0]]}


async def _none() -> None:
    return None


async def _empty() -> list[Any]:
    return []


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    linking = LinkService(services)

    async def publish(
        client: AsyncWebClient, team_id: str, user_id: str, *, notice: str | None = None
    ) -> None:
        # The tab must say something rather than go stale, whatever failed.
        try:
            view = await build_home(services, team_id, user_id, notice=notice)
        except BotError as exc:
            view = _problem_view(exc.user_message)
        except Exception:
            log.exception("app home could not be built")
            view = _problem_view(blocks.UNEXPECTED)
        try:
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            log.warning("views.publish refused: %s", exc.response.get("error"))

    async def ack_now(ack: AsyncAck) -> None:
        await ack()

    async def on_opened(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish(client, str(body.get("team_id") or ""), str(event.get("user") or ""))

    def clicked(body: dict[str, Any]) -> tuple[str, str]:
        user = body.get("user") or {}
        team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
        return str(team), str(user.get("id") or "")

    async def on_refresh(body: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = clicked(body)
        await publish(client, team_id, user_id)

    async def on_unlink(body: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = clicked(body)
        try:
            was_linked, _revoked = await linking.unlink(team_id, user_id)
            notice = (
                ":wave: Unlinked: the bot no longer holds your AutoShares tokens." if was_linked else None
            )
        except BotError as exc:
            notice = f":warning: {exc.user_message}"
        await publish(client, team_id, user_id, notice=notice)

    app.event("app_home_opened")(ack=ack_now, lazy=[on_opened])
    app.action(blocks.HOME_REFRESH)(ack=ack_now, lazy=[on_refresh])
    app.action(blocks.HOME_UNLINK)(ack=ack_now, lazy=[on_unlink])

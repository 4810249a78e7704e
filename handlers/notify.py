"""How the bot speaks in Slack on its own: the Web API client for a team, posting privately,
and ``SlackNotifier``, the Slack side of ``bot.core.ports.Notifier``.

"Cannot post here" is one list (:data:`CANNOT_POST`): wherever Slack answers with one of these
errors, the message goes to the user's DM with the bot instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.core.errors import ConfigError
from bot.ops.metrics import Metrics
from handlers import errors
from handlers.blocks import agreements as agreement_blocks
from handlers.blocks import alert as alert_blocks
from handlers.blocks import order as order_blocks
from handlers.blocks.common import link_refused_message
from storage.records import Link, Pending, Route

log = logging.getLogger(__name__)

#: Slack errors meaning "the bot cannot post there" (not a member, archived, gone, not allowed).
CANNOT_POST = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "user_not_in_channel",
        "restricted_action",
        "missing_scope",
        "not_allowed_token_type",
    }
)


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "unknown_error")


class SlackClients:
    """Web API clients with the right bot token for a team (one workspace or many)."""

    def __init__(
        self, *, api_url: str, bot_token: str | None, installation_store: AsyncInstallationStore | None
    ) -> None:
        self._api_url = api_url
        self._bot_token = bot_token
        self.installation_store = installation_store

    def anonymous(self) -> AsyncWebClient:
        return AsyncWebClient(base_url=self._api_url)

    async def for_team(self, team_id: str | None, enterprise_id: str | None = None) -> AsyncWebClient:
        if self._bot_token:
            return AsyncWebClient(token=self._bot_token, base_url=self._api_url)
        if self.installation_store is None:
            raise ConfigError("No SLACK_BOT_TOKEN and no installation store configured")
        bot = await self.installation_store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise ConfigError(
                f"The app is not installed in Slack team {team_id}; install it at /slack/install"
            )
        return AsyncWebClient(token=bot.bot_token, base_url=self._api_url)


async def post_privately(
    client: AsyncWebClient, channel_id: str | None, user_id: str, payload: dict[str, Any]
) -> None:
    """An ephemeral message in the channel, or a DM when the bot cannot post there."""
    if channel_id and not channel_id.startswith("D"):
        try:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, **payload)
            return
        except SlackApiError as exc:
            if slack_error(exc) not in CANNOT_POST:
                raise
    await client.chat_postMessage(channel=user_id, **payload)


async def answer_in_place(response_url: str, payload: dict[str, Any], *, replace: bool) -> bool:
    """Post to a ``response_url``; False when Slack no longer takes it (expired, or down)."""
    try:
        sent = await AsyncWebhookClient(response_url).send_dict(
            {**payload, "replace_original": replace, "response_type": "ephemeral"}
        )
    except Exception as exc:
        log.info("could not answer at the response_url: %s", type(exc).__name__)
        return False
    if sent.status_code >= 300:
        log.info("the response_url answered %s", sent.status_code)
    return sent.status_code < 300


def pending_message(pending: Pending, *, confirm_seconds: int) -> dict[str, Any]:
    """An order's message as it stands, with the reason it failed put into words."""
    reason = errors.order_failure(pending.error) if pending.status == "failed" else None
    return order_blocks.pending_message(pending, confirm_seconds=confirm_seconds, reason=reason)


class SlackNotifier:
    """``bot.core.ports.Notifier`` in Slack."""

    def __init__(self, clients: SlackClients, metrics: Metrics, *, confirm_seconds: int) -> None:
        self._clients = clients
        self._metrics = metrics
        self._confirm_seconds = confirm_seconds

    async def linked(self, link: Link, agreements: Sequence[dict[str, Any]]) -> None:
        client = await self._clients.for_team(link.team_id)
        await client.chat_postMessage(
            channel=link.slack_user_id, **agreement_blocks.linked_dm(link, agreements)
        )

    async def link_refused(self, team_id: str, slack_user_id: str) -> None:
        client = await self._clients.for_team(team_id)
        await client.chat_postMessage(channel=slack_user_id, **link_refused_message())

    async def alert_triggered(self, route: Route, price: float | None) -> bool:
        """The channel, else (when the bot cannot post there) the user's DM."""
        try:
            client = await self._clients.for_team(route.team_id)
        except ConfigError as exc:
            log.error("cannot announce alert %s: %s", route.alert_id, exc)
            return False
        try:
            await client.chat_postMessage(
                channel=route.channel_id, **alert_blocks.alert_triggered_message(route, price)
            )
            self._metrics.alerts_fired.inc()
            return True
        except SlackApiError as exc:
            error = slack_error(exc)
            if error not in CANNOT_POST or route.channel_id == route.slack_user_id:
                log.error("announcing alert %s failed: %s", route.alert_id, error)
                return False
            log.info(
                "alert %s: cannot post in %s (%s); sending a DM", route.alert_id, route.channel_id, error
            )
        fallback = alert_blocks.alert_triggered_message(route, price, undeliverable_channel=route.channel_id)
        try:
            await client.chat_postMessage(channel=route.slack_user_id, **fallback)
        except SlackApiError as exc:
            log.error("announcing alert %s by DM failed: %s", route.alert_id, slack_error(exc))
            return False
        self._metrics.alerts_fired.inc()
        return True

    async def order_changed(self, pending: Pending, *, dm_fallback: bool = True) -> None:
        """The order's message updated in place (response_url, replace_original); when that
        message cannot be updated any more, the requester is told in a DM instead."""
        payload = pending_message(pending, confirm_seconds=self._confirm_seconds)
        if pending.response_url and await answer_in_place(pending.response_url, payload, replace=True):
            return
        if not dm_fallback:
            return
        try:
            client = await self._clients.for_team(pending.team_id)
            await client.chat_postMessage(channel=pending.slack_user_id, **payload)
        except (SlackApiError, ConfigError) as exc:
            log.warning("could not tell the requester about order %s: %s", pending.id, exc)

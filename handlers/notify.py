"""How the bot speaks in Slack on its own: the Web API client for a team, posting privately,
and ``SlackNotifier``, the Slack side of ``bot.core.ports.Notifier``.

"Cannot post here" is one list (:data:`CANNOT_POST`): wherever Slack answers with one of these
errors, the message goes to the user's DM with the bot instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.autoshares.resources import Agreement, Transfer
from bot.core.errors import ConfigError
from bot.core.notices import ActionNotice
from bot.core.ports import DeliveryFailed, Posted
from bot.core.views import PendingState, TradingEnvironment
from bot.telemetry.metrics import Metrics
from handlers import errors
from handlers.blocks import agreements as agreement_blocks
from handlers.blocks import alert as alert_blocks
from handlers.blocks import approval as approval_blocks
from handlers.blocks import corporate_actions as corporate_action_blocks
from handlers.blocks import digest as digest_blocks
from handlers.blocks import order as order_blocks
from handlers.blocks import transfers as transfer_blocks
from handlers.blocks.common import badged, link_refused_message
from handlers.installations import CachedInstallations
from storage.records import Link, Pending, Route, RouteGroup

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


#: Slack's answers to views.open when the click's trigger can no longer open a modal.
TRIGGER_GONE = frozenset({"expired_trigger_id", "trigger_exchanged", "invalid_trigger_id"})


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "unknown_error")


async def open_modal(client: AsyncWebClient, trigger_id: str | None, view: dict[str, Any]) -> None:
    """Open ``view`` with the click's trigger; ModalTooLate when the trigger had expired."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        if slack_error(exc) in TRIGGER_GONE:
            raise errors.ModalTooLate() from None
        raise


async def post_shared(client: AsyncWebClient, channel_id: str, payload: dict[str, Any]) -> None:
    """Post what a member shares to the channel; a channel the bot cannot post in is the
    member's error (:class:`errors.CannotPostHere`), anything else is raised as it is."""
    try:
        await client.chat_postMessage(channel=channel_id, **payload)
    except SlackApiError as exc:
        if slack_error(exc) in CANNOT_POST:
            raise errors.CannotPostHere(slack_error(exc)) from None
        raise


class SlackSession:
    """One aiohttp session for all of this process's Slack traffic (Web API calls and
    response_url posts), so connections are kept and reused instead of opened for every message.
    Made on first use inside the running loop; closed at shutdown."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


Responder = Callable[..., Awaitable[Any]]


def responder(session: SlackSession, response_url: str | None) -> Responder | None:
    """Answer at a ``response_url`` (Bolt's ``respond`` keywords) over the shared session."""
    if not response_url:
        return None

    async def respond(**message: Any) -> Any:
        return await AsyncWebhookClient(response_url, session=session.get()).send_dict(message)

    return respond


def delivered(sent: Any) -> bool:
    """Whether Slack took a ``response_url`` post. It answers 200 ``ok``; a refusal is a 4xx
    (or a 200 ``ok: false``) naming the error, e.g. ``invalid_blocks`` when it could not
    download the picture of an image block."""
    status = int(getattr(sent, "status_code", 200))
    body = str(getattr(sent, "body", "") or "")
    return status < 300 and "invalid_blocks" not in body and '"ok":false' not in body.replace(" ", "")


def web_client(token: str | None, api_url: str, session: SlackSession | None = None) -> AsyncWebClient:
    """A Web API client that waits out a rate limit (Retry-After), and tries once more after a
    server error or a dropped connection: slack_sdk's own retry handlers."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        session=session.get() if session is not None else None,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
            AsyncServerErrorRetryHandler(max_retry_count=1),
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )


class SlackClients:
    """Web API clients with the right bot token for a team (one workspace or many)."""

    def __init__(
        self,
        *,
        api_url: str,
        bot_token: str | None,
        installation_store: CachedInstallations | None,
        session: SlackSession,
    ) -> None:
        self._api_url = api_url
        self._bot_token = bot_token
        self.installation_store = installation_store
        self.session = session

    def anonymous(self) -> AsyncWebClient:
        return web_client(None, self._api_url, self.session)

    async def for_team(self, team_id: str | None, enterprise_id: str | None = None) -> AsyncWebClient:
        if self._bot_token:
            return web_client(self._bot_token, self._api_url, self.session)
        if self.installation_store is None:
            raise ConfigError("No SLACK_BOT_TOKEN and no installation store configured")
        bot = await self.installation_store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise ConfigError(
                f"The app is not installed in Slack team {team_id}; install it at /slack/install"
            )
        return web_client(bot.bot_token, self._api_url, self.session)


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


async def answer_in_place(
    response_url: str, payload: dict[str, Any], *, replace: bool, session: SlackSession | None = None
) -> bool:
    """Post to a ``response_url``; False when Slack no longer takes it (expired, or down)."""
    try:
        shared = session.get() if session is not None else None
        sent = await AsyncWebhookClient(response_url, session=shared).send_dict(
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
    reason = errors.order_failure(pending.error) if pending.status == PendingState.FAILED else None
    return order_blocks.pending_message(pending, confirm_seconds=confirm_seconds, reason=reason)


#: Slack errors after which trying the same post again cannot help.
GIVE_UP = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "no_permission", "invalid_blocks"}
)


def failure(exc: SlackApiError) -> DeliveryFailed:
    """A refused post as the outbox needs it: when to try again, or that it is pointless."""
    error = slack_error(exc)
    retry_after = None
    if error == "ratelimited" or exc.response.status_code == 429:
        try:
            retry_after = float(exc.response.headers.get("Retry-After", "1"))
        except (TypeError, ValueError):
            retry_after = 1.0
    return DeliveryFailed(error, retry_after=retry_after, permanent=error in GIVE_UP)


class SlackNotifier:
    """``bot.core.ports.Notifier`` in Slack: returns when Slack took the message, raises
    ``DeliveryFailed`` when it did not (the outbox tries again). Alert posts and order updates
    carry the paper/live badge of ``environment``."""

    def __init__(
        self,
        clients: SlackClients,
        metrics: Metrics,
        *,
        confirm_seconds: int,
        environment: TradingEnvironment,
    ) -> None:
        self._clients = clients
        self._metrics = metrics
        self._confirm_seconds = confirm_seconds
        self._environment = environment

    async def _client(self, team_id: str) -> AsyncWebClient:
        try:
            return await self._clients.for_team(team_id)
        except ConfigError as exc:  # not installed there (any more): nobody to post for
            raise DeliveryFailed(str(exc), permanent=True) from None

    async def _post(self, client: AsyncWebClient, channel: str, payload: dict[str, Any]) -> None:
        try:
            await client.chat_postMessage(channel=channel, **payload)
        except SlackApiError as exc:
            raise failure(exc) from None

    async def linked(self, link: Link, agreements: Sequence[Agreement]) -> None:
        client = await self._client(link.team_id)
        await self._post(client, link.slack_user_id, agreement_blocks.linked_dm(link, agreements))

    async def link_refused(self, team_id: str, slack_user_id: str) -> None:
        await self._post(await self._client(team_id), slack_user_id, link_refused_message())

    async def transfer_settled(self, team_id: str, slack_user_id: str, account_id: int, transfer: Transfer) -> None:
        payload = badged(transfer_blocks.transfer_settled_message(account_id, transfer), self._environment)
        await self._post(await self._client(team_id), slack_user_id, payload)

    async def alert_triggered(
        self,
        route: Route,
        price: float | None,
        *,
        to: str | None = None,
        thread: tuple[str, str] | None = None,
        group: RouteGroup | None = None,
    ) -> Posted | None:
        """``to`` (the route's channel unless given), as a reply under ``thread`` when given;
        else (when the bot cannot post there) the user's DM. What Slack took, when it says."""
        client = await self._client(route.team_id)
        to = to or route.channel_id
        where: dict[str, Any] = {"channel": to}
        if thread is not None:  # a re-trigger: in the thread, not broadcast to the channel
            where = {"channel": thread[0], "thread_ts": thread[1], "reply_broadcast": False}
        try:
            answer = await client.chat_postMessage(
                **where,
                **badged(alert_blocks.alert_triggered_message(route, price, group=group), self._environment),
            )
        except SlackApiError as exc:
            error = slack_error(exc)
            if error not in CANNOT_POST or to == route.slack_user_id:
                raise failure(exc) from None
            log.info("alert %s: cannot post in %s (%s); sending a DM", route.alert_id, to, error)
            fallback = badged(
                alert_blocks.alert_triggered_message(route, price, undeliverable_channel=to, group=group),
                self._environment,
            )
            try:
                answer = await client.chat_postMessage(channel=route.slack_user_id, **fallback)
            except SlackApiError as exc2:
                raise failure(exc2) from None
            to = route.slack_user_id
        self._metrics.alerts_fired.inc()
        ts, channel = str(answer.get("ts") or ""), str(answer.get("channel") or "")
        return Posted(to, channel, ts) if ts and channel else None

    async def order_changed(self, pending: Pending, *, dm_fallback: bool = True) -> None:
        """The order's message updated in place (response_url, replace_original); when that
        message cannot be updated any more, the requester is told in a DM instead."""
        payload = badged(pending_message(pending, confirm_seconds=self._confirm_seconds), self._environment)
        if pending.response_url and await answer_in_place(
            pending.response_url, payload, replace=True, session=self._clients.session
        ):
            return
        if dm_fallback:
            await self._post(await self._client(pending.team_id), pending.slack_user_id, payload)

    async def approval_requested(self, pending: Pending) -> str | None:
        """Post the approval request to the approvers' channel; the message's ts."""
        assert pending.approval_channel is not None
        client = await self._client(pending.team_id)
        try:
            answer = await client.chat_postMessage(
                channel=pending.approval_channel,
                **badged(approval_blocks.approval_message(pending), self._environment),
            )
        except SlackApiError as exc:
            if slack_error(exc) not in CANNOT_POST:
                raise failure(exc) from None
            # Nobody can approve what nobody sees: the requester hears it now, not at expiry.
            log.warning(
                "approval request %s: cannot post in %s (%s)",
                pending.id,
                pending.approval_channel,
                slack_error(exc),
            )
            await self._post(
                client,
                pending.slack_user_id,
                approval_blocks.approval_undeliverable(pending.approval_channel),
            )
            return None
        return str(answer.get("ts") or "") or None

    async def approval_changed(self, pending: Pending) -> None:
        """The approval request's message updated to the order's state."""
        if not (pending.approval_channel and pending.approval_ts):
            return  # not posted yet: the request, when posted, shows the state as it is then
        client = await self._client(pending.team_id)
        try:
            await client.chat_update(
                channel=pending.approval_channel,
                ts=pending.approval_ts,
                **badged(approval_blocks.approval_message(pending), self._environment),
            )
        except SlackApiError as exc:
            raise failure(exc) from None

    async def corporate_action(self, team_id: str, slack_user_id: str, notice: ActionNotice) -> None:
        """A corporate action on something the member holds, in their DM."""
        client = await self._client(team_id)
        await self._post(client, slack_user_id, corporate_action_blocks.corporate_action_message(notice))

    async def digest(self, team_id: str, channel: str, slack_user_id: str, summary: Any) -> None:
        """Post a digest in its channel, else (when the bot cannot post there) the member's DM."""
        client = await self._client(team_id)
        try:
            await client.chat_postMessage(
                channel=channel, **badged(digest_blocks.digest_message(summary), self._environment)
            )
        except SlackApiError as exc:
            if slack_error(exc) not in CANNOT_POST or channel == slack_user_id:
                raise failure(exc) from None
            fallback = badged(
                digest_blocks.digest_message(summary, undeliverable_channel=channel), self._environment
            )
            await self._post(client, slack_user_id, fallback)

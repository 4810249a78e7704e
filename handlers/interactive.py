"""Buttons on messages: ack at once, do the work in a Bolt lazy listener, report every failure.

``on_button(app, "action_id", services, handler)`` registers ``handler(ctx: ButtonContext)``.
The ack does no I/O, so Slack gets its answer in milliseconds however slow AutoShares is; the
lazy function builds the context and runs the handler, and any exception becomes a message to
the clicking user (Bolt would only log it) through the click's response_url.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import BotError
from handlers.router import failure_message

log = logging.getLogger(__name__)


@dataclass
class ButtonContext:
    """Who clicked which button where, and how to answer."""

    team_id: str
    user_id: str
    channel_id: str
    action_id: str
    value: str
    respond: AsyncRespond | None
    client: AsyncWebClient
    body: dict[str, Any]
    services: Any

    @property
    def container_type(self) -> str:
        return str((self.body.get("container") or {}).get("type") or "")

    async def replace(self, message: dict[str, Any]) -> None:
        """Update the message the button is on, in place."""
        if self.respond is not None:
            await self.respond(replace_original=True, **message)

    async def reply(self, message: dict[str, Any]) -> None:
        """Answer the clicking user privately, leaving the original message as it is."""
        if self.respond is not None:
            await self.respond(response_type="ephemeral", replace_original=False, **message)


ButtonHandler = Callable[[ButtonContext], Awaitable[None]]


def button_context(
    body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient, services: Any
) -> ButtonContext:
    """Read a ``block_actions`` payload (the first action is the one clicked)."""
    action = (body.get("actions") or [{}])[0]
    user = body.get("user") or {}
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    team_id = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return ButtonContext(
        team_id=str(team_id),
        user_id=str(user.get("id") or ""),
        channel_id=str(channel.get("id") or container.get("channel_id") or ""),
        action_id=str(action.get("action_id") or ""),
        value=str(action.get("value") or ""),
        respond=respond,
        client=client,
        body=body,
        services=services,
    )


def on_button(app: AsyncApp, action_id: str, services: Any, handler: ButtonHandler) -> None:
    """Register ``handler`` for clicks on ``action_id`` (ack now, work lazily, report failures)."""

    async def ack_now(ack: AsyncAck) -> None:
        await ack()

    async def run(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        ctx = button_context(body, respond, client, services)
        try:
            await handler(ctx)
        except BotError as exc:
            log.info("button %s failed: %s (%s)", action_id, exc.code, exc)
            await _report(ctx, failure_message(exc))
        except Exception as exc:
            log.exception("button %s failed unexpectedly", action_id)
            await _report(ctx, failure_message(exc))

    app.action(action_id)(ack=ack_now, lazy=[run])


async def _report(ctx: ButtonContext, message: dict[str, Any]) -> None:
    try:
        await ctx.reply(message)
    except Exception:  # the response_url expired or Slack is down: nothing more we can do
        log.warning("could not report a failed %s click to the user", ctx.action_id)

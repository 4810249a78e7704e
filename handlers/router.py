"""Slash commands: ack at once, then run the subcommand in a Bolt lazy listener.

``/autoshares <sub> …`` and the shortcuts ``/quote`` (= ``quote``), ``/order`` (= ``order``) and
``/alert`` (= ``alert``) all land here. The ack does no I/O, so it is answered in well under
Slack's 3 seconds however slow AutoShares is; the lazy function parses the text, calls the
subcommand registered by its feature module, and reports every failure to the user itself
(Bolt only logs what a lazy listener raises).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import AgreementsOutstandingError, BotError
from handlers import blocks
from handlers.parsing import ParseError, parse_autoshares

log = logging.getLogger(__name__)

GATE_LEAD = (
    "Nothing was done: AutoShares needs these agreements signed before you can trade. "
    "Sign them here, then run your command again."
)

SHORTCUTS = {"/quote": "quote", "/order": "order", "/alert": "alert", "/account": "account"}


@dataclass
class CommandContext:
    """What a subcommand handler gets: who asked, where, and how to answer."""

    team_id: str
    user_id: str
    channel_id: str
    command: str
    text: str
    respond: AsyncRespond
    client: AsyncWebClient
    body: dict[str, Any]
    services: Any
    trigger_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_dm(self) -> bool:
        return self.channel_id.startswith("D")

    async def reply(self, message: dict[str, Any]) -> None:
        """Answer privately (ephemeral via response_url)."""
        await self.respond(response_type="ephemeral", replace_original=False, **message)


Handler = Callable[[CommandContext, Any], Awaitable[None]]


class CommandRouter:
    """Subcommand name → handler. Feature modules add theirs in ``register``."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def add(self, name: str, handler: Handler) -> None:
        self._handlers[name] = handler

    def names(self) -> list[str]:
        return sorted(self._handlers)

    async def dispatch(self, ctx: CommandContext) -> None:
        text = ctx.text.strip()
        shortcut = SHORTCUTS.get(ctx.command)
        if shortcut:
            text = f"{shortcut} {text}".strip()
        first = text.split(" ", 1)[0].lower()
        name = first if first in self._handlers else "unknown"  # a bounded metrics label
        outcome = "ok"
        try:
            parsed = parse_autoshares(text)
            handler = self._handlers.get(parsed.name)
            if handler is None:
                outcome = "unavailable"
                await ctx.reply(
                    blocks.error_message(
                        f"`/autoshares {parsed.name}` is not available yet. Run `/autoshares help` to see what you can do."
                    )
                )
                return
            name = parsed.name
            await handler(ctx, parsed.args)
        except ParseError as exc:
            outcome = "invalid"
            await ctx.reply(blocks.error_message(str(exc)))
        except BotError as exc:
            outcome = exc.code
            log.info("command %s failed: %s (%s)", ctx.command, exc.code, exc)
            await ctx.reply(failure_message(exc))
        except Exception:
            outcome = "unexpected"
            log.exception("command %s failed unexpectedly", ctx.command)
            await ctx.reply(blocks.error_message(blocks.UNEXPECTED))
        finally:
            metrics = getattr(ctx.services, "metrics", None)
            if metrics is not None:
                metrics.command(name, outcome)


def failure_message(exc: BaseException) -> dict[str, Any]:
    """What the user sees when a command or a button fails: the agreements still to sign (with
    Sign buttons) when the agreements gate refused, else one plain sentence and a next step."""
    if isinstance(exc, AgreementsOutstandingError):
        return blocks.agreements_message(exc.agreements, lead=GATE_LEAD)
    if isinstance(exc, ParseError):
        return blocks.error_message(str(exc))
    if isinstance(exc, BotError):
        return blocks.error_message(exc.user_message)
    return blocks.error_message(blocks.UNEXPECTED)


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    """Wire the four slash commands to the router."""

    async def ack_now(ack: AsyncAck) -> None:
        await ack()

    async def run(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        ctx = CommandContext(
            team_id=body.get("team_id", ""),
            user_id=body.get("user_id", ""),
            channel_id=body.get("channel_id", ""),
            command=body.get("command", ""),
            text=body.get("text", "") or "",
            respond=respond,
            client=client,
            body=body,
            services=services,
            trigger_id=body.get("trigger_id"),
        )
        await router.dispatch(ctx)

    for command in ("/autoshares", *SHORTCUTS):
        app.command(command)(ack=ack_now, lazy=[run])

"""Mentions: ``@AutoShares $AAPL and $MSFT`` in a channel is answered in the thread with quotes.

``app_mention`` is acked at once; the lazy listener reads the cashtags (``handlers.parsing.
cashtags``, at most ``MAX_QUOTE_SYMBOLS``), fetches the quotes with the *mentioner's* own
AutoShares login and posts one message with every quote as a reply in the mention's thread (or
the thread the mention is in). Quotes are public market data and every role may ask for them,
so no team policy applies. A mention without a cashtag is answered with how to use it; a failure
(not linked, AutoShares down) with the error's sentence, in the same thread.

Messages from bots are ignored: Bolt already drops the bot's own events, and answering other
bots could start two of them talking to each other for ever.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers import errors
from handlers.blocks import previews as blocks
from handlers.blocks.common import error_message
from handlers.kit import Event, Listener, Surface, register_table, within_deadline
from handlers.notify import slack_error
from handlers.parsing import MAX_QUOTE_SYMBOLS, cashtags

log = logging.getLogger(__name__)


def from_a_person(event: dict[str, Any]) -> bool:
    """A mention typed by a person (not posted by a bot or an integration)."""
    return bool(event.get("user")) and not event.get("bot_id") and event.get("subtype") != "bot_message"


def thread_of(event: dict[str, Any]) -> dict[str, Any]:
    """Where the answer goes: the mention's channel, in its thread (or the thread it is in)."""
    return {
        "channel": str(event.get("channel") or ""),
        "thread_ts": str(event.get("thread_ts") or event.get("ts") or ""),
    }


async def answer(
    surface: Surface,
    team_id: str,
    user_id: str,
    symbols: list[str],
    event: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    """Post the quotes of ``symbols`` (the first ``MAX_QUOTE_SYMBOLS``) in the mention's thread."""
    asked, left_out = symbols[:MAX_QUOTE_SYMBOLS], symbols[MAX_QUOTE_SYMBOLS:]
    found = await surface.core.market.quotes(team_id, user_id, asked)
    reply = blocks.mention_answer(
        found.rows, found.unknown, delayed=found.delayed, left_out=left_out, limit=MAX_QUOTE_SYMBOLS
    )
    await client.chat_postMessage(**thread_of(event), **reply)


async def on_mention(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
) -> None:
    """``app_mention``: a person's cashtags answered with quotes, or how to ask."""
    if not from_a_person(event):
        return
    symbols = cashtags(str(event.get("text") or ""))
    if not symbols:
        await client.chat_postMessage(**thread_of(event), **blocks.mention_help(MAX_QUOTE_SYMBOLS))
        return
    team_id, user_id = str(body.get("team_id") or ""), str(event.get("user"))
    await within_deadline(surface.limits, answer(surface, team_id, user_id, symbols, event, client))


async def on_failure(
    surface: Surface, _body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, exc: BaseException
) -> None:
    """A failed mention is answered with the error's sentence, in the same thread."""
    try:
        await client.chat_postMessage(**thread_of(event), **error_message(errors.sentence(exc)))
    except SlackApiError as refused:
        log.warning("could not answer a mention in its thread: %s", slack_error(refused))


LISTENERS: tuple[Listener, ...] = (Event("app_mention", on_mention, on_failure),)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the mention surface's listeners."""
    register_table(app, surface, LISTENERS)

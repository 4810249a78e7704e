"""Clicks whose effect matters, recorded before the ack and finished by any replica.

Confirm, Approve, Reject, Withdraw, Cancel of an open order (equity or mutual fund), Unsubscribe
and Share are declared ``durable`` in their surface's table. For those the gate
(``bot.app.slack_gate``) writes the click's intent
(:func:`intent_of`) with the request's replay row, before the ack: once Slack has its 200 the
click is owed an outcome even if this replica dies before or during its lazy listener, since
Slack never resends a click and a retry of the same bytes is a replay. :class:`ClickRecovery`
(a background pass of every replica) leases intents left behind and runs the same handler with
a context built from the intent, answering at the ``response_url`` recorded. The use cases'
exactly-once rules (``bot.core.orders``: a conditional pending → submitting, ClientId = the
pending order's id) make a repeat harmless.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Any

from handlers import fund, ipo, order, performance, quote
from handlers.kit import Button, Surface, intent_key, intent_lease, run_click
from storage.intents import ClickIntents, Intent

log = logging.getLogger(__name__)

#: A click's intent still pending after this long was received by a replica that died before
#: its listener ran (a listener takes its intent within milliseconds of the ack).
RECOVER_AFTER = timedelta(seconds=3)

DURABLE: dict[str, Button] = {
    entry.action_id: entry
    for entry in (*order.LISTENERS, *fund.LISTENERS, *quote.LISTENERS, *performance.LISTENERS, *ipo.LISTENERS)
    if isinstance(entry, Button) and entry.durable
}


def intent_of(body: dict[str, Any]) -> Intent | None:
    """The intent of a durable click's payload (the first action is the one clicked), or None
    for every other request."""
    if body.get("type") != "block_actions":
        return None
    action = (body.get("actions") or [{}])[0]
    entry = DURABLE.get(str(action.get("action_id") or ""))
    if entry is None:
        return None
    user = _object(body.get("user"))
    value = str(action.get("value") or "")
    channel = _object(body.get("channel")).get("id") or _object(body.get("container")).get("channel_id")
    response_url = body.get("response_url")
    return Intent(
        key=intent_key(body),
        action_id=entry.action_id,
        team_id=str(_object(body.get("team")).get("id") or user.get("team_id") or ""),
        user_id=str(user.get("id") or ""),
        channel_id=str(channel or ""),
        value=value,
        response_url=response_url if isinstance(response_url, str) else None,
        pending_id=value[:64] if entry.names_pending and value else None,
    )


def _object(value: Any) -> dict[str, Any]:
    """A payload field that should be an object, or an empty one (the gate lets a signed body
    name a team, user or channel by a bare id; such a click is still written down, with less)."""
    return value if isinstance(value, dict) else {}


def payload_of(intent: Intent) -> dict[str, Any]:
    """A ``block_actions`` payload carrying what the intent recorded (what the handlers read)."""
    return {
        "type": "block_actions",
        "team": {"id": intent.team_id},
        "user": {"id": intent.user_id, "team_id": intent.team_id},
        "channel": {"id": intent.channel_id},
        "response_url": intent.response_url,
        "actions": [{"action_id": intent.action_id, "value": intent.value}],
    }


class ClickRecovery:
    """Finishes the clicks whose replica died: one pass leases what is left and runs it."""

    def __init__(self, surface: Surface, intents: ClickIntents) -> None:
        self.surface = surface
        self.intents = intents

    async def run_once(self) -> int:
        """Carry out every intent left pending or whose lease lapsed; returns how many."""
        due = await self.intents.take_due(RECOVER_AFTER, intent_lease(self.surface.limits))
        for intent in due:
            await self.carry_out(intent)
        return len(due)

    async def carry_out(self, intent: Intent) -> None:
        """Run the click's handler as its own listener would have, then close the intent."""
        entry = DURABLE.get(intent.action_id)
        try:
            if entry is None:  # a button no longer declared durable: nothing to run it with
                log.warning("a recorded click on %s has no handler any more", intent.action_id)
                return
            log.info("finishing a %s click its replica did not", intent.action_id)
            client = await self.surface.slack.for_team(intent.team_id)
            handler = functools.partial(entry.handler, self.surface)
            await run_click(
                self.surface, intent.action_id, handler, payload_of(intent), client, working=entry.working
            )
        finally:
            await self.intents.done(intent.key)

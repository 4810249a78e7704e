"""AutoShares webhook events: what the bot does with each type. No I/O.

The event's ``data`` is read by the client (``bot.autoshares.resources.events``) into an
``OrderEvent`` or an ``AlertTrigger``; this module keeps the envelope's vocabulary (the types the
Webhooks page lists, and what becomes of one delivery).
"""

from __future__ import annotations

import enum

from bot.autoshares.resources.events import AlertTrigger, OrderEvent, alert_trigger, order_update

__all__ = [
    "ALERT_TRIGGERED",
    "COUNTED_EVENTS",
    "DOCUMENTED_EVENTS",
    "LEGACY_ORDER_EVENTS",
    "ORDER_EVENTS",
    "AlertTrigger",
    "EventOutcome",
    "OrderEvent",
    "alert_trigger",
    "event_kind",
    "order_update",
]


class EventOutcome(enum.Enum):
    """What became of one delivery."""

    DONE = "done"  # acted on, or recorded as nothing of ours
    DUPLICATE = "duplicate"  # its id was processed already: nothing done
    RETRY = "retry"  # nothing recorded: AutoShares should deliver it again later


#: The event types the Webhooks page lists.
ORDER_EVENTS = frozenset(
    {
        "order.created",
        "order.filled",
        "order.partial_fill",
        "order.cancelled",
        "order.rejected",
        "order.replaced",
    }
)
ALERT_TRIGGERED = "alert.triggered"
#: Documented types the bot has no use for: answered 200 and counted.
COUNTED_EVENTS = frozenset(
    {"position.opened", "position.closed", "transfer.completed", "transfer.failed", "account.updated"}
)
DOCUMENTED_EVENTS = ORDER_EVENTS | COUNTED_EVENTS | {ALERT_TRIGGERED}
#: Counted, and a cue to read that account's transfers now (``TransferService.check_account``).
TRANSFER_EVENTS = frozenset({"transfer.completed", "transfer.failed"})
#: An order event the bot acted on before it followed the page, which no page lists (still applied).
LEGACY_ORDER_EVENTS = frozenset({"order.expired"})


def event_kind(event_type: str) -> str:
    """What the bot does with a type: ``order``, ``alert``, ``counted`` (documented, no use
    here) or ``other`` (no page lists it)."""
    if event_type in ORDER_EVENTS or event_type in LEGACY_ORDER_EVENTS:
        return "order"
    if event_type == ALERT_TRIGGERED:
        return "alert"
    return "counted" if event_type in COUNTED_EVENTS else "other"

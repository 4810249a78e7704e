"""A subscription to a new issue as its messages show it, from its stored row: the summary
and each outcome (subscribing, subscribed, not subscribed, cancelled, expired, rejected).

A subscription goes through the order pipeline (``bot.core.offerings``); the order messages
hand a row whose request is an ``OfferingTicket`` to these builders. Pure, no I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.autoshares.resources import OfferingTicket
from bot.core.views import PendingState, PendingView
from handlers.blocks.common import clip, escape, message, one_line, section
from handlers.blocks.numbers import price


def price_range(low: Decimal | None, high: Decimal | None) -> str:
    """``$18.00–$21.00 a share`` (one price when both ends agree; "price to be set" with none)."""
    if low is None and high is None:
        return "price to be set"
    if low is None or high is None or low == high:
        return f"{price(low if low is not None else high)} a share"
    return f"{price(low)}–{price(high)} a share"


def subscription_summary(ticket: OfferingTicket) -> str:
    """``*Subscribe to Orbital Freight Inc. (ORBF)* · $18.00–$21.00 a share``."""
    return f"*Subscribe to {escape(one_line(ticket.title))}* · {price_range(ticket.min_price, ticket.max_price)}"


def _plain(ticket: OfferingTicket) -> str:
    return subscription_summary(ticket).replace("*", "")


def subscription_in_flight(stored: OfferingTicket) -> dict[str, Any]:
    text = (
        f":hourglass_flowing_sand: {subscription_summary(stored)}… AutoShares has not confirmed it yet. "
        "This message updates when it does; the subscription is sent once."
    )
    return message(f"Subscribing: {_plain(stored)}", [section(text)])


def subscription_outcome(pending: PendingView, *, reason: str | None = None) -> dict[str, Any]:
    """What a subscription's message shows now (``reason``: why it failed, safe mrkdwn)."""
    stored = pending.ticket
    assert isinstance(stored, OfferingTicket), "only a subscription's row comes here"
    summary = subscription_summary(stored)
    status = pending.status
    if status in (PendingState.PENDING, PendingState.SUBMITTING):
        return subscription_in_flight(stored)
    if status == PendingState.PLACED:
        text = (
            f":white_check_mark: Subscribed: {summary} in account {pending.account_id}. "
            "Run `/autoshares ipo` to see it or to unsubscribe."
        )
        return message(f"Subscribed: {_plain(stored)}.", [section(text)])
    if status == PendingState.FAILED:
        why = (reason or "AutoShares refused it").rstrip(".")
        text = f":x: Not subscribed: {summary}. {why}. Run `/autoshares ipo` to try again."
        return message(f"Not subscribed: {_plain(stored)}.", [section(clip(text))])
    if status == PendingState.REJECTED:
        by = f"<@{escape(pending.decided_by)}>" if pending.decided_by else "an approver"
        text = f":no_entry: Rejected by {by}: {summary}. Nothing was subscribed."
        return message(f"Rejected: {_plain(stored)}.", [section(text)])
    if status == PendingState.EXPIRED:
        text = (
            f":hourglass: This subscription expired without a decision: {summary}. "
            "Nothing was subscribed; run `/autoshares ipo` again if you still want it."
        )
        return message(f"Expired: {_plain(stored)}.", [section(text)])
    text = f":no_entry_sign: Cancelled: {summary}. Nothing was subscribed."
    return message(f"Cancelled: {_plain(stored)}.", [section(text)])

"""The approval request in the approvers' channel, and what it shows once decided.

The message is built from the order's stored row, so whichever replica posts or updates it
(the Approve click answering in place, or the outbox after a rejection, an expiry, a fill)
shows the same thing: the request with Approve and Reject while it waits, then who decided and
what became of the order.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.autoshares.resources import OfferingTicket, OrderTicket
from bot.core.views import PendingState, PendingView
from bot.vocabulary.states import UNCONFIRMED
from handlers.blocks.common import context, escape, message, section
from handlers.blocks.numbers import money
from handlers.blocks.order import order_summary, plain_summary

APPROVAL_APPROVE = "approval_approve"
APPROVAL_REJECT = "approval_reject"


def _headline(pending: PendingView) -> str:
    if pending.notional is None:
        worth = ""
    elif isinstance(pending.ticket, OfferingTicket):
        worth = f" · orders from {money(pending.notional)}"
    else:
        worth = f" · worth about {money(pending.notional)}"
    replaced = pending.ticket.replaces.id if isinstance(pending.ticket, OrderTicket) and pending.ticket.replaces else None
    what = f"a change to order {replaced}: " if replaced is not None else ""
    return (
        f"<@{escape(pending.slack_user_id)}> asks for approval: {what}{order_summary(pending.ticket)}"
        f"{worth} · account {pending.account_id}"
    )


def _decided(pending: PendingView) -> str:
    by = f"<@{escape(pending.decided_by)}>" if pending.decided_by else "an approver"
    status = pending.status
    if status == PendingState.SUBMITTING:
        return f":hourglass_flowing_sand: Approved by {by}; placing it now…"
    if status == PendingState.PLACED and isinstance(pending.ticket, OfferingTicket):
        return f":white_check_mark: Approved by {by}: subscribed."
    if status == PendingState.PLACED:
        order_status = (pending.result.status if pending.result is not None else None) or "New"
        shown = pending.autoshares_order_id
        return f":white_check_mark: Approved by {by} and placed: AutoShares order {escape(shown)} is {escape(order_status)}."
    if status == PendingState.FAILED and pending.error == UNCONFIRMED:
        return f":grey_question: Approved by {by}, but AutoShares did not answer: it may have been placed."
    if status == PendingState.FAILED:
        return f":x: Approved by {by}, but AutoShares did not take it. Nothing was placed."
    if status == PendingState.REJECTED:
        return f":no_entry: Rejected by {by}. Nothing was placed."
    if status == PendingState.EXPIRED:
        return ":hourglass: Nobody decided in time; the request expired and nothing was placed."
    if status == PendingState.CANCELLED:
        return ":leftwards_arrow_with_hook: The requester withdrew it. Nothing was placed."
    if status == PendingState.REPLACED:
        return f":pencil2: Approved by {by} and placed; the order was changed since."
    return f"Status: {escape(status)}."


def approval_message(pending: PendingView) -> dict[str, Any]:
    """The request while it waits (Approve / Reject), else its outcome without buttons."""
    headline = _headline(pending)
    if pending.status != PendingState.AWAITING_APPROVAL:
        return message(
            f"Approval request: {plain_summary(pending.ticket)}",
            [section(f"{headline}\n{_decided(pending)}")],
        )
    expires = int(pending.expires_at.timestamp())
    blocks: list[Block] = [
        section(f":raised_hand: {headline}"),
        ActionsBlock(
            block_id=f"approval:{pending.id}",
            elements=[
                ButtonElement(text="Approve", action_id=APPROVAL_APPROVE, value=pending.id, style="primary"),
                ButtonElement(text="Reject", action_id=APPROVAL_REJECT, value=pending.id, style="danger"),
            ],
        ),
        context(
            "Only a member with the approver role other than the requester can decide. "
            f"The request expires <!date^{expires}^{{time}}|soon>."
        ),
    ]
    return message(f"Approval requested: {plain_summary(pending.ticket)}", blocks)


def approval_undeliverable(channel: str) -> dict[str, Any]:
    """To the requester: the approvers' channel would not take the request."""
    sentence = (
        f"I could not post your approval request in <#{escape(channel)}>, so no approver has seen it. "
        "Invite me there with `/invite @AutoShares` or ask an admin to choose another approvers' channel, "
        "then withdraw this order and run `/order` again."
    )
    return message(sentence, [section(f":warning: {sentence}")])

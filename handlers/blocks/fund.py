"""Mutual fund orders in Block Kit: the confirmation of `/fund` and the answer to a cancel.
Pure builders, no I/O.

A fund order shares the order pipeline's buttons (Confirm and Cancel are ``order.ORDER_CONFIRM``
and ``order.ORDER_CANCEL_PENDING``, handled once for both kinds) and its later messages
(``order.pending_message`` shows a fund order in its own words); what is the funds' own is the
confirmation, whose figures are not an equity preview's: AutoShares prices a fund at its net
asset value at the next close, so the confirmation shows the amount, what the order is worth now
as far as it can be known, the holding, and the reinvestment choices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.autoshares.resources import Account, FundOperation, FundTicket, Order
from handlers.blocks.common import escape, message, section
from handlers.blocks.fund_terms import FUND_CANCEL_OPEN, fund_summary, reinvestment
from handlers.blocks.numbers import money, shares
from handlers.blocks.order import account_label, confirmation_steps, status_words

__all__ = ["FUND_CANCEL_OPEN", "fund_confirmation", "fund_cancel_requested"]


def _amount(ticket: FundTicket) -> str:
    if ticket.quantity is None:
        return "your whole holding"
    if ticket.in_dollars:
        return money(ticket.quantity)
    return f"{shares(ticket.quantity)} share{'' if ticket.quantity == 1 else 's'}"


def _fields(ticket: FundTicket, value: Decimal | None, held: Decimal | None) -> list[MarkdownTextObject]:
    worth = money(value) if value is not None else "not known until the close"
    fields = [
        MarkdownTextObject(text=f"*Amount*\n{_amount(ticket)}"),
        MarkdownTextObject(text=f"*Worth now*\n{worth}"),
        MarkdownTextObject(text="*Price*\nthe fund's net asset value at the next close"),
    ]
    if ticket.fund_operation != FundOperation.buy:
        holding = (
            "not known"
            if held is None
            else f"{shares(held)} shares of {escape(ticket.symbol)}"
            if held
            else "none"
        )
        fields.append(MarkdownTextObject(text=f"*You hold*\n{holding}"))
    choices = reinvestment(ticket)
    if choices:
        lines = choices.replace(" · ", "\n")
        fields.append(MarkdownTextObject(text=f"*Distributions*\n{lines}"))
    return fields


def fund_confirmation(
    *,
    pending_id: str,
    ticket: FundTicket,
    account_id: int,
    account: Account | None,
    value: Decimal | None,
    held: Decimal | None,
    large: bool,
    large_threshold: int,
    confirm_seconds: int,
    approval: str | None = None,
    approvals_channel: str | None = None,
) -> dict[str, Any]:
    """AutoShares' fund preview passed: the order with Confirm and Cancel; nothing is placed
    until the requester confirms (``approval``: why Confirm sends it for approval instead)."""
    summary = fund_summary(ticket)
    blocks: list[Block] = [
        section(
            f":receipt: Review your mutual fund order: {summary}\n"
            f"Account {account_label(account_id, account)}"
        ),
        SectionBlock(fields=_fields(ticket, value, held)),
    ]
    blocks += confirmation_steps(
        pending_id,
        large=large,
        large_threshold=large_threshold,
        notional=value,
        confirm_seconds=confirm_seconds,
        approval=approval,
        approvals_channel=approvals_channel,
    )
    return message(f"Review your mutual fund order: {summary.replace('*', '')}", blocks)


def fund_cancel_requested(order_id: int, order: Order | None) -> dict[str, Any]:
    """The answer to a fund order's cancel: AutoShares took it, and the order's status when it
    could be read back."""
    if order is None:
        sentence = (
            f":no_entry_sign: Cancel sent for mutual fund order {order_id}. "
            "Its message updates when AutoShares confirms it."
        )
        return message(f"Cancel sent for mutual fund order {order_id}.", [section(sentence)])
    status = order.status.name
    words = status_words(status)
    sentence = f":no_entry_sign: Cancel sent for mutual fund order {order_id}: it is now {words}."
    return message(f"Mutual fund order {order_id} is now {words}.", [section(sentence)])

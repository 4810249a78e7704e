"""Orders in Block Kit: the confirmation, its outcome, open orders, the order ticket modal and
the second step for large orders. Pure builders, no I/O.

Orders come as the client's typed resources: an ``Order`` AutoShares holds, or a pending row's
``ticket`` (an ``OrderTicket``, a ``FundTicket`` or an ``OfferingTicket``, told apart by type);
every value taken from them or from the user is escaped. The Cancel button shows for exactly the open statuses
(``OPEN_ORDER_STATUSES``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeAlias

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.autoshares.resources import (
    LIMIT_PRICED,
    OPEN_STATUS_NAMES,
    STOP_PRICED,
    Account,
    ExecInst,
    FundPreview,
    FundTicket,
    OfferingTicket,
    Order,
    OrderDetail,
    OrderLimits,
    OrderPreview,
    OrderStatus,
    OrderTicket,
    OrderType,
    ReplacedTerms,
    TimeInForce,
    TrailingAmountType,
    fixed_kind,
)
from bot.core.views import OrderStateView, OrderTerms, PendingState, PendingView
from bot.vocabulary.options import option_contract
from bot.vocabulary.states import UNCONFIRMED
from handlers.blocks.common import clip, context, escape, message, section
from handlers.blocks.fund_terms import FUND_CANCEL_OPEN, fund_summary
from handlers.blocks.numbers import money, price, shares
from handlers.blocks.options import leg_lines, option_title
from handlers.blocks.subscriptions import subscription_in_flight, subscription_outcome, subscription_summary

__all__ = [
    "ORDER_CONFIRM",
    "ORDER_CANCEL_PENDING",
    "ORDER_CANCEL_OPEN",
    "ORDER_TICKET_CALLBACK",
    "ORDER_LARGE_CALLBACK",
    "ORDER_EDIT_OPEN",
    "ORDER_EDIT_CALLBACK",
    "EDIT_FIELDS",
    "TICKET_FIELDS",
    "order_summary",
    "order_confirmation",
    "order_preview_failed",
    "order_outcome",
    "order_in_flight",
    "pending_message",
    "order_not_yours",
    "order_gone",
    "open_orders_message",
    "order_details_message",
    "limits_line",
    "order_cancel_requested",
    "order_ticket_view",
    "large_order_view",
    "edit_confirmation",
    "edit_preview_failed",
    "edit_button",
    "edit_button_value",
    "order_edit_view",
    "edit_values",
    "ticket_values",
    "view_metadata",
]

ORDER_CONFIRM = "order_confirm"
ORDER_CANCEL_PENDING = "order_cancel_pending"
ORDER_CANCEL_OPEN = "order_cancel_open"
ORDER_TICKET_CALLBACK = "order_ticket"
ORDER_LARGE_CALLBACK = "order_large_confirm"
#: The Edit button of an open order (in `/order list` and App Home) and the modal it opens.
ORDER_EDIT_OPEN = "order_edit_open"
ORDER_EDIT_CALLBACK = "order_edit"
#: The edit modal's fields: block ids are the names ``handlers.parsing.edit_from_fields`` reads.
EDIT_FIELDS = ("quantity", "limit_price", "stop_price")
LARGE_SYMBOL_BLOCK = "symbol_check"
LARGE_SYMBOL_ACTION = "symbol"

#: Modal fields, in order; each is an input block whose block_id is the field name that
#: ``handlers.parsing.order_from_fields`` reads (so its errors land on the right field).
TICKET_FIELDS = (
    "symbol",
    "side",
    "type",
    "quantity",
    "limit_price",
    "stop_price",
    "time_in_force",
    "account",
    "extended_hours",
)
MAX_LISTED_ORDERS = 20

_SIDE_WORDS = {"Buy": "Buy", "Sell": "Sell", "SellShort": "Short", "BuyToCover": "Cover"}
_TYPE_WORDS = {"Market": "market", "Limit": "limit", "Stop": "stop", "StopLimit": "stop limit"}
_TIF_WORDS = {
    "Day": "day",
    "GoodTillCancel": "good till cancelled",
    "ImmediateOrCancel": "immediate or cancel",
    "FillOrKill": "fill or kill",
    "GoodTillDate": "good till a date",
}
#: ExtendedHours values (AutoSharesAPI/API pages/orders/extended-hours.md) in words.
_SESSION_WORDS = {
    "REGPRE": "pre-market and regular hours",
    "REGPOST": "regular hours and after-hours",
    "PRE": "pre-market only",
    "POST": "after-hours only",
}
_STATUS_WORDS = {
    "New": "open, waiting to fill",
    "PendingNew": "being accepted",
    "PartiallyFilled": "partly filled",
    "Filled": "filled",
    "Canceled": "cancelled",
    "PendingCancel": "being cancelled",
    "Rejected": "rejected",
    "Expired": "expired",
    "PendingReplace": "being changed",
    "Held": "held until its entry fills",
}


def status_words(status: str) -> str:
    """An AutoShares order status (its name, ``PartiallyFilled``) in words; any other as
    written, escaped."""
    return _STATUS_WORDS.get(status, escape(status))


_STATUS_EMOJI = {
    "Filled": ":white_check_mark:",
    "PartiallyFilled": ":large_blue_circle:",
    "Canceled": ":no_entry_sign:",
    "Rejected": ":x:",
    "Expired": ":hourglass:",
}


#: What an order message shows: an order AutoShares holds, or a ticket the bot sends or keeps
#: (an order or a change to one, a mutual fund order, a subscription to a new issue).
Shown: TypeAlias = OrderTerms | FundTicket | OfferingTicket


def _replaces(order: Shown) -> ReplacedTerms | None:
    """What a change replaces (None for anything but a change the bot keeps)."""
    return order.replaces if isinstance(order, OrderTicket) else None


def order_symbol(order: Shown) -> str:
    """The symbol an order (equity, option or mutual fund; as sent, stored or held) is for."""
    if isinstance(order, OfferingTicket):
        return (order.ticker_symbol or order.offering_reference)[:16]  # as the pending row keeps it
    return order.symbol


def command_of(order: Shown) -> str:
    """The command that makes this kind of order again: `/fund`, `/autoshares ipo` or `/order`."""
    if isinstance(order, FundTicket):
        return "/fund"
    return "/autoshares ipo" if isinstance(order, OfferingTicket) else "/order"


def order_summary(order: Shown) -> str:
    """``*Buy 10 AAPL* · limit $180.00 · good till cancelled`` from an order ticket or resource
    (a mutual fund order and a subscription in their own words, see ``fund_terms`` and
    ``subscriptions``; a bracket as its entry and then its exits)."""
    if isinstance(order, FundTicket):
        return fund_summary(order)
    if isinstance(order, OfferingTicket):
        return subscription_summary(order)
    if order.type in _BRACKET_TYPES and order.legs:
        return _bracket_summary(order)
    side = _SIDE_WORDS.get(order.side, escape(order.side)) if order.side else "Order"
    symbol = escape(order.symbol or "?")
    order_type = order.type or OrderType.Market
    stop = order.stop_price if order_type in STOP_PRICED else None
    limit = order.price if order_type in LIMIT_PRICED else None
    if order_type == OrderType.Market:
        kind = "market"
    elif order_type == OrderType.MutualFundsExchange:  # a fund order as AutoShares lists it
        kind = "mutual fund"
    elif order_type in (OrderType.TrailingStop, OrderType.TrailingStopLimit):
        kind = _trailing_words(order)
    elif order_type in _TYPE_WORDS:
        kind = ", ".join(
            f"{word} {price(value)}"
            for word, value in (("stop", stop), ("limit", limit))
            if value is not None
        )
    else:
        kind = escape(order_type)
    if order.exec_inst == ExecInst.CashAmountOrder:
        head = f"*{side} {money(order.quantity)} of {symbol}*"
    else:
        head = f"*{option_title(order) or f'{side} {shares(order.quantity)} {symbol}'}*"
    parts = [head, kind or _TYPE_WORDS.get(order_type, "")]
    parts.append(_tif_words(order))
    if order.exec_inst == ExecInst.AllOrNone:
        parts.append("all or none")
    if order.extended_hours:
        parts.append(_SESSION_WORDS.get(order.extended_hours.upper(), "extended hours"))
    return " · ".join(parts)


_BRACKET_TYPES = (OrderType.OneTriggerOther, OrderType.OneTriggerOneCancelOther)


def _tif_words(order: OrderTerms) -> str:
    tif = order.time_in_force or TimeInForce.Day
    if tif == TimeInForce.GoodTillDate and order.expire_date:
        return f"good till {escape(order.expire_date[:10])}"
    return _TIF_WORDS.get(tif, escape(tif))


def _trailing_words(order: OrderTerms) -> str:
    """``trailing stop 2%`` or ``trailing stop $1.50``, its stop now when AutoShares says, and
    a trailing stop limit's offset."""
    amount = order.trailing_stop_amount
    if amount is None:
        distance = ""
    elif order.trailing_stop_amount_type == TrailingAmountType.Persentage:
        distance = f" {amount.normalize():f}%"
    else:
        distance = f" {price(amount)}"
    words = f"trailing stop{distance}"
    if order.stop_price is not None:
        words += f" (stop now {price(order.stop_price)})"
    if order.type == OrderType.TrailingStopLimit:
        words += f", limit {price(order.trailing_limit_amount or 0)} past the stop"
    return words


def _bracket_summary(order: OrderTerms) -> str:
    """A bracket: its entry, then what the entry's fill triggers."""
    entry, exits = order.legs[0], order.legs[1:]
    described = []
    for leg in exits:
        if leg.type == OrderType.Limit:
            described.append(f"take profit at {price(leg.price)}")
        elif leg.type == OrderType.Stop:
            described.append(f"stop loss at {price(leg.stop_price)}")
        else:
            described.append(order_summary(leg).replace("*", ""))
    joined = " and ".join(described)
    tail = ", one cancelling the other" if len(exits) > 1 else ""
    return f"{order_summary(entry)} · then {joined}{tail}"


def plain_summary(order: Shown) -> str:
    return order_summary(order).replace("*", "")


def account_label(account_id: int, account: Account | None) -> str:
    alias = (account.alias or account.clearing_account) if account is not None else None
    return f"{account_id} ({escape(alias)})" if alias else str(account_id)


def _minutes(seconds: int) -> str:
    if seconds % 60 == 0 and seconds >= 60:
        count = seconds // 60
        return f"{count} minute{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def order_confirmation(
    *,
    pending_id: str,
    order: OrderTicket,
    account_id: int,
    account: Account | None,
    preview: OrderPreview,
    buying_power_after: Decimal | None,
    large: bool,
    large_threshold: int,
    notional: Decimal | None = None,
    confirm_seconds: int,
    approval: str | None = None,
    approvals_channel: str | None = None,
    limits: OrderLimits | None = None,
) -> dict[str, Any]:
    """The preview with Confirm and Cancel: nothing is placed until the requester confirms
    (``approval``: why Confirm sends it to ``approvals_channel`` instead; ``limits``: what the
    account can buy and sell of the symbol now)."""
    cost = preview.cost
    commission = preview.commission
    total = preview.total_cost if preview.total_cost is not None else preview.net_cost
    fields = [
        MarkdownTextObject(text=f"*Estimated cost*\n{money(cost)}"),
        MarkdownTextObject(text=f"*Commission*\n{money(commission)}"),
        MarkdownTextObject(text=f"*Estimated total*\n{money(total)}"),
        MarkdownTextObject(text=f"*Buying power after*\n{money(buying_power_after)}"),
    ]
    blocks: list[Block] = [
        section(
            f":receipt: Review your order: {order_summary(order)}\nAccount {account_label(account_id, account)}"
        ),
        SectionBlock(fields=fields),
        *leg_lines(order),
    ]
    if limits is not None and (limits.buy_limit is not None or limits.sell_limit is not None):
        blocks.append(context(limits_line(limits, order.symbol)))
    blocks += confirmation_steps(
        pending_id,
        large=large,
        large_threshold=large_threshold,
        notional=notional,
        confirm_seconds=confirm_seconds,
        approval=approval,
        approvals_channel=approvals_channel,
    )
    return message(f"Review your order: {plain_summary(order)}", blocks)


def approval_note(approval: str, approvals_channel: str | None, subject: str, outcome: str) -> Block:
    """Why a confirmation goes to the approvers (``approval``: a reason's code) and where:
    "{subject} needs a second person's approval ...; {outcome} only when an approver approves it."."""
    why = APPROVAL_REASONS.get(approval, "the workspace's rules ask for it")
    where = f"<#{escape(approvals_channel)}>" if approvals_channel else "the approvers' channel"
    return section(
        f":busts_in_silhouette: {subject} needs a second person's approval because {why}. "
        f"Confirm sends it to {where}; {outcome} only when an approver approves it."
    )


def confirm_buttons(pending_id: str) -> ActionsBlock:
    """Confirm and Cancel of a pending order, change or subscription."""
    return ActionsBlock(
        block_id=f"order:{pending_id}",
        elements=[
            ButtonElement(text="Confirm", action_id=ORDER_CONFIRM, value=pending_id, style="primary"),
            ButtonElement(text="Cancel", action_id=ORDER_CANCEL_PENDING, value=pending_id),
        ],
    )


def confirmation_steps(
    pending_id: str,
    *,
    large: bool,
    large_threshold: int,
    notional: Decimal | None,
    confirm_seconds: int,
    approval: str | None,
    approvals_channel: str | None,
) -> list[Block]:
    """What every confirmation (equity or mutual fund) ends with: the large-order and approval
    notes that apply, Confirm and Cancel, and when it expires."""
    blocks: list[Block] = []
    if large:
        worth = (
            f"This order is worth more than {money(large_threshold, places=0)}."
            if notional is not None
            else "AutoShares did not say what this order is worth, so it counts as a large order."
        )
        blocks.append(
            section(f":warning: {worth} After Confirm you will be asked to type the symbol to place it.")
        )
    if approval:
        blocks.append(approval_note(approval, approvals_channel, "This order", "it is placed"))
    blocks.append(confirm_buttons(pending_id))
    blocks.append(
        context(
            f"Nothing is placed until you confirm. This confirmation expires in {_minutes(confirm_seconds)}; "
            "only you can confirm it."
        )
    )
    return blocks


def _terms_lines(quantity: Decimal | None, limit: Decimal | None, stop: Decimal | None, cost: Decimal | None) -> str:
    lines = [f"Quantity: {shares(quantity)}"]
    if limit is not None:
        lines.append(f"Limit: {price(limit)}")
    if stop is not None:
        lines.append(f"Stop: {price(stop)}")
    lines.append(f"Estimated cost: {money(cost)}")
    return "\n".join(lines)


def edit_confirmation(
    *,
    pending_id: str,
    ticket: OrderTicket,
    account_id: int,
    account: Account | None,
    preview: OrderPreview,
    large: bool,
    large_threshold: int,
    notional: Decimal | None,
    confirm_seconds: int,
    approval: str | None = None,
    approvals_channel: str | None = None,
) -> dict[str, Any]:
    """A change to a working order, the order now and after the change side by side (the
    new cost is AutoShares' preview's), with Confirm and Cancel: nothing changes until the
    requester confirms (``approval``: why Confirm sends it to ``approvals_channel`` instead)."""
    before = ticket.replaces
    assert before is not None, "a change names the order it replaces"
    new_cost = preview.cost if preview.cost is not None else notional
    blocks: list[Block] = [
        section(
            f":pencil2: Review your change to order {before.id}: {order_summary(ticket)}\n"
            f"Account {account_label(account_id, account)}"
        ),
        SectionBlock(
            fields=[
                MarkdownTextObject(text="*Now*\n" + _terms_lines(before.quantity, before.price, before.stop_price, before.cost)),
                MarkdownTextObject(
                    text="*After the change*\n" + _terms_lines(ticket.quantity, ticket.price, ticket.stop_price, new_cost)
                ),
                MarkdownTextObject(text=f"*Commission*\n{money(preview.commission)}"),
            ]
        ),
    ]
    if large:
        blocks.append(
            section(
                f":warning: The order would be worth more than {money(large_threshold, places=0)}. "
                "After Confirm you will be asked to type the symbol to change it."
            )
        )
    if approval:
        blocks.append(approval_note(approval, approvals_channel, "This change", "the order changes"))
    blocks.append(confirm_buttons(pending_id))
    blocks.append(
        context(
            f"Nothing changes until you confirm; if the order fills first, nothing is changed. This "
            f"confirmation expires in {_minutes(confirm_seconds)}; only you can confirm it."
        )
    )
    return message(f"Review your change to order {before.id}: {plain_summary(ticket)}", blocks)


def edit_preview_failed(ticket: OrderTicket, account_id: int, preview: OrderPreview) -> dict[str, Any]:
    """AutoShares would not take the change: its reason, no Confirm button."""
    order_id = ticket.replaces.id if ticket.replaces is not None else "?"
    code, text = preview.error_description, preview.error_description_text
    reason = escape(text or code or "no reason was given").rstrip(".")
    if code and text:
        reason += f" (`{escape(code)}`)"
    sentence = (
        f":warning: AutoShares would not change order {order_id} in account {account_id} to "
        f"{order_summary(ticket)}: {reason}. Nothing was changed; run `/order list` to see the order."
    )
    return message(f"AutoShares would not change order {order_id}.", [section(clip(sentence))])


def order_preview_failed(order: Shown, account_id: int, preview: OrderPreview | FundPreview) -> dict[str, Any]:
    """AutoShares would not accept the order: its reason, no Confirm button."""
    code = preview.error_description
    text = preview.error_description_text
    reason = escape(text or code or "no reason was given").rstrip(".")
    if code and text:
        reason += f" (`{escape(code)}`)"
    sentence = (
        f":warning: AutoShares would not accept {order_summary(order)} in account {account_id}: "
        f"{reason}. Nothing was placed; change the order and run `{command_of(order)}` again."
    )
    return message(
        f"AutoShares would not accept this order: {escape(text or code or 'no reason given')}",
        [section(sentence)],
    )


def _fill_line(result: Order | OrderStateView) -> str:
    executed, average, leaves = result.executed_quantity, result.average_price, result.leaves_quantity
    parts = []
    if executed is not None and executed > 0:
        parts.append(f"{shares(executed)} filled at {price(average)} on average")
    if leaves is not None and leaves > 0 and _status_name(result) in ("New", "PartiallyFilled"):
        parts.append(f"{shares(leaves)} still open")
    return "; ".join(parts)


def _status_name(order: Order | OrderStateView) -> str | None:
    """The AutoShares status's name (``Order`` has the enum, the stored state its name)."""
    status = order.status
    return status.name if isinstance(status, OrderStatus) else status


def is_open_status(name: str | None) -> bool:
    """Whether an order in this status is still working, so it may be cancelled."""
    return name in OPEN_STATUS_NAMES


def order_outcome(
    *,
    status: PendingState,
    order: Shown,
    account_id: int,
    result: OrderStateView | None = None,
    order_id: int | None = None,
    reason: str | None = None,
    confirm_seconds: int = 0,
    unconfirmed: bool = False,
) -> dict[str, Any]:
    """The confirmation replaced by what happened (pending-order status + AutoShares status);
    ``reason`` says why a failed order was not placed (safe mrkdwn); ``unconfirmed``: it
    failed as :data:`UNCONFIRMED` (it may stand at AutoShares)."""
    summary = order_summary(order)
    replaces = _replaces(order)
    if replaces is not None and status != PendingState.PLACED:
        return _change_outcome(status, summary, replaces.id, reason, confirm_seconds)
    again = command_of(order)
    if status == PendingState.CANCELLED:
        text = f":no_entry_sign: Cancelled: {summary}. Nothing was placed."
        return message(f"Cancelled: {plain_summary(order)}. Nothing was placed.", [section(text)])
    if status == PendingState.EXPIRED:
        text = (
            f":hourglass: This confirmation expired after {_minutes(confirm_seconds)} without being confirmed: "
            f"{summary}. Nothing was placed; run `{again}` again to get a fresh preview."
            if confirm_seconds
            else f":hourglass: This confirmation expired: {summary}. Nothing was placed; run `{again}` again."
        )
        return message(f"Expired: {plain_summary(order)}. Nothing was placed.", [section(text)])
    if status == PendingState.FAILED and unconfirmed:
        text = f":grey_question: Not confirmed: {summary}. {(reason or '').rstrip('.')}."
        return message(f"Not confirmed: {plain_summary(order)}.", [section(clip(text))])
    if status == PendingState.FAILED:
        reason = (reason or "AutoShares refused it").rstrip(".")
        text = f":x: Not placed: {summary}. {reason}. Nothing was placed; check the order and try again."
        return message(f"Not placed: {plain_summary(order)}.", [section(clip(text))])
    # placed
    order_status = (result.status if result is not None else None) or "New"
    emoji = _STATUS_EMOJI.get(order_status, ":white_check_mark:")
    words = status_words(order_status)
    bracket = isinstance(order, OrderTicket | Order) and order.type in _BRACKET_TYPES
    if bracket and order_status == "New" and result is not None and (result.executed_quantity or 0) > 0:
        words = "open: the entry filled and its exits are working"
    shown_id = order_id if order_id is not None else (result.order_id if result is not None else None)
    lines = [
        f"{emoji} {'Order changed' if replaces is not None else 'Order placed'}: {summary}",
        f"AutoShares order {escape(shown_id)} in account {account_id} is *{words}*.",
    ]
    fill = _fill_line(result) if result is not None else ""
    if fill:
        lines.append(fill + ".")
    if order_status == "Rejected":
        reason = result.description if result is not None else None
        lines.append(f"AutoShares rejected it: {escape(reason or 'no reason given')}.")
    blocks: list[Block] = [section("\n".join(lines))]
    if is_open_status(order_status) and shown_id is not None:
        fund = isinstance(order, FundTicket)  # a fund order has no replace, only a cancel
        buttons: list[ButtonElement] = []
        if not isinstance(order, FundTicket | OfferingTicket) and not fixed_kind(order):
            buttons.append(edit_button(account_id, shown_id, order))
        buttons.append(_cancel_open_button(account_id, shown_id, order_symbol(order), fund=fund))
        blocks.append(ActionsBlock(block_id=f"placed:{shown_id}", elements=buttons))
    return message(f"Order {shown_id}: {plain_summary(order)} is {words}.", blocks)


def _change_outcome(
    status: PendingState, summary: str, order_id: int, reason: str | None, confirm_seconds: int
) -> dict[str, Any]:
    """What became of a change that did not go through: the order itself stays as it was."""
    if status == PendingState.CANCELLED:
        head = f":no_entry_sign: Cancelled the change to order {order_id}"
    elif status == PendingState.EXPIRED:
        waited = f" after {_minutes(confirm_seconds)}" if confirm_seconds else ""
        head = f":hourglass: This change to order {order_id} expired{waited} without being confirmed"
    elif status == PendingState.REJECTED:
        head = f":no_entry: The change to order {order_id} was rejected"
    else:
        why = (reason or "AutoShares refused the change").rstrip(".") + "."
        step = "" if "`/order" in why else " Run `/order list` to see your open orders."
        text = f":x: Not changed: order {order_id}. {why}{step}\n_The change was: {summary}._"
        return message(clip(f"Order {order_id} was not changed.", 150), [section(clip(text))])
    text = f"{head} ({summary}). Nothing was changed; run `/order list` to see your open orders."
    return message(clip(f"Order {order_id} was not changed.", 150), [section(clip(text))])


def order_replaced(pending: PendingView) -> dict[str, Any]:
    """A placed order changed since: the change's own message follows the order now."""
    order_id = pending.autoshares_order_id
    text = (
        f":pencil2: You changed order {escape(order_id)} ({order_summary(pending.ticket)} before the change). "
        "The message of the change follows the order from here."
    )
    return message(f"Order {order_id} was changed.", [section(text)])


def order_in_flight(order: Shown) -> dict[str, Any]:
    """AutoShares has not confirmed the order yet (or the answer was lost): it will update."""
    if isinstance(order, OfferingTicket):
        return subscription_in_flight(order)
    replaces = _replaces(order)
    if replaces is not None:
        text = (
            f":hourglass_flowing_sand: Changing order {replaces.id} to {order_summary(order)}… AutoShares has "
            "not confirmed it yet. This message updates when it does; the change is sent once."
        )
        return message(f"Changing order {replaces.id}…", [section(text)])
    text = (
        f":hourglass_flowing_sand: Placing {order_summary(order)}… AutoShares has not confirmed it yet. "
        "This message updates when it does; nothing will be placed twice."
    )
    return message(f"Placing {plain_summary(order)}…", [section(text)])


APPROVAL_REASONS = {
    "over_threshold": "it is over the workspace's approval threshold",
    "member_needs_approval": "an admin asked for your orders to be approved",
}


def waiting_for_approval(pending: PendingView) -> dict[str, Any]:
    """The requester's message while an approver decides, with Cancel to withdraw it."""
    where = f"<#{escape(pending.approval_channel)}>" if pending.approval_channel else "the approvers' channel"
    text = (
        f":busts_in_silhouette: Sent for approval in {where}: {order_summary(pending.ticket)}. "
        "Nothing is placed unless someone with the approver role approves it; this message "
        "shows the decision."
    )
    expires = int(pending.expires_at.timestamp())
    return message(
        f"Waiting for approval: {plain_summary(pending.ticket)}",
        [
            section(text),
            ActionsBlock(
                block_id=f"waiting:{pending.id}",
                elements=[ButtonElement(text="Withdraw", action_id=ORDER_CANCEL_PENDING, value=pending.id)],
            ),
            context(f"The request expires <!date^{expires}^{{date_short_pretty}} at {{time}}|soon>."),
        ],
    )


def pending_message(
    pending: PendingView, *, confirm_seconds: int = 0, reason: str | None = None
) -> dict[str, Any]:
    """What a pending order's message shows now, from its stored row (``reason``: why a failed
    order was not placed, as safe mrkdwn)."""
    if isinstance(pending.ticket, OfferingTicket) and pending.status != PendingState.AWAITING_APPROVAL:
        return subscription_outcome(pending, reason=reason)
    if pending.status in (PendingState.PENDING, PendingState.SUBMITTING):
        return order_in_flight(pending.ticket)
    if pending.status == PendingState.AWAITING_APPROVAL:
        return waiting_for_approval(pending)
    nothing = "Nothing was changed" if _replaces(pending.ticket) is not None else "Nothing was placed"
    if pending.status == PendingState.REJECTED:
        by = f"<@{escape(pending.decided_by)}>" if pending.decided_by else "an approver"
        text = f":no_entry: Rejected by {by}: {order_summary(pending.ticket)}. {nothing}."
        return message(f"Rejected: {plain_summary(pending.ticket)}. {nothing}.", [section(text)])
    if pending.status == PendingState.REPLACED:
        return order_replaced(pending)
    if pending.status == PendingState.EXPIRED and pending.approval_channel:
        text = (
            f":hourglass: Nobody approved {order_summary(pending.ticket)} in time. {nothing}; "
            f"run `{command_of(pending.ticket)}` again if you still want it."
        )
        return message(f"Approval expired: {plain_summary(pending.ticket)}.", [section(text)])
    return order_outcome(
        status=pending.status,
        order=pending.ticket,
        account_id=pending.account_id,
        result=pending.result,
        order_id=pending.autoshares_order_id,
        reason=reason,
        confirm_seconds=confirm_seconds,
        unconfirmed=pending.error == UNCONFIRMED,
    )


def order_not_yours() -> dict[str, Any]:
    sentence = (
        "Only the person who asked for this order can confirm or cancel it. Run `/order` to make your own."
    )
    return message(sentence, [section(f":lock: {sentence}")])


def order_gone() -> dict[str, Any]:
    sentence = "This order confirmation is no longer available. Run `/order` again for a fresh preview."
    return message(sentence, [section(f":warning: {sentence}")])


def _cancel_open_button(account_id: int, order_id: int, symbol: str, *, fund: bool = False) -> ButtonElement:
    """Cancel on a placed order: at the mutual fund endpoint for a fund order (``fund``)."""
    value = f"{account_id}:{order_id}"
    confirm = ConfirmObject(
        title="Cancel this order?",
        text=clip(f"Cancel order {order_id} ({symbol}) at AutoShares?", 300),
        confirm="Cancel order",
        deny="Keep it",
    )
    if fund:
        return ButtonElement(
            text="Cancel order", action_id=FUND_CANCEL_OPEN, value=value, style="danger", confirm=confirm
        )
    return ButtonElement(
        text="Cancel order", action_id=ORDER_CANCEL_OPEN, value=value, style="danger", confirm=confirm
    )


def edit_button_value(account_id: int, order_id: int, ticket: OrderTerms) -> str:
    """``account:order:type:quantity:limit:stop``: what the edit modal opens prefilled with
    (the preview reads the order afresh, so a stale prefill changes nothing by itself)."""
    kind = ticket.type.value if ticket.type is not None else ""
    numbers = (ticket.quantity, ticket.price, ticket.stop_price)
    shown = [format(n.normalize(), "f") if n is not None else "" for n in numbers]
    return ":".join([str(account_id), str(order_id), kind, *shown])


def edit_button(account_id: int, order_id: int, order: OrderTerms) -> ButtonElement:
    return ButtonElement(
        text="Edit", action_id=ORDER_EDIT_OPEN, value=edit_button_value(account_id, order_id, order)
    )


def limits_line(limits: OrderLimits, symbol: str) -> str:
    """``Right now this account can buy up to 480 AAPL at $208.00 and sell up to 12 at $207.90.``"""
    parts: list[str] = []
    named = escape(limits.symbol or symbol)
    for verb, limit, at in (
        ("buy", limits.buy_limit, limits.buy_price),
        ("sell", limits.sell_limit, limits.sell_price),
    ):
        if limit is not None:
            what = f"{shares(limit)} {named}" if not parts else shares(limit)
            parts.append(f"{verb} up to {what}" + (f" at {price(at)}" if at else ""))
    return f"Right now this account can {' and '.join(parts)}."


def order_details_message(
    account_id: int, order: Order, executions: Sequence[OrderDetail], fees: Decimal | None
) -> dict[str, Any]:
    """`/order show`: the order's terms and status, every execution (time, quantity, price),
    the fees, a bracket's legs, and Cancel while it is open."""
    status = order.status.name
    words = status_words(status)
    lines = [
        f":page_facing_up: Order {order.id} in account {account_id}: {order_summary(order)}",
        f"Status: *{words}*" + (f" · {fill}" if (fill := _fill_line(order)) else ""),
    ]
    if order.status == OrderStatus.Rejected:
        lines.append(f"AutoShares rejected it: {escape(order.error_description_text or order.description or 'no reason given')}.")
    blocks: list[Block] = [section("\n".join(lines))]
    if executions:
        rows = [_execution_row(line) for line in list(executions)[:MAX_LISTED_ORDERS]]
        blocks.append(section(clip("*Executions*\n" + "\n".join(rows))))
    else:
        blocks.append(section("*Executions*\nNone yet."))
    if order.legs:
        bracket = order.type in _BRACKET_TYPES
        roles = ["entry", *(["exit"] * (len(order.legs) - 1))] if bracket else ["leg"] * len(order.legs)
        rows = [
            f"• Order {leg.id} ({role}): {order_summary(leg)} · {status_words(leg.status.name)}"
            for role, leg in zip(roles, order.legs, strict=True)
        ]
        blocks.append(section(clip("*Legs*\n" + "\n".join(rows))))
    blocks.append(context(f"Fees: {money(fees if fees is not None else Decimal(0))}"))
    if order.is_open:
        blocks.append(
            ActionsBlock(
                block_id=f"shown:{order.id}",
                elements=[_cancel_open_button(account_id, order.id, order.symbol)],
            )
        )
    return message(f"Order {order.id}: {plain_summary(order)} is {words}.", blocks)


def _execution_row(line: OrderDetail) -> str:
    """``• <time> · Buy 5 at $224.50`` (the side when AutoShares names it)."""
    side = _SIDE_WORDS.get(line.side or "")
    what = f"{side} {shares(line.last_quantity)}" if side else shares(line.last_quantity)
    return f"• {_when(line)} · {what} at {price(line.last_price)}"


def _when(line: OrderDetail) -> str:
    moment = line.when
    if moment is None:
        return "time not given"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time_secs}}|{moment:%Y-%m-%d %H:%M:%S} UTC>"


def open_orders_message(account_id: int, orders: Sequence[Order]) -> dict[str, Any]:
    """Open orders of one account, each with a Cancel button (exactly the open statuses)."""
    if not orders:
        sentence = f"You have no open orders in account {account_id}. Place one with `/order buy 1 AAPL`."
        return message(sentence, [section(sentence)])
    blocks: list[Block] = [section(f"*Open orders in account {account_id}*")]
    listed = {order.id for order in orders}
    # A bracket's legs are listed under it (its summary names them); Cancel on it cancels them.
    orders = [order for order in orders if order.parent_id is None or order.parent_id not in listed]
    for order in list(orders)[:MAX_LISTED_ORDERS]:
        status = order.status.name
        detail = status_words(status)
        fill = _fill_line(order)
        text = f"{order_summary(order)}\nOrder {order.id} · {detail}" + (f" · {fill}" if fill else "")
        blocks.append(SectionBlock(block_id=f"open:{order.id}", text=MarkdownTextObject(text=clip(text))))
        if order.is_open:
            fund = order.type == OrderType.MutualFundsExchange
            blocks.append(
                ActionsBlock(
                    block_id=f"open_actions:{order.id}",
                    elements=[
                        *([] if fund or fixed_kind(order) else [edit_button(account_id, order.id, order)]),
                        _cancel_open_button(account_id, order.id, order.symbol, fund=fund),
                    ],
                )
            )
    hidden = len(orders) - MAX_LISTED_ORDERS
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more open orders."))
    count = len(orders)
    return message(f"{count} open order{'s' if count != 1 else ''} in account {account_id}", blocks)


def order_cancel_requested(order_id: int, result: Order | None) -> dict[str, Any]:
    """The answer to a Cancel: the order's status as AutoShares gave it back (PendingCancel
    when it gave nothing back)."""
    status = result.status.name if result is not None else OrderStatus.PendingCancel.name
    words = status_words(status)
    sentence = f":no_entry_sign: Cancel sent for order {order_id}: it is now {words}."
    return message(f"Order {order_id} is now {words}.", [section(sentence)])


# -- modals ----------------------------------------------------------------------------------------


def view_metadata(**values: Any) -> str:
    """Compact JSON for a view's private_metadata (limit 3000 characters)."""
    return json.dumps({k: v for k, v in values.items() if v is not None}, separators=(",", ":"))[:3000]


def _option(label: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=label), value=value)


def _select(action_id: str, options: Sequence[tuple[str, str]], initial: str | None) -> StaticSelectElement:
    built = [_option(label, value) for label, value in options]
    chosen = next((o for o in built if o.value == initial), None)
    return StaticSelectElement(action_id=action_id, options=built, initial_option=chosen)


def _text_input(action_id: str, initial: str | None, placeholder: str) -> PlainTextInputElement:
    return PlainTextInputElement(
        action_id=action_id,
        initial_value=initial or None,
        placeholder=PlainTextObject(text=placeholder),
        max_length=24,
    )


#: The ticket's choices, (label, the word the `/order` grammar reads), in the order shown.
TICKET_SIDES = (("Buy", "buy"), ("Sell", "sell"), ("Short", "short"), ("Cover", "cover"))
TICKET_TYPES = (("Market", "market"), ("Limit", "limit"), ("Stop", "stop"), ("Stop limit", "stoplimit"))
TICKET_TIMES_IN_FORCE = (("Day", "day"), ("Good till cancelled", "gtc"))
TICKET_SESSIONS = (
    ("The next extended session too", "ext"),
    ("Pre-market and regular hours", "pre"),
    ("Regular hours and after-hours", "post"),
)


def _ticket_inputs(values: Mapping[str, str]) -> list[Block]:
    """The ticket's inputs, one per field ``order_from_fields`` reads, prefilled from ``values``."""

    def optional(block_id: str, label: str, hint: str, placeholder: str) -> InputBlock:
        element = _text_input(block_id, values.get(block_id), placeholder)
        return InputBlock(block_id=block_id, label=label, optional=True, hint=hint, element=element)

    return [
        InputBlock(block_id="symbol", label="Symbol", element=_text_input("symbol", values.get("symbol"), "AAPL")),
        InputBlock(block_id="side", label="Side", element=_select("side", TICKET_SIDES, values.get("side"))),
        InputBlock(
            block_id="type",
            label="Order type",
            element=_select("type", TICKET_TYPES, values.get("type") or "market"),
        ),
        InputBlock(
            block_id="quantity",
            label="Quantity (shares)",
            element=_text_input("quantity", values.get("quantity"), "10"),
        ),
        optional("limit_price", "Limit price", "For limit and stop limit orders.", "180.50"),
        optional("stop_price", "Stop price", "For stop and stop limit orders.", "175.00"),
        InputBlock(
            block_id="time_in_force",
            label="Time in force",
            element=_select("time_in_force", TICKET_TIMES_IN_FORCE, values.get("time_in_force") or "day"),
        ),
        optional("account", "Account", "Leave empty for your default account.", "account id"),
        InputBlock(
            block_id="extended_hours",
            label="Extended hours",
            optional=True,
            hint="Limit orders only. Leave empty to trade in regular hours only.",
            element=_select("extended_hours", TICKET_SESSIONS, values.get("extended_hours")),
        ),
    ]


def order_ticket_view(
    *, channel_id: str | None, prefill: Mapping[str, str] | None = None, hint: str | None = None
) -> dict[str, Any]:
    """The order ticket. Block ids are the fields ``order_from_fields`` reads."""
    blocks: list[Block] = []
    if hint:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(hint))]))
    blocks += _ticket_inputs(dict(prefill or {}))
    view = View(
        type="modal",
        callback_id=ORDER_TICKET_CALLBACK,
        title="Order ticket",
        submit="Preview",
        close="Close",
        private_metadata=view_metadata(channel=channel_id),
        blocks=blocks,
    )
    return view.to_dict()


def ticket_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """The ticket's ``view.state.values`` as the strings ``order_from_fields`` expects."""
    fields: dict[str, str] = {}
    for name in TICKET_FIELDS:
        element = (state_values.get(name) or {}).get(name) or {}
        kind = element.get("type")
        if kind == "static_select":
            fields[name] = str((element.get("selected_option") or {}).get("value") or "")
        elif kind == "checkboxes":  # a ticket opened before the session became a choice
            fields[name] = "ext" if element.get("selected_options") else ""
        else:
            fields[name] = str(element.get("value") or "")
    return fields


def large_order_view(
    *,
    pending_id: str,
    order: Shown,
    notional: Decimal | None,
    response_url: str | None,
    channel_id: str | None,
) -> dict[str, Any]:
    """The second step for a large order (or subscription): type the symbol to place it."""
    symbol = order_symbol(order)
    change = _replaces(order) is not None
    contract = option_contract(symbol)
    symbol = contract.underlying if contract is not None else symbol  # an option: its underlying
    view = View(
        type="modal",
        callback_id=ORDER_LARGE_CALLBACK,
        title="Confirm large change" if change else "Confirm large order",
        submit="Change order" if change else "Place order",
        close="Back",
        private_metadata=view_metadata(
            pending=pending_id, symbol=symbol, response_url=response_url, channel=channel_id
        ),
        blocks=[
            section(
                (
                    f":warning: {order_summary(order)} is worth about {money(notional)}.\n"
                    if notional is not None
                    else f":warning: AutoShares did not say what {order_summary(order)} is worth.\n"
                )
                + f"Type the symbol to confirm you mean to {'change the order to this' if change else 'place it'}."
            ),
            InputBlock(
                block_id=LARGE_SYMBOL_BLOCK,
                label="Symbol",
                element=PlainTextInputElement(
                    action_id=LARGE_SYMBOL_ACTION,
                    placeholder=PlainTextObject(text=clip(f"Type {symbol}", 150)),
                    max_length=16,
                ),
            ),
        ],
    )
    return view.to_dict()


def order_edit_view(
    *, account_id: int, order_id: int, order_type: str, prefill: Mapping[str, str], channel_id: str | None
) -> dict[str, Any]:
    """The edit modal of a working order: its quantity and the prices its type has, prefilled;
    block ids are the fields ``edit_from_fields`` reads."""
    blocks: list[Block] = [
        section(f":pencil2: Change order {order_id}. Leave a field as it is to keep it; a preview follows."),
        InputBlock(
            block_id="quantity",
            label="Quantity (shares)",
            element=_text_input("quantity", prefill.get("quantity"), "10"),
        ),
    ]
    if order_type in LIMIT_PRICED:
        blocks.append(
            InputBlock(
                block_id="limit_price",
                label="Limit price",
                element=_text_input("limit_price", prefill.get("limit_price"), "180.50"),
            )
        )
    if order_type in STOP_PRICED:
        blocks.append(
            InputBlock(
                block_id="stop_price",
                label="Stop price",
                element=_text_input("stop_price", prefill.get("stop_price"), "175.00"),
            )
        )
    view = View(
        type="modal",
        callback_id=ORDER_EDIT_CALLBACK,
        title="Change order",
        submit="Preview",
        close="Close",
        private_metadata=view_metadata(order=order_id, account=account_id, channel=channel_id),
        blocks=blocks,
    )
    return view.to_dict()


def edit_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """The edit modal's ``view.state.values`` as strings (empty: the order keeps that term)."""
    return {
        name: str(((state_values.get(name) or {}).get(name) or {}).get("value") or "") for name in EDIT_FIELDS
    }

"""An account's activity, a page at a time, with Previous/Next and Export CSV.

Each button carries what the page was asked for (account, period, kind, page), so a click
reads the same activity again without anything kept between clicks.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, get_args

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.autoshares.resources import Activity, ActivityType, MarginType
from bot.core.commands import ActivityKind, ActivityPeriod, ActivityRequest
from bot.core.views import ActivityExport, ActivityPage
from handlers.blocks.account import account_label
from handlers.blocks.common import (
    account_and_page,
    clip,
    context,
    error_message,
    escape,
    message,
    notice,
    section,
)
from handlers.blocks.numbers import MISSING, price, shares, signed_money

ACTIVITY_PREVIOUS = "activity_previous"
ACTIVITY_NEXT = "activity_next"
ACTIVITY_EXPORT = "activity_export"

PERIOD_LABELS: dict[ActivityPeriod, str] = {
    "7d": "the last 7 days",
    "30d": "the last 30 days",
    "ytd": "this year so far",
}
KIND_LABELS: dict[ActivityKind, str] = {
    "trades": "Trades",
    "dividends": "Dividends",
    "fees": "Fees",
    "all": "All activity",
}
TYPE_LABELS: dict[ActivityType, str] = {
    ActivityType.OrderExecution: "Trade",
    ActivityType.Commission: "Commission",
    ActivityType.Payment: "Payment",
    ActivityType.Clearing: "Clearing fee",
    ActivityType.OptionExpiration: "Option expiration",
    ActivityType.ManualManipulation: "Adjustment",
    ActivityType.Rpl: "Realized P&L",
    ActivityType.Undefined: "Other",
}


def page_value(account_id: int, request: ActivityRequest, page: int) -> str:
    """Button value for a page of activity (zero-based page, as AutoShares counts)."""
    return f"{account_id}:{request.period}:{request.kind}:{page}"


def parse_page_value(value: str) -> tuple[ActivityRequest, int]:
    """Inverse of :func:`page_value`; ValueError for anything else."""
    account_text, period_text, kind_text, page_text = value.split(":")
    account_id, page = account_and_page(account_text, page_text)
    period = next((p for p in get_args(ActivityPeriod) if p == period_text), None)
    kind = next((k for k in get_args(ActivityKind) if k == kind_text), None)
    if period is None or kind is None:
        raise ValueError(value)
    return ActivityRequest(period, kind, account_id), page


def _day(moment: datetime) -> str:
    """``Dec 7, 2026``: the day in UTC, as the periods count days."""
    day = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{day:%b} {day.day}, {day.year}"


def type_label(item: Activity) -> str:
    """What the entry is: a trade, a dividend, a commission…"""
    if item.margin_type == MarginType.Dividend:
        return "Dividend"
    return TYPE_LABELS.get(item.type, "Other") if item.type else "Other"


def _entry(item: Activity, currency: str) -> SectionBlock:
    day = _day(item.date)
    head = f"*{type_label(item)}*" + (f" · *{escape(item.symbol)}*" if item.symbol else "") + f" · {day}"
    parts: list[str] = []
    if item.quantity is not None and item.price is not None and item.type == ActivityType.OrderExecution:
        # The shares and price say what a fill's description would ("Bought 3 AAPL @ 200.00").
        # Money out is a purchase; without an amount, a sale's quantity is negative.
        sold = item.value > 0 if item.value else item.quantity < 0
        side = "Sold" if sold else "Bought"
        parts.append(f"{side} {shares(abs(item.quantity))} sh @ {price(item.price, currency)}")
    elif item.description:
        parts.append(escape(item.description))
    amount = signed_money(item.value, currency)
    parts.append(f"amount {amount}" if amount != MISSING else "no amount")
    return SectionBlock(text=MarkdownTextObject(text=clip(f"{head}\n{' · '.join(parts)}")))


def _buttons(found: ActivityPage) -> ActionsBlock:
    elements: list[ButtonElement] = []
    if found.page > 0:
        elements.append(
            ButtonElement(
                text="Previous",
                action_id=ACTIVITY_PREVIOUS,
                value=page_value(found.account_id, found.request, found.page - 1),
            )
        )
    if found.has_next:
        elements.append(
            ButtonElement(
                text="Next",
                action_id=ACTIVITY_NEXT,
                value=page_value(found.account_id, found.request, found.page + 1),
            )
        )
    elements.append(
        ButtonElement(
            text="Export CSV", action_id=ACTIVITY_EXPORT, value=page_value(found.account_id, found.request, 0)
        )
    )
    return ActionsBlock(block_id="activity_actions", elements=elements)


def activity_message(found: ActivityPage) -> dict[str, Any]:
    """One page of activity, newest first, with Previous/Next and Export CSV."""
    request, label = found.request, account_label(found.account)
    currency = found.account.currency or "USD"
    what, period = KIND_LABELS[request.kind], PERIOD_LABELS[request.period]
    since = _day(found.since)
    if not found.items and found.page == 0:
        sentence = f"{what} in {label} over {period} (since {since}): nothing yet."
        tips = "Try a longer period, such as `/autoshares activity ytd`."
        return message(
            sentence,
            [section(f"*{what}* in {label} over {period} (since {since}): nothing yet."), context(tips)],
        )
    total = found.total if found.total is not None else found.page * found.page_size + len(found.items)
    pages = max(1, math.ceil(total / found.page_size)) if found.total is not None else None
    where = f"page {found.page + 1} of {pages}" if pages else f"page {found.page + 1}"
    blocks: list[Block] = [
        section(
            f"*{what}* in {label} over {period} (since {since}) — {total} entr{'ies' if total != 1 else 'y'}, {where}"
        ),
        DividerBlock(),
    ]
    blocks.extend(_entry(item, currency) for item in list(found.items)[: found.page_size])
    if not found.items:
        blocks.append(section("_Nothing on this page._"))
    blocks.append(_buttons(found))
    blocks.append(
        context("Newest first, as AutoShares records it. Export CSV sends the whole period to your DM.")
    )
    return message(f"{what} in account {found.account_id} over {period} ({where})", blocks)


def export_sent_message(export: ActivityExport, period: ActivityPeriod) -> dict[str, Any]:
    """Told to the clicker once the report is in their DM."""
    rows = f"{export.rows} row{'s' if export.rows != 1 else ''}"
    return notice(
        f":page_facing_up: The activity report of account {export.account_id} over {PERIOD_LABELS[period]} "
        f"({rows}) is in your direct messages with me as `{escape(export.filename)}`."
    )


def export_refused_message(error: str) -> dict[str, Any]:
    """Slack would not take the report."""
    return error_message(
        f"I could not send the report to your direct messages ({escape(error)}). "
        "Open a direct message with me, then click Export CSV again."
    )

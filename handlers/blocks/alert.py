"""Price alerts in Block Kit: created, listed (Delete buttons), deleted, and the one message a
trigger posts (with Buy and Sell buttons that open the order ticket). Pure builders, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.core.views import RouteView
from handlers.blocks.common import clip, context, escape, message, section
from handlers.blocks.numbers import price

__all__ = [
    "ALERT_DELETE",
    "ALERT_BUY",
    "ALERT_SELL",
    "alert_condition",
    "alert_created_message",
    "alerts_list_message",
    "alert_deleted_message",
    "alert_triggered_message",
]

ALERT_DELETE = "alert_delete"
ALERT_BUY = "alert_buy"
ALERT_SELL = "alert_sell"
MAX_LISTED_ALERTS = 25

_OPERATOR_WORDS = {"GTEQ": "at or above", "LTEQ": "at or below"}
_FIELD_WORDS = {"Last": "last price", "Bid": "bid", "Ask": "ask"}
_STATE_WORDS = {"New": "watching", "Completed": "triggered", "Expired": "expired", "Stopped": "paused"}


def alert_condition(symbol: Any, operator: Any, field: Any, argument: Any) -> str:
    """``*AAPL* last price at or above *$200.00*`` (escaped)."""
    op = _OPERATOR_WORDS.get(str(operator), escape(operator))
    what = _FIELD_WORDS.get(str(field), escape(field))
    return f"*{escape(symbol)}* {what} {op} *{price(argument)}*"


def _date(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    moment = moment.astimezone(UTC)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def _where(channel_id: str, slack_user_id: str) -> str:
    return "in a DM to you" if channel_id == slack_user_id else f"in <#{escape(channel_id)}>"


def alert_created_message(alert: Mapping[str, Any], route: RouteView) -> dict[str, Any]:
    condition = alert_condition(route.symbol, route.operator, route.field, route.argument)
    lines = [
        f":bell: Alert {escape(alert.get('Id'))} set: {condition}.",
        f"I will post {_where(route.channel_id, route.slack_user_id)} when it triggers; "
        f"it expires {_date(route.expires_at)}.",
    ]
    plain = f"Alert {escape(alert.get('Id'))} set for {escape(route.symbol)}."
    return message(
        plain,
        [
            section("\n".join(lines)),
            context("Remove it with `/alert delete " + escape(alert.get("Id")) + "`."),
        ],
    )


def alerts_list_message(alerts: Sequence[Mapping[str, Any]], *, slack_user_id: str) -> dict[str, Any]:
    """The user's alerts, each with a Delete button."""
    if not alerts:
        sentence = "You have no price alerts. Set one with `/alert AAPL above 200`."
        return message(sentence, [section(sentence)])
    blocks: list[Block] = [section("*Your price alerts*")]
    for alert in list(alerts)[:MAX_LISTED_ALERTS]:
        alert_id = int(alert.get("Id") or 0)
        state = _STATE_WORDS.get(str(alert.get("State")), escape(alert.get("State") or ""))
        condition = alert_condition(
            alert.get("Symbol") or alert.get("SecurityId"),
            alert.get("Operator"),
            alert.get("Field"),
            alert.get("Argument"),
        )
        channel = alert.get("_channel")
        where = f" · posts {_where(str(channel), slack_user_id)}" if channel else ""
        text = f"{condition}\nAlert {alert_id} · {state}{where}"
        blocks.append(
            SectionBlock(
                block_id=f"alert:{alert_id}",
                text=MarkdownTextObject(text=clip(text)),
                accessory=ButtonElement(
                    text="Delete", action_id=ALERT_DELETE, value=str(alert_id), style="danger"
                ),
            )
        )
    hidden = len(alerts) - MAX_LISTED_ALERTS
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more."))
    count = len(alerts)
    return message(f"You have {count} price alert{'s' if count != 1 else ''}.", blocks)


def alert_deleted_message(alert_id: int) -> dict[str, Any]:
    sentence = f":wastebasket: Alert {alert_id} is deleted; it will not post anything."
    return message(f"Alert {alert_id} is deleted.", [section(sentence)])


def alert_triggered_message(
    route: RouteView, triggered_price: float | Decimal | None, *, undeliverable_channel: str | None = None
) -> dict[str, Any]:
    """The one message a triggered alert posts: who set it, the condition, the price; Buy/Sell."""
    condition = alert_condition(route.symbol, route.operator, route.field, route.argument)
    lines = [f":rotating_light: <@{escape(route.slack_user_id)}>'s alert triggered: {condition}."]
    if triggered_price is not None:
        what = _FIELD_WORDS.get(route.field, "price")
        lines.append(f"The {what} reached *{price(triggered_price)}*.")
    blocks: list[Block] = [section("\n".join(lines))]
    blocks.append(
        ActionsBlock(
            block_id=f"alert_trade:{route.alert_id}",
            elements=[
                ButtonElement(
                    text=f"Buy {route.symbol}", action_id=ALERT_BUY, value=route.symbol, style="primary"
                ),
                ButtonElement(text=f"Sell {route.symbol}", action_id=ALERT_SELL, value=route.symbol),
            ],
        )
    )
    footer = f"Alert {route.alert_id}"
    if undeliverable_channel:
        footer += f" · I could not post in <#{escape(undeliverable_channel)}>, so it came to you here"
    blocks.append(context(footer + "."))
    shown = f" at {price(triggered_price)}" if triggered_price is not None else ""
    plain = (
        f"Alert: {escape(route.symbol)} {_FIELD_WORDS.get(route.field, 'price')} "
        f"{_OPERATOR_WORDS.get(route.operator, '')} {price(route.argument)}{shown}"
    )
    return message(plain, blocks)

"""Price alerts in Block Kit: created, listed (Delete buttons), deleted, and the one message a
trigger posts (with Buy and Sell buttons that open the order ticket, and Snooze buttons when
its group can trigger again). Pure builders, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.autoshares.resources import AlertState, PriceAlert
from bot.core.views import GroupView, ListedAlert, RouteView
from handlers.blocks.common import clip, context, escape, message, section
from handlers.blocks.numbers import price

__all__ = [
    "ALERT_DELETE",
    "ALERT_BUY",
    "ALERT_SELL",
    "ALERT_SNOOZE_HOUR",
    "ALERT_SNOOZE_DAY",
    "alert_condition",
    "alert_created_message",
    "alerts_list_message",
    "alert_deleted_message",
    "alert_delivery_message",
    "alert_triggered_message",
]

ALERT_DELETE = "alert_delete"
ALERT_EDIT = "alert_edit"
#: Edit buttons under one list at most (with MAX_LISTED_ALERTS sections, within Slack's 50 blocks).
MAX_EDIT_BUTTONS = 20
ALERT_BUY = "alert_buy"
ALERT_SELL = "alert_sell"
#: The Snooze buttons of a trigger that may come again (value: the alert id).
ALERT_SNOOZE_HOUR = "alert_snooze_hour"
ALERT_SNOOZE_DAY = "alert_snooze_day"
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


def duration_words(seconds: int) -> str:
    """``1 hour``, ``90 minutes``, ``2 days``: a cool-down as people say it."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


_MOVE_WORDS = {"moves": "moves", "up": "rises", "down": "falls"}


def _move(group: GroupView | None) -> str | None:
    """``moves 5% from the previous close *$225.00*``, for a percent-move group."""
    if group is None or group.percent is None or group.reference is None:
        return None
    verb = _MOVE_WORDS.get(str(group.direction), "moves")
    return f"{verb} {_percent(group.percent)} from the previous close *{price(group.reference)}*"


def _date_words(moment: datetime) -> str:
    """A time as Slack shows it in each reader's time zone (UTC in the fallback)."""
    moment = moment.astimezone(UTC)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def alert_created_message(
    alert: PriceAlert,
    route: RouteView,
    *,
    group: GroupView | None = None,
    also: Sequence[RouteView] = (),
    to_dm: bool = False,
) -> dict[str, Any]:
    """What ``/alert`` set: ``route`` (AutoShares' ``alert``), and ``also`` the other level of a
    percent move; its group's move and repeat; where triggers will go."""
    routes = [route, *also]
    ids = [str(r.alert_id) for r in routes]
    named = f"Alert {alert.id}" if len(ids) == 1 else f"Alerts {' and '.join(ids)}"
    move = _move(group)
    if move:
        levels = " or ".join(
            f"{_OPERATOR_WORDS.get(str(r.operator), escape(r.operator))} *{price(r.argument)}*"
            for r in routes
        )
        what = _FIELD_WORDS.get(str(route.field), escape(route.field))
        condition = f"*{escape(route.symbol)}* {move}: {what} {levels}"
    else:
        condition = alert_condition(route.symbol, route.operator, route.field, route.argument)
    where = "in a DM to you" if to_dm else _where(route.channel_id, route.slack_user_id)
    lines = [
        f":bell: {named} set: {condition}.",
        f"I will post {where} when it triggers; it expires {_date(route.expires_at)}.",
    ]
    if group is not None and group.repeat_seconds:
        lines.append(
            f"It repeats: armed again {duration_words(group.repeat_seconds)} after each trigger, "
            "and each trigger after the first replies in the first one's thread."
        )
    elif len(routes) > 1:
        lines.append("If both trigger, the second replies in the first one's thread.")
    plain = f"{named} set for {escape(route.symbol)}."
    return message(
        plain,
        [
            section("\n".join(lines)),
            context(f"Remove {'it' if len(ids) == 1 else 'them'} with `/alert delete {ids[0]}`."),
        ],
    )


def alert_delivery_message(to_dm: bool) -> dict[str, Any]:
    """The answer to `/alert deliver dm|channel`."""
    sentence = (
        ":incoming_envelope: From now on your alerts' triggers come to you in a DM with me, "
        "wherever you set them."
        if to_dm
        else ":mega: From now on your alerts' triggers post where you set each alert."
    )
    return message(sentence, [section(sentence)])


def _delivery_line(to_dm: bool) -> str:
    if to_dm:
        return "Triggers come to you in a DM with me; `/alert deliver channel` posts them where each alert was set."
    return "Triggers post where each alert was set; `/alert deliver dm` sends them to a DM with me instead."


def alerts_list_message(
    alerts: Sequence[ListedAlert], *, slack_user_id: str, to_dm: bool = False
) -> dict[str, Any]:
    """The user's alerts, each with a Delete button (and an Edit button when it can be edited
    in place: armed, not one of a group), and where their triggers go."""
    if not alerts:
        sentence = "You have no price alerts. Set one with `/alert AAPL above 200`."
        return message(sentence, [section(sentence), context(_delivery_line(to_dm))])
    blocks: list[Block] = [section("*Your price alerts*"), context(_delivery_line(to_dm))]
    edits = 0
    for listed in list(alerts)[:MAX_LISTED_ALERTS]:
        alert, channel = listed.alert, listed.channel
        alert_id = alert.id
        state = _STATE_WORDS.get(str(alert.state), escape(alert.state or ""))
        condition = alert_condition(
            alert.symbol or alert.security_id, alert.operator, alert.field, alert.argument
        )
        where = (
            f" · posts {_where(slack_user_id if to_dm else str(channel), slack_user_id)}" if channel else ""
        )
        text = f"{condition}\nAlert {alert_id} · {state}{where}{_group_words(listed.group)}"
        blocks.append(
            SectionBlock(
                block_id=f"alert:{alert_id}",
                text=MarkdownTextObject(text=clip(text)),
                accessory=ButtonElement(
                    text="Delete", action_id=ALERT_DELETE, value=str(alert_id), style="danger"
                ),
            )
        )
        if editable(listed) and edits < MAX_EDIT_BUTTONS:
            edits += 1
            blocks.append(edit_actions(listed))
    hidden = len(alerts) - MAX_LISTED_ALERTS
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more."))
    count = len(alerts)
    return message(f"You have {count} price alert{'s' if count != 1 else ''}.", blocks)


def editable(listed: ListedAlert) -> bool:
    """Armed, and not one of a group (a percent move or a repeating alert is edited as a whole
    by setting it again)."""
    return listed.group is None and (listed.alert.state in (None, AlertState.New))


def edit_actions(listed: ListedAlert) -> ActionsBlock:
    alert_id = listed.alert.id
    return ActionsBlock(
        block_id=f"alert_edit:{alert_id}",
        elements=[
            ButtonElement(
                text="Edit",
                action_id=ALERT_EDIT,
                value=str(alert_id),
                accessibility_label=f"Change the price or direction of alert {alert_id}",
            )
        ],
    )


def _group_words(group: GroupView | None) -> str:
    """`` · moves 5% from the previous close $225.00 · repeats every 1 hour · snoozed until …``"""
    if group is None:
        return ""
    words = ""
    move = _move(group)
    if move:
        words += f" · {move}"
    if group.repeat_seconds:
        words += f" · repeats every {duration_words(group.repeat_seconds)}"
    if group.snoozed_until is not None and group.snoozed_until > datetime.now(UTC):
        words += f" · snoozed until {_date_words(group.snoozed_until)}"
    return words


def alert_deleted_message(alert_id: int, also: Sequence[int] = ()) -> dict[str, Any]:
    """``also``: the rest of its group, deleted with it."""
    if not also:
        sentence = f":wastebasket: Alert {alert_id} is deleted; it will not post anything."
        return message(f"Alert {alert_id} is deleted.", [section(sentence)])
    ids = [alert_id, *also]
    named = ", ".join(str(i) for i in ids[:-1]) + f" and {ids[-1]}"
    sentence = f":wastebasket: Alerts {named} are deleted; they will not post or repeat anything."
    return message(f"Alerts {named} are deleted.", [section(sentence)])


def alert_triggered_message(
    route: RouteView,
    triggered_price: float | Decimal | None,
    *,
    undeliverable_channel: str | None = None,
    group: GroupView | None = None,
    snoozed_until: datetime | None = None,
) -> dict[str, Any]:
    """The one message a triggered alert posts: who set it, the condition, the price; Buy/Sell,
    and Snooze 1 hour / 1 day when its group may trigger again (a repeat, or the other way of
    a move). ``snoozed_until``: the message as the owner's snooze left it (no Snooze buttons)."""
    condition = alert_condition(route.symbol, route.operator, route.field, route.argument)
    move = _move(group)
    if move:
        condition += f" ({move.replace('*', '')})"
    lines = [f":rotating_light: <@{escape(route.slack_user_id)}>'s alert triggered: {condition}."]
    if triggered_price is not None:
        what = _FIELD_WORDS.get(route.field, "price")
        lines.append(f"The {what} reached *{price(triggered_price)}*.")
    blocks: list[Block] = [section("\n".join(lines))]
    elements = [
        ButtonElement(text=f"Buy {route.symbol}", action_id=ALERT_BUY, value=route.symbol, style="primary"),
        ButtonElement(text=f"Sell {route.symbol}", action_id=ALERT_SELL, value=route.symbol),
    ]
    again = group is not None and (bool(group.repeat_seconds) or group.direction == "moves")
    if again and snoozed_until is None:
        elements += [
            ButtonElement(text="Snooze 1 hour", action_id=ALERT_SNOOZE_HOUR, value=str(route.alert_id)),
            ButtonElement(text="Snooze 1 day", action_id=ALERT_SNOOZE_DAY, value=str(route.alert_id)),
        ]
    blocks.append(ActionsBlock(block_id=f"alert_trade:{route.alert_id}", elements=elements))
    if snoozed_until is not None:
        blocks.append(
            context(f":zzz: Snoozed until {_date_words(snoozed_until)}: nothing more posts before then.")
        )
    footer = f"Alert {route.alert_id}"
    if group is not None and group.repeat_seconds:
        footer += f" · armed again {duration_words(group.repeat_seconds)} after each trigger"
    if undeliverable_channel:
        footer += f" · I could not post in <#{escape(undeliverable_channel)}>, so it came to you here"
    blocks.append(context(footer + "."))
    shown = f" at {price(triggered_price)}" if triggered_price is not None else ""
    plain = (
        f"Alert: {escape(route.symbol)} {_FIELD_WORDS.get(route.field, 'price')} "
        f"{_OPERATOR_WORDS.get(route.operator, '')} {price(route.argument)}{shown}"
    )
    return message(plain, blocks)

"""Editing a price alert in place: the Edit button under `/alert list`, its modal (prefilled
with the alert's direction, price and field) and what an edit answers.

The modal's block ids are the fields ``handlers.parsing.alert.parse_alert_edit_form`` reads;
its private metadata names the alert and the conversation to answer in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.autoshares.resources import PriceAlert
from bot.core.views import RouteView
from handlers.blocks.alert import ALERT_EDIT, alert_condition, editable
from handlers.blocks.common import context, message, section
from handlers.blocks.order import view_metadata

ALERT_EDIT_CALLBACK = "alert_edit_form"
EDIT_FIELDS = ("operator", "price", "field")
_OPERATORS = (("above", "At or above", "GTEQ"), ("below", "At or below", "LTEQ"))
_FIELDS = (("last", "Last price", "Last"), ("bid", "Bid", "Bid"), ("ask", "Ask", "Ask"))


def _select(name: str, choices: tuple[tuple[str, str, str], ...], chosen: str | None) -> StaticSelectElement:
    options = [Option(value=value, label=label) for value, label, _ in choices]
    initial = next((o for o, (_, _, api) in zip(options, choices, strict=True) if api == chosen), options[0])
    return StaticSelectElement(action_id=name, options=options, initial_option=initial)


def alert_edit_view(alert: PriceAlert, *, channel_id: str | None) -> dict[str, Any]:
    """The Edit modal, prefilled with the alert's direction, price and field."""
    argument = f"{alert.argument:f}".rstrip("0").rstrip(".") if alert.argument is not None else ""
    blocks: list[Block] = [
        section(
            f"Alert {alert.id}: {alert_condition(alert.symbol or alert.security_id, alert.operator, alert.field, alert.argument)}"
        ),
        InputBlock(
            block_id="operator",
            label="Direction",
            element=_select("operator", _OPERATORS, alert.operator.value if alert.operator else None),
        ),
        InputBlock(
            block_id="price",
            label="Price",
            element=PlainTextInputElement(action_id="price", initial_value=argument, placeholder="240"),
        ),
        InputBlock(
            block_id="field",
            label="Watch",
            element=_select("field", _FIELDS, alert.field.value if alert.field else "Last"),
        ),
        context("The alert keeps its id, its symbol, where it posts and when it expires."),
    ]
    view = View(
        type="modal",
        callback_id=ALERT_EDIT_CALLBACK,
        title="Edit price alert",
        submit="Save",
        close="Cancel",
        private_metadata=view_metadata(alert=alert.id, channel=channel_id),
        blocks=blocks,
    )
    return view.to_dict()


def edit_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """The modal's ``view.state.values`` as strings: the selects' values, the typed price."""
    found: dict[str, str] = {}
    for name in EDIT_FIELDS:
        element = (state_values.get(name) or {}).get(name) or {}
        if element.get("type") == "static_select":
            found[name] = str((element.get("selected_option") or {}).get("value") or "")
        else:
            found[name] = str(element.get("value") or "")
    return found


def alert_edited_message(alert: PriceAlert, route: RouteView | None) -> dict[str, Any]:
    """What an edit answers: the alert's new condition, as AutoShares now has it."""
    symbol = (route.symbol if route else None) or alert.symbol or alert.security_id
    condition = alert_condition(symbol, alert.operator, alert.field, alert.argument)
    lines = [f":pencil2: Alert {alert.id} now watches {condition}."]
    expires: datetime | None = route.expires_at if route else None
    if route is not None:
        lines.append(
            "It posts where it did before"
            + (f"; it expires {expires:%Y-%m-%d %H:%M} UTC." if expires else ".")
        )
    text = "\n".join(lines)
    return message(f"Alert {alert.id} edited.", [section(text)])


__all__ = [
    "ALERT_EDIT",
    "ALERT_EDIT_CALLBACK",
    "alert_edit_view",
    "alert_edited_message",
    "edit_values",
    "editable",
]

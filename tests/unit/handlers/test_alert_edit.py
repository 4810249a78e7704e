"""Editing an alert: the `/alert edit` grammar, the Edit button only where an edit can be made,
and the modal prefilled and read back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.autoshares.resources import PriceAlert, parse
from bot.core.commands import AlertEditCommand
from bot.core.views import ListedAlert
from bot.devkit import blockkit
from handlers.blocks.alert import alerts_list_message
from handlers.blocks.alert_edit import alert_edit_view, edit_values
from handlers.parsing import ParseError, parse_alert


def test_the_edit_grammar() -> None:
    assert parse_alert("edit 42 above 240") == AlertEditCommand(42, "GTEQ", Decimal("240"))
    assert parse_alert("edit 7 <= 1.5 ask").field == "Ask"  # type: ignore[union-attr]
    for text, words in (
        ("edit", "Say which alert to edit"),
        ("edit 42 sideways 3", "`sideways` is not a direction"),
        ("edit 42 above -3", "must be a number above zero"),
        ("edit 42 above 3 soon", "`soon` is not understood here"),
    ):
        with pytest.raises(ParseError, match=words) as refused:
            parse_alert(text)
        assert str(refused.value).endswith("Try `/alert edit 42 above 240`.")  # the edit's example
    with pytest.raises(ParseError, match="alert id must be a whole number.*Try `/alert edit 42 above 240`"):
        parse_alert("edit AAPL above 3")


def alert(**fields: object) -> PriceAlert:
    body = {"Id": 5, "Symbol": "AAPL", "Operator": "GTEQ", "Field": "Bid", "Argument": 240.5, "State": "New"}
    return parse(PriceAlert, body | fields, "test")


def test_only_armed_alerts_outside_a_group_get_an_edit_button() -> None:
    listed = [ListedAlert(alert(), "C1", None), ListedAlert(alert(Id=6, State="Completed"), "C1", None)]
    message = alerts_list_message(listed, slack_user_id="U1")
    edits = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in edits] == [("alert_edit", "5")]
    assert blockkit.problems(message["blocks"]) == []


def test_the_modal_is_prefilled_and_read_back() -> None:
    view = alert_edit_view(alert(), channel_id="C1")
    assert blockkit.problems(view["blocks"], view=True) == []
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["price"]["initial_value"] == "240.5"
    assert inputs["operator"]["initial_option"]["value"] == "above"
    assert inputs["field"]["initial_option"]["value"] == "bid"
    state = {
        name: {
            name: {
                **element,
                "selected_option": element.get("initial_option"),
                "value": element.get("initial_value"),
            }
        }
        for name, element in inputs.items()
    }
    assert edit_values(state) == {"operator": "above", "price": "240.5", "field": "bid"}

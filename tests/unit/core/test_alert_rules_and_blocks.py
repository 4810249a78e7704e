"""Alert bodies, routes, webhook signatures and alert builders, without I/O."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.app.webhooks import signature, signature_is_valid
from bot.autoshares.resources import PriceAlert, Quote
from bot.core.alerts import alert_body, expiry_text, move_levels, previous_close, route_channel
from bot.core.views import ListedAlert
from bot.devkit.blockkit import problems
from handlers.blocks import alert as b
from handlers.parsing import parse_alert
from storage.alerts import Route
from storage.records import RouteGroup


def _route(channel: str = "C1", symbol: str = "AAPL", user: str = "U1") -> Route:
    now = datetime.now(UTC)
    return Route(
        alert_id=3,
        team_id="T",
        slack_user_id=user,
        autoshares_user_id=1001,
        channel_id=channel,
        symbol=symbol,
        security_id=1,
        operator="GTEQ",
        field="Bid",
        argument=Decimal("200"),
        expires_at=now + timedelta(days=7),
        created_at=now,
        state="active",
        fired_at=None,
    )


def test_alert_body_is_a_price_alert_editable_model() -> None:
    expires = datetime(2026, 2, 1, tzinfo=UTC)
    body = alert_body(parse_alert("AAPL below 150.5 bid expires 7d"), 1, expires)
    assert body == {
        "State": "New",
        "Operator": "LTEQ",
        "SecurityId": 1,
        "Field": "Bid",
        "Argument": 150.5,
        "ExpirationDate": int(expires.timestamp()),
    }
    assert expiry_text(int(expires.timestamp())) == expires
    assert expiry_text(int(expires.timestamp()) * 1000) == expires  # milliseconds
    assert expiry_text(0) is None


def test_route_channel_is_the_user_for_direct_messages() -> None:
    assert route_channel("C123", "U1") == "C123"
    assert route_channel("G123", "U1") == "G123"
    assert route_channel("D123", "U1") == "U1"
    assert route_channel("", "U1") == "U1"


def test_signature_check() -> None:
    body = b'{"id":"evt_1"}'
    header = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature("s3cret", body) == header
    assert signature_is_valid("s3cret", body, header)
    assert not signature_is_valid("s3cret", body + b" ", header)
    assert not signature_is_valid("other", body, header)
    assert not signature_is_valid("s3cret", body, None)
    assert not signature_is_valid(None, body, header)
    assert not signature_is_valid("s3cret", body, header.replace("sha256=", ""))
    assert not signature_is_valid("s3cret", body, "sha256=\u00e9\u00e9")  # non-ASCII: False, never raises


def test_triggered_message_names_the_user_condition_and_price() -> None:
    message = b.alert_triggered_message(_route(), 201.5)
    assert problems(message["blocks"]) == []
    text = str(message["blocks"])
    assert "<@U1>'s alert triggered: *AAPL* bid at or above *$200.00*" in text
    assert "The bid reached *$201.50*" in text
    actions = [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert [(e["action_id"], e["value"]) for e in actions] == [("alert_buy", "AAPL"), ("alert_sell", "AAPL")]
    fallback = b.alert_triggered_message(_route(), None, undeliverable_channel="C1")
    assert "could not post in <#C1>" in str(fallback["blocks"]) and "reached" not in str(fallback["blocks"])


def _mrkdwn(message: dict) -> str:
    """Every text Slack parses for mentions: the fallback text and mrkdwn objects."""
    found = [message["text"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return "\n".join(found)


def alert(body: dict) -> PriceAlert:
    return PriceAlert.model_validate(body)


def test_user_text_cannot_ping() -> None:
    message = b.alert_triggered_message(_route(symbol="<!channel>"), 1)
    assert "<!channel>" not in _mrkdwn(message) and "&lt;!channel&gt;" in _mrkdwn(message)
    listing = b.alerts_list_message(
        [
            ListedAlert(
                alert(
                    {"Id": 1, "Symbol": "<!here>", "Operator": "GTEQ", "Field": "Last", "Argument": 1, "State": "New"}
                ),
                channel="C1",
            )
        ],
        slack_user_id="U1",
    )
    assert "<!here>" not in _mrkdwn(listing) and problems(listing["blocks"]) == []


def test_created_list_and_deleted_messages() -> None:
    created = b.alert_created_message(alert({"Id": 3}), _route(channel="U1"))
    assert problems(created["blocks"]) == [] and "in a DM to you" in str(created["blocks"])
    in_channel = b.alert_created_message(alert({"Id": 3}), _route(channel="C9"))
    assert "in <#C9>" in str(in_channel["blocks"]) and "<!date^" in str(in_channel["blocks"])
    assert "no price alerts" in b.alerts_list_message([], slack_user_id="U1")["text"]
    many = [
        ListedAlert(
            alert({"Id": i, "Symbol": "AAPL", "Operator": "LTEQ", "Field": "Ask", "Argument": 5, "State": "Completed"})
        )
        for i in range(30)
    ]
    listing = b.alerts_list_message(many, slack_user_id="U1")
    assert problems(listing["blocks"]) == [] and "triggered" in str(listing["blocks"])
    assert "Alert 4 is deleted" in b.alert_deleted_message(4)["text"]


# -- smarter alerts: percent moves, repeats, snooze ----------------------------------------------


def _group(**changes: object) -> RouteGroup:
    values: dict[str, object] = {
        "id": 1,
        "team_id": "T",
        "slack_user_id": "U1",
        "symbol": "AAPL",
        "direction": None,
        "percent": None,
        "reference": None,
        "repeat_seconds": None,
        "snoozed_until": None,
        "thread_to": None,
        "thread_channel": None,
        "thread_ts": None,
        "state": "active",
        "created_at": datetime.now(UTC),
    }
    return RouteGroup(**{**values, **changes})  # type: ignore[arg-type]


def test_previous_close_comes_from_the_quote_as_documented() -> None:
    def close(body: dict) -> Decimal | None:
        return previous_close(Quote.model_validate(body))

    assert close({"PreviousClose": 225, "Close": 1, "Last": 3, "Change": 1}) == Decimal("225")
    assert close({"Close": "224.5", "Last": 230}) == Decimal("224.5")
    assert close({"Last": 230.25, "Change": 5.25}) == Decimal("225.00")
    assert close({"PreviousClose": 0, "Last": 230, "Change": None}) is None
    assert close({"PreviousClose": -1, "Close": 0}) is None
    assert close({}) is None


def test_move_levels_are_the_close_plus_and_minus_the_percent_to_the_cent() -> None:
    assert move_levels(Decimal("225"), "moves", Decimal("5")) == [
        ("GTEQ", Decimal("236.25")),
        ("LTEQ", Decimal("213.75")),
    ]
    assert move_levels(Decimal("100.01"), "up", Decimal("2.5")) == [("GTEQ", Decimal("102.51"))]
    assert move_levels(Decimal("100.01"), "down", Decimal("2.5")) == [("LTEQ", Decimal("97.51"))]


def test_a_trigger_that_may_come_again_has_snooze_buttons_and_a_snoozed_one_says_until_when() -> None:
    plain = b.alert_triggered_message(_route(), 201.5, group=_group())  # a group that fires once
    assert "alert_snooze_hour" not in str(plain["blocks"])
    repeating = b.alert_triggered_message(_route(), 201.5, group=_group(repeat_seconds=3600))
    assert problems(repeating["blocks"]) == []
    actions = [e for block in repeating["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert [(e["action_id"], e.get("value")) for e in actions] == [
        ("alert_buy", "AAPL"),
        ("alert_sell", "AAPL"),
        ("alert_snooze_hour", "3"),
        ("alert_snooze_day", "3"),
    ]
    assert "Alert 3 · armed again 1 hour after each trigger." in str(repeating["blocks"])
    move = _group(direction="moves", percent=Decimal("5"), reference=Decimal("225"))
    moved = b.alert_triggered_message(_route(), 236.5, group=move)
    assert "(moves 5% from the previous close $225.00)" in str(moved["blocks"])
    assert "alert_snooze_day" in str(moved["blocks"])
    until = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    snoozed = b.alert_triggered_message(_route(), 201.5, group=move, snoozed_until=until)
    assert problems(snoozed["blocks"]) == [] and "alert_snooze" not in str(snoozed["blocks"])
    assert f"Snoozed until <!date^{int(until.timestamp())}^" in str(snoozed["blocks"])
    assert "2026-03-02 15:30 UTC>" in str(snoozed["blocks"])


def test_created_messages_of_a_move_and_of_a_repeat() -> None:
    up, down = _route(), replace(_route(), alert_id=4, operator="LTEQ", argument=Decimal("190"))
    move = _group(direction="moves", percent=Decimal("2.50"), reference=Decimal("195"))
    created = b.alert_created_message(alert({"Id": 3}), up, group=move, also=[down])
    text = str(created["blocks"])
    assert problems(created["blocks"]) == [] and created["text"] == "Alerts 3 and 4 set for AAPL."
    assert (
        "*AAPL* moves 2.5% from the previous close *$195.00*: bid at or above *$200.00* or at or below *$190.00*"
        in text
    )
    assert "the second replies in the first one's thread" in text
    repeat = b.alert_created_message(alert({"Id": 3}), up, group=_group(repeat_seconds=5400), to_dm=True)
    assert "armed again 90 minutes after each trigger" in str(repeat["blocks"])
    assert "I will post in a DM to you" in str(repeat["blocks"])
    assert b.duration_words(86400 * 2) == "2 days" and b.duration_words(60) == "1 minute"


def test_list_says_where_triggers_go_and_what_each_group_does() -> None:
    grouped = ListedAlert(
        alert({"Id": 3, "Symbol": "AAPL", "Operator": "GTEQ", "Field": "Last", "Argument": 236.25, "State": "New"}),
        channel="C1",
        group=_group(
            direction="up",
            percent=Decimal("5"),
            reference=Decimal("225"),
            repeat_seconds=3600,
            snoozed_until=datetime.now(UTC) + timedelta(hours=1),
        ),
    )
    listing = b.alerts_list_message([grouped], slack_user_id="U1", to_dm=True)
    text = str(listing["blocks"])
    assert problems(listing["blocks"]) == []
    assert "Triggers come to you in a DM with me" in text and "posts in a DM to you" in text
    assert "rises 5% from the previous close *$225.00* · repeats every 1 hour · snoozed until <!date^" in text
    channel = b.alerts_list_message([], slack_user_id="U1")
    assert "`/alert deliver dm` sends them to a DM with me instead" in str(channel["blocks"])
    both = b.alert_deleted_message(3, [4])
    assert both["text"] == "Alerts 3 and 4 are deleted."

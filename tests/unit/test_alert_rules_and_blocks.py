"""Alert bodies, routes, webhook signatures and alert builders, without I/O."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.core.alerts import alert_body, expiry_text, route_channel
from bot.devkit.blockkit import problems
from bot.webhooks import signature, signature_is_valid
from handlers.blocks import alert as b
from handlers.parsing import parse_alert
from storage.alerts import Route


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


def test_user_text_cannot_ping() -> None:
    message = b.alert_triggered_message(_route(symbol="<!channel>"), 1)
    assert "<!channel>" not in _mrkdwn(message) and "&lt;!channel&gt;" in _mrkdwn(message)
    listing = b.alerts_list_message(
        [
            {
                "Id": 1,
                "Symbol": "<!here>",
                "Operator": "GTEQ",
                "Field": "Last",
                "Argument": 1,
                "State": "New",
                "_channel": "C1",
            }
        ],
        slack_user_id="U1",
    )
    assert "<!here>" not in _mrkdwn(listing) and problems(listing["blocks"]) == []


def test_created_list_and_deleted_messages() -> None:
    created = b.alert_created_message({"Id": 3}, _route(channel="U1"))
    assert problems(created["blocks"]) == [] and "in a DM to you" in str(created["blocks"])
    in_channel = b.alert_created_message({"Id": 3}, _route(channel="C9"))
    assert "in <#C9>" in str(in_channel["blocks"]) and "<!date^" in str(in_channel["blocks"])
    assert "no price alerts" in b.alerts_list_message([], slack_user_id="U1")["text"]
    many = [
        {"Id": i, "Symbol": "AAPL", "Operator": "LTEQ", "Field": "Ask", "Argument": 5, "State": "Completed"}
        for i in range(30)
    ]
    listing = b.alerts_list_message(many, slack_user_id="U1")
    assert problems(listing["blocks"]) == [] and "triggered" in str(listing["blocks"])
    assert "Alert 4 is deleted" in b.alert_deleted_message(4)["text"]

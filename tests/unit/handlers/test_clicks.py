"""Which clicks are written down before their ack, and what is kept of them."""

from __future__ import annotations

from typing import Any

from handlers.clicks import DURABLE, intent_of, payload_of
from handlers.kit import button_context, intent_key


def click(action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "trigger_id": "1.2.3",
        "response_url": "https://hooks.example/actions/1",
        "actions": [{"action_id": action_id, "value": value, "action_ts": "1.5"}],
    }


def test_the_clicks_whose_effect_matters_are_the_durable_ones() -> None:
    assert set(DURABLE) == {
        "order_confirm",
        "order_cancel_pending",
        "order_cancel_open",
        "fund_cancel_open",
        "approval_approve",
        "approval_reject",
        "quote_share",
        "performance_share",
        "ipo_unsubscribe",
    }


def test_a_confirm_keeps_its_pending_order_and_where_to_answer() -> None:
    body = click("order_confirm", "pending-1")
    intent = intent_of(body)
    assert intent is not None
    assert intent.key == intent_key(body) and len(intent.key) == 64
    assert (intent.team_id, intent.user_id, intent.channel_id) == ("T1", "U1", "C1")
    assert (intent.value, intent.pending_id) == ("pending-1", "pending-1")
    assert intent.response_url == "https://hooks.example/actions/1"
    rebuilt = button_context(payload_of(intent), None, client=None)  # type: ignore[arg-type]
    assert (rebuilt.team_id, rebuilt.user_id, rebuilt.channel_id, rebuilt.action_id, rebuilt.value) == (
        "T1",
        "U1",
        "C1",
        "order_confirm",
        "pending-1",
    )
    assert rebuilt.response_url == intent.response_url


def test_other_requests_and_clicks_are_not_written_down() -> None:
    assert intent_of(click("order_cancel_open", "1:2")).pending_id is None  # type: ignore[union-attr]
    assert intent_of(click("home_refresh", "")) is None
    assert intent_of({"command": "/order", "text": "buy 1 AAPL"}) is None
    assert intent_key(click("order_confirm", "p")) != intent_key(click("order_confirm", "q"))


def test_a_signed_click_naming_team_user_and_channel_by_bare_ids_does_not_break_the_gate() -> None:
    confirm = next(iter(DURABLE))
    body = {
        "type": "block_actions",
        "team": "T1",
        "user": "U1",
        "channel": "C1",
        "container": "x",
        "response_url": 5,
        "actions": [{"action_id": confirm, "value": "abc"}],
    }
    intent = intent_of(body)
    assert intent is not None and intent.action_id == confirm
    assert (intent.team_id, intent.user_id, intent.channel_id, intent.response_url) == ("", "", "", None)

"""Malformed input never gives a 500 or a traceback: a bad signature of any shape is 401 (and
nothing from the unverified body reaches a log line), signed garbage is 400, and an unusable
webhook is 400 (an unknown type 200, counted as ignored)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from bot.telemetry.context import ContextFilter
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.scenario.test_alerts import SECRET
from tests.scenario.test_alerts import sign as sign_webhook

EVIL_TEAM = "T0EVIL"
EVIL_USER = "U0EVIL"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def slack_signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature over the raw bytes (the test signs bodies that are not UTF-8, too)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed(body: bytes, content_type: str = FORM) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(body, timestamp),
    }


def command_from_evil() -> bytes:
    return urlencode(
        {
            "command": "/autoshares",
            "text": "status",
            "team_id": EVIL_TEAM,
            "user_id": EVIL_USER,
            "response_url": "http://127.0.0.1:1/response/1",
        }
    ).encode()


def payload(value: object) -> bytes:
    return urlencode({"payload": json.dumps(value)}).encode()


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG, with the request context copied on as production logging does."""
    context = ContextFilter()
    caplog.handler.addFilter(context)
    caplog.set_level(logging.DEBUG)
    yield caplog
    caplog.handler.removeFilter(context)


def assert_quiet(logs: pytest.LogCaptureFixture) -> None:
    """No error, no traceback, and nothing taken from the unverified body."""
    loud = [r for r in logs.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]
    assert "Traceback" not in logs.text
    for record in logs.records:
        assert getattr(record, "team", None) != EVIL_TEAM
        assert getattr(record, "user", None) != EVIL_USER
        assert EVIL_TEAM not in record.getMessage() and EVIL_USER not in record.getMessage()


def now() -> str:
    return str(int(time.time()))


BAD_SIGNATURES = {
    "timestamp abc": {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64},
    "timestamp empty": {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=" + "0" * 64},
    "timestamp float": {"X-Slack-Request-Timestamp": "1.7e9", "X-Slack-Signature": "v0=" + "0" * 64},
    "timestamp negative": {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=" + "0" * 64},
    "timestamp huge": {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "0" * 64},
    "no timestamp": {"X-Slack-Signature": "v0=" + "0" * 64},
    "no signature": {"X-Slack-Request-Timestamp": "NOW"},
    "no headers": {},
    "wrong signature": {"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=" + "0" * 64},
    "signature not hex": {"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=not-a-digest"},
    "signature not ascii": {"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=\xe9\xe9"},
    "other secret": {"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "OTHER"},
    "stale": {"X-Slack-Request-Timestamp": "STALE", "X-Slack-Signature": "GOOD"},
    "future": {"X-Slack-Request-Timestamp": "FUTURE", "X-Slack-Signature": "GOOD"},
}


NOT_UTF8 = b"team_id=T0EVIL&user_id=U0EVIL&\xff\xfe"
SIGNATURE_CASES = [pytest.param(case, command_from_evil(), id=case) for case in BAD_SIGNATURES] + [
    pytest.param(case, NOT_UTF8, id=f"{case}, body not utf-8")
    for case in ("timestamp abc", "other secret", "stale")
]


@pytest.mark.parametrize(("case", "body"), SIGNATURE_CASES)
async def test_a_bad_signature_of_any_shape_is_401_and_quiet(
    bot: RunningBot, logs: pytest.LogCaptureFixture, case: str, body: bytes
) -> None:
    headers = {"Content-Type": FORM}
    stamps = {"NOW": now(), "STALE": str(int(time.time()) - 600), "FUTURE": str(int(time.time()) + 600)}
    for name, value in BAD_SIGNATURES[case].items():
        headers[name] = stamps.get(value, value)
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if headers.get("X-Slack-Signature") == "GOOD":
        headers["X-Slack-Signature"] = slack_signature(body, timestamp)
    elif headers.get("X-Slack-Signature") == "OTHER":
        headers["X-Slack-Signature"] = slack_signature(body, timestamp, secret="not-the-signing-secret")
    encoded = {k: v.encode("latin-1") for k, v in headers.items()}
    response = await bot.http.post(bot.driver.events_url, content=body, headers=encoded)
    await bot.services.drain()
    assert response.status_code == 401
    assert bot.slack.calls == []
    assert_quiet(logs)
    assert (
        bot.services.metrics.value("autoshares_slack_requests_total", outcome="rejected", reason="signature")
        == 1
    )


SIGNED_GARBAGE = {
    "payload not json": (b"payload=not-json", FORM),
    "payload a json list": (payload([1, 2]), FORM),
    "payload a json string": (payload("block_actions"), FORM),
    "actions null": (payload({"type": "block_actions", "user": {"id": EVIL_USER}, "actions": None}), FORM),
    "actions empty": (payload({"type": "block_actions", "user": {"id": EVIL_USER}, "actions": []}), FORM),
    "actions not objects": (
        payload({"type": "block_actions", "user": {"id": EVIL_USER}, "actions": [5]}),
        FORM,
    ),
    "action_id missing": (payload({"type": "block_actions", "actions": [{"value": "1"}]}), FORM),
    "user a number": (payload({"type": "block_actions", "user": 5, "actions": [{"action_id": "x"}]}), FORM),
    "view null": (payload({"type": "view_submission", "user": {"id": EVIL_USER}, "view": None}), FORM),
    "view a string": (payload({"type": "view_submission", "view": "order_ticket"}), FORM),
    "shortcut without callback": (payload({"type": "shortcut", "callback_id": 7}), FORM),
    "form not utf-8": (b"command=%2Fautoshares&text=\xff\xfe&user_id=U0EVIL", FORM),
    "json not utf-8": (b'{"type": "event_callback", "x": "\xff"}', JSON),
    "json not json": (b"{oops", JSON),
    "json a list": (b"[1, 2]", JSON),
    "json a number": (b"42", JSON),
    "event a string": (json.dumps({"type": "event_callback", "event": "app_home_opened"}).encode(), JSON),
    "event without type": (
        json.dumps({"type": "event_callback", "event": {"user": EVIL_USER}}).encode(),
        JSON,
    ),
    "authorizations a number": (
        json.dumps(
            {"type": "event_callback", "authorizations": 5, "event": {"type": "app_home_opened"}}
        ).encode(),
        JSON,
    ),
    "team a list": (
        json.dumps({"type": "event_callback", "team": [1], "event": {"type": "x"}}).encode(),
        JSON,
    ),
    "command a number": (json.dumps({"command": 5, "user_id": EVIL_USER}).encode(), JSON),
    "command text a list": (json.dumps({"command": "/quote", "text": ["AAPL"]}).encode(), JSON),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, JSON),
}


@pytest.mark.parametrize("case", list(SIGNED_GARBAGE))
async def test_signed_garbage_is_400_and_quiet(
    bot: RunningBot, logs: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = SIGNED_GARBAGE[case]
    response = await bot.http.post(bot.driver.events_url, content=body, headers=signed(body, content_type))
    await bot.services.drain()
    assert response.status_code == 400
    assert bot.slack.calls == []
    loud = [r for r in logs.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]
    assert (
        bot.services.metrics.value("autoshares_slack_requests_total", outcome="rejected", reason="malformed")
        == 1
    )


async def test_well_formed_requests_still_work_after_garbage(bot: RunningBot) -> None:
    body = b"payload=not-json"
    assert (await bot.http.post(bot.driver.events_url, content=body, headers=signed(body))).status_code == 400
    response = await bot.driver.command("/autoshares", "help", user="U0ALICE")
    assert response.status_code == 200
    await bot.slack.wait_for("response_url")


def webhook(data: object, event_type: str = "alert.triggered", event_id: object = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "type": event_type, "data": data}).encode()


def raw_webhook(data_json: str, event_type: str = "alert.triggered") -> bytes:
    return f'{{"id": "evt_raw", "type": "{event_type}", "data": {data_json}}}'.encode()


UNUSABLE_WEBHOOKS = {
    **{
        f"{kind} id {label}": raw_webhook(f'{{"Id": {literal}, "Price": 1}}', kind)
        for kind in ("alert.triggered", "order.filled")
        for label, literal in {
            "1e999": "1e999",
            "2**70": str(2**70),
            "2**31 (ids are int32)": str(2**31),
            "2**63": str(2**63),
            '"abc"': '"abc"',
            "true": "true",
            "zero": "0",
            "negative": "-5",
            "a fraction": "1.5",
            "a list": "[1]",
            "30 digits": '"' + "9" * 30 + '"',
        }.items()
    },
    "alert id null": raw_webhook('{"Id": null}'),
    "alert without data": b'{"id": "evt_2", "type": "alert.triggered"}',
    "order data a list": webhook([1], "order.filled"),
    "deeply nested": b'{"id": "evt_5", "type": "order.filled", "data": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}",
    "event id 1e999": b'{"id": 1e999, "type": "order.filled", "data": {}}',
    "event id a list": webhook({}, "order.filled", event_id=["evt"]),
    "event id empty": webhook({}, "order.filled", event_id=""),
    "event id too long": webhook({}, "order.filled", event_id="e" * 200),
    "type a number": b'{"id": "evt_3", "type": 5, "data": {}}',
    "not an object": b"[1, 2]",
    "not utf-8": b'{"id": "evt_4", "type": "order.filled", "data": {"Id": "\xff"}}',
}


@pytest.mark.parametrize("case", list(UNUSABLE_WEBHOOKS))
async def test_an_unusable_webhook_is_400_never_500(
    bot: RunningBot, logs: pytest.LogCaptureFixture, case: str
) -> None:
    body = UNUSABLE_WEBHOOKS[case]
    response = await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign_webhook(body))
    await bot.services.drain()
    assert response.status_code == 400
    loud = [r for r in logs.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]
    assert (
        bot.services.metrics.value(
            "autoshares_webhook_deliveries_total", outcome="rejected", reason="malformed"
        )
        == 1
    )


@pytest.mark.parametrize("event_id", ["evt_5", 42, "42"])
async def test_usable_ids_are_accepted(bot: RunningBot, event_id: object) -> None:
    body = webhook({"Id": "7", "Price": 1}, event_id=event_id)  # an alert the bot does not know
    response = await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign_webhook(body))
    assert response.status_code == 200 and response.json() == {"ok": True, "duplicate": False}
    order = webhook({"Id": 2**31 - 1, "Status": "Filled"}, "order.filled", event_id="evt_order")
    response = await bot.http.post(
        bot.url + "autoshares/webhooks", content=order, headers=sign_webhook(order)
    )
    assert response.status_code == 200


async def test_an_unknown_type_is_200_and_counted_as_ignored(
    bot: RunningBot, logs: pytest.LogCaptureFixture
) -> None:
    body = webhook({"Id": 1}, "position.changed")
    first = await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign_webhook(body))
    again = await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign_webhook(body))
    assert [first.status_code, again.status_code] == [200, 200]
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    metrics = bot.services.metrics
    assert metrics.value("autoshares_webhook_deliveries_total", outcome="ignored", reason="type") == 1
    assert metrics.value("autoshares_webhook_deliveries_total", outcome="accepted", reason="") == 0
    assert not [r for r in logs.records if r.levelno >= logging.ERROR]


async def test_headers_bolt_reads_as_instructions_are_ignored(bot: RunningBot) -> None:
    """``X-Slack-Bolt-Lazy-Only`` would make Bolt skip the ack and run a named lazy listener;
    no signature covers headers, so the gate drops them."""
    body = bot.driver.command_body("/autoshares", "help", user="U0ALICE")
    headers = {"X-Slack-Bolt-Lazy-Only": "true", "X-Slack-Bolt-Lazy-Function-Name": "run_help"}
    response = await bot.driver.post(body, FORM, headers=headers)
    assert response.status_code == 200
    (reply,) = await bot.slack.wait_for("response_url")
    assert "/autoshares link" in str(reply.args)

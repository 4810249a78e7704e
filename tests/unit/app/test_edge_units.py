"""The pieces at the door, without a server: the body cap as an ASGI middleware, Slack's
signature check, the shape a Slack body must have, AutoShares ids and webhook envelopes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from bot.app.edge import TooLargeAnswer, body_limit
from bot.app.slack_gate import shape_problem, signature_is_valid, slack_signature
from bot.app.webhooks import WebhookEvent, read_event
from storage.records import autoshares_id

SECRET = "test-signing-secret"


# -- the body cap ----------------------------------------------------------------------------------


def scope(headers: list[tuple[bytes, bytes]] | None = None) -> Scope:
    return {"type": "http", "method": "POST", "path": "/", "headers": headers or []}


def feeding(pieces: list[bytes]) -> tuple[Receive, list[int]]:
    """A ``receive`` that hands out ``pieces``; the list counts how many were taken."""
    taken = [0]

    async def receive() -> Message:
        index = taken[0]
        taken[0] += 1
        return {"type": "http.request", "body": pieces[index], "more_body": index < len(pieces) - 1}

    return receive, taken


def recorder() -> tuple[Send, list[Message]]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    return send, sent


def capped_app(max_bytes: int, refused: list[int]) -> Starlette:
    """An app whose one route reads the whole body, behind the bot's body cap."""

    async def read_all(request: Request) -> Response:
        return PlainTextResponse(f"read {len(await request.body())}")

    return Starlette(
        routes=[Route("/", read_all, methods=["POST"])],
        middleware=body_limit(max_bytes, on_refused=lambda: refused.append(1)),
    )


def assert_refused(sent: list[Message]) -> None:
    """One 413 with our JSON body and Connection: close, and nothing after it."""
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]
    assert (b"content-type", b"application/json") in sent[0]["headers"]
    assert json.loads(sent[1]["body"]) == {"error": "too_large"}


async def test_a_declared_length_over_the_cap_is_refused_unread() -> None:
    refused: list[int] = []
    receive, taken = feeding([b"x" * 11])
    send, sent = recorder()
    await capped_app(10, refused)(scope([(b"content-length", b"11")]), receive, send)
    assert taken == [0]
    assert_refused(sent)
    assert refused == [1]


async def test_a_streamed_body_is_cut_as_soon_as_it_passes_the_cap() -> None:
    refused: list[int] = []
    receive, taken = feeding([b"x" * 6, b"x" * 6, b"x" * 6, b"x" * 6])
    send, sent = recorder()
    await capped_app(10, refused)(scope(), receive, send)
    assert taken == [2]  # the second piece passed the cap; nothing more was read
    assert_refused(sent)
    assert refused == [1]


@pytest.mark.parametrize("size", [9, 10])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
async def test_a_body_at_or_just_under_the_cap_reaches_the_route(size: int, declared: bool) -> None:
    refused: list[int] = []
    receive, _ = feeding([b"x" * (size - 5), b"x" * 5])
    send, sent = recorder()
    headers = [(b"content-length", str(size).encode())] if declared else []
    await capped_app(10, refused)(scope(headers), receive, send)
    assert sent[0]["status"] == 200 and sent[1]["body"] == f"read {size}".encode()
    assert refused == []


async def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def never() -> Message:
        raise AssertionError("not read")

    send, _ = recorder()
    await TooLargeAnswer(app, on_refused=lambda: None)({"type": "lifespan"}, never, send)
    assert seen == ["lifespan"]


# -- Slack's signature -----------------------------------------------------------------------------


def test_the_signature_is_the_one_slack_sdk_computes() -> None:
    body = "command=%2Fquote&text=AAPL&user_id=U1"
    timestamp = str(int(time.time()))
    expected = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    assert slack_signature(SECRET, timestamp, body.encode()) == expected
    assert signature_is_valid(SECRET, body.encode(), timestamp, expected, now=time.time())


@pytest.mark.parametrize(
    ("timestamp", "signature", "offset"),
    [
        ("abc", "GOOD", 0),
        ("", "GOOD", 0),
        (None, "GOOD", 0),
        ("NOW", None, 0),
        ("NOW", "", 0),
        ("1.7e9", "GOOD", 0),
        ("-1", "GOOD", 0),
        ("9" * 400, "GOOD", 0),
        ("\u0661\u0662", "GOOD", 0),  # digits, but not ASCII ones
        ("NOW", "v0=\u00e9\u00e9", 0),
        ("NOW", "GOOD", 301),
        ("NOW", "GOOD", -301),
    ],
)
def test_bad_signatures_are_false_and_never_raise(
    timestamp: str | None, signature: str | None, offset: int
) -> None:
    now = time.time()
    stamp = str(int(now)) if timestamp == "NOW" else timestamp
    good = slack_signature(SECRET, stamp or "", b"body") if signature == "GOOD" else signature
    assert not signature_is_valid(SECRET, b"body", stamp, good, now=now + offset)


def test_a_body_that_is_not_utf8_can_still_be_checked() -> None:
    now = time.time()
    body = b"\xff\xfe"
    good = slack_signature(SECRET, str(int(now)), body)
    assert signature_is_valid(SECRET, body, str(int(now)), good, now=now)


# -- what a Slack body must look like --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"command": "/quote", "text": "AAPL", "user_id": "U1", "team_id": "T1"},
        {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}]},
        {"type": "view_submission", "view": {"callback_id": "order_ticket"}},
        {"type": "event_callback", "event": {"type": "app_home_opened"}, "authorizations": [{}]},
        {"type": "url_verification", "challenge": "c"},
        {"type": "something_new", "team": "T1"},
    ],
)
def test_what_slack_sends_has_no_shape_problem(body: dict[str, Any]) -> None:
    assert shape_problem(body) is None


@pytest.mark.parametrize(
    "body",
    [
        [1],
        "x",
        {"type": "block_actions", "actions": None},
        {"type": "block_actions", "actions": [None]},
        {"type": "block_actions", "actions": [{"action_id": 5}]},
        {"type": "view_closed", "view": {}},
        {"type": "message_action"},
        {"type": "block_suggestion", "action_id": None},
        {"type": "event_callback", "event": {"type": None}},
        {"type": "event_callback", "event": {"type": "x"}, "authorizations": [5]},
        {"user": 5},
        {"channel": ["C1"]},
        {"command": "quote"},
        {"command": "/quote", "text": 5},
    ],
)
def test_garbage_has_a_shape_problem(body: object) -> None:
    assert shape_problem(body)


# -- AutoShares ids and webhook envelopes ----------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ("42", 42), (2**31 - 1, 2**31 - 1), ("0042", 42)])
def test_autoshares_ids(value: object, expected: int) -> None:
    assert autoshares_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, 0, -1, 2**31, str(2**31), 2**63, 2**70, True, False, 1.0, float("inf"), float("nan"), "", "abc", " 7", "7 ", "-7", "1e3",
     "\u0661", "9" * 30, [1], {"Id": 1}],
)  # fmt: skip
def test_what_is_not_an_autoshares_id(value: object) -> None:
    assert autoshares_id(value) is None


def test_read_event() -> None:
    assert read_event({"id": 7, "type": "order.filled", "data": {"Id": "9"}}) == WebhookEvent(
        "7", "order.filled", {"Id": "9"}
    )
    assert read_event({"id": "e", "type": "order.filled", "data": {"ClientId": "x"}}) == WebhookEvent(
        "e", "order.filled", {"ClientId": "x"}
    )
    assert read_event({"id": "e", "type": "position.changed", "data": 5}) == WebhookEvent(
        "e", "position.changed", {}
    )
    for unusable in (
        [],
        {"id": "e"},
        {"id": 1.5, "type": "order.filled", "data": {}},
        {"id": "e", "type": "alert.triggered", "data": {}},
        {"id": "e", "type": "alert.triggered", "data": {"Id": 2**64}},
        {"id": "e", "type": "order.filled", "data": {"Id": "abc"}},
        {"id": "e", "type": "order.filled"},
    ):
        assert isinstance(read_event(unusable), str), unusable

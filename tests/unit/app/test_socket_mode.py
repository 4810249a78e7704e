"""Socket Mode (``bot.app.socket_mode``) over a fake socket and a fake ``apps.connections.open``:
what is acknowledged (Bolt's answer, on the connection the envelope came in on, a copy once, an
event delivered again not handled twice, nothing when Bolt or the replay log fails), the wait
between attempts, when a token refusal or ``link_disabled`` stops it, and make-before-break."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from bot.app import socket_mode as module
from bot.app.socket_mode import (
    HEALTHY_SECONDS,
    REFRESH_LEAD_SECONDS,
    SOCKET_MODE_TURNED_OFF,
    SocketMode,
    _Failed,
    _Link,
    _Rejected,
    acknowledgement,
    closed,
    describe,
    parse,
    refresh_after,
    rejected_app_token,
)

APP_TOKEN = "xapp-1-A1-1-secretpart"
URL = "wss://wss.slack.test/link/?ticket=1"


class FakeSocket:
    """A WebSocket the test feeds: Slack's hello first, then what ``arrive`` puts in."""

    def __init__(self, hello: object = None) -> None:
        self.incoming: asyncio.Queue[str | None] = asyncio.Queue()
        self.incoming.put_nowait(json.dumps(hello if hello is not None else {"type": "hello"}))
        self.sent: list[dict[str, Any]] = []
        self.closed = False
        self.close_code: int | None = None
        self.pings = 0

    def arrive(self, message: dict[str, Any] | str) -> None:
        self.incoming.put_nowait(message if isinstance(message, str) else json.dumps(message))

    async def recv(self) -> str:
        item = await self.incoming.get()
        if item is None:
            raise ConnectionClosed(None, None)
        return item

    def __aiter__(self) -> FakeSocket:
        return self

    async def __anext__(self) -> str:
        item = await self.incoming.get()
        if item is None:
            raise StopAsyncIteration
        return item

    async def send(self, data: str) -> None:
        if self.closed:
            raise ConnectionClosed(Close(1000, ""), None)
        self.sent.append(json.loads(data))

    async def ping(self) -> Awaitable[float]:
        self.pings += 1
        pong: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        pong.set_result(0.0)
        return pong

    async def close(self) -> None:
        if not self.closed:
            self.closed, self.close_code = True, 1000
            self.incoming.put_nowait(None)


class Answer(dict[str, Any]):
    """What ``apps.connections.open`` answered, as a SlackApiError carries it."""

    def __init__(self, body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None) -> None:
        super().__init__(body)
        self.status_code = status_code
        self.headers = headers or {}


class FakeSlack:
    """``apps.connections.open`` answering from a script (an Answer to raise, else a URL), and
    ``connect`` handing out the next FakeSocket."""

    def __init__(self) -> None:
        self.opens: list[Answer | str] = []
        self.tokens: list[str] = []
        self.sockets: list[FakeSocket] = []
        self.connected: list[FakeSocket] = []
        self.connect_args: list[tuple[str, dict[str, Any]]] = []

    async def apps_connections_open(self, *, app_token: str) -> dict[str, Any]:
        self.tokens.append(app_token)
        answer = self.opens.pop(0) if self.opens else URL
        if isinstance(answer, Answer):
            raise SlackApiError("refused", answer)
        return {"ok": True, "url": answer}

    async def connect(self, url: str, **kwargs: Any) -> FakeSocket:
        self.connect_args.append((url, kwargs))
        socket = self.sockets.pop(0) if self.sockets else FakeSocket()
        self.connected.append(socket)
        return socket


class Bolt:
    """The dispatcher: answers each envelope with ``answer`` and keeps what it was handed."""

    def __init__(self) -> None:
        self.requests: list[AsyncBoltRequest] = []
        self.answer: Callable[[AsyncBoltRequest], BoltResponse] = lambda _: BoltResponse(status=200, body="")
        self.release = asyncio.Event()
        self.release.set()

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        self.requests.append(req)
        await self.release.wait()
        return self.answer(req)


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> FakeSlack:
    fake = FakeSlack()
    monkeypatch.setattr(module, "connect", fake.connect)
    monkeypatch.setattr(module.random, "uniform", lambda low, high: low)  # no spread: exact waits
    return fake


@pytest.fixture
def bolt() -> Bolt:
    return Bolt()


def socket_mode(bolt: Bolt, slack: FakeSlack, **kwargs: Any) -> SocketMode:
    made = SocketMode(bolt, app_token=APP_TOKEN, api_url="http://slack.invalid/api/", **kwargs)
    made._web = cast(AsyncWebClient, slack)
    return made


@pytest.fixture
async def running(bolt: Bolt, slack: FakeSlack) -> AsyncIterator[SocketMode]:
    made = socket_mode(bolt, slack, retry_seconds=0.01, max_retry_seconds=0.04)
    yield made
    await made.close()


def envelope(envelope_id: str, kind: str = "slash_commands", **extra: Any) -> dict[str, Any]:
    payload = {"command": "/quote", "text": "AAPL"} if kind == "slash_commands" else {"event_id": "Ev1"}
    return {"type": kind, "envelope_id": envelope_id, "payload": payload, **extra}


def link(socket: FakeSocket) -> _Link:
    return _Link(cast(ClientConnection, socket), greeted_at=0.0)


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds (it fails after 2 s: the module's own waits
    between attempts are a few hundredths of a second here)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 2.0
    while not condition():
        if loop.time() > give_up:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0)


async def answered(*links: _Link) -> None:
    while pending := {task for one in links for task in one.answering}:
        await asyncio.wait(pending)


# -- the rules, one by one -----------------------------------------------------------------------
def test_an_ack_carries_bolts_answer_only_when_bolt_accepted_the_envelope() -> None:
    json_answer = BoltResponse(status=200, body='{"text": "hi"}', headers={"content-type": "application/json"})
    assert acknowledgement("E1", json_answer) == {"envelope_id": "E1", "payload": {"text": "hi"}}
    assert acknowledgement("E1", BoltResponse(status=200, body="plain")) == {
        "envelope_id": "E1",
        "payload": {"text": "plain"},
    }
    assert acknowledgement("E1", BoltResponse(status=200, body="")) == {"envelope_id": "E1"}
    assert acknowledgement("E1", BoltResponse(status=404, body="")) is None
    assert acknowledgement("E1", BoltResponse(status=500, body="{}")) is None


@pytest.mark.parametrize(
    ("hello", "after"),
    [
        ({"type": "hello", "debug_info": {"approximate_connection_time": 3600}}, 3600 - REFRESH_LEAD_SECONDS),
        ({"type": "hello", "debug_info": {"approximate_connection_time": 100}}, 50.0),  # half a short life
        ({"type": "hello", "debug_info": {"approximate_connection_time": 0}}, None),
        ({"type": "hello", "debug_info": {"approximate_connection_time": True}}, None),
        ({"type": "hello", "debug_info": {"approximate_connection_time": "3600"}}, None),
        ({"type": "hello", "debug_info": "none"}, None),
        ({"type": "hello"}, None),
    ],
)
def test_a_connection_is_replaced_shortly_before_its_announced_end(hello: dict[str, Any], after: float | None) -> None:
    assert refresh_after(hello) == after


def test_what_is_said_of_a_failure_is_one_line_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    assert describe(_Failed("no hello from Slack within 10 s")) == "no hello from Slack within 10 s"
    assert describe(OSError(f"refused for {APP_TOKEN}\nsecond line")) == "OSError: refused for xapp-[redacted]"
    assert describe(TimeoutError()) == "TimeoutError"
    assert closed(ConnectionClosed(None, None)) == "dropped the connection without closing it"
    assert closed(ConnectionClosed(Close(1011, "oops"), None)) == "closed the connection (code 1011)"
    assert "SLACK_APP_TOKEN (token_revoked)" in rejected_app_token("token_revoked")
    assert parse('{"type": "hello"}') == {"type": "hello"}
    assert parse("[1, 2]") is None
    assert parse("not json") is None
    assert [r.getMessage() for r in caplog.records] == ["Socket Mode: Slack sent a message that is not JSON"]


async def test_an_envelope_goes_to_bolt_as_socket_mode_and_is_acked_where_it_came_in(bolt: Bolt, slack: FakeSlack) -> None:
    bolt.answer = lambda _: BoltResponse(status=200, body='{"text": "ok"}', headers={"content-type": "application/json"})
    made = socket_mode(bolt, slack)
    first, second = FakeSocket(), FakeSocket()
    retried = SocketModeRequest.from_dict(envelope("E1", "events_api", retry_attempt=2, retry_reason="timeout"))
    command = SocketModeRequest.from_dict(envelope("E2"))
    assert retried is not None and command is not None
    there, here = link(second), link(first)
    made._take(there, retried)
    made._take(here, command)
    await answered(here, there)
    [events, slash] = bolt.requests
    assert events.mode == "socket_mode" and slash.mode == "socket_mode"
    assert events.headers["x-slack-retry-num"] == ["2"] and events.headers["x-slack-retry-reason"] == ["timeout"]
    assert "x-slack-retry-num" not in slash.headers
    assert slash.body == {"command": "/quote", "text": "AAPL"}
    assert first.sent == [{"envelope_id": "E2", "payload": {"text": "ok"}}]
    assert second.sent == [{"envelope_id": "E1", "payload": {"text": "ok"}}]


async def test_a_copy_on_another_connection_is_acked_there_and_handled_once(bolt: Bolt, slack: FakeSlack) -> None:
    made = socket_mode(bolt, slack)
    old, new = FakeSocket(), FakeSocket()
    old_link, new_link = link(old), link(new)
    bolt.release.clear()  # Bolt is still answering when the copy comes in
    made._take(old_link, SocketModeRequest("slash_commands", "E1", {"command": "/quote"}))
    made._take(new_link, SocketModeRequest("slash_commands", "E1", {"command": "/quote"}))
    await asyncio.sleep(0)
    bolt.release.set()
    await answered(old_link, new_link)
    assert len(bolt.requests) == 1
    assert old.sent == new.sent == [{"envelope_id": "E1"}]
    made._take(new_link, SocketModeRequest("slash_commands", "E1", {"command": "/quote"}))  # later still
    await answered(new_link)
    assert len(bolt.requests) == 1 and new.sent == [{"envelope_id": "E1"}] * 2


async def test_an_envelope_bolt_did_not_accept_is_not_acked_and_is_handled_when_sent_again(
    bolt: Bolt, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    made = socket_mode(bolt, slack)
    socket = FakeSocket()
    here = link(socket)
    bolt.answer = lambda _: BoltResponse(status=404, body="")
    made._take(here, SocketModeRequest("interactive", "E1", {"type": "block_actions"}))
    await answered(here)
    assert socket.sent == []
    bolt.answer = lambda _: BoltResponse(status=200, body="")
    made._take(here, SocketModeRequest("interactive", "E1", {"type": "block_actions"}))
    await answered(here)
    assert len(bolt.requests) == 2 and socket.sent == [{"envelope_id": "E1"}]

    def broken(_: AsyncBoltRequest) -> BoltResponse:
        raise RuntimeError("bug")

    bolt.answer = broken
    made._take(here, SocketModeRequest("interactive", "E2", {"type": "block_actions"}))
    await answered(here)
    assert socket.sent == [{"envelope_id": "E1"}]
    assert "Socket Mode: dispatching a interactive envelope failed" in caplog.messages


async def test_an_event_delivered_again_is_acked_without_being_handled_twice(bolt: Bolt, slack: FakeSlack) -> None:
    seen: list[bytes] = []

    async def first_time(key: bytes) -> bool:
        seen.append(key)
        return len(seen) == 1

    made = socket_mode(bolt, slack, first_time=first_time)
    socket = FakeSocket()
    here = link(socket)
    payload = {"event_id": "Ev1", "event": {"type": "app_mention", "text": "hi"}}
    made._take(here, SocketModeRequest("events_api", "E1", payload))
    made._take(here, SocketModeRequest("events_api", "E2", payload))  # Slack's retry: a new envelope
    made._take(here, SocketModeRequest("slash_commands", "E3", {"command": "/quote"}))  # not an event
    await answered(here)
    assert seen == [json.dumps(payload, sort_keys=True).encode()] * 2
    assert [r.body for r in bolt.requests] == [payload, {"command": "/quote"}]
    assert sorted(a["envelope_id"] for a in socket.sent) == ["E1", "E2", "E3"]


async def test_an_event_the_replay_log_cannot_check_is_left_for_slack_to_send_again(
    bolt: Bolt, slack: FakeSlack
) -> None:
    async def unavailable(key: bytes) -> bool:
        raise OSError("database is locked")

    made = socket_mode(bolt, slack, first_time=unavailable)
    socket = FakeSocket()
    here = link(socket)
    made._take(here, SocketModeRequest("events_api", "E1", {"event_id": "Ev1"}))
    await answered(here)
    assert bolt.requests == [] and socket.sent == []
    assert "E1" not in made._recent  # its next delivery is handled


async def test_an_ack_on_a_closed_connection_is_given_up_quietly(bolt: Bolt, slack: FakeSlack) -> None:
    made = socket_mode(bolt, slack)
    socket = FakeSocket()
    await socket.close()
    here = link(socket)
    made._take(here, SocketModeRequest("slash_commands", "E1", {"command": "/quote"}))
    await answered(here)  # no exception escapes the task
    assert socket.sent == []


async def test_only_the_latest_envelope_ids_are_remembered(
    bolt: Bolt, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "RECENT_ENVELOPES", 2)
    made = socket_mode(bolt, slack)
    here = link(FakeSocket())
    for envelope_id in ("E1", "E2", "E3", "E1"):
        made._take(here, SocketModeRequest("slash_commands", envelope_id, {"command": "/quote"}))
        await answered(here)
    assert len(bolt.requests) == 4  # E1 was forgotten, so its copy was handled again
    assert list(made._recent) == ["E3", "E1"]


def test_waits_double_from_the_retry_seconds_up_to_the_maximum(bolt: Bolt, slack: FakeSlack) -> None:
    made = socket_mode(bolt, slack, retry_seconds=0.5, max_retry_seconds=3.0)
    assert [made._backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert socket_mode(bolt, slack, retry_seconds=0).retry_seconds == 0.01  # never a busy loop


async def test_a_connection_that_ended_soon_counts_as_a_failure_and_a_healthy_one_resets_them(
    bolt: Bolt, slack: FakeSlack
) -> None:
    made = socket_mode(bolt, slack, retry_seconds=1.0)
    async def ended() -> str:
        return "Slack closed the connection (code 1000)"

    now = asyncio.get_running_loop().time()
    short = _Link(cast(ClientConnection, FakeSocket()), greeted_at=now - 1.0)
    short.receiving = asyncio.create_task(ended())
    await short.receiving
    assert made._after(short, failures=2) == (3, 4.0)
    healthy = _Link(cast(ClientConnection, FakeSocket()), greeted_at=now - HEALTHY_SECONDS)
    healthy.receiving = short.receiving
    assert made._after(healthy, failures=3) == (0, 0.0)


async def test_slacks_answers_to_apps_connections_open(bolt: Bolt, slack: FakeSlack) -> None:
    made = socket_mode(bolt, slack)
    slack.opens = [
        Answer({"ok": False, "error": "token_revoked"}),
        Answer({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "7"}),
        Answer({"ok": False, "error": "internal_error"}, 500),
        Answer({"ok": False}, 503),
        "https://not-a-websocket.example/",
        URL,
    ]
    with pytest.raises(_Rejected) as refused:
        await made._connection_url()
    assert refused.value.error == "token_revoked"
    with pytest.raises(_Failed) as limited:
        await made._connection_url()
    assert (limited.value.reason, limited.value.retry_after) == ("apps.connections.open answered ratelimited", 7.0)
    for reason in ("answered internal_error", "answered HTTP 503", "answered no WebSocket URL"):
        with pytest.raises(_Failed) as failed:
            await made._connection_url()
        assert failed.value.reason == f"apps.connections.open {reason}" and failed.value.retry_after == 0.0
    assert await made._connection_url() == URL
    assert slack.tokens == [APP_TOKEN] * 6


# -- the whole life of it --------------------------------------------------------------------------
async def test_it_is_connected_only_once_slack_greeted_it_and_acks_what_comes_in(
    running: SocketMode, slack: FakeSlack, bolt: Bolt
) -> None:
    assert running.problem == "not started" and not running.running
    running.start()
    await asyncio.wait_for(running.wait_connected(), 2)
    assert running.connected and running.problem is None and running.connections == 1
    [(url, options)] = slack.connect_args
    assert url == URL and options["ping_interval"] == options["ping_timeout"] == module.PING_SECONDS
    [socket] = slack.connected
    socket.arrive("garbage")
    socket.arrive({"type": "something_new"})
    socket.arrive(envelope("E1"))
    await until(lambda: bool(socket.sent))
    assert socket.sent == [{"envelope_id": "E1"}] and len(bolt.requests) == 1
    bolt.release.clear()
    socket.arrive(envelope("E2"))
    await until(lambda: len(bolt.requests) == 2)
    closing = asyncio.create_task(running.close())  # while Bolt is still answering E2
    await asyncio.sleep(0)
    bolt.release.set()
    await closing
    assert socket.sent == [{"envelope_id": "E1"}, {"envelope_id": "E2"}]  # answered before closing
    assert socket.closed and not running.connected and running.problem == "closed" and not running.running


async def test_failed_attempts_are_one_warning_each_and_the_attempts_go_on(
    running: SocketMode, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.opens = [Answer({"ok": False, "error": "internal_error"}, 500)]
    slack.sockets = [FakeSocket(hello={"type": "disconnect"}), FakeSocket()]
    running.start()
    await asyncio.wait_for(running.wait_connected(), 2)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "Socket Mode cannot connect to Slack (apps.connections.open answered internal_error); retrying in 0.01 s",
        "Socket Mode cannot connect to Slack (Slack sent disconnect instead of hello); retrying in 0.02 s",
    ]
    assert all(r.exc_info is None for r in warnings)
    assert slack.connected[0].closed  # the socket that sent no hello was closed
    assert running.connections == 1


async def test_a_refused_token_stops_it_for_good_with_a_sentence_naming_the_token(
    running: SocketMode, slack: FakeSlack
) -> None:
    slack.opens = [Answer({"ok": False, "error": "invalid_auth"})]
    running.start()
    sentence = await asyncio.wait_for(running.rejected(), 2)
    await running.wait_stopped()
    assert sentence == rejected_app_token("invalid_auth")
    assert not running.running and running.problem == sentence and slack.connect_args == []
    await running.close()
    assert running.problem == sentence  # closing does not hide why it stopped


async def test_slack_asking_for_a_new_connection_gets_one_before_the_old_one_closes(
    running: SocketMode, slack: FakeSlack, bolt: Bolt
) -> None:
    running.start()
    await asyncio.wait_for(running.wait_connected(), 2)
    [old] = slack.connected
    old.arrive({"type": "disconnect", "reason": "refresh_requested"})
    old.arrive(envelope("E1"))  # still read and answered on the old connection
    await until(lambda: old.closed or not running.connected)
    assert running.connected  # one of the two was up all along
    [_, new] = slack.connected
    assert running.connections == 2 and not new.closed and running.connected
    assert old.pings == 1 and old.sent == [{"envelope_id": "E1"}]
    new.arrive(envelope("E2"))
    await until(lambda: bool(new.sent))
    assert new.sent == [{"envelope_id": "E2"}]


async def test_link_disabled_stops_socket_mode_and_says_so(
    running: SocketMode, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    running.start()
    await asyncio.wait_for(running.wait_connected(), 2)
    [socket] = slack.connected
    socket.arrive({"type": "disconnect", "reason": "link_disabled"})
    await asyncio.wait_for(running.wait_stopped(), 2)
    assert socket.closed and not running.connected and running.problem == SOCKET_MODE_TURNED_OFF
    assert f"Socket Mode stopped: {SOCKET_MODE_TURNED_OFF}" in caplog.messages
    assert len(slack.connected) == 1  # no new connection was tried


async def test_a_dropped_connection_is_followed_by_a_new_one(running: SocketMode, slack: FakeSlack) -> None:
    running.start()
    await asyncio.wait_for(running.wait_connected(), 2)
    [first] = slack.connected
    first.incoming.put_nowait(None)  # Slack ends it
    await until(lambda: running.connections == 2)
    assert running.connected and len(slack.connected) == 2 and first.closed


async def test_a_connection_is_replaced_before_the_end_of_the_life_slack_announced(
    running: SocketMode, slack: FakeSlack
) -> None:
    short_lived = {"type": "hello", "debug_info": {"approximate_connection_time": 0.02}}
    slack.sockets = [FakeSocket(hello=short_lived), FakeSocket()]
    running.start()
    await asyncio.wait_for(running.wait_connected(), 2)
    [first] = slack.connected
    await until(lambda: first.closed)  # replaced after 0.01 s, once the successor was greeted
    assert running.connections == 2 and running.connected and not slack.connected[1].closed


async def test_close_stops_it_while_it_waits_to_try_again(bolt: Bolt, slack: FakeSlack) -> None:
    made = socket_mode(bolt, slack, retry_seconds=30.0)
    slack.opens = [Answer({"ok": False, "error": "internal_error"}, 500)]
    made.start()
    await until(lambda: bool(slack.tokens))
    assert made.running and made.problem == "cannot connect to Slack (apps.connections.open answered internal_error); retrying"
    await asyncio.wait_for(made.close(), 1)  # not 30 s
    assert not made.running and made.problem == "closed" and slack.connect_args == []

"""Socket Mode end to end, in process: the bot connects to the local Slack's Socket Mode server in
the background, is ready only once Slack greeted it, answers slash commands and events sent
through the socket, reconnects when the connection is dropped, replaces a connection Slack warns
about (or whose announced life is nearly over) by greeting the new one before closing the old one,
so commands sent all along are each answered once and acknowledged where they came in, keeps
trying with a growing wait (one warning line each, no traceback) while Slack cannot be reached,
and stops for good when Slack refuses the app token or turns Socket Mode off. Exit statuses and
signals are in test_cli.py."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any, Literal
from urllib.parse import urlparse

import pytest

from bot.app.socket_mode import SocketMode
from bot.devkit.localslack import LocalSlack, ScriptedFailure
from sandbox.server import RunningSandbox
from tests.bothost import BotHost
from tests.conftest import RunningBot, running_bot
from tests.scenario.test_orders_modal import ticket_state

APP_TOKEN = "xapp-1-A0AUTOSHARES-1-socket-test"
ALICE = "U0ALICE"
BOB = "U0BOB"
RETRY_SECONDS = 0.05


@pytest.fixture
def socket_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "SLACK_APP_TOKEN": APP_TOKEN, "SOCKET_MODE_RETRY_SECONDS": str(RETRY_SECONDS)}


@pytest.fixture
async def socket_bot(
    socket_env: dict[str, str], local_slack: LocalSlack, sandbox: RunningSandbox, bot_host: BotHost
) -> AsyncIterator[RunningBot]:
    async with running_bot(socket_env, local_slack, sandbox, bot_host) as bot:
        yield bot


def socket_mode_of(bot: RunningBot) -> SocketMode:
    socket_mode = bot.app.state.socket_mode
    assert isinstance(socket_mode, SocketMode)
    return socket_mode


async def connected(bot: RunningBot) -> SocketMode:
    socket_mode = socket_mode_of(bot)
    await asyncio.wait_for(socket_mode.wait_connected(), 10)
    return socket_mode


async def help_through_the_socket(bot: RunningBot) -> dict[str, object]:
    """``/autoshares help`` delivered over Socket Mode; returns the answer at its response_url."""
    before = len(bot.slack.by_method("response_url"))
    fields = bot.driver.command_fields("/autoshares", "help", user=ALICE)
    ack = await bot.slack.socket_mode.slash_command(fields)
    assert set(ack) <= {"envelope_id", "payload"} and ack["envelope_id"]
    calls = await bot.slack.wait_for("response_url", count=before + 1)
    return calls[before].args


async def test_a_slash_command_through_the_socket_is_answered(socket_bot: RunningBot) -> None:
    await connected(socket_bot)
    ready = await socket_bot.http.get(socket_bot.url + "readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}

    answer = await help_through_the_socket(socket_bot)
    assert "/autoshares quote" in str(answer["blocks"])
    opened = socket_bot.slack.by_method("apps.connections.open")
    assert [call.token for call in opened] == [APP_TOKEN]


async def test_an_event_through_the_socket_is_acknowledged_and_handled(socket_bot: RunningBot) -> None:
    await connected(socket_bot)
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0HOME", "tab": "home"}
    ack = await socket_bot.slack.socket_mode.send("events_api", socket_bot.driver.event_callback(event))
    assert "envelope_id" in ack
    published = await socket_bot.slack.wait_for("views.publish")
    assert published[0].args["user_id"] == ALICE


async def test_an_event_delivered_again_is_acknowledged_and_not_handled_twice(socket_bot: RunningBot) -> None:
    await connected(socket_bot)
    server = socket_bot.slack.socket_mode
    event = socket_bot.driver.event_callback({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    await server.send("events_api", event)
    await socket_bot.slack.wait_for("views.publish")
    again = await server.send("events_api", event, retry_attempt=1)  # our first ack was lost
    assert set(again) == {"envelope_id"}
    other = socket_bot.driver.event_callback({"type": "app_home_opened", "user": BOB, "tab": "home"})
    await server.send("events_api", other)
    await socket_bot.services.drain()
    assert [c.args["user_id"] for c in socket_bot.slack.by_method("views.publish")] == [ALICE, BOB]


async def test_a_modal_through_the_socket_gets_its_errors_in_the_ack(socket_bot: RunningBot) -> None:
    await connected(socket_bot)
    await socket_bot.link(BOB, "bob")  # over HTTP: the sign-in pages are HTTP routes in any mode
    server = socket_bot.slack.socket_mode
    await server.slash_command(socket_bot.driver.command_fields("/order", "", user=BOB))
    (opened,) = await socket_bot.slack.wait_for("views.open")
    values = ticket_state(symbol="AAPL", side="buy", type="market", quantity="-5")
    submission = socket_bot.driver.view_submission(opened.args["view"], values, user=BOB)
    ack = await server.send("interactive", submission, accepts_response_payload=True)
    assert ack["payload"]["response_action"] == "errors"
    assert list(ack["payload"]["errors"]) == ["quantity"]


@pytest.mark.parametrize("how", ["closed by Slack", "disconnect message"])
async def test_a_dropped_connection_is_opened_again(socket_bot: RunningBot, how: str) -> None:
    socket_mode = await connected(socket_bot)
    await help_through_the_socket(socket_bot)

    server = socket_bot.slack.socket_mode
    if how == "closed by Slack":
        await server.drop()
    else:
        await server.ask_to_reconnect()
    await server.wait_connected(count=2)
    assert "/autoshares quote" in str((await help_through_the_socket(socket_bot))["blocks"])
    assert socket_mode.connections == 2
    assert len(socket_bot.slack.by_method("apps.connections.open")) == 2  # a new URL each time


COMMANDS = 150
RECONNECT_AT = (30, 70, 110)  # three forced reconnects while commands keep coming


async def readiness_until(bot: RunningBot, done: asyncio.Event) -> list[int]:
    """``/readyz``'s status code, asked again and again until ``done``."""
    statuses: list[int] = []
    while not done.is_set():
        statuses.append((await bot.http.get(bot.url + "readyz")).status_code)
    return statuses


@pytest.mark.parametrize("delivered_on", ["newest", "all"])
async def test_commands_sent_all_through_three_reconnects_are_each_answered_once(
    socket_bot: RunningBot, delivered_on: Literal["newest", "all"]
) -> None:
    # "newest": each envelope on the newest open connection; "all": on every open one, as Slack
    # may while a connection is being replaced.
    socket_mode = await connected(socket_bot)
    server = socket_bot.slack.socket_mode
    sent = [socket_bot.driver.command_fields("/autoshares", "help", user=ALICE) for _ in range(COMMANDS)]
    done = asyncio.Event()
    readiness = asyncio.create_task(readiness_until(socket_bot, done))
    envelopes: list[str] = []
    asked_on: list[int] = []
    never_down = True
    for number, fields in enumerate(sent):
        if number in RECONNECT_AT:
            await server.wait_until(lambda: server.greeted > len(asked_on))  # the last one replaced
            asked_on.append(await server.ask_to_reconnect())
        envelopes.append(
            await server.deliver("slash_commands", fields, on=delivered_on, accepts_response_payload=True)
        )
        never_down = never_down and socket_mode.connected
        await asyncio.sleep(0.005)  # a command every few ms
    acks = [await server.acknowledged(envelope) for envelope in envelopes]
    answered = await socket_bot.slack.wait_for("response_url", count=COMMANDS)
    await server.wait_until(lambda: len(server.closed) == len(RECONNECT_AT))
    done.set()
    statuses = await readiness
    await socket_bot.services.drain()

    # None lost, none handled twice: one answer at each command's response_url, and no other.
    answered = socket_bot.slack.by_method("response_url")
    assert Counter(call.path for call in answered) == Counter(urlparse(f["response_url"]).path for f in sent)
    assert [ack["envelope_id"] for ack in acks] == envelopes
    # Each connection's envelopes acknowledged on that connection, at most once there.
    delivered = {(d.envelope_id, d.connection) for d in server.deliveries}
    acked = Counter((ack.envelope_id, ack.connection) for ack in server.acked)
    assert set(acked) <= delivered and max(acked.values()) == 1
    if delivered_on == "newest":
        assert len(server.deliveries) == COMMANDS and set(acked) == delivered
    # The old connections kept receiving after Slack's disconnect, and answered what came there.
    after_disconnect = [(d.envelope_id, d.connection) for d in server.deliveries if d.after_disconnect]
    assert {connection for _, connection in after_disconnect} == set(asked_on) == {1, 2, 3}
    if delivered_on == "newest":
        assert set(after_disconnect) <= set(acked)
    # Three replacements, each old connection closed by the bot once the new one was greeted,
    # and the bot ready all along.
    assert server.greeted == socket_mode.connections == 4
    assert len(socket_bot.slack.by_method("apps.connections.open")) == 4
    assert server.closed == {1: 1000, 2: 1000, 3: 1000} and server.open_connections == [4]
    for old in (1, 2, 3):
        assert server.history.index(("greeted", old + 1)) < server.history.index(("closed", old))
    assert never_down and statuses and set(statuses) == {200}, Counter(statuses)


async def test_an_envelope_delivered_on_two_connections_is_handled_once(socket_bot: RunningBot) -> None:
    await connected(socket_bot)
    server = socket_bot.slack.socket_mode
    server.hold_greetings()
    old = await server.ask_to_reconnect()
    await server.wait_until(lambda: server.accepted == 2)  # the new one waits for its hello
    fields = socket_bot.driver.command_fields("/autoshares", "help", user=ALICE)
    envelope = await server.deliver("slash_commands", fields, accepts_response_payload=True)
    first = await server.acknowledged(envelope)
    server.release_greetings()
    await server.wait_connected(count=2)
    await server.deliver(
        "slash_commands",
        fields,
        on=max(server.open_connections),
        envelope_id=envelope,
        accepts_response_payload=True,
    )
    await server.wait_until(lambda: len(server.acked) == 2)
    await socket_bot.services.drain()

    new = server.open_connections[-1]
    assert [(ack.connection, ack.message) for ack in server.acked] == [(old, first), (new, first)]
    assert len(socket_bot.slack.by_method("response_url")) == 1


async def test_while_the_new_connection_fails_the_old_one_serves_until_one_opens(
    socket_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app.socket_mode")
    socket_mode = await connected(socket_bot)
    server = socket_bot.slack.socket_mode
    socket_bot.slack.fail_next(
        "apps.connections.open", ScriptedFailure("internal_error", status=503), times=2
    )
    await server.ask_to_reconnect()
    await socket_bot.slack.wait_until(lambda: len(socket_bot.slack.refused) >= 1)
    assert server.open_connections == [1] and socket_mode.problem is None
    assert "/autoshares quote" in str((await help_through_the_socket(socket_bot))["blocks"])
    assert [d.connection for d in server.deliveries] == [a.connection for a in server.acked] == [1]

    await server.wait_until(lambda: server.closed.get(1) == 1000)  # replaced by the third attempt
    assert server.open_connections == [2] and socket_mode.connections == 2
    assert [call.method for call in socket_bot.slack.refused] == ["apps.connections.open"] * 2
    warned = [r.getMessage() for r in caplog.records if r.name == "bot.app.socket_mode"]
    assert len(warned) == 2 and all("(apps.connections.open answered internal_error)" in w for w in warned)
    await help_through_the_socket(socket_bot)


async def test_a_connection_is_replaced_before_the_end_of_its_announced_life(
    socket_env: dict[str, str], local_slack: LocalSlack, sandbox: RunningSandbox, bot_host: BotHost
) -> None:
    server = local_slack.socket_mode
    server.connection_time = 1  # the bot replaces it after half of that, unasked
    async with running_bot(socket_env, local_slack, sandbox, bot_host) as bot:
        await server.wait_until(lambda: server.closed.get(1) == 1000)
        assert server.history[:3] == [("greeted", 1), ("greeted", 2), ("closed", 1)]
        assert (await bot.http.get(bot.url + "readyz")).status_code == 200
        await help_through_the_socket(bot)


async def test_link_disabled_stops_socket_mode_and_readyz_says_how_to_turn_it_on(
    socket_bot: RunningBot,
) -> None:
    socket_mode = await connected(socket_bot)
    server = socket_bot.slack.socket_mode
    await server.ask_to_reconnect("link_disabled")
    await asyncio.wait_for(socket_mode.wait_stopped(), 10)
    down = await socket_bot.http.get(socket_bot.url + "readyz")

    assert not socket_mode.running and server.closed == {1: 1000}
    assert len(socket_bot.slack.by_method("apps.connections.open")) == 1  # no new connection
    assert down.status_code == 503
    assert down.json()["down"]["socket_mode"].startswith(
        "Slack turned Socket Mode off for this app (link_disabled)"
    )


async def test_until_slack_greets_the_socket_the_bot_is_not_ready_and_keeps_trying(
    socket_env: dict[str, str],
    local_slack: LocalSlack,
    sandbox: RunningSandbox,
    bot_host: BotHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app.socket_mode")
    server = local_slack.socket_mode
    server.unreachable = True  # every handshake is turned away
    async with running_bot(socket_env, local_slack, sandbox, bot_host) as bot:
        # The fourth attempt comes after the third one's warning and wait.
        await server.wait_until(lambda: server.turned_away >= 4)
        down = await bot.http.get(bot.url + "readyz")
        assert down.status_code == 503
        assert "HTTP 403" in down.json()["down"]["socket_mode"]
        assert (await bot.http.get(bot.url + "healthz")).status_code == 200  # HTTP serves meanwhile

        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) >= 3
        assert all(r.exc_info is None and "\n" not in r.getMessage() for r in warnings)
        waits = [float(re.findall(r"retrying in ([0-9.]+) s$", r.getMessage())[0]) for r in warnings]
        assert waits[0] >= RETRY_SECONDS and waits[:3] == sorted(set(waits[:3])), waits

        server.unreachable = False
        await connected(bot)
        assert (await bot.http.get(bot.url + "readyz")).status_code == 200
        await help_through_the_socket(bot)
    assert "Traceback" not in caplog.text


async def test_a_rejected_app_token_stops_socket_mode_and_readyz_names_it(
    socket_env: dict[str, str], local_slack: LocalSlack, sandbox: RunningSandbox, bot_host: BotHost
) -> None:
    local_slack.fail_next("apps.connections.open", ScriptedFailure("invalid_auth"))
    async with running_bot(socket_env, local_slack, sandbox, bot_host) as bot:
        socket_mode = socket_mode_of(bot)
        sentence = await asyncio.wait_for(socket_mode.rejected(), 10)
        assert not socket_mode.running  # no second attempt is coming
        down = await bot.http.get(bot.url + "readyz")
    assert sentence.startswith("Slack rejected SLACK_APP_TOKEN (invalid_auth)")
    assert down.status_code == 503 and down.json()["down"]["socket_mode"] == sentence
    assert [call.method for call in local_slack.refused] == ["apps.connections.open"]


async def test_error_answers_are_tried_again_and_a_rate_limit_waits_as_long_as_slack_says(
    socket_env: dict[str, str],
    local_slack: LocalSlack,
    sandbox: RunningSandbox,
    bot_host: BotHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app.socket_mode")
    local_slack.fail_next("apps.connections.open", ScriptedFailure("internal_error", status=503))
    local_slack.fail_next(
        "apps.connections.open", ScriptedFailure("ratelimited", status=429, retry_after="1")
    )
    async with running_bot(socket_env, local_slack, sandbox, bot_host) as bot:
        await connected(bot)
        await help_through_the_socket(bot)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.app.socket_mode"]
    assert len(said) == 2, said
    assert "(apps.connections.open answered internal_error)" in said[0]
    assert "(apps.connections.open answered ratelimited); retrying in 1." in said[1]


async def test_a_refusal_still_reaches_whoever_waits_after_an_earlier_waiter_gave_up(
    local_slack: LocalSlack,
) -> None:
    # serve stops waiting for a refusal when a signal comes first; that must not break it.
    local_slack.fail_next("apps.connections.open", ScriptedFailure("token_revoked"))
    socket_mode = SocketMode(
        bolt_app_never_called(), app_token=APP_TOKEN, api_url=local_slack.base_url + "api/"
    )
    gave_up = asyncio.ensure_future(socket_mode.rejected())
    await asyncio.sleep(0)  # it is waiting
    gave_up.cancel()
    socket_mode.start()
    try:
        sentence = await asyncio.wait_for(socket_mode.rejected(), 10)
    finally:
        await socket_mode.close()
    assert sentence.startswith("Slack rejected SLACK_APP_TOKEN (token_revoked)")
    assert socket_mode.problem == sentence


def bolt_app_never_called() -> Any:
    class NoBolt:
        async def async_dispatch(self, req: object) -> object:
            raise AssertionError("no envelope was sent")

    return NoBolt()

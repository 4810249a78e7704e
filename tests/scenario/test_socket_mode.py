"""Socket Mode end to end, in process: the bot connects to the local Slack's Socket Mode server in
the background, is ready only once Slack greeted it, answers slash commands and events sent
through the socket, reconnects when the connection is dropped, keeps trying with a growing wait
(one warning line each, no traceback) while Slack cannot be reached, and stops for good when
Slack refuses the app token. Exit statuses and signals are in test_cli.py."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.devkit.localslack import LocalSlack, ScriptedFailure
from bot.socket_mode import SocketMode
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


async def test_until_slack_greets_the_socket_the_bot_is_not_ready_and_keeps_trying(
    socket_env: dict[str, str],
    local_slack: LocalSlack,
    sandbox: RunningSandbox,
    bot_host: BotHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.socket_mode")
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
    caplog.set_level(logging.WARNING, logger="bot.socket_mode")
    local_slack.fail_next("apps.connections.open", ScriptedFailure("internal_error", status=503))
    local_slack.fail_next(
        "apps.connections.open", ScriptedFailure("ratelimited", status=429, retry_after="1")
    )
    async with running_bot(socket_env, local_slack, sandbox, bot_host) as bot:
        await connected(bot)
        await help_through_the_socket(bot)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.socket_mode"]
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

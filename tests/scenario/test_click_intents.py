"""A click written down before its ack is finished by another bot when the one that acked it
dies before its lazy listener runs: the order is placed exactly once and the requester is told
at the click's response_url."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.lazy_listener.async_runner import AsyncLazyListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.devkit.localslack import LocalSlack
from handlers.kit import Limits, intent_key, intent_lease
from storage.intents import ClickIntents
from tests.bothost import BotHost
from tests.conftest import RunningBot, assert_valid_block_kit, running_bot
from tests.scenario.test_orders import BOB, answer_at, button, command, sandbox_orders
from tests.scenario.test_team import until

CLICK_ANSWER_SECONDS = 30.0


class DiesBeforeLazyWork(AsyncLazyListenerRunner):
    """The bot's process as it dies right after the ack: the lazy listener never runs."""

    def __init__(self) -> None:
        self.logger = logging.getLogger(__name__)
        self.dropped = 0

    def start(self, function: Any, request: AsyncBoltRequest) -> None:
        self.dropped += 1

    async def run(self, function: Any, request: AsyncBoltRequest) -> None:
        self.dropped += 1


def click_payload(bot: RunningBot, pressed: dict[str, Any], response_url: str) -> dict[str, Any]:
    """Bob's click on ``pressed`` in #general, answered at ``response_url``."""
    return {
        "type": "block_actions",
        "user": {"id": BOB, "username": "bob", "team_id": bot.driver.team_id},
        "team": {"id": bot.driver.team_id},
        "channel": {"id": "C0GENERAL", "name": "general"},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": pressed["action_id"], "value": pressed["value"]}],
        "container": {"type": "message", "channel_id": "C0GENERAL", "is_ephemeral": True},
    }


async def test_a_confirm_whose_bot_died_after_the_ack_is_placed_once_by_another(
    bot_env: dict[str, str], local_slack: LocalSlack, sandbox: Any, bot_host: BotHost
) -> None:
    async with running_bot(bot_env, local_slack, sandbox, bot_host) as first:
        await first.link(BOB, "bob")
        preview = await command(first, "buy 3 AAPL")
        pressed = button(preview, "order_confirm")
        dying = DiesBeforeLazyWork()
        first.app.state.bolt.listener_runner.lazy_listener_runner = dying
        response_url = first.driver.response_url()
        payload = click_payload(first, pressed, response_url)
        response = await first.driver.interactive(payload)
        assert response.status_code == 200 and dying.dropped == 1
        intents = ClickIntents(first.services.db.engine)
        assert await intents.state_of(intent_key(payload)) == "pending"  # acked, written down, not done
        assert await sandbox_orders(first) == []

    # Another bot on the same database: a replay of the same bytes (a load balancer's retry) is
    # acknowledged and not handled again; the intent carries the click to its outcome.
    async with running_bot(bot_env, local_slack, sandbox, bot_host) as other:
        assert (await other.driver.interactive(payload)).status_code == 200
        answer = await answer_at(other, response_url)
        orders = await sandbox_orders(other)
        assert [order["ClientId"] for order in orders] == [pressed["value"]]
        assert answer["replace_original"] is True
        assert f"AutoShares order {orders[0]['Id']}" in str(answer["blocks"])
        intents = ClickIntents(other.services.db.engine)

        async def closed() -> bool:  # the recovery pass closes the intent after it answered
            return await intents.state_of(intent_key(payload)) == "done"

        await until(closed)
        await other.services.drain()
        assert (
            len([c for c in local_slack.by_method("response_url") if c.path == answer_path(response_url)])
            == 1
        )
    assert_valid_block_kit(local_slack)


def answer_path(response_url: str) -> str:
    return urlsplit(response_url).path


async def test_a_click_handled_by_its_own_listener_is_done_and_not_taken_again(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    preview = await command(bot, "buy 2 AAPL")
    pressed = button(preview, "order_cancel_pending")
    response_url = bot.driver.response_url()
    payload = click_payload(bot, pressed, response_url)
    assert (await bot.driver.interactive(payload)).status_code == 200
    await answer_at(bot, response_url)
    await bot.services.drain()
    intents = ClickIntents(bot.services.db.engine)
    assert await intents.state_of(intent_key(payload)) == "done"
    assert await intents.take(intent_key(payload), intent_lease(Limits())) is False

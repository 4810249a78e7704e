"""An answer at once however slow AutoShares is: "working on it" while it thinks, replaced by the
result; one deadline per command, retries included; an order preview's calls made together."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest

from bot.devkit.driver import buttons
from handlers import errors
from tests.conftest import RunningBot
from tests.scenario.steps import hold_autoshares, release_autoshares, until_autoshares_holds
from tests.scenario.test_orders import answer_at

BOB = "U0BOB"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "WORKING_MESSAGE_SECONDS": "0"}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    await bot.services.drain()
    return bot


async def test_a_command_shows_it_is_working_and_the_answer_replaces_that(bob: RunningBot) -> None:
    await hold_autoshares(bob)
    before = len(bob.slack.by_method("response_url"))
    response = await bob.driver.command("/autoshares", "positions", user=BOB)
    assert response.status_code == 200
    (working,) = (await bob.slack.wait_for("response_url", count=before + 1))[before:]
    assert "Working on it" in working.args["text"]
    assert working.args["replace_original"] is False
    await until_autoshares_holds(bob)  # AutoShares has not answered: the feedback came first
    await release_autoshares(bob)
    answer = (await bob.slack.wait_for("response_url", count=before + 2))[before + 1]
    assert answer.path == working.path
    assert answer.args["replace_original"] is True and "positions in" in answer.args["text"].lower()


async def confirm_button(bot: RunningBot, text: str) -> dict[str, object]:
    """Send an order and return its Confirm button (the answer that replaced "working on it")."""
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/order", text, user=BOB)

    def found() -> list[dict[str, object]]:
        calls = bot.slack.by_method("response_url")[before:]
        return [
            b for c in calls for b in buttons(c.args.get("blocks") or []) if b["action_id"] == "order_confirm"
        ]

    await bot.slack.wait_until(found)
    return found()[0]


async def test_a_slow_confirm_shows_the_order_being_placed(bob: RunningBot) -> None:
    confirm = await confirm_button(bob, "buy 1 AAPL")
    await hold_autoshares(bob)
    before = len(bob.slack.by_method("response_url"))
    await bob.driver.click(confirm, user=BOB)
    working = (await bob.slack.wait_for("response_url", count=before + 1))[before]
    assert working.args["replace_original"] is True and "Working on it" in working.args["text"]
    await release_autoshares(bob)
    # The answer replaces it (the fill, announced apart, may come in between).
    answered = [
        c for c in await bob.slack.wait_for("response_url", count=before + 2) if c.path == working.path
    ]
    assert len(answered) >= 2 and "AutoShares order" in str(answered[1].args["blocks"])


class TestTheDeadline:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "WORKING_MESSAGE_SECONDS": "60", "COMMAND_DEADLINE_SECONDS": "0.3"}

    async def test_one_deadline_covers_the_command_however_long_autoshares_takes(
        self, bob: RunningBot
    ) -> None:
        """AutoShares holds every call: the user hears it did not answer in time while the
        sandbox is still holding the bot's call (nothing waited for AutoShares)."""
        await hold_autoshares(bob)
        before = len(bob.slack.by_method("response_url"))
        await bob.driver.command("/autoshares", "account", user=BOB)
        answer = (await bob.slack.wait_for("response_url", count=before + 1))[before]
        assert "AutoShares did not answer in time" in answer.args["text"]
        assert (await bob.admin("GET", "_sandbox/faults"))["Hold"] is True
        await release_autoshares(bob)


class TestABusyBot:
    """One connection for commands: a second command waits in the bot's own queue, not at
    AutoShares, and is told at its deadline that the bot is busy, not that AutoShares is slow."""

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {
            **bot_env,
            "WORKING_MESSAGE_SECONDS": "60",
            "COMMAND_DEADLINE_SECONDS": "1",
            "COMMAND_CONCURRENCY": "1",
        }

    async def test_a_command_waiting_for_the_bots_own_pool_hears_the_bot_is_busy(
        self, bob: RunningBot
    ) -> None:
        await hold_autoshares(bob)
        # The one command connection, taken by a call AutoShares holds for as long as the test
        # needs (a command's own call would give it back at its deadline).
        occupant = asyncio.create_task(bob.services.command_http.get(bob.sandbox.url + "v1.0/users/@me/info"))
        await until_autoshares_holds(bob)
        body = bob.driver.command_body("/autoshares", "account", user=BOB)
        assert (await bob.driver.post(body, FORM)).status_code == 200
        busy = await answer_at(bob, parse_qs(body)["response_url"][0])
        assert busy["text"] == errors.BUSY
        # The command's call never reached AutoShares: only the occupant is held there.
        assert (await bob.admin("GET", "_sandbox/faults"))["Held"] == 1
        await release_autoshares(bob)
        await occupant
        again = bob.driver.command_body("/autoshares", "account", user=BOB)
        assert (await bob.driver.post(again, FORM)).status_code == 200
        answer = await answer_at(bob, parse_qs(again)["response_url"][0])
        assert errors.BUSY not in str(answer) and "did not answer" not in str(answer)


async def test_an_order_preview_asks_autoshares_everything_at_once(bob: RunningBot) -> None:
    """With the account known, the agreements, the accounts, the preview and the balances are
    four calls in flight together (the sandbox holds all four at once)."""
    await confirm_button(bob, "buy 1 AAPL")  # the first account becomes the default
    await hold_autoshares(bob)
    before = len(bob.slack.by_method("response_url"))
    await bob.driver.command("/order", "buy 2 AAPL", user=BOB)
    await until_autoshares_holds(bob, count=4)
    await release_autoshares(bob)
    answers = await bob.slack.wait_for("response_url", count=before + 2)  # working, then the preview
    assert "Review your order" in answers[-1].args["text"]

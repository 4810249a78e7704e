"""Steps shared by the scenario tests of accounts, agreements, quotes and App Home: run a slash
command or click a button through the signed driver, and return the answer Slack received.

``hold_autoshares`` / ``until_autoshares_holds`` / ``release_autoshares`` make AutoShares as slow
as a test needs without a clock: the sandbox keeps every request unanswered until released, so
"the ack came back before AutoShares answered" is shown by the order of events, not by timing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.devkit.driver import buttons
from tests.conftest import RunningBot


async def hold_autoshares(bot: RunningBot) -> None:
    """From now on the sandbox answers nothing (it holds each request) until released."""
    await bot.admin("POST", "_sandbox/faults", json={"Hold": True})


async def until_autoshares_holds(bot: RunningBot, count: int = 1, timeout: float = 10.0) -> None:
    """Wait until the sandbox holds ``count`` requests: the bot asked, and is waiting for AutoShares."""
    async with asyncio.timeout(timeout):
        while (await bot.admin("GET", "_sandbox/faults"))["Held"] < count:  # noqa: ASYNC110 - asks the sandbox
            await asyncio.sleep(0.005)


async def release_autoshares(bot: RunningBot) -> None:
    """Let every held request through, and stop holding."""
    await bot.admin("POST", "_sandbox/faults", json={"Hold": False})


async def command(
    bot: RunningBot,
    text: str,
    user: str,
    slash: str = "/autoshares",
    channel: str = "C0GENERAL",
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Run a slash command and return the response_url answer it produced."""
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command(slash, text, user=user, channel=channel)
    assert response.status_code == 200
    calls = await bot.slack.wait_for("response_url", count=before + 1, timeout=timeout)
    return calls[before].args


async def click(
    bot: RunningBot, button: dict[str, Any], user: str, timeout: float = 10.0, **kwargs: Any
) -> dict[str, Any]:
    """Click a button the bot sent and return the response_url answer to the click."""
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.click(button, user=user, **kwargs)
    assert response.status_code == 200
    calls = await bot.slack.wait_for("response_url", count=before + 1, timeout=timeout)
    return calls[before].args


def button(message: dict[str, Any], action_id: str, value: str | None = None) -> dict[str, Any]:
    """The button with ``action_id`` (and ``value``, when given) in a message."""
    found = [
        b
        for b in buttons(message.get("blocks") or [])
        if b.get("action_id") == action_id and (value is None or b.get("value") == value)
    ]
    assert found, f"no {action_id} button in {message.get('text')!r}"
    return found[0]


def action_ids(message: dict[str, Any]) -> list[str]:
    return [b.get("action_id", "") for b in buttons(message.get("blocks") or [])]


WEBHOOK_SECRET = "whsec-test-0123456789"


async def with_webhooks(bot: RunningBot, user: str = "U0BOB", login: str = "bob") -> RunningBot:
    """Link ``user`` and have the sandbox send its webhooks to the bot (signed with the secret
    the test's bot_env gives as AUTOSHARES_WEBHOOK_SECRET)."""
    await bot.link(user, login)
    await bot.admin(
        "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": WEBHOOK_SECRET}
    )
    return bot

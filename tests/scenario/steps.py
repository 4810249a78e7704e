"""Steps shared by the scenario tests of accounts, agreements, quotes and App Home: run a slash
command or click a button through the signed driver, and return the answer Slack received."""

from __future__ import annotations

from typing import Any

from bot.devkit.driver import buttons
from tests.conftest import RunningBot

#: Long enough for a few AutoShares calls made 3 s slow by the sandbox's latency fault.
SLOW_TIMEOUT = 30.0


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

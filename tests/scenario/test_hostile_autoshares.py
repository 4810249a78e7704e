"""AutoShares answering in ways it is allowed to: optional figures left out, text that looks like
Slack markup. The bot fails closed and shows AutoShares' words as words."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.devkit.driver import buttons
from tests.conftest import RunningBot
from tests.scenario.test_orders import click, command, sandbox_orders

BOB = "U0BOB"
LIVE_LINK = "<HTTP://EVIL.EXAMPLE|VERIFY>"


async def rewrite(bot: RunningBot, rules: dict[str, dict[str, Any]]) -> None:
    await bot.admin("POST", "_sandbox/faults", json={"Rewrite": rules})


def every_text(message: dict[str, Any]) -> str:
    return str(message.get("text")) + str(message.get("blocks"))


async def test_an_order_whose_value_cannot_be_known_needs_the_typed_symbol(bot: RunningBot) -> None:
    """A preview with no price and no cost (every field is optional in the spec) does not skip
    the large-order step: Confirm asks for the symbol, and nothing is placed."""
    await bot.link(BOB, "bob")
    await rewrite(
        bot,
        {
            "POST /v1.0/accounts/5002/preview/orders": {
                "Quotes": None,
                "Cost": None,
                "NetCost": None,
                "TotalCost": None,
                "EstimatedCost": None,
            }
        },
    )
    preview = await command(bot, "buy 400 AAPL")  # about $74k at the sandbox's price
    assert "did not say what this order is worth" in every_text(preview)
    before = len(bot.slack.by_method("views.open"))
    await bot.driver.click(
        next(b for b in buttons(preview["blocks"]) if b["action_id"] == "order_confirm"), user=BOB
    )
    (opened,) = (await bot.slack.wait_for("views.open", count=before + 1))[before:]
    assert opened.args["view"]["callback_id"] == "order_large_confirm"
    assert "did not say what" in str(opened.args["view"]["blocks"])
    assert await sandbox_orders(bot) == []


async def test_autoshares_text_is_escaped_in_a_shared_quote(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await rewrite(bot, {"GET /v1.0/equities/": {"Currency": LIVE_LINK, "Description": "<!channel> Apple"}})
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/quote", "AAPL", user=BOB)
    reply = await bot.last_response(before + 1)
    share = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "quote_share")
    await click(bot, reply | {"blocks": reply["blocks"]}, "quote_share")
    (posted,) = [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == "C0GENERAL"]
    shown = every_text(posted.args) + every_text(reply)
    assert share["value"]
    assert "<HTTP" not in shown and "<!channel>" not in shown
    assert "&lt;HTTP://EVIL" in shown and "&lt;!channel&gt; Apple" in shown
    assert "&amp;lt;" not in shown  # escaped once, not twice


async def test_autoshares_error_text_is_escaped_in_a_reply(bot: RunningBot) -> None:
    """An AutoShares refusal's own words (a 400's Message) reach the user as words."""
    await bot.link(BOB, "bob")
    await rewrite(bot, {"GET /v1.0/users/": {"_status": 400, "Message": "<!channel> call me"}})
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/autoshares", "account", user=BOB)
    reply = await bot.last_response(before + 1)
    assert "AutoShares did not accept that" in reply["text"]
    assert "<!channel>" not in every_text(reply)
    assert "&lt;!channel&gt; call me" in every_text(reply)


async def test_a_preview_with_an_unreadable_number_is_refused_in_one_sentence(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A cost that is not a number stops at the client: the user is told in one sentence, the
    operator's log names the endpoint and the property, and nothing is stored or placed."""
    await bot.link(BOB, "bob")
    await rewrite(bot, {"POST /v1.0/accounts/5002/preview/orders": {"Cost": "about a thousand"}})
    with caplog.at_level(logging.WARNING):
        reply = await command(bot, "buy 1 AAPL")
    assert reply["text"].startswith("AutoShares sent an answer I could not read.")
    assert "order_confirm" not in every_text(reply)
    logged = [r.getMessage() for r in caplog.records if "could not read" not in r.getMessage()]
    assert any(
        "POST /accounts/{accountId}/preview/orders answered an OrderPreview that has an unusable Cost" in m
        for m in logged
    )
    assert await bot.services.core.orders.repo.open_for_user(bot.slack.team_id, BOB) == []
    assert await sandbox_orders(bot) == []

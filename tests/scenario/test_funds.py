"""Mutual funds end to end: signed /fund commands and clicks → AutoShares' fund preview →
one Confirm places one order at the sandbox's mutual fund endpoint, and the order's message
follows it to its fill at the close (by webhook)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from sandbox import SandboxConfig
from sandbox.funds import next_close
from storage.audit import AuditLog
from tests.conftest import RunningBot
from tests.scenario.steps import command as run
from tests.scenario.test_alerts import SECRET
from tests.scenario.test_options import OWNER
from tests.scenario.test_orders import BOB, button, click, command, sandbox_orders
from tests.scenario.test_webhooks import wait_for_update


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Hour-long market steps: a clock advanced to the close takes a few steps, not thousands."""
    return SandboxConfig(tick_seconds=3600, rate_limits=False, webhook_retry_scale=0.001)


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "ORDER_POLL_SECONDS": "3600"}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    await bot.admin(
        "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": SECRET}
    )
    return bot


async def fund(bot: RunningBot, text: str) -> dict[str, Any]:
    return await command(bot, text, command="/fund")


async def to_the_close(bot: RunningBot) -> None:
    """Move the sandbox's clock just past the next close: open fund orders fill."""
    now = datetime.fromisoformat((await bot.admin("GET", "_sandbox/clock"))["Now"].replace("Z", "+00:00"))
    seconds = (next_close(now) - now).total_seconds() + 60
    await bot.admin("POST", "_sandbox/clock", json={"AdvanceSeconds": seconds})


async def confirmed(bot: RunningBot, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Preview ``/fund text``, confirm it; (the placed message, the order at the sandbox)."""
    preview = await fund(bot, text)
    placed = await click(bot, preview, "order_confirm")
    order = (await sandbox_orders(bot))[-1]
    assert f"AutoShares order {order['Id']}" in str(placed["blocks"]), placed["text"]
    return placed, order


async def test_buy_sell_exchange_and_liquidate_a_fund(bob: RunningBot) -> None:
    bot = bob
    preview = await fund(bot, "buy VFIAX $1000 dividends cash")
    shown = str(preview["blocks"])
    assert "Buy $1,000.00 of VFIAX" in shown and "Paper trading" in shown
    assert "dividends paid in cash" in shown and "capital gains reinvested" in shown
    assert "net asset value at the next close" in shown
    assert await sandbox_orders(bot) == []  # a preview places nothing

    # Two Confirms at once: one order, and both answers show it.
    first, second = await asyncio.gather(
        click(bot, preview, "order_confirm"), click(bot, preview, "order_confirm")
    )
    (bought,) = await sandbox_orders(bot)
    assert bought["Type"] == "MutualFundsExchange" and bought["Status"] == "New"
    assert bought["MutualFundRequest"] == {
        "Symbol": "VFIAX",
        "Quantity": 1000,
        "QuantityQualifier": "EvenDollar",
        "ReinvestDividends": False,
        "ReinvestShortTermGains": True,
        "ReinvestLongTermGains": True,
    }
    for answer in (first, second):
        assert f"AutoShares order {bought['Id']}" in str(answer["blocks"])
    pending_id = button(preview, "order_confirm")["value"]

    await to_the_close(bot)
    row = await bot.services.core.orders.repo.get(pending_id)
    assert row is not None and row.response_url
    filled = await wait_for_update(bot, urlsplit(row.response_url).path, "is filled")
    assert "1.903 filled at $525.40 on average" in str(filled["blocks"])
    actions = [e.action for e in await AuditLog(bot.services.db.sessions).since(subject_id=pending_id)]
    assert actions == ["previewed", "confirmed", "placed", "filled"]

    # A sell by shares, cancelled from its message before the close.
    sell = await fund(bot, "sell VFIAX 1")
    assert "Sell 1 share of VFIAX" in str(sell["blocks"]) and "1.903 shares of VFIAX" in str(sell["blocks"])
    placed, sold = await confirmed(bot, "sell VFIAX 1")
    assert sold["MutualFundRequest"] == {"Symbol": "VFIAX", "Quantity": 1, "QuantityQualifier": "Shares"}
    cancelled = await click(bot, placed, "fund_cancel_open")
    assert f"mutual fund order {sold['Id']}: it is now cancelled" in str(cancelled["blocks"])
    assert (await sandbox_orders(bot))[-1]["Status"] == "Canceled"

    # An exchange of the whole holding, then the liquidation of what it bought.
    _, exchanged = await confirmed(bot, "exchange VFIAX VTSAX")
    assert exchanged["MutualFundRequest"] == {
        "SourceSymbol": "VFIAX",
        "TargetSymbol": "VTSAX",
        "ReinvestDividends": True,
        "ReinvestShortTermGains": True,
        "ReinvestLongTermGains": True,
    }
    await to_the_close(bot)
    _, liquidated = await confirmed(bot, "liquidate VTSAX")
    assert liquidated["MutualFundRequest"] == {"Symbol": "VTSAX"}
    assert liquidated["Status"] == "New" and liquidated["Quantity"] == 7.341

    # AutoShares takes an order but answers 500: a fund order has no ClientId to look it up by,
    # so the message says it may stand rather than that nothing was placed.
    await bot.admin("POST", "_sandbox/faults", json={"FailNextOrders": 1})
    preview = await fund(bot, "buy VBTLX $100")
    unknown = await click(bot, preview, "order_confirm")
    assert "Not confirmed" in unknown["text"] and "check `/order list`" in str(unknown["blocks"])
    assert (await sandbox_orders(bot))[-1]["Symbol"] == "VBTLX"

    refused = await fund(bot, "exchange VFIAX VTSAX $500")
    assert "takes no amount" in refused["text"] and "Try `/fund exchange VFIAX VTSAX`." in refused["text"]


async def test_a_fund_sale_whose_value_cannot_be_known_is_refused_under_a_limit(bob: RunningBot) -> None:
    bot = bob
    bot.slack.workspace_admins.add(OWNER)
    await confirmed(bot, "buy VFIAX $1000")
    await to_the_close(bot)
    await run(bot, f"admin limit <@{BOB}> value 5,000", user=OWNER)
    # The holdings cannot be read: what a share is worth is unknown, so the limit refuses it.
    await bot.admin(
        "POST", "_sandbox/faults", json={"Rewrite": {"GET /v1.0/accounts/5002/positions": {"_status": 500}}}
    )
    refused = await fund(bot, "sell VFIAX 1")
    assert refused["text"] == (
        "The value of this fund order cannot be worked out from your holdings, and your limit is $5,000 "
        "per order. Sell a dollar amount such as `/fund sell VFIAX $500`, or ask an admin to raise your limit."
    )
    previewed = await fund(bot, "sell VFIAX $500")  # a dollar amount is its own value
    assert button(previewed, "order_confirm")
    await bot.admin("POST", "_sandbox/faults", json={"Rewrite": {}})

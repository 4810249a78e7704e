"""`/autoshares account all` and `/autoshares positions top` end to end, after orders have filled
in two accounts: every figure is worked out again from the sandbox's own state (cash, holdings,
prices, open orders), and the allocation is a chart the bot serves, or text bars without the
charts extra."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from handlers.charts import NO_IMAGES
from tests.conftest import RunningBot
from tests.scenario.steps import button, click, command

BOB, BOB_ID = "U0BOB", 1002
BOB_ACCOUNT, ALICE_ACCOUNT = 5002, 5001
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def order(bot: RunningBot, text: str) -> None:
    await click(bot, button(await command(bot, f"order {text}", user=BOB), "order_confirm"), user=BOB)


async def two_accounts_traded(bot: RunningBot) -> dict[str, float]:
    """Bob, who may trade Alice's account too, buys 2 AAPL in his and 4 SPY in hers, and leaves a
    limit order working in his; the prices the sandbox now quotes."""
    bot.sandbox.sandbox.state.accounts[ALICE_ACCOUNT].users[BOB_ID] = "Full"
    await bot.link(BOB, "bob")
    prices = [
        {"Symbol": "AAPL", "Last": 100.0, "Ask": 100.0, "Bid": 99.9},
        {"Symbol": "SPY", "Last": 50.0, "Ask": 50.0, "Bid": 49.9},
    ]
    await bot.admin("POST", "_sandbox/prices", json=prices)
    await order(bot, f"buy 2 AAPL account {BOB_ACCOUNT}")
    await order(bot, f"buy 4 SPY account {ALICE_ACCOUNT}")
    await order(bot, f"buy 1 AAPL limit 90 account {BOB_ACCOUNT}")
    return {s: (await bot.admin("GET", f"_sandbox/prices/{s}"))["Last"] for s in ("AAPL", "SPY")}


def dollars(value: float) -> str:
    return f"${value:,.2f}"


def text_of(message: dict[str, Any]) -> str:
    return str(message["blocks"])


def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ["matplotlib", *(n for n in sys.modules if n.startswith("matplotlib."))]:
        monkeypatch.setitem(sys.modules, name, None)


async def test_every_account_at_once_and_the_top_holdings_agree_with_the_sandbox(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = await two_accounts_traded(bot)
    state = bot.sandbox.sandbox.state
    accounts = [state.accounts[BOB_ACCOUNT], state.accounts[ALICE_ACCOUNT]]
    equity = sum(a.cash + sum(p.quantity * last[p.symbol] for p in a.positions.values()) for a in accounts)
    cash = sum(a.cash for a in accounts)
    [working] = [o for o in await bot.admin("GET", "_sandbox/orders") if o["Status"] == "New"]

    reply = await command(bot, "account all", user=BOB)
    text = text_of(reply)
    assert "*All 2 accounts at once*" in text
    assert f"*Equity*\\n{dollars(equity)}" in text and f"*Cash*\\n{dollars(cash)}" in text
    assert f"*AAPL* 2 sh · value {dollars(2 * last['AAPL'])} · in Bob's cash account ({BOB_ACCOUNT})" in text
    assert (
        f"*SPY* 4 sh · value {dollars(4 * last['SPY'])} · in Alice's cash account ({ALICE_ACCOUNT})" in text
    )
    assert "*Open orders* (1)" in text
    assert f"order {working['Id']} · in Bob's cash account ({BOB_ACCOUNT})" in text

    aapl = 2 * last["AAPL"]
    reply = await command(bot, f"positions top account {BOB_ACCOUNT}", user=BOB)
    text = text_of(reply)
    assert f"1. *AAPL* {dollars(aapl)} (100.0% of holdings)" in text
    assert f"`██████████` Common stock {dollars(aapl)} (100.0%)" in text
    [image] = [b for b in reply["blocks"] if b.get("type") == "image"]
    served = await bot.http.get(image["image_url"])
    assert served.status_code == 200 and served.content.startswith(PNG_MAGIC)

    without_matplotlib(monkeypatch)
    hers = await command(bot, f"positions top account {ALICE_ACCOUNT}", user=BOB)
    assert not [b for b in hers["blocks"] if b.get("type") == "image"]
    assert f"`██████████` ETF {dollars(4 * last['SPY'])} (100.0%)" in text_of(hers)
    assert NO_IMAGES in text_of(hers)

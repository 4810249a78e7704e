"""`/autoshares performance 1m vs SPY` after two orders filled: every figure it shows is worked
out here again from the sandbox's own state (the fills, today's prices, the seeded daily closes),
the chart stays private until Share, and Share posts the figures and uploads the chart."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from handlers.blocks.performance import parse_share_value
from sandbox.history import candles
from tests.conftest import RunningBot
from tests.scenario.steps import button, click, command

BOB = "U0BOB"
CHANNEL = "C0GENERAL"
DAY = 86_400


def pct(first: float, last: float) -> str:
    value = ((Decimal(str(last)) - Decimal(str(first))) / Decimal(str(first)) * 100).quantize(Decimal("0.01"))
    return f"{value:+.2f}%" if value else "0.00%"


async def close_move(bot: RunningBot, symbol: str, start: int) -> str:
    """The symbol's move from its first daily close of the period to now, as the sandbox seeds them."""
    sandbox = bot.sandbox.sandbox
    security = sandbox.state.security(symbol)
    last = (await bot.admin("GET", f"_sandbox/prices/{symbol}"))["Last"]
    series = candles(
        seed=sandbox.config.seed,
        symbol=symbol,
        last=last,
        daily_volume=security.daily_volume,
        period="Day",
        interval=1,
        count=40,
        end=int(time.time()),
    )
    closes = [c.close for c in series if c.time >= start - start % DAY]
    return pct(closes[0], closes[-1])


async def buy(bot: RunningBot, text: str) -> None:
    preview = await command(bot, text, user=BOB, slash="/order")
    await click(bot, button(preview, "order_confirm"), user=BOB)


def fields(message: dict[str, Any]) -> list[str]:
    return [f["text"] for b in message["blocks"] if b["type"] == "section" for f in b.get("fields") or []]


async def test_performance_against_spy_agrees_with_the_sandbox_and_is_private_until_shared(
    bot: RunningBot,
) -> None:
    await bot.link(BOB, "bob")
    await buy(bot, "buy 10 AAPL")
    await buy(bot, "buy 5 MSFT")
    aapl = (await bot.admin("GET", "_sandbox/prices/AAPL"))["Last"]
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": round(aapl + 7.25, 2)})
    start = int(time.time()) - 30 * DAY

    reply = await command(bot, "performance 1m vs SPY", user=BOB)

    orders = await bot.admin("GET", "_sandbox/orders")
    assert [o["Status"] for o in orders] == ["Filled", "Filled"]
    cash = bot.sandbox.sandbox.config.starting_cash
    for order in orders:
        cash -= order["ExecutedQuantity"] * order["AveragePrice"] + order.get("Commission", 0)
    worth = 0.0
    for order in orders:
        worth += (
            order["ExecutedQuantity"] * (await bot.admin("GET", f"_sandbox/prices/{order['Symbol']}"))["Last"]
        )
    start_value, end_value = bot.sandbox.sandbox.config.starting_cash, round(cash + worth, 2)
    change = Decimal(str(end_value)) - Decimal(str(start_value))
    moves = {s: await close_move(bot, s, start) for s in ("AAPL", "MSFT", "SPY")}
    best, worst = sorted(("AAPL", "MSFT"), key=lambda s: float(moves[s].rstrip("%")), reverse=True)

    shown = fields(reply)
    assert shown[0] == f"*Value now*\n${end_value:,.2f}"
    assert f"{'+' if change > 0 else '-'}${abs(change):,.2f} ({pct(start_value, end_value)})" in shown[1]
    assert shown[2] == f"*SPY over the same days*\n{moves['SPY']}"
    assert shown[3] == f"*Best holding*\n*{best}* {moves[best]}"
    assert shown[4] == f"*Worst holding*\n*{worst}* {moves[worst]}"
    [image] = [b for b in reply["blocks"] if b["type"] == "image"]
    assert image["image_url"].startswith(bot.url + "charts/")
    assert image["title"]["text"] == "Account 5002 over 1 month vs SPY"
    served = await bot.http.get(image["image_url"])
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG")
    assert not [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == CHANNEL]

    shared = await click(bot, button(reply, "performance_share"), user=BOB)
    assert "Shared to the channel, with the chart." in str(shared["blocks"])
    [post] = [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == CHANNEL]
    assert f"Shared by <@{BOB}>" in str(post.args["blocks"]) and f"${end_value:,.2f}" in str(
        post.args["blocks"]
    )
    assert any(c.method.startswith("files.") for c in bot.slack.calls)

    refused = await command(bot, "performance 2w", user=BOB)
    assert "`2w` is not a period; periods are 1w, 1m, 3m, 1y or ytd" in refused["text"] + str(
        refused.get("blocks")
    )
    # An account named: the same report for it; someone else's account is refused, nothing shown.
    named = await command(bot, "performance 1m vs SPY account 5002", user=BOB)
    assert fields(named)[0] == shown[0] and "Account 5002 over 1 month vs SPY" in str(named["blocks"])
    assert parse_share_value(button(named, "performance_share")["value"]).request.account_id == 5002
    foreign = await command(bot, "performance account 5001", user=BOB)
    assert "Account 5001 is not one of your AutoShares accounts." in foreign["text"] and "$" not in foreign["text"]

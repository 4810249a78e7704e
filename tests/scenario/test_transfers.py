"""Transfers end to end: `/autoshares transfers` shows what the sandbox holds, read only; a
transfer that completes or fails afterwards is told to its member once, by DM, however many
bot services on one database check it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app.wiring import Services
from storage.outbox import OutboxRepository
from storage.transfers import TRANSFER_SETTLED
from tests.conftest import RunningBot
from tests.scenario.steps import WEBHOOK_SECRET, command, with_webhooks

BOB = "U0BOB"
TRANSFERS_CALL = "GET /v1.0/accounts/{accountId}/transfers"


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    """Webhooks may be sent (the sandbox sends them once a test gives it the bot's URL)."""
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": WEBHOOK_SECRET}


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
    held_here = [t for t in await bot.admin("GET", "_sandbox/transfers") if t["AccountId"] == account_id]
    assert len(held_here) == 3
    for held in held_here:  # what the sandbox holds, as it is
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


async def test_a_transfer_webhook_tells_the_member_at_once(bot: RunningBot) -> None:
    await with_webhooks(bot, BOB, "bob")
    user = await bot.services.core.users.acting(bot.driver.team_id, BOB)
    account_id = (await user.api.accounts())[0].id
    coming = await bot.admin("POST", "_sandbox/transfers", json={"AccountId": account_id, "Amount": 42.0})
    await command(bot, "transfers", BOB)  # follows the account; the pass itself is a minute away

    await bot.admin("POST", f"_sandbox/transfers/{coming['Id']}", json={"Status": "Completed"})
    told = f"[PAPER] Your deposit of $42.00 in account {account_id} completed."
    posts = bot.slack.by_method
    await bot.slack.wait_until(lambda: any(c.args.get("text") == told for c in posts("chat.postMessage")))
    sent = [d for d in (await bot.admin("GET", "_sandbox/webhooks"))["Deliveries"] if d["Type"].startswith("transfer.")]
    assert [(d["Type"], d["AccountId"]) for d in sent] == [("transfer.completed", account_id)]
    assert [c.args["text"] for c in posts("chat.postMessage")].count(told) == 1


async def test_the_transfer_pass_keeps_to_each_members_allowance_of_background_calls(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.link(BOB, "bob")
    transfers, key = bot.services.core.transfers, (bot.driver.team_id, BOB)
    monkeypatch.setattr(transfers.pacing, "clock", lambda: 0.0)  # nothing refills during the test
    account_id = (await (await bot.services.core.users.acting(*key)).api.accounts())[0].id
    coming = await bot.admin("POST", "_sandbox/transfers", json={"AccountId": account_id, "Amount": 9.0})
    await command(bot, "transfers", BOB)
    await bot.admin("POST", f"_sandbox/transfers/{coming['Id']}", json={"Status": "Completed"})

    async def reads() -> int:
        return int((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"][TRANSFERS_CALL])

    before = await reads()
    await transfers.pacing.spend(key, transfers.pacing.per_minute * 2)  # spent by other passes
    assert await transfers.check_once(timedelta(0)) == 0 and await reads() == before
    await transfers.pacing.spend(key, -transfers.pacing.per_minute * 4)  # refilled
    quota_spent = {"_status": 429, "_headers": {"Retry-After": "60"}, "Message": "API calls quota exceeded."}
    await bot.admin("POST", "_sandbox/faults", json={"Rewrite": {f"GET /v1.0/accounts/{account_id}/transfers": quota_spent}})
    try:
        assert await transfers.check_once(timedelta(0)) == 0 and await reads() == before + 1
    finally:
        await bot.admin("POST", "_sandbox/faults", json={"Clear": True})
    assert await transfers.pacing.backed_off(key)
    assert await transfers.check_once(timedelta(0)) == 0 and await reads() == before + 1  # waits out Retry-After
    monkeypatch.setattr(transfers.pacing, "clock", lambda: 120.0)
    assert await transfers.check_once(timedelta(0)) == 1 and await reads() == before + 2


async def test_a_transfer_behind_a_page_of_newer_ones_is_told_when_it_ends(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    user = await bot.services.core.users.acting(bot.driver.team_id, BOB)
    account_id = (await user.api.accounts())[0].id
    oldest = await bot.admin("POST", "_sandbox/transfers", json={"AccountId": account_id, "Amount": 42.0})
    for amount in range(21):  # newer ones, ended, fill the first page
        await bot.admin(
            "POST", "_sandbox/transfers", json={"AccountId": account_id, "Amount": 1.0 + amount, "Status": "Completed"}
        )
    listing = await command(bot, "transfers", BOB)
    assert "$42.00" not in str(listing["blocks"])  # not among the newest twenty shown

    await bot.admin("POST", f"_sandbox/transfers/{oldest['Id']}", json={"Status": "Completed"})
    assert await bot.services.core.transfers.check_once(timedelta(0)) == 1

    def told() -> list[str]:
        posts = bot.slack.by_method("chat.postMessage")
        return [c.args["text"] for c in posts if c.args.get("channel") == BOB and "Your " in c.args["text"]]

    await bot.slack.wait_until(lambda: len(told()) >= 1)
    assert told() == [f"[PAPER] Your deposit of $42.00 in account {account_id} completed."]

"""A corporate action published in the sandbox is told to each holder of the security once, by
DM, however many bot services (one database) run the pass at once and however often: a dividend
with its amount and dates, a split with its ratio; nobody is told of what they do not hold."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app.wiring import Services
from bot.core.corporate_actions import CHECK_EVERY, RETRY_AFTER
from storage.corporate_actions import CORPORATE_ACTION
from storage.models import OutboxMessage
from tests.conftest import RunningBot
from tests.scenario.steps import button, click, command

BOB = "U0BOB"
CAROL = "U0CAROL"


async def buy(bot: RunningBot, user: str, text: str) -> None:
    preview = await command(bot, text, user=user, slash="/order")
    await click(bot, button(preview, "order_confirm"), user=user)


def told(bot: RunningBot, user: str) -> list[str]:
    """The corporate-action DMs ``user`` got (their notification texts)."""
    texts = [
        c.args.get("text", "")
        for c in bot.slack.by_method("chat.postMessage")
        if c.args.get("channel") == user
    ]
    return [t for t in texts if t.startswith(("AAPL:", "MSFT:", "TSLA:"))]


async def test_each_holder_is_told_of_each_action_once_across_two_services(bot: RunningBot) -> None:
    await bot.admin("POST", "_sandbox/users", json={"Login": "carol", "Password": "sandbox"})
    await bot.link(BOB, "bob")
    await bot.link(CAROL, "carol")
    await buy(bot, BOB, "buy 10 AAPL")
    await buy(bot, BOB, "buy 2 MSFT")
    await buy(bot, CAROL, "buy 1 AAPL")
    dividend = {"Amount": "0.25", "ExDate": "2026-12-14", "RecordDate": "2026-12-15", "PayDate": "2026-12-28"}
    await bot.admin(
        "POST", "_sandbox/corporate-actions", json={"Symbol": "AAPL", "Type": "Dividend", "Data": dividend}
    )
    await bot.admin(
        "POST",
        "_sandbox/corporate-actions",
        json={"Symbol": "MSFT", "Type": "Split", "Data": {"Ratio": "2-for-1"}},
    )
    await bot.admin(
        "POST",
        "_sandbox/corporate-actions",
        json={"Symbol": "TSLA", "Type": "Merger", "Data": {"Acquirer": "X"}},
    )

    other = await Services.create(bot.settings, migrate=False)
    try:
        owed = await asyncio.gather(
            *(bot.services.core.corporate_actions.run_once() for _ in range(3)),
            *(other.core.corporate_actions.run_once() for _ in range(3)),
        )
        assert sum(owed) == 3  # Bob's two, Carol's one
        later = datetime.now(UTC) + timedelta(hours=2)  # every member due again: nothing new to tell
        again = await asyncio.gather(
            bot.services.core.corporate_actions.run_once(later), other.core.corporate_actions.run_once(later)
        )
        assert sum(again) == 0
        async with bot.services.db.sessions() as session:
            rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == CORPORATE_ACTION))
            assert sorted(r.channel for r in rows) == [BOB, BOB, CAROL]
        for _ in range(50):  # Bob's second DM waits its turn: one post a second per channel
            await asyncio.gather(bot.services.delivery.settle(), other.delivery.settle())
            if len(told(bot, BOB)) == 2:
                break
            await asyncio.sleep(0.1)
    finally:
        await other.aclose()

    assert sorted(told(bot, BOB)) == ["AAPL: dividend of 0.25 USD per share", "MSFT: 2-for-1 stock split"]
    assert told(bot, CAROL) == ["AAPL: dividend of 0.25 USD per share"]
    [dm] = [
        c
        for c in bot.slack.by_method("chat.postMessage")
        if c.args.get("channel") == CAROL and "dividend" in c.args["text"]
    ]
    text = str(dm.args["blocks"])
    for shown in (
        "*Amount per share*: 0.25",
        "*Ex-dividend date*: 2026-12-14",
        "*Record date*: 2026-12-15",
        "*Payment date*: 2026-12-28",
    ):
        assert shown in text


async def test_the_pass_keeps_to_each_members_allowance_and_stops_when_they_unlink(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.link(BOB, "bob")
    await buy(bot, BOB, "buy 1 AAPL")
    split = {"Symbol": "AAPL", "Type": "Split", "Data": {"Ratio": "4-for-1"}}
    await bot.admin("POST", "_sandbox/corporate-actions", json=split)
    service, key = bot.services.core.corporate_actions, (bot.driver.team_id, BOB)
    monkeypatch.setattr(service.pacing, "clock", lambda: 0.0)  # nothing refills during the test

    async def calls() -> int:
        return sum((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"].values())

    await service.pacing.spend(key, service.pacing.per_minute * 2)  # spent by other passes
    before, now = await calls(), datetime.now(UTC)
    assert await service.run_once(now) == 0 and await calls() == before
    await service.pacing.spend(key, -service.pacing.per_minute * 4)  # refilled
    assert await service.run_once(now + RETRY_AFTER) == 1 and await calls() > before  # a minute on, not 30

    await command(bot, "unlink", user=BOB)
    before = await calls()
    assert await service.run_once(now + RETRY_AFTER + CHECK_EVERY) == 0 and await calls() == before

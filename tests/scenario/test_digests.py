"""Portfolio digests end to end: scheduled with signed `/autoshares digest` commands, run by
fast-forwarding the sandbox's clock and running one pass of the digest loop at its time, posted
through the outbox once per occurrence (however many replicas), never on a market holiday, at
the member's own local time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.app.wiring import Services
from bot.core.digests import next_occurrence
from bot.core.market_clock import is_market_holiday
from handlers.blocks.numbers import money, percent, signed_money
from tests.conftest import RunningBot
from tests.scenario.steps import command
from tests.scenario.test_orders import click
from tests.scenario.test_orders import command as order

BOB = "U0BOB"


async def sandbox_now(bot: RunningBot) -> datetime:
    clock = await bot.admin("GET", "_sandbox/clock")
    return datetime.fromisoformat(clock["Now"].replace("Z", "+00:00"))


async def advance_to(bot: RunningBot, moment: datetime) -> datetime:
    """Fast-forward the sandbox's clock to ``moment``; the time it shows after."""
    seconds = (moment - await sandbox_now(bot)).total_seconds()
    if seconds > 0:
        await bot.admin("POST", "_sandbox/clock", json={"AdvanceSeconds": seconds})
    return await sandbox_now(bot)


def posted(bot: RunningBot, channel: str) -> list[dict[str, Any]]:
    return [
        c.args
        for c in bot.slack.by_method("chat.postMessage")
        if c.args.get("channel") == channel
        and str(c.args.get("text", "")).startswith("[PAPER] Portfolio digest")
    ]


async def settle_price(bot: RunningBot, symbol: str, last: float) -> None:
    """Set a price at the sandbox and wait until the bot's quote stream has it (the clock's
    advance moved prices too; the digest reads the stream)."""
    quote = await bot.admin(
        "POST", "_sandbox/prices", json={"Symbol": symbol, "Last": last, "Bid": last - 0.1, "Ask": last + 0.1}
    )
    security = int(quote["Quotes"][0]["SecurityId"]) if "SecurityId" in quote["Quotes"][0] else None
    api = (await bot.services.core.users.acting(bot.slack.team_id, BOB)).api
    market = bot.services.core.market
    ids = (
        [security]
        if security
        else [(await market.securities.resolve(api, [symbol])).found[symbol].id]
    )

    async def latest() -> Decimal | None:
        quote = (await market.streamer.get(api, ids)).get(ids[0])
        return quote.last if quote is not None else None

    async with asyncio.timeout(10):
        while await latest() != Decimal(str(last)):  # noqa: ASYNC110 - polls the bot's quote stream
            await asyncio.sleep(0.01)


async def run_pass(bot: RunningBot, now: datetime) -> int:
    """One pass of the digest loop at ``now`` (the sandbox's time), and the outbox delivered."""
    owed = await bot.services.core.digests.run_once(now)
    await bot.services.delivery.settle()
    return owed


async def schedule(bot: RunningBot, text: str, user: str = BOB, channel: str = "C0GENERAL") -> dict[str, Any]:
    return await command(bot, f"digest {text}", user=user, channel=channel)


async def test_a_digest_is_posted_once_at_its_time_with_the_portfolio(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin(
        "POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 200.0, "Bid": 199.9, "Ask": 200.1}
    )
    placed = await click(bot, await order(bot, "buy 10 AAPL"), "order_confirm")
    assert placed["text"].endswith("is filled.")
    answer = await schedule(bot, "weekdays at close")
    assert answer["text"].startswith(":white_check_mark: Digest ") and "in <#C0GENERAL>" in answer["text"]
    (digest,) = await bot.services.core.digests.listed(bot.slack.team_id, BOB)
    assert (digest.every, digest.at_local, digest.zone) == ("weekdays", "16:00", "America/New_York")
    due = digest.next_run_at
    local = due.astimezone(ZoneInfo("America/New_York"))
    assert (
        (local.hour, local.minute) == (16, 0) and local.weekday() < 5 and not is_market_holiday(local.date())
    )

    assert await run_pass(bot, await advance_to(bot, due - timedelta(minutes=5))) == 0
    assert posted(bot, "C0GENERAL") == []
    now = await advance_to(bot, due + timedelta(minutes=1))
    await settle_price(bot, "AAPL", 210.0)
    assert await run_pass(bot, now) == 1
    assert await run_pass(bot, now + timedelta(minutes=1)) == 0  # the same occurrence, never twice
    (post,) = posted(bot, "C0GENERAL")
    text = str(post["blocks"])
    # The figures are the account's and the held position's as AutoShares has them.
    _user, (account,) = await bot.services.core.accounts.overview(bot.slack.team_id, BOB)
    assert account.balances is not None
    quote = await bot.admin("GET", "_sandbox/prices/AAPL")
    assert f"*Total value*\\n{money(account.balances.equity)}" in text
    assert f"*Day change*\\n{signed_money(10 * quote['Change'])}" in text
    assert f"AAPL  {percent(quote['ChangePc'])}" in text
    assert "*Total value*" in text and "*Day change*" in text and "*Top movers*" in text
    assert "*Open orders*" in text and "*Alerts that fired*" in text
    assert f"<@{BOB}>'s digest, on weekdays at the market close" in text
    (after,) = await bot.services.core.digests.listed(bot.slack.team_id, BOB)
    assert after.next_run_at > now


async def test_two_replicas_running_the_pass_at_once_post_one_digest(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await schedule(bot, "daily 16:15")
    (digest,) = await bot.services.core.digests.listed(bot.slack.team_id, BOB)
    now = await advance_to(bot, digest.next_run_at + timedelta(seconds=30))
    other = await Services.create(bot.settings, migrate=False)
    try:
        owed = await asyncio.gather(
            *(bot.services.core.digests.run_once(now) for _ in range(3)),
            *(other.core.digests.run_once(now) for _ in range(3)),
        )
        assert sum(owed) == 1
        await bot.services.delivery.settle()
        await other.delivery.settle()
    finally:
        await other.aclose()
    assert len(posted(bot, "C0GENERAL")) == 1


async def test_no_digest_on_a_market_holiday(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await schedule(bot, "daily 16:15", channel="D0BOB")
    (digest,) = await bot.services.core.digests.listed(bot.slack.team_id, BOB)
    new_york = ZoneInfo("America/New_York")
    day = (await sandbox_now(bot)).astimezone(new_york).date() + timedelta(days=2)
    while not (is_market_holiday(day) and not is_market_holiday(day - timedelta(days=1))):
        day += timedelta(days=1)
    eve = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=new_york)
    # The pass runs the day before the holiday; stale occurrences on the way are moved on unposted.
    await run_pass(bot, await advance_to(bot, eve.replace(hour=16, minute=0)))
    assert await run_pass(bot, await advance_to(bot, eve.replace(hour=16, minute=20))) == 1
    (moved,) = await bot.services.core.digests.listed(bot.slack.team_id, BOB)
    assert moved.next_run_at.astimezone(new_york).date() > day  # the holiday is skipped
    holiday = eve + timedelta(days=1)
    assert await run_pass(bot, await advance_to(bot, holiday.replace(hour=16, minute=20))) == 0
    assert len(posted(bot, BOB)) == 1  # the eve's digest, in the DM; none on the holiday


async def test_a_digest_follows_the_members_time_zone(bot: RunningBot) -> None:
    tokyo = "U0TOKYO"
    bot.slack.time_zones[tokyo] = "Asia/Tokyo"
    await bot.admin("POST", "_sandbox/users", json={"Login": "kenji", "Password": "sandbox", "Agreements": 0})
    await bot.link(tokyo, "kenji")
    answer = await schedule(bot, "daily 9:00am", user=tokyo, channel="D0TOKYO")
    assert "in your DM" in answer["text"]
    (digest,) = await bot.services.core.digests.listed(bot.slack.team_id, tokyo)
    assert digest.zone == "Asia/Tokyo"
    assert (digest.next_run_at.astimezone(UTC).hour, digest.next_run_at.minute) == (0, 0)  # 09:00 JST
    now = await advance_to(bot, digest.next_run_at + timedelta(seconds=10))
    assert await run_pass(bot, now) == 1
    # A first attempt AutoShares answered too slowly (a loaded machine) is tried again at once.
    await bot.slack.wait_until(lambda: len(posted(bot, tokyo)) >= 1)
    assert len(posted(bot, tokyo)) == 1


async def test_a_channel_the_policy_refuses_gets_the_digest_in_the_dm(bot: RunningBot) -> None:
    bot.slack.workspace_admins.add("U0OWNER")
    await bot.link(BOB, "bob")
    await command(bot, "admin alerts dm", user="U0OWNER")
    answer = await schedule(bot, "weekdays 8:30")
    assert "in your DM" in answer["text"] and "do not let me post on my own in this channel" in answer["text"]


async def test_list_off_and_refusals(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    assert "You have no digests" in (await schedule(bot, "list"))["text"]
    await schedule(bot, "daily 16:15")
    await schedule(bot, "weekdays at open")
    listed = await schedule(bot, "list")
    assert "every day at 16:15" in str(listed["blocks"]) and "on weekdays at the market open" in str(
        listed["blocks"]
    )
    wrong = await schedule(bot, "daily 25:00")
    assert (
        wrong["text"].startswith("`25:00` is not a time of day")
        and "Try `/autoshares digest daily 16:15`" in wrong["text"]
    )
    missing = await schedule(bot, "off 999")
    assert missing["text"] == "You have no digest 999. Run `/autoshares digest list` to see yours."
    stopped = await schedule(bot, "off")
    assert "Stopped 2 digests" in stopped["text"]
    assert await bot.services.core.digests.listed(bot.slack.team_id, BOB) == []


def test_next_occurrence_skips_weekends_for_weekdays_and_holidays_for_both() -> None:
    friday_evening = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)  # Friday 17:00 in New York
    monday = next_occurrence("weekdays", "16:00", "America/New_York", friday_evening)
    assert monday == datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
    saturday = next_occurrence("daily", "16:00", "America/New_York", friday_evening)
    assert saturday == datetime(2026, 12, 5, 21, 0, tzinfo=UTC)
    christmas_eve = datetime(2026, 12, 24, 22, 0, tzinfo=UTC)
    assert next_occurrence("daily", "16:00", "America/New_York", christmas_eve).day == 26

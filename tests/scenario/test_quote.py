"""Quotes end to end: the streamer session (one per process, reused, reconnecting), the symbol
cache, unknown symbols with suggestions, the Share button, and AutoShares failing, limiting or
slow. Charts (private, served at signed URLs, shared on Share) are in ``test_charts.py``."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from tests.conftest import RunningBot
from tests.scenario.steps import (
    action_ids,
    button,
    click,
    command,
    hold_autoshares,
    release_autoshares,
    until_autoshares_holds,
)

BOB = "U0BOB"
ALICE = "U0ALICE"
AAPL, MSFT = 1, 2


async def stats(bot: RunningBot) -> dict[str, int]:
    return (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"]


async def until(condition: Any, timeout: float = 10.0) -> None:
    """Wait for something the bot does in the background (not a timing assertion)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls state owned by the bot
            await asyncio.sleep(0.01)


async def test_quote_shows_price_change_spread_range_volume_and_time(bot: RunningBot) -> None:
    await bot.admin(
        "POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 231.25, "Bid": 231.2, "Ask": 231.3}
    )
    quote = await bot.admin("GET", "_sandbox/prices/AAPL")
    await bot.link(BOB, "bob")
    reply = await command(bot, "AAPL", user=BOB, slash="/quote")
    text = str(reply["blocks"])
    assert "*AAPL*  Apple Inc. · NASDAQ" in text
    assert "*$231.25*" in text
    change = quote["Change"]
    assert f"{'+' if change > 0 else '-'}${abs(change):,.2f} ({quote['ChangePc']:+.2f}%)" in text
    assert "Bid $231.20 · Ask $231.30" in text
    assert f"Day ${quote['Low']:,.2f}–${quote['High']:,.2f}" in text
    assert "Vol " in text and "as of <!date^" in text
    assert "may be delayed" in text  # the sandbox's streamer Type does not say
    assert reply["text"].startswith("AAPL $231.25")
    assert action_ids(reply) == ["quote_share"]


async def test_one_streamer_session_serves_every_quote_and_symbols_are_cached(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.link(ALICE, "alice")
    first = await command(bot, "quote AAPL MSFT TSLA", user=BOB)
    order = [s for s in ("*AAPL*", "*MSFT*", "*TSLA*") if s in str(first["blocks"])]
    assert order == ["*AAPL*", "*MSFT*", "*TSLA*"]
    assert str(first["blocks"]).index("*AAPL*") < str(first["blocks"]).index("*TSLA*")
    await command(bot, "AAPL", user=ALICE, slash="/quote")
    await command(bot, "MSFT", user=BOB, slash="/quote")
    calls = await stats(bot)
    assert calls["GET /v1.0/streamers"] == 1
    assert calls["GET /v1.0/equities/{symbol}"] == 3  # AAPL, MSFT, TSLA once each
    assert bot.services.streamer.sessions_opened == 1
    assert len(bot.sandbox.sandbox.hub.subscribers) == 1


async def test_quotes_follow_the_stream_without_polling(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await command(bot, "AAPL", user=BOB, slash="/quote")
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 250.0})
    await until(lambda: (quote := bot.services.streamer.latest(AAPL)) is not None and quote.last == 250)
    reply = await command(bot, "AAPL", user=BOB, slash="/quote")
    assert "*$250.00*" in str(reply["blocks"])
    assert (await stats(bot))["GET /v1.0/streamers"] == 1


async def test_streamer_reconnects_and_resubscribes(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await command(bot, "AAPL MSFT", user=BOB, slash="/quote")
    await bot.sandbox.sandbox.hub.close()  # the server drops every streamer connection
    await until(lambda: bot.services.streamer.sessions_opened == 2 and bot.services.streamer.connected)
    await until(lambda: len(bot.sandbox.sandbox.hub.subscribers) == 1)
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "MSFT", "Last": 444.44})
    await until(lambda: (quote := bot.services.streamer.latest(MSFT)) is not None and quote.last == Decimal("444.44"))
    reply = await command(bot, "MSFT", user=BOB, slash="/quote")
    assert "*$444.44*" in str(reply["blocks"])
    assert (await stats(bot))["GET /v1.0/streamers"] == 2


async def test_unknown_symbol_offers_closest_matches(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "APPL", user=BOB, slash="/quote")
    text = str(reply["blocks"])
    assert "There is no such symbol as *APPL* at AutoShares" in text
    assert "Closest matches: *AAPL* (Apple Inc.)" in text
    assert action_ids(reply) == []
    assert reply["text"] == "APPL: no such symbol"

    mixed = await command(bot, "MSFT ZZZZ", user=BOB, slash="/quote")
    text = str(mixed["blocks"])
    assert "*MSFT*  Microsoft Corporation" in text and "no such symbol as *ZZZZ*" in text
    assert [b["value"] for b in [button(mixed, "quote_share")]] == ["MSFT"]


async def test_share_posts_to_the_channel_naming_the_sharer(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "AAPL MSFT", user=BOB, slash="/quote")
    share = button(reply, "quote_share")
    assert share["value"] == "AAPL,MSFT"
    answer = await click(bot, share, user=BOB)
    posted = await bot.slack.wait_for("chat.postMessage", channel="C0GENERAL")
    text = str(posted[0].args["blocks"])
    assert "*AAPL*" in text and "*MSFT*" in text and "Shared by <@U0BOB>" in text
    assert action_ids(posted[0].args) == []
    assert answer["replace_original"] is True
    assert "Shared to the channel." in str(answer["blocks"])


async def test_share_where_the_bot_is_not_a_member(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "AAPL", user=BOB, slash="/quote")
    bot.slack.not_in.add("C0GENERAL")
    answer = await click(bot, button(reply, "quote_share"), user=BOB)
    assert answer["replace_original"] is False
    assert "I can't post in this conversation" in answer["text"]


async def test_forged_share_value_is_refused(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "AAPL", user=BOB, slash="/quote")
    answer = await click(bot, {**button(reply, "quote_share"), "value": "<!channel>"}, user=BOB)
    assert "out of date" in answer["text"]
    assert [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == "C0GENERAL"] == []


async def test_unlinked_user(bot: RunningBot) -> None:
    reply = await command(bot, "AAPL", user="U0NOBODY", slash="/quote")
    assert "not linked to AutoShares" in reply["text"]


async def test_user_with_outstanding_agreements_still_gets_quotes(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "AAPL", user=ALICE, slash="/quote")
    assert "*AAPL*  Apple Inc." in str(reply["blocks"])


async def test_server_errors_become_one_sentence(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    reply = await command(bot, "AAPL", user=BOB, slash="/quote")
    assert reply["text"] == "AutoShares is having trouble right now. Please try again in a minute."


async def test_rate_limited_lookup(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"RateLimits": True})
    api = (await bot.services.core.users.acting(bot.slack.team_id, BOB)).api
    for _ in range(200):  # the documented securities limit: 200 a minute per token
        await api.lookup("A", count=1)
    reply = await command(bot, "NVDA", user=BOB, slash="/quote")
    assert "AutoShares is limiting how often you can do that. Try again in" in reply["text"]


async def test_slow_autoshares_acks_first_then_answers(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await hold_autoshares(bot)
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command("/quote", "AAPL", user=BOB)
    assert response.status_code == 200
    await until_autoshares_holds(bot)
    assert len(bot.slack.by_method("response_url")) == before
    await release_autoshares(bot)
    calls = await bot.slack.wait_for("response_url", count=before + 1)
    assert "*AAPL*  Apple Inc." in str(calls[before].args["blocks"])

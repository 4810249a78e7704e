"""Mentions end to end: ``@AutoShares $AAPL and $MSFT`` (a signed ``app_mention``) is answered
with one threaded ``chat.postMessage`` holding every quote, fetched with the mentioner's login;
unknown symbols, an unlinked mentioner, a mention without cashtags and AutoShares failing are
answered in the thread; bots (the bot itself included) are ignored; a retry answers once."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import RunningBot
from tests.scenario.steps import action_ids, hold_autoshares, release_autoshares, until_autoshares_holds

BOB = "U0BOB"
MENTION_TS = "1700000456.000300"


def app_mention(text: str, *, user: str = BOB, thread_ts: str | None = None, **more: Any) -> dict[str, Any]:
    """The event Slack sends when ``user`` mentions the bot in #general."""
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@U0BOT> {text}",
        "ts": MENTION_TS,
        "channel": "C0GENERAL",
        "event_ts": MENTION_TS,
        **more,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


async def mention(bot: RunningBot, text: str, **kwargs: Any) -> dict[str, Any]:
    """Mention the bot and return the message it posted in answer."""
    response = await bot.driver.event(app_mention(text, **kwargs))
    assert response.status_code == 200
    [answer] = await bot.slack.wait_for("chat.postMessage", channel="C0GENERAL")
    return answer.args


def in_general(bot: RunningBot) -> list[Any]:
    return [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == "C0GENERAL"]


async def test_cashtags_are_answered_in_the_thread_with_every_quote(bot: RunningBot) -> None:
    await bot.admin(
        "POST",
        "_sandbox/prices",
        json=[{"Symbol": "AAPL", "Last": 231.25}, {"Symbol": "MSFT", "Last": 444.44}],
    )
    await bot.link(BOB, "bob")
    answer = await mention(bot, "how are $AAPL and $msft doing?")
    assert answer["thread_ts"] == MENTION_TS
    text = json.dumps(answer["blocks"])
    assert "*AAPL*  Apple Inc." in text and "*$231.25*" in text
    assert "*MSFT*  Microsoft Corporation" in text and "*$444.44*" in text
    assert text.index("*AAPL*") < text.index("*MSFT*")
    assert answer["text"].startswith("AAPL $231.25") and "MSFT $444.44" in answer["text"]
    assert action_ids(answer) == []  # already public: no Share button
    await bot.services.drain()
    assert len(in_general(bot)) == 1


async def test_a_mention_inside_a_thread_is_answered_in_that_thread(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    answer = await mention(bot, "$TSLA?", thread_ts="1700000001.000100")
    assert answer["thread_ts"] == "1700000001.000100"
    assert "*TSLA*  Tesla, Inc." in json.dumps(answer["blocks"])


async def test_an_unknown_symbol_is_answered_with_the_closest_matches(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    answer = await mention(bot, "$APPL please")
    assert answer["thread_ts"] == MENTION_TS
    assert (
        "There is no such symbol as *APPL* at AutoShares. Closest matches: *AAPL* (Apple Inc.)"
        in json.dumps(answer["blocks"])
    )


async def test_an_unlinked_mentioner_is_told_to_link(bot: RunningBot) -> None:
    answer = await mention(bot, "$AAPL", user="U0NEWCOMER")
    assert answer["thread_ts"] == MENTION_TS
    assert answer["text"] == (
        "Your Slack account is not linked to AutoShares yet. Run `/autoshares link` to connect it."
    )


async def test_a_mention_without_cashtags_says_how_to_use_it(bot: RunningBot) -> None:
    before = dict((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"])
    answer = await mention(bot, "hello there, what can you do? US$5 is not a symbol")
    assert answer["thread_ts"] == MENTION_TS
    assert "Mention me with cashtags" in answer["text"] and "`@AutoShares $AAPL $MSFT`" in answer["text"]
    assert dict((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"]) == before


async def test_more_cashtags_than_the_limit_are_named_as_left_out(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    symbols = ["AAPL", "MSFT", "TSLA", "NVDA", "AMZN", "GOOGL", "META", "SPY", "QQQ", "IBM", "KO", "PEP"]
    answer = await mention(bot, " ".join(f"${s}" for s in symbols))
    text = json.dumps(answer["blocks"])
    assert "I quote up to 10 symbols at once, so I left out $KO, $PEP." in text
    assert "*KO*" not in text


async def test_autoshares_failing_is_answered_in_the_thread(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    answer = await mention(bot, "$AAPL")
    assert answer["thread_ts"] == MENTION_TS
    assert answer["text"] == "AutoShares is having trouble right now. Please try again in a minute."


async def test_the_bots_own_messages_and_other_bots_are_ignored(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    for event in (
        app_mention("$AAPL", user="U0BOT"),  # the bot itself (auth.test's user_id): Bolt drops it
        app_mention("$AAPL", user="U0OTHERBOT", bot_id="B0OTHER"),  # another app's bot
        app_mention("$AAPL", user="U0OTHERBOT", subtype="bot_message"),
    ):
        response = await bot.driver.event(event)
        assert response.status_code == 200
    await bot.services.drain()
    assert in_general(bot) == []


async def test_a_retried_mention_is_answered_once(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    body = json.dumps(bot.driver.event_callback(app_mention("$AAPL")))
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        response = await bot.driver.post(body, "application/json", headers=headers)
        assert response.status_code == 200
    await bot.services.drain()
    assert len(in_general(bot)) == 1


async def test_the_mention_is_acked_before_autoshares_answers(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.services.drain()
    await hold_autoshares(bot)
    response = await bot.driver.event(app_mention("$NVDA"))
    assert response.status_code == 200
    await until_autoshares_holds(bot)
    assert in_general(bot) == []
    await release_autoshares(bot)
    [answer] = await bot.slack.wait_for("chat.postMessage", channel="C0GENERAL")
    assert "*NVDA*" in json.dumps(answer.args["blocks"])

"""`/news AAPL` shows the sandbox's latest headlines, newest first, with source and time; Read
opens the story's text in a modal; `/quote AAPL` carries the latest headline; an unknown symbol
is named with the closest matches."""

from __future__ import annotations

from bot.devkit.localslack import ScriptedFailure
from tests.conftest import RunningBot
from tests.scenario.steps import button, click, command

BOB = "U0BOB"


async def test_news_headlines_read_in_a_modal_and_the_latest_on_quote_cards(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    published = await bot.admin(
        "POST",
        "_sandbox/news",
        json={
            "Symbol": "AAPL",
            "Header": "Apple <b>beats</b> estimates",
            "Source": "Test Wire",
            "Content": "Full text.",
        },
    )

    reply = await command(bot, "AAPL", user=BOB, slash="/news")

    stories = sorted(bot.sandbox.sandbox.state.news[1], key=lambda s: (s.date, s.id), reverse=True)[:5]
    sections = [b for b in reply["blocks"] if b["type"] == "section" and b.get("accessory")]
    assert [s["text"]["text"].split("\n")[0] for s in sections] == [
        f"*{s.header.replace('<', '&lt;').replace('>', '&gt;')}*" for s in stories
    ]
    assert sections[0]["text"]["text"].startswith(
        "*Apple &lt;b&gt;beats&lt;/b&gt; estimates*\nTest Wire · <!date^"
    )
    assert [s["accessory"]["value"] for s in sections] == [f"AAPL;{s.id}" for s in stories]
    assert reply["response_type"] == "ephemeral"

    await bot.driver.click(button(reply, "news_read", f"AAPL;{published['NewsId']}"), user=BOB)
    (opened,) = await bot.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["type"] == "modal" and view["title"]["text"] == "AAPL news"
    assert "Full text." in str(view["blocks"]) and "Test Wire" in str(view["blocks"])
    # AutoShares took longer than the click's trigger lasts: one sentence, and what to do.
    bot.slack.fail_next("views.open", ScriptedFailure("expired_trigger_id"))
    late = await click(bot, button(reply, "news_read", f"AAPL;{published['NewsId']}"), user=BOB)
    assert late["text"] == "That took longer than Slack allows to open a window. Click the button again."

    quote = await command(bot, "AAPL", user=BOB, slash="/quote")
    contexts = [b for b in quote["blocks"] if b["type"] == "context"]
    assert contexts[0]["elements"][0]["text"].startswith(
        ":newspaper: Apple &lt;b&gt;beats&lt;/b&gt; estimates — Test Wire"
    )

    unknown = await command(bot, "ZZZZ", user=BOB, slash="/news")
    assert "ZZZZ" in unknown["text"]

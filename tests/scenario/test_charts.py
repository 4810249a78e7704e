"""Charts stay private until shared: `/quote MSFT chart 1y` keeps the PNG in the database and
shows it only to the asker, as an image block whose signed, short-lived URL the bot serves
(and the local Slack downloads, as Slack does); Share posts the quote and uploads the kept
chart to the channel; expired or forged URLs get 404, expired charts a clear sentence, and
housekeeping deletes them."""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select, update

from bot.app.pollers import Pollers
from bot.devkit.localslack import ScriptedFailure
from storage.models import ChartImage
from storage.records import utcnow
from tests.conftest import RunningBot
from tests.scenario.steps import button, click, command

BOB = "U0BOB"
ALICE = "U0ALICE"
CHANNEL = "C0GENERAL"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def image_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message.get("blocks") or [] if b.get("type") == "image"]


def chart_id_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1].removesuffix(".png")


def files_calls(bot: RunningBot) -> list[str]:
    return [c.method for c in bot.slack.calls if c.method.startswith("files.") or c.method == "upload"]


def channel_posts(bot: RunningBot) -> list[Any]:
    return [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == CHANNEL]


async def private_chart(bot: RunningBot, text: str = "MSFT chart 1y", user: str = BOB) -> dict[str, Any]:
    """Link ``user`` and ask for a chart; the private answer."""
    await bot.link(user, user.removeprefix("U0").lower())
    return await command(bot, text, user=user, slash="/quote")


@contextmanager
def chart_queries(bot: RunningBot) -> Iterator[list[str]]:
    """The SQL statements touching chart_images while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "chart_images" in statement:
            seen.append(statement)

    engine = bot.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def expire(bot: RunningBot, chart_id: str) -> None:
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(ChartImage)
            .where(ChartImage.id == chart_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


async def test_a_chart_is_shown_only_to_the_asker_as_an_image_the_bot_serves(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    await bot.services.drain()  # the command's work is over: whatever it did is recorded
    assert files_calls(bot) == []  # nothing uploaded to the channel
    assert channel_posts(bot) == []
    assert reply.get("response_type") == "ephemeral"
    [image] = image_blocks(reply)
    url = image["image_url"]
    assert url.startswith(bot.url + "charts/") and urlsplit(url).path.endswith(".png")
    assert set(parse_qs(urlsplit(url).query)) == {"exp", "sig"}
    assert image["alt_text"] == "Price chart of MSFT over 1 year"
    assert "could not" not in str(reply["blocks"])

    served = await bot.http.get(url)
    assert served.status_code == 200
    assert served.content.startswith(PNG_MAGIC)
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    cache, max_age = served.headers["cache-control"].split(", max-age=")
    assert cache == "private" and 0 < int(max_age) <= bot.settings.chart_url_seconds
    assert bot.slack.images[url] == served.content  # Slack fetched the same picture to show it

    share = button(reply, "quote_share")
    assert share["value"] == f"MSFT;1y;{chart_id_of(url)}"


async def test_forged_expired_and_unknown_chart_urls_are_not_found(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    url = image_blocks(reply)[0]["image_url"]
    chart_id = chart_id_of(url)
    query = parse_qs(urlsplit(url).query)
    exp, sig = int(query["exp"][0]), query["sig"][0]
    base = url.split("?")[0]
    charts = bot.services.core.charts
    other_sig = ("0" if sig[0] != "0" else "1") + sig[1:]

    refused_unread = {
        "tampered signature": f"{base}?exp={exp}&sig={other_sig}",
        "later expiry": f"{base}?exp={exp + 3600}&sig={sig}",
        "another id": f"{bot.url}charts/{secrets.token_urlsafe(24)}.png?exp={exp}&sig={sig}",
        "no signature": f"{base}?exp={exp}",
        "signature not hex": f"{base}?exp={exp}&sig={'z' * 64}",
        "expiry not a number": f"{base}?exp=soon&sig={sig}",
        "signed, but expired": charts.url(chart_id, int(time.time()) - 1),
    }
    with chart_queries(bot) as queries:
        answers = {name: await bot.http.get(u) for name, u in refused_unread.items()}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(refused_unread, 404)
    assert all(a.headers["content-type"].startswith("text/plain") for a in answers.values())
    assert queries == []  # refused before the database was asked

    with chart_queries(bot) as queries:
        unknown = await bot.http.get(charts.url(secrets.token_urlsafe(24), int(time.time()) + 600))
        assert unknown.status_code == 404 and unknown.text == answers["tampered signature"].text
        assert (await bot.http.get(url)).status_code == 200  # the real one still works
    assert len(queries) == 2  # a correctly signed URL is looked up (so the count above is no fluke)
    await expire(bot, chart_id)
    assert (await bot.http.get(url)).status_code == 404  # stored past its time: gone, even if signed


async def test_share_posts_the_quote_and_uploads_the_chart(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    png = (await bot.http.get(image_blocks(reply)[0]["image_url"])).content
    answer = await click(bot, button(reply, "quote_share"), user=BOB)

    [posted] = channel_posts(bot)
    assert "*MSFT*" in str(posted.args["blocks"]) and "Shared by <@U0BOB>" in str(posted.args["blocks"])
    [completed] = await bot.slack.wait_for("files.completeUploadExternal")
    assert completed.args["channel_id"] == CHANNEL
    assert "MSFT over 1 year, shared by <@U0BOB>" in str(completed.args.get("initial_comment"))
    [upload] = bot.slack.by_method("upload")
    assert bot.slack.uploads[upload.args["file_id"]] == png
    assert answer["replace_original"] is True
    assert "Shared to the channel, with the chart." in str(answer["blocks"])
    assert image_blocks(answer) == []


async def test_sharing_quotes_without_a_chart_uploads_nothing(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "MSFT", user=BOB, slash="/quote")
    assert button(reply, "quote_share")["value"] == "MSFT"
    answer = await click(bot, button(reply, "quote_share"), user=BOB)
    assert "Shared to the channel." in str(answer["blocks"])
    assert len(channel_posts(bot)) == 1
    await bot.services.drain()
    assert files_calls(bot) == []


async def test_sharing_an_expired_chart_says_so_and_posts_nothing(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    share = button(reply, "quote_share")
    await expire(bot, chart_id_of(image_blocks(reply)[0]["image_url"]))
    answer = await click(bot, share, user=BOB)
    sentence = "That chart has expired; run `/quote MSFT chart 1y` again to share a fresh one."
    assert answer["text"] == sentence
    assert answer["replace_original"] is False  # the private answer stays as it was
    await bot.services.drain()
    assert channel_posts(bot) == [] and files_calls(bot) == []


async def test_someone_elses_chart_cannot_be_shared(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    await bot.link(ALICE, "alice")
    answer = await click(bot, button(reply, "quote_share"), user=ALICE)  # a forged click
    assert answer["text"].startswith("That chart has expired;")
    await bot.services.drain()
    assert channel_posts(bot) == [] and files_calls(bot) == []


async def test_a_forged_chart_in_a_share_value_is_refused(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    share = button(reply, "quote_share")
    for value in (share["value"] + ";x", share["value"].replace(";1y;", ";2y;"), "MSFT;1y;<!channel>"):
        answer = await click(bot, {**share, "value": value}, user=BOB)
        assert "out of date" in answer["text"]
    await bot.services.drain()
    assert channel_posts(bot) == [] and files_calls(bot) == []


async def test_share_where_the_chart_cannot_be_uploaded_still_shares_the_quote(bot: RunningBot) -> None:
    reply = await private_chart(bot)
    bot.slack.fail_next("files.completeUploadExternal", ScriptedFailure("missing_scope"))
    answer = await click(bot, button(reply, "quote_share"), user=BOB)
    assert len(channel_posts(bot)) == 1
    text = str(answer["blocks"])
    assert "Shared the quotes to the channel." in text
    assert "I could not post the chart image in this conversation (missing_scope)" in text


async def test_when_slack_cannot_show_the_image_the_answer_has_a_sparkline(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    # Slack could not download the picture (e.g. PUBLIC_URL is out of its reach) and refuses.
    bot.slack.fail_next("response_url", ScriptedFailure("invalid_blocks", 400))
    reply = await command(bot, "TSLA chart 1m", user=BOB, slash="/quote")
    [refused] = bot.slack.refused
    assert image_blocks(refused.args)  # the first answer had the image
    assert image_blocks(reply) == []
    text = str(reply["blocks"])
    assert "*TSLA*  Tesla, Inc." in text  # the quote itself is still there
    assert "*TSLA* over 1 month" in text and "Slack could not show the chart image here" in text
    spark = text.split("`")[1]
    assert len(spark) == 30 and set(spark) <= set("▁▂▃▄▅▆▇█")  # a month of daily closes
    share = button(reply, "quote_share")
    assert share["value"].startswith("TSLA;1m;")  # Share still posts the image
    await click(bot, share, user=BOB)
    assert len(await bot.slack.wait_for("files.completeUploadExternal", channel_id=CHANNEL)) == 1


def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on an install without the ``charts`` extra: every matplotlib import fails."""
    for name in ["matplotlib", *(n for n in sys.modules if n.startswith("matplotlib."))]:
        monkeypatch.setitem(sys.modules, name, None)


async def test_without_the_charts_extra_the_answer_has_a_sparkline_and_says_how_to_get_images(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_matplotlib(monkeypatch)
    await bot.link(BOB, "bob")
    reply = await command(bot, "TSLA chart 1m", user=BOB, slash="/quote")
    assert reply.get("response_type") == "ephemeral"
    assert image_blocks(reply) == [] and bot.slack.refused == []
    text = str(reply["blocks"])
    assert "*TSLA*  Tesla, Inc." in text  # the quote itself
    assert "*TSLA* over 1 month" in text
    spark = text.split("`")[1]
    assert len(spark) == 30 and set(spark) <= set("▁▂▃▄▅▆▇█")  # a month of daily closes
    assert (
        "Chart images need the bot's `charts` extra: ask whoever runs it to install "
        "`autoshares-slack[charts]`." in text
    )
    assert button(reply, "quote_share")["value"] == "TSLA"  # Share posts the quote, no chart
    async with bot.services.db.sessions() as session:
        assert list(await session.scalars(select(ChartImage.id))) == []  # nothing kept to share


async def test_housekeeping_deletes_expired_charts(bot: RunningBot) -> None:
    old = await private_chart(bot, "MSFT chart 1y")
    new = await command(bot, "AAPL chart 5d", user=BOB, slash="/quote")
    old_id = chart_id_of(image_blocks(old)[0]["image_url"])
    new_id = chart_id_of(image_blocks(new)[0]["image_url"])
    await expire(bot, old_id)
    await Pollers.of(bot.services).housekeeping()
    async with bot.services.db.sessions() as session:
        left = list(await session.scalars(select(ChartImage.id)))
    assert left == [new_id]

"""A locked or slow database cannot hold Slack's ack: the write before the ack gives up after
``ACK_DATABASE_SECONDS``, the request is answered 200 well inside Slack's 3 seconds with one
plain sentence, nothing is recorded, and the same request sent again once the database is free
is handled normally.

Another writer holds the database for the length of each test's ``held_by_another_writer``
block (tests.conftest), on whichever engine the run uses."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from handlers.errors import DATABASE_UNREACHABLE
from storage.models import PendingOrder, SlackRequest
from tests.conftest import RunningBot, held_by_another_writer
from tests.scenario.test_orders import BOB, answer_at, click, command

FORM = "application/x-www-form-urlencoded"
#: Slack's deadline for an ack.
SLACK_ACK_SECONDS = 3.0


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "ACK_DATABASE_SECONDS": "1"}


async def remembered(bot: RunningBot) -> int:
    async with bot.services.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(SlackRequest)) or 0)


def timeouts_counted(bot: RunningBot) -> float:
    return bot.services.metrics.value(
        "autoshares_slack_requests_total", outcome="unavailable", reason="storage_timeout"
    )


@pytest.mark.parametrize("text", ["status", "link"])
async def test_a_command_is_answered_in_time_with_a_plain_sentence_and_works_once_free(
    bot: RunningBot, text: str
) -> None:
    before = await remembered(bot)
    body = bot.driver.command_body("/autoshares", text, user=BOB)
    async with held_by_another_writer(bot.settings.database_url):
        started = time.monotonic()
        response = await bot.driver.post(body, FORM)
        took = time.monotonic() - started
    assert response.status_code == 200 and took < SLACK_ACK_SECONDS
    assert response.json() == {"response_type": "ephemeral", "text": DATABASE_UNREACHABLE}
    assert await remembered(bot) == before
    assert timeouts_counted(bot) == 1
    # The same bytes again (Slack's retry, or the person trying again) are handled, not dropped.
    again = await bot.driver.post(body, FORM)
    assert again.status_code == 200 and again.content == b""
    answer = await answer_at(bot, parse_qs(body)["response_url"][0])
    assert DATABASE_UNREACHABLE not in str(answer)
    assert "link" in str(answer).lower()
    assert await remembered(bot) == before + 1


async def test_a_click_is_answered_in_time_at_its_response_url_and_works_once_free(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    preview = await command(bot, "buy 10 AAPL")
    before = await remembered(bot)
    async with held_by_another_writer(bot.settings.database_url):
        started = time.monotonic()
        refused = await click(bot, preview, "order_cancel_pending")
        took = time.monotonic() - started
    assert took < SLACK_ACK_SECONDS
    assert refused["text"] == DATABASE_UNREACHABLE
    assert refused["response_type"] == "ephemeral" and refused["replace_original"] is False
    assert await remembered(bot) == before
    assert timeouts_counted(bot) == 1
    async with bot.services.db.sessions() as session:
        assert list(await session.scalars(select(PendingOrder.status))) == ["pending"]
    cancelled = await click(bot, preview, "order_cancel_pending")
    assert "Cancelled" in cancelled["text"]

"""Slack retries and replays do the work once: a request whose body was already seen is
acknowledged with an empty 200 and not handled again."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select, text, update

from bot.app.pollers import Pollers
from bot.devkit.driver import sign
from handlers.errors import DATABASE_UNREACHABLE
from storage.models import LinkState, SlackRequest
from storage.records import utcnow
from storage.replays import body_hash
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.scenario.test_orders import BOB

FORM = "application/x-www-form-urlencoded"


async def count(bot: RunningBot, model: type) -> int:
    async with bot.services.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_retried_alert_command_creates_one_alert(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    body = bot.driver.command_body("/alert", "AAPL above 200", user=BOB)
    answers = []
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        answers.append(await bot.driver.post(body, FORM, headers=headers))
    await bot.services.drain()
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.content for a in answers[1:]] == [b"", b""]
    alerts = await bot.admin("GET", "_sandbox/alerts")
    assert [(a["Argument"], a["Operator"]) for a in alerts] == [(200.0, "GTEQ")]
    response_url = parse_qs(body)["response_url"][0]
    replies = [c for c in bot.slack.by_method("response_url") if response_url.endswith(c.path)]
    assert len(replies) == 1 and "Alert 1 set" in replies[0].args["text"]
    metrics = bot.services.metrics
    assert metrics.value("autoshares_slack_requests_total", outcome="duplicate", reason="") == 2


async def test_a_byte_identical_replay_inside_the_signature_window_does_nothing(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    body = bot.driver.command_body("/alert", "AAPL above 200", user=BOB)
    headers = {"Content-Type": FORM, **sign(SIGNING_SECRET, body, int(time.time()) - 60)}
    first = await bot.http.post(bot.driver.events_url, content=body, headers=headers)
    await bot.services.drain()
    assert first.status_code == 200
    assert len(await bot.admin("GET", "_sandbox/alerts")) == 1
    replayed = await bot.http.post(bot.driver.events_url, content=body, headers=headers)
    concurrent = await asyncio.gather(
        *(bot.http.post(bot.driver.events_url, content=body, headers=headers) for _ in range(3))
    )
    await bot.services.drain()
    assert [r.status_code for r in (replayed, *concurrent)] == [200] * 4
    assert len(await bot.admin("GET", "_sandbox/alerts")) == 1


async def test_a_retried_app_home_opened_issues_one_sign_in_state(bot: RunningBot) -> None:
    body = json.dumps(
        bot.driver.event_callback(
            {"type": "app_home_opened", "user": "U0NEWCOMER", "channel": "D0HOME", "tab": "home"}
        )
    )
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        response = await bot.driver.post(body, "application/json", headers=headers)
        assert response.status_code == 200
    await bot.services.drain()
    assert await count(bot, LinkState) == 1
    assert len(bot.slack.by_method("views.publish")) == 1


async def test_different_requests_are_all_handled(bot: RunningBot) -> None:
    before = await count(bot, SlackRequest)
    for _ in range(3):
        assert (await bot.driver.command("/autoshares", "help", user=BOB)).status_code == 200
    await bot.slack.wait_for("response_url", count=3)
    assert await count(bot, SlackRequest) == before + 3


async def test_hourly_housekeeping_forgets_hashes_older_than_an_hour(bot: RunningBot) -> None:
    await bot.services.replays.first_time(b"an old request")
    await bot.services.replays.first_time(b"a recent request")
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(SlackRequest)
            .where(SlackRequest.body_hash == body_hash(b"an old request"))
            .values(received_at=utcnow() - timedelta(minutes=61))
        )
    await Pollers.of(bot.services).housekeeping()
    async with bot.services.db.sessions() as session:
        left = list(await session.scalars(select(SlackRequest.body_hash)))
    assert left == [body_hash(b"a recent request")]


async def test_a_request_that_cannot_be_remembered_is_not_handled_and_says_so(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    # The table goes away for this request only: on PostgreSQL the schema is the worker's.
    async with bot.services.db.sessions.begin() as session:
        await session.execute(text("ALTER TABLE slack_requests RENAME TO slack_requests_away"))
    try:
        response = await bot.driver.command("/alert", "AAPL above 200", user=BOB)
        await bot.services.drain()
    finally:
        async with bot.services.db.sessions.begin() as session:
            await session.execute(text("ALTER TABLE slack_requests_away RENAME TO slack_requests"))
    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": DATABASE_UNREACHABLE}
    assert bot.slack.calls == []
    assert await bot.admin("GET", "_sandbox/alerts") == []
    metrics = bot.services.metrics
    assert metrics.value("autoshares_slack_requests_total", outcome="unavailable", reason="storage") == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    metrics = bot.services.metrics
    assert metrics.value("autoshares_slack_requests_total", outcome="unavailable", reason="storage") == 1

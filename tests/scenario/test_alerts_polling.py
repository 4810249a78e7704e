"""Without a webhook secret, a poller watching alert states announces each trigger exactly once,
even with two replicas polling the same database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from bot.app.pollers import Pollers
from bot.app.serving import serve_in_loop
from bot.app.web import create_web_app
from bot.app.wiring import Services
from storage.alerts import AlertRouteRepository
from storage.audit import AuditLog
from storage.models import AlertRoute
from tests.conftest import RunningBot
from tests.scenario.test_orders import BOB, command

CHANNEL = "C0GENERAL"
POLL = 0.1


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "ALERT_POLL_SECONDS": str(POLL), "ORDER_POLL_SECONDS": str(POLL)}


@pytest.fixture
async def replica(bot: RunningBot) -> AsyncIterator[Services]:
    """A second bot process on the same database, running its own pollers."""
    services = await Services.create(bot.settings, migrate=False)
    async with serve_in_loop(create_web_app(services, close_services=False)):
        yield services
    await services.aclose()


async def poll_alerts_now(*replicas: Services, passes: int = 1) -> None:
    """Alert poller passes, run here on every replica at once with every route due for a look
    (as if the polling interval had passed), then the work they started."""
    for _ in range(passes):
        async with replicas[0].db.sessions.begin() as session:
            await session.execute(update(AlertRoute).values(claimed_at=None))
        await asyncio.gather(*(Pollers.of(services).alerts_once() for services in replicas))
    await asyncio.gather(*(services.drain() for services in replicas))


async def test_poller_alone_posts_exactly_one_message(bot: RunningBot, replica: Services) -> None:
    await bot.link(BOB, "bob")
    await command(bot, "AAPL above 240", command="/alert")
    await command(bot, "AAPL below 100", command="/alert")
    await poll_alerts_now(bot.services, replica)  # neither alert has fired: nothing to say
    assert [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == CHANNEL] == []

    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.5})
    (posted,) = await bot.slack.wait_for("chat.postMessage", channel=CHANNEL)
    assert "*AAPL* last price at or above *$240.00*" in str(posted.args["blocks"])
    assert (await bot.admin("GET", "_sandbox/webhooks"))["Url"] is None  # no webhook was involved
    await poll_alerts_now(bot.services, replica, passes=3)  # more passes by both replicas
    posts = [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == CHANNEL]
    assert len(posts) == 1
    routes = AlertRouteRepository(bot.services.db.sessions)
    assert (await routes.get(1)).state == "fired"  # type: ignore[union-attr]
    assert (await routes.get(2)).state == "active"  # type: ignore[union-attr]
    fired = [
        e for e in await AuditLog(bot.services.db.sessions).since(subject="alert") if e.action == "fired"
    ]
    assert [(e.subject_id, e.detail["source"]) for e in fired] == [("1", "poller")]

"""A workspace removes the app, or revokes its tokens: the bot lets go of it. AutoShares tokens
are revoked and the links deleted, alert routes retired, waiting confirmations expired."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.alerts import AlertRouteRepository
from storage.audit import AuditLog
from storage.models import AlertRoute, PendingOrder
from tests.conftest import RunningBot
from tests.scenario.test_orders import click, command, sandbox_orders

ALICE, BOB = "U0ALICE", "U0BOB"


async def set_alert(bot: RunningBot, user: str) -> None:
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/alert", "AAPL above 500", user=user)
    reply = await bot.last_response(before + 1)
    assert "set" in reply["text"], reply["text"]


async def states(bot: RunningBot, model: type[AlertRoute] | type[PendingOrder], user: str) -> list[str]:
    async with bot.services.db.sessions() as session:
        rows = await session.scalars(select(model).where(model.slack_user_id == user))
        return [row.status if isinstance(row, PendingOrder) else row.state for row in rows]


async def test_app_uninstalled_lets_go_of_the_whole_workspace(bot: RunningBot) -> None:
    for user, login in ((ALICE, "alice"), (BOB, "bob")):
        await bot.link(user, login)
    await set_alert(bot, BOB)
    preview = await command(bot, "buy 1 AAPL", user=BOB)
    revocations = (await bot.admin("GET", "_sandbox/stats"))["Revocations"]

    response = await bot.driver.event({"type": "app_uninstalled", "event_ts": "1700000000.000100"})
    assert response.status_code == 200
    await bot.services.drain()

    assert await bot.services.links.in_team(bot.slack.team_id) == []
    assert (await bot.admin("GET", "_sandbox/stats"))["Revocations"] == revocations + 2
    assert await states(bot, AlertRoute, BOB) == ["deleted"]
    assert await states(bot, PendingOrder, BOB) == ["expired"]
    actions = {e.action for e in await AuditLog(bot.services.db.sessions).since()}
    assert {"retired", "expired"} <= actions
    # The confirmation can no longer place anything, and the alert routes announce nothing.
    await click(bot, preview, "order_confirm", user=BOB)
    assert await sandbox_orders(bot) == []
    assert await AlertRouteRepository(bot.services.db.sessions).claim_for_polling(every=timedelta(0)) == []


async def test_tokens_revoked_for_some_users_lets_go_of_those_only(bot: RunningBot) -> None:
    for user, login in ((ALICE, "alice"), (BOB, "bob")):
        await bot.link(user, login)
    await set_alert(bot, BOB)
    await set_alert(bot, ALICE)
    response = await bot.driver.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [BOB], "bot": []}, "event_ts": "1700000000.000200"}
    )
    assert response.status_code == 200
    await bot.services.drain()
    assert await bot.services.links.get(bot.slack.team_id, BOB) is None
    assert await bot.services.links.get(bot.slack.team_id, ALICE) is not None
    assert await states(bot, AlertRoute, BOB) == ["deleted"]
    assert await states(bot, AlertRoute, ALICE) == ["active"]


async def test_a_revoked_bot_token_is_the_same_as_uninstalling(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    response = await bot.driver.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}, "event_ts": "1700000000.000300"}
    )
    assert response.status_code == 200
    await bot.services.drain()
    assert await bot.services.links.in_team(bot.slack.team_id) == []

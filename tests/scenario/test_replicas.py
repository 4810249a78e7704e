"""Three bot processes on one PostgreSQL database behind a round-robin proxy on loopback; one is
killed with SIGKILL while 200 commands and Confirm clicks are in flight.

What must hold: every request gets a 2xx from a live replica (the proxy, like a load balancer,
sends a request whose replica is gone to the next one); no order is placed twice (each
AutoShares order's ClientId is a different pending order); every alert that fired is posted in
its channel (a replica killed mid-post may repeat one, never lose one); and every one of the 100
confirmed orders is placed (or refused by AutoShares), none expired, with its requester told (a
Confirm answered that the bot was busy recorded nothing and is clicked again, as it asks),
within the follow-up window: a Confirm the killed replica had acknowledged is finished by another
from its recorded intent (within the intent's lease: COMMAND_DEADLINE_SECONDS and a margin),
well inside the confirmation window.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.app.serving import bind_socket, serve_in_loop
from bot.app.settings import async_database_url
from bot.core.views import TradingEnvironment
from bot.devkit.driver import SlackDriver, buttons
from bot.devkit.localslack import LocalSlack
from handlers.blocks.common import badged
from handlers.errors import ACK_BUSY, DATABASE_UNREACHABLE
from handlers.notify import pending_message
from storage.db import Database
from storage.models import AlertRoute, ClickIntent, OutboxMessage, PendingOrder
from storage.orders import PendingOrderRepository
from tests.bothost import BotHost
from tests.conftest import SIGNING_SECRET, running_bot
from tests.scenario.test_cli import Serving, base_env, serving

pytestmark = pytest.mark.postgres_only(reason="replicas share one PostgreSQL server")

USERS = [f"U0REPLICA{i}" for i in range(10)]
ALERTS_CHANNEL = "C0ALERTS"
CONFIRM_SECONDS = 30
FINAL = {"placed", "failed", "expired", "cancelled"}
#: What a confirmed order may end as: placed, or refused by AutoShares (the requester told).
CONFIRMED = {"placed", "failed"}


class RoundRobin:
    """A loopback load balancer: each request goes to the next replica; one that cannot be
    reached (refused, reset, gone mid-answer) is skipped and the request sent to the next."""

    def __init__(self, backends: list[str], http: httpx.AsyncClient) -> None:
        self.backends = backends
        self._next = itertools.count()
        self.http = http
        self.skipped = 0
        self.errors: list[str] = []

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}}
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        first = next(self._next)
        for attempt in range(len(self.backends)):
            backend = self.backends[(first + attempt) % len(self.backends)]
            try:
                answer = await self.http.request(
                    request.method, backend + path.lstrip("/"), content=body, headers=headers
                )
            except httpx.TransportError as exc:
                self.skipped += 1
                self.errors.append(f"{backend} {type(exc).__name__}")
                continue
            kept = {k: v for k, v in answer.headers.items() if k.lower() in {"content-type"}}
            return Response(answer.content, answer.status_code, headers=kept)
        return Response("no replica answered", 502)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.forward, methods=["GET", "POST"])])


@contextlib.asynccontextmanager
async def three_replicas(env: dict[str, str], cwd: Path) -> AsyncIterator[list[Serving]]:
    async with contextlib.AsyncExitStack() as stack:
        started = []
        for _ in range(3):
            sock = bind_socket()
            port = sock.getsockname()[1]
            sock.close()
            started.append(await stack.enter_async_context(serving({**env, "PORT": str(port)}, port, cwd)))
        await asyncio.gather(*(r.get("readyz", until_status=200, timeout=30) for r in started))
        yield started


async def test_three_replicas_one_killed_lose_nothing_and_place_nothing_twice(
    bot_env: dict[str, str],
    local_slack: LocalSlack,
    sandbox: Any,
    bot_host: BotHost,
    tmp_path: Path,
) -> None:
    # Ten linked users, each with an account (the sign-in pages are served in this process).
    async with running_bot(bot_env, local_slack, sandbox, bot_host) as bot:
        for i, user in enumerate(USERS):
            await bot.admin("POST", "_sandbox/users", json={"Login": f"replica{i}", "Password": "sandbox"})
            assert (await bot.link(user, f"replica{i}")).status_code == 200
        await bot.services.drain()
    local_slack.reset()

    env = {
        **base_env(tmp_path),
        **bot_env,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "ORDER_CONFIRM_SECONDS": str(CONFIRM_SECONDS),
        "ORDER_POLL_SECONDS": "0.5",
        "ALERT_POLL_SECONDS": "0.5",
        "AUTOSHARES_TIMEOUT_SECONDS": "1",
        "ORDER_SETTLE_SECONDS": "3",
        "OUTBOX_LEASE_SECONDS": "2",
    }
    async with (
        three_replicas(env, tmp_path) as replicas,
        httpx.AsyncClient(timeout=30) as http,
        httpx.AsyncClient(timeout=30) as forwarding,
    ):
        proxy = RoundRobin([r.url for r in replicas], forwarding)
        async with serve_in_loop(proxy.app()) as served:
            driver = SlackDriver(
                http, served.url, SIGNING_SECRET, local_slack.base_url, team_id=local_slack.team_id
            )

            # Before: 100 order previews (ten each) and an alert per user, through the proxy.
            previews = [driver.command_body("/order", "buy 1 AAPL", user=u) for u in USERS for _ in range(10)]
            alerts = [
                driver.command_body("/alert", "AAPL above 250", user=u, channel=ALERTS_CHANNEL) for u in USERS
            ]
            sent = await asyncio.gather(
                *(driver.post(b, "application/x-www-form-urlencoded") for b in previews + alerts)
            )
            assert {r.status_code for r in sent} == {200}
            answered = await answered_at(local_slack, previews + alerts)
            confirms = [
                next(b for b in buttons(answered[url]["blocks"]) if b.get("action_id") == "order_confirm")
                for url in response_urls(previews)
            ]
            assert len(confirms) == 100

            # During: 100 Confirm clicks and 100 other commands at once; one replica killed and
            # the price moved across every alert while they are in flight.
            users = [u for u in USERS for _ in range(10)]
            requests = [driver.click(button, user=user) for button, user in zip(confirms, users, strict=True)]
            requests += [
                driver.command(
                    "/quote" if i % 2 else "/autoshares", "AAPL" if i % 2 else "positions", user=USERS[i % 10]
                )
                for i in range(100)
            ]
            random.Random(7).shuffle(requests)
            tasks = [asyncio.ensure_future(r) for r in requests]
            await wait_until_done(tasks, 60)
            replicas[0].process.send_signal(signal.SIGKILL)
            await http.post(sandbox.url + "_sandbox/prices", json={"Symbol": "AAPL", "Last": 251})
            responses = await asyncio.gather(*tasks)
            assert [r.status_code for r in responses if not 200 <= r.status_code < 300] == [], proxy.errors
            assert proxy.skipped >= 1  # the killed replica was in the rotation

            # After: everything settles within the follow-up window.
            database = Database(async_database_url(bot_env["DATABASE_URL"]))
            try:
                await click_again_where_told_busy(database, driver, local_slack)
                await settled(database, timeout=CONFIRM_SECONDS + 3 + 2 + 15)
                repo = PendingOrderRepository(database.sessions)
                async with database.sessions() as session:
                    ids = list(await session.scalars(select(PendingOrder.id)))
                    owed = list(await session.scalars(select(OutboxMessage.state)))
                    fired = list(
                        await session.scalars(select(AlertRoute.alert_id).where(AlertRoute.state == "fired"))
                    )
                rows = [row for row in await asyncio.gather(*(repo.get(i) for i in ids)) if row is not None]
            finally:
                await database.dispose()
            orders = (await http.get(sandbox.url + "_sandbox/orders")).json()

    placed_ids = Counter(o["ClientId"] for o in orders)
    assert [cid for cid, n in placed_ids.items() if n > 1] == []  # no order placed twice
    assert set(placed_ids) <= {r.id for r in rows}
    assert len(rows) == 100 and {r.status for r in rows} <= FINAL
    # No Confirm was lost with the killed replica: nothing expired for want of one.
    assert Counter(r.status for r in rows if r.status not in CONFIRMED) == Counter()
    assert {r.id for r in rows if r.status == "placed"} == set(placed_ids)

    # Every requester was told the final state of every order (in place, or by DM).
    for row in rows:
        expected = badged(pending_message(row, confirm_seconds=CONFIRM_SECONDS), TradingEnvironment.PAPER)[
            "blocks"
        ]
        path = urlsplit(row.response_url or "").path
        told = [
            c
            for c in local_slack.calls
            if (
                c.path == path
                or (c.method == "chat.postMessage" and c.args.get("channel") == row.slack_user_id)
            )
            and c.args.get("blocks") == expected
        ]
        assert told, f"order {row.id} ({row.status}) was never shown as it ended"
    assert set(owed) <= {"delivered"}

    # Every alert fired and was posted in its channel: none lost (a replica killed between
    # posting one and recording it may have repeated that one).
    assert len(fired) == len(USERS)
    posts = [
        str(c.args.get("blocks"))
        for c in local_slack.by_method("chat.postMessage")
        if c.args.get("channel") == ALERTS_CHANNEL
    ]
    for alert_id in fired:
        assert 1 <= sum(f"Alert {alert_id}." in p for p in posts) <= 2, alert_id


def told_to_try_again(slack: LocalSlack) -> list[str]:
    """The clicks answered that the bot was busy or its database unreachable (nothing recorded)."""
    return [
        c.path
        for c in slack.by_method("response_url")
        if c.args.get("text") in {ACK_BUSY, DATABASE_UNREACHABLE}
    ]


async def click_again_where_told_busy(database: Database, driver: SlackDriver, slack: LocalSlack) -> int:
    """A Confirm that could not be written down before its ack (the replica busy past
    ACK_DATABASE_SECONDS) left no intent and its requester was told to try again: each such
    requester clicks again, as the sentence asks. Every other Confirm was written down. Returns
    how many were clicked again."""
    async with database.sessions() as session:
        recorded = set(await session.scalars(select(ClickIntent.pending_id)))
        waiting = (
            await session.execute(
                select(PendingOrder.id, PendingOrder.slack_user_id).where(PendingOrder.status == "pending")
            )
        ).all()
    unrecorded = [(pending_id, user) for pending_id, user in waiting if pending_id not in recorded]
    await slack.wait_until(lambda: len(told_to_try_again(slack)) >= len(unrecorded))
    assert len(told_to_try_again(slack)) == len(unrecorded)
    for pending_id, user in unrecorded:
        response = await driver.click({"action_id": "order_confirm", "value": pending_id}, user=user)
        assert response.status_code == 200
    return len(unrecorded)


def response_urls(bodies: list[str]) -> list[str]:
    return [parse_qs(b)["response_url"][0] for b in bodies]


async def answered_at(slack: LocalSlack, bodies: list[str], timeout: float = 30) -> dict[str, dict[str, Any]]:
    """The first answer at each command's response_url, once every one has one."""
    paths = {urlsplit(url).path: url for url in response_urls(bodies)}

    def first() -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for call in slack.by_method("response_url"):
            if call.path in paths and paths[call.path] not in found:
                found[paths[call.path]] = call.args
        return found

    await slack.wait_until(lambda: len(first()) == len(paths), timeout)
    return first()


async def wait_until_done(tasks: list[asyncio.Future[httpx.Response]], count: int) -> None:
    """Return once ``count`` of ``tasks`` have finished."""
    while sum(t.done() for t in tasks) < count:
        await asyncio.wait([t for t in tasks if not t.done()], return_when=asyncio.FIRST_COMPLETED)


async def settled(database: Database, timeout: float) -> None:
    """Wait until no pending order is open and the outbox owes nothing that is due."""

    async def open_work() -> int:
        async with database.sessions() as session:
            orders = await session.scalars(select(PendingOrder.id).where(PendingOrder.status.not_in(FINAL)))
            messages = await session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.state != "delivered")
            )
            return len(list(orders)) + len(list(messages))

    async with asyncio.timeout(timeout):  # other processes do the work: look every 0.2 s
        while True:
            if not await open_work():
                return
            await asyncio.sleep(0.2)

"""The background loops (``bot.app.pollers``): which loops start at which interval for the settings
given, what each pass asks of its service, hourly housekeeping, a failing pass not ending its loop,
and ``stop()`` ending every loop and cutting short a pass that overruns its grace."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from cryptography.fernet import Fernet

from bot.app import pollers as module
from bot.app.pollers import (
    CLICK_RECOVERY_SECONDS,
    CORPORATE_ACTION_CHECK_SECONDS,
    DIGEST_CHECK_SECONDS,
    HOUSEKEEPING_EVERY_SECONDS,
    REARM_CHECK_SECONDS,
    REFRESH_AHEAD,
    ROUTE_GRACE,
    TOKEN_UPKEEP_SECONDS,
    WEBHOOK_RETENTION,
    Pollers,
)
from bot.app.settings import Settings
from bot.core.delivery import Delivery
from bot.core.passes import PassReport, due_after
from bot.core.usecases import UseCases
from bot.telemetry.metrics import Metrics
from handlers.clicks import ClickRecovery
from storage.db import Database
from storage.outbox import enqueue, on_queued
from storage.replays import REPLAY_RETENTION, SlackRequestLog

BASE = {
    "SLACK_SIGNING_SECRET": "s3cret-signing",
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "ORDER_POLL_SECONDS": "7",
    "ALERT_POLL_SECONDS": "11",
    "TRANSFER_POLL_SECONDS": "13",
    "OUTBOX_POLL_SECONDS": "0.25",
    "BACKSTOP_POLL_SECONDS": "120",
    "POLL_CONCURRENCY": "3",
}


class Calls:
    """Stand-ins for the services a pass calls: each records its arguments and answers ``result``."""

    def __init__(self) -> None:
        self.made: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, name: str, result: object = 0) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            self.made.append((name, args, kwargs))
            return result

        return call

    def names(self) -> list[str]:
        return [name for name, _, _ in self.made]

    def of(self, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        [(args, kwargs)] = [(a, k) for n, a, k in self.made if n == name]
        return args, kwargs


def build(
    calls: Calls, *, clicks: bool = False, report: PassReport | None = None, env: dict[str, str] | None = None
) -> Pollers:
    report = report or PassReport("orders")
    core = SimpleNamespace(
        orders=SimpleNamespace(repo=SimpleNamespace(expire_due=calls("expire_due"))),
        followup=SimpleNamespace(run_once=calls("followup", report)),
        alerts=SimpleNamespace(
            poll_once=calls("alerts", report),
            rearm_once=calls("rearm", 2),
            routes=SimpleNamespace(sweep=calls("sweep", (0, 0))),
        ),
        transfers=SimpleNamespace(check_once=calls("transfers", 4)),
        digests=SimpleNamespace(run_once=calls("digests", 5)),
        corporate_actions=SimpleNamespace(run_once=calls("corporate_actions", 6)),
        users=SimpleNamespace(refresh_expiring=calls("tokens", 1)),
        charts=SimpleNamespace(prune=calls("charts", 0)),
    )
    delivery = SimpleNamespace(run_once=calls("outbox"), idle=calls("idle"))
    recovery = SimpleNamespace(run_once=calls("clicks"), intents=SimpleNamespace(forget_older_than=calls("intents")))
    metrics = SimpleNamespace(poll_pass=lambda r: calls.made.append(("metrics", (r,), {})))
    return Pollers(
        cast(UseCases, core),
        cast(Delivery, delivery),
        Settings.from_env({**BASE, **(env or {})}),
        cast(SlackRequestLog, SimpleNamespace(forget_older_than=calls("replays", 0))),
        cast(Metrics, metrics),
        cast(ClickRecovery, recovery) if clicks else None,
    )


async def started_loops(pollers: Pollers, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[float, bool, Any]]:
    """What ``start()`` asked to run: each loop's interval, whether it is busy, and its pass."""
    loops: dict[str, tuple[float, bool, Any]] = {}

    async def record(
        name: str, interval: float, once: Any, *, busy: bool = False, wake: asyncio.Event | None = None
    ) -> None:
        loops[name] = (interval, busy, once)
        # only the outbox wakes early: for a message this process has just committed
        assert (wake is pollers._queued) if name == "outbox" else wake is None, name

    monkeypatch.setattr(pollers, "_loop", record)
    pollers.start()
    await asyncio.gather(*pollers._tasks)
    assert [task.get_name() for task in pollers._tasks] == list(loops)
    return loops


async def test_without_a_webhook_secret_each_loop_runs_at_its_polling_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pollers = build(Calls())
    assert not pollers.webhooks_configured
    loops = await started_loops(pollers, monkeypatch)
    assert loops == {
        "outbox": (0.25, True, pollers.delivery.run_once),
        "orders": (7.0, False, pollers.orders_once),
        "alerts": (11.0, False, pollers.alerts_once),
        "tokens": (TOKEN_UPKEEP_SECONDS, False, pollers.tokens_once),
        "digests": (DIGEST_CHECK_SECONDS, False, pollers.digests_once),
        "rearm": (REARM_CHECK_SECONDS, False, pollers.rearm_once),
        "corporate_actions": (CORPORATE_ACTION_CHECK_SECONDS, False, pollers.corporate_actions_once),
        "transfers": (13.0, False, pollers.transfers_once),
    }


async def test_with_a_webhook_secret_alerts_fall_back_to_the_backstop_and_clicks_are_recovered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pollers = build(Calls(), clicks=True, env={"AUTOSHARES_WEBHOOK_SECRET": "whsec"})
    assert pollers.webhooks_configured
    loops = await started_loops(pollers, monkeypatch)
    assert loops["alerts"][0] == 120.0
    assert loops["orders"][0] == 7.0  # the order loop still expires confirmations at its pace
    assert pollers.clicks is not None
    assert loops["clicks"] == (CLICK_RECOVERY_SECONDS, True, pollers.clicks.run_once)


@pytest.mark.parametrize(("secret", "every"), [(None, 7.0), ("whsec", 120.0)])
async def test_an_order_pass_expires_settles_and_follows_orders_due_at_the_check_interval(
    secret: str | None, every: float
) -> None:
    calls, report = Calls(), PassReport("orders", rows=3)
    env = {"AUTOSHARES_WEBHOOK_SECRET": secret} if secret else {}
    pollers = build(calls, report=report, env=env)
    assert await pollers.orders_once() is report
    assert calls.names()[-3:] == ["expire_due", "followup", "metrics"]
    _, kwargs = calls.of("followup")
    assert kwargs["every"] == due_after(every)
    assert kwargs["stuck_after"] == timedelta(seconds=pollers.settings.settle_after_seconds)
    assert calls.of("metrics") == ((report,), {})


async def test_each_other_pass_asks_its_service_with_the_settings_interval() -> None:
    calls = Calls()
    pollers = build(calls, env={"AUTOSHARES_WEBHOOK_SECRET": "whsec"})
    await pollers.alerts_once()
    assert calls.of("alerts")[0] == (due_after(120.0),)
    assert await pollers.transfers_once() == 4
    assert calls.of("transfers")[0] == (due_after(13.0),)
    assert await pollers.tokens_once() == 1
    assert calls.of("tokens") == ((REFRESH_AHEAD,), {"concurrency": 3})
    assert (await pollers.rearm_once(), await pollers.digests_once(), await pollers.corporate_actions_once()) == (
        2,
        5,
        6,
    )


async def test_a_pass_that_was_held_back_is_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=module.__name__)
    pollers = build(Calls(), report=PassReport("alerts", rows=4, failed=1))
    await pollers.alerts_once()
    pollers._observe(PassReport("alerts", rows=2))
    assert [(r.levelno, r.getMessage().split(":")[0]) for r in caplog.records] == [
        (logging.INFO, "alerts pass"),
        (logging.DEBUG, "alerts pass"),
    ]


async def test_housekeeping_runs_at_most_hourly(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls()
    pollers = build(calls, clicks=True)
    await pollers.housekeeping()
    assert calls.names() == ["sweep", "replays", "charts", "intents"]
    assert calls.of("sweep")[1] == {"route_grace": ROUTE_GRACE, "webhook_retention": WEBHOOK_RETENTION}
    assert calls.of("replays")[0] == (REPLAY_RETENTION,)
    await pollers.housekeeping()
    assert len(calls.made) == 4  # within the hour: nothing
    assert pollers._housekept_at is not None
    pollers._housekept_at -= HOUSEKEEPING_EVERY_SECONDS  # an hour has gone by
    await pollers.housekeeping()
    assert calls.names().count("sweep") == 2


async def test_a_failing_pass_is_logged_and_the_loop_goes_on_at_once_while_busy(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pollers = build(Calls())
    results: list[object] = [RuntimeError("AutoShares is down"), 3, 2, "stop"]

    async def once() -> int:
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        if result == "stop":
            pollers._stop.set()
            return 0
        return cast(int, result)

    await asyncio.wait_for(pollers._loop("outbox", 0.0, once, busy=True), 2)
    assert results == []
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == ["outbox poller pass failed"]


async def test_stop_ends_waiting_loops_and_cancels_a_pass_that_overruns_its_grace() -> None:
    calls = Calls()
    pollers = build(calls)
    pollers.start()
    running, never = asyncio.Event(), asyncio.Event()

    async def stuck() -> int:
        running.set()
        await never.wait()
        return 0

    overrun = asyncio.create_task(pollers._loop("stuck", 0.0, stuck))
    pollers._tasks.append(overrun)
    await asyncio.wait_for(running.wait(), 2)
    waiting = [task for task in pollers._tasks if task is not overrun]
    await asyncio.wait_for(pollers.stop(grace=0.05), 2)
    assert overrun.cancelled()
    assert all(task.done() and not task.cancelled() for task in waiting)  # they ended on their own
    assert pollers._tasks == []
    assert "idle" in calls.names()


async def test_a_message_committed_to_the_outbox_wakes_the_delivery_loop_before_its_poll(
    db: Database,
) -> None:
    pollers = build(Calls())
    woken = asyncio.Event()
    passes: list[int] = []

    async def once() -> int:
        passes.append(len(passes))
        woken.set()
        return 0

    on_queued(pollers._queued)
    loop = asyncio.create_task(pollers._loop("outbox", 3600.0, once, busy=True, wake=pollers._queued))
    try:
        await asyncio.sleep(0)
        assert passes == []  # asleep for its hour
        async with db.sessions() as session:  # a rolled-back message wakes nothing
            await enqueue(session, "note", team_id="T1", channel="C1", data={})
            await session.rollback()
        await asyncio.sleep(0)  # a wake is set on the loop's next turn
        assert not pollers._queued.is_set()
        async with db.sessions.begin() as session:
            await enqueue(session, "note", team_id="T1", channel="C1", data={})
            assert passes == []  # not before the commit
        await asyncio.wait_for(woken.wait(), 5)
        assert passes == [0]
    finally:
        pollers._stop.set()
        pollers._queued.set()
        await loop

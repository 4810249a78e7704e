"""Exactly once: however many clicks, retries, replicas or failed responses, one order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app.serving import serve_in_loop
from bot.app.web import create_web_app
from bot.app.wiring import Services
from bot.devkit.driver import SlackDriver
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.scenario.test_orders import BOB, button, click, command, sandbox_orders


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    return bot


async def clicks(driver: SlackDriver, message: dict[str, Any], count: int) -> list[httpx.Response]:
    confirm = button(message, "order_confirm")
    return list(await asyncio.gather(*(driver.click(confirm, user=BOB) for _ in range(count))))


async def test_twenty_concurrent_confirms_place_one_order_and_all_see_it(bob: RunningBot) -> None:
    preview = await command(bob, "buy 10 AAPL")
    pending_id = button(preview, "order_confirm")["value"]
    before = len(bob.slack.by_method("response_url"))
    responses = await clicks(bob.driver, preview, 20)
    assert all(r.status_code == 200 for r in responses)
    answers = await bob.slack.wait_for("response_url", count=before + 20, timeout=30)
    orders = await sandbox_orders(bob)
    assert len(orders) == 1 and orders[0]["ClientId"] == pending_id
    assert (await bob.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 1
    assert bob.services.metrics.value("autoshares_orders_placed_total") == 1
    # Every click (winner and losers) replaced the confirmation with the same result.
    results = answers[before:]
    assert {r.args["text"] for r in results} == {
        f"[PAPER] Order {orders[0]['Id']}: Buy 10 AAPL · market · day is filled."
    }
    assert all(r.args["replace_original"] for r in results)


@pytest.fixture
async def second_instance(bob: RunningBot) -> AsyncIterator[SlackDriver]:
    """Another replica of the bot: its own process state, the same database."""
    services = await Services.create(bob.settings, migrate=False)
    app = create_web_app(services, close_services=False)
    async with serve_in_loop(app) as server:
        yield SlackDriver(bob.http, server.url, SIGNING_SECRET, bob.slack.base_url, team_id=bob.slack.team_id)
    await services.aclose()


async def test_two_replicas_racing_place_one_order(bob: RunningBot, second_instance: SlackDriver) -> None:
    preview = await command(bob, "buy 7 MSFT")
    before = len(bob.slack.by_method("response_url"))
    first, second = await asyncio.gather(
        clicks(bob.driver, preview, 10), clicks(second_instance, preview, 10)
    )
    assert all(r.status_code == 200 for r in first + second)
    answers = await bob.slack.wait_for("response_url", count=before + 20, timeout=30)
    orders = await sandbox_orders(bob)
    assert len(orders) == 1
    assert (await bob.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 1
    assert {a.args["text"] for a in answers[before:]} == {
        f"[PAPER] Order {orders[0]['Id']}: Buy 7 MSFT · market · day is filled."
    }


async def test_place_call_failing_after_acceptance_still_yields_one_order_the_user_sees(
    bob: RunningBot,
) -> None:
    preview = await command(bob, "buy 4 AAPL")
    await bob.admin("POST", "_sandbox/faults", json={"FailNextOrders": 1})
    result = await click(bob, preview, "order_confirm")
    orders = await sandbox_orders(bob)
    assert len(orders) == 1
    assert f"AutoShares order {orders[0]['Id']}" in str(result["blocks"])
    assert (await bob.admin("GET", "_sandbox/faults"))["FailNextOrders"] == 0
    # A second click after the uncertain placement neither re-sends nor changes the answer.
    again = await click(bob, preview, "order_confirm")
    assert again["text"] == result["text"]
    assert (await bob.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 1

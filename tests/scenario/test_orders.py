"""Orders end to end: signed /order commands and clicks → preview → confirm → one order at the
sandbox, and every way an order must not be placed."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from bot.cli import main
from bot.devkit.driver import buttons
from storage.audit import AuditLog
from storage.links import utcnow
from storage.models import PendingOrder
from tests.conftest import RunningBot

BOB = "U0BOB"
ALICE = "U0ALICE"


async def answer_at(bot: RunningBot, response_url: str) -> dict[str, Any]:
    """The first message the bot posted to this response_url (other updates may interleave)."""
    path = urlsplit(response_url).path

    def posted() -> list[dict[str, Any]]:
        return [c.args for c in bot.slack.by_method("response_url") if c.path == path]

    try:
        await bot.slack.wait_until(posted)
    except TimeoutError:
        raise AssertionError(f"nothing was posted to {path}") from None
    return posted()[0]


async def command(bot: RunningBot, text: str, *, user: str = BOB, command: str = "/order") -> dict[str, Any]:
    """Send a slash command and return the bot's reply to it (at the command's response_url)."""
    body = bot.driver.command_body(command, text, user=user)
    response = await bot.driver.post(body, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    return await answer_at(bot, parse_qs(body)["response_url"][0])


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(b for b in buttons(message["blocks"]) if b["action_id"] == action_id)


async def click(
    bot: RunningBot, message: dict[str, Any], action_id: str, *, user: str = BOB, team: str | None = None
) -> dict[str, Any]:
    """Click a button of ``message`` and return the bot's answer at the click's response_url."""
    pressed = button(message, action_id)
    response_url = bot.driver.response_url()
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": team or bot.driver.team_id},
        "team": {"id": team or bot.driver.team_id},
        "channel": {"id": "C0GENERAL", "name": "general"},
        "trigger_id": f"{time.time()}.trigger",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": pressed["action_id"],
                "block_id": pressed.get("block_id", "b"),
                "value": pressed.get("value"),
                "action_ts": f"{time.time():.6f}",
            }
        ],
        "container": {"type": "message", "channel_id": "C0GENERAL", "is_ephemeral": True},
    }
    response = await bot.driver.interactive(payload)
    assert response.status_code == 200
    return await answer_at(bot, response_url)


async def sandbox_orders(bot: RunningBot) -> list[dict[str, Any]]:
    return await bot.admin("GET", "_sandbox/orders")


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    return bot


async def test_confirm_places_one_order_with_the_pending_id_as_client_id(
    bob: RunningBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = bob
    preview = await command(bot, "buy 10 AAPL")
    text = str(preview["blocks"])
    assert "Buy 10 AAPL" in text and "Estimated cost" in text and "Buying power after" in text
    assert await sandbox_orders(bot) == []  # a preview places nothing
    pending_id = button(preview, "order_confirm")["value"]

    result = await click(bot, preview, "order_confirm")
    assert result["replace_original"] is True
    orders = await sandbox_orders(bot)
    assert len(orders) == 1
    assert orders[0]["ClientId"] == pending_id
    assert orders[0]["Symbol"] == "AAPL" and orders[0]["Quantity"] == 10 and orders[0]["Side"] == "Buy"
    assert f"AutoShares order {orders[0]['Id']}" in str(result["blocks"])

    # The audit trail has who did what with which ids, and the CLI exports it.
    events = await AuditLog(bot.services.db.sessions).since(subject_id=pending_id)
    assert [(e.action, e.slack_user_id) for e in events] == [
        ("previewed", BOB),
        ("confirmed", BOB),
        ("placed", BOB),
        ("filled", None),
    ]
    assert events[2].autoshares_id == str(orders[0]["Id"])
    monkeypatch.setenv("DATABASE_URL", bot.settings.database_url)
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    assert await asyncio.to_thread(main, ["audit", "--since", since, "--format", "csv"]) == 0
    exported = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["action"] for r in exported if r["subject_id"] == pending_id] == [e.action for e in events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buy 10 AAPL", {"Side": "Buy", "Type": "Market", "Quantity": 10, "TimeInForce": "Day"}),
        ("buy 3 TSLA stop 180", {"Side": "Buy", "Type": "Stop", "StopPrice": 180.0}),
        (
            "buy 3 TSLA stop 180 limit 181",
            {"Side": "Buy", "Type": "StopLimit", "StopPrice": 180.0, "Price": 181.0, "Status": "New"},
        ),
        (
            "short 2 NVDA limit 131 gtc",
            {"Side": "SellShort", "Type": "Limit", "TimeInForce": "GoodTillCancel"},
        ),
        (
            "buy 1 AAPL limit 230 account 5002 pre",
            {"Type": "Limit", "AccountId": 5002, "ExtendedHours": "REGPRE"},
        ),
    ],
)
async def test_each_order_form_is_previewed_then_placed(
    bob: RunningBot, text: str, expected: dict[str, Any]
) -> None:
    preview = await command(bob, text)
    assert "Review your order" in preview["text"]
    await click(bob, preview, "order_confirm")
    orders = await sandbox_orders(bob)
    assert len(orders) == 1
    assert {k: orders[0].get(k) for k in expected} == expected


async def test_sell_limit_gtc_after_a_buy_and_cover(bob: RunningBot) -> None:
    await click(bob, await command(bob, "buy 5 MSFT"), "order_confirm")
    sell = await command(bob, "sell 5 MSFT limit 410.50 gtc")
    assert "*Sell 5 MSFT* · limit $410.50 · good till cancelled" in str(sell["blocks"])
    result = await click(bob, sell, "order_confirm")
    assert "filled" in result["text"]
    orders = await sandbox_orders(bob)
    assert [(o["Side"], o["Type"], o["TimeInForce"], o["Status"]) for o in orders] == [
        ("Buy", "Market", "Day", "Filled"),
        ("Sell", "Limit", "GoodTillCancel", "Filled"),
    ]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("buy -5 AAPL", "whole number of shares above zero"),
        ("buy 10", "Add the symbol"),
        ("buy 1e9 AAPL", "whole number of shares above zero"),
        ("buy 1000000000 AAPL", "at most 1,000,000 shares"),
        ("buy 10 AAPL limit abc", "limit price must be a number"),
        ("buy 10 ZZZZ", "SymbolNotFound"),
        ("sell 5 MSFT", "InsufficientShares"),
    ],
)
async def test_bad_orders_get_a_clear_error_and_place_nothing(
    bob: RunningBot, text: str, phrase: str
) -> None:
    reply = await command(bob, text)
    assert phrase in str(reply["blocks"])
    assert not [b for b in buttons(reply["blocks"]) if b["action_id"] == "order_confirm"]
    assert await sandbox_orders(bob) == []
    assert (await bob.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 0


async def test_cancel_button_places_nothing_and_confirm_after_it_is_refused(bob: RunningBot) -> None:
    preview = await command(bob, "buy 10 AAPL")
    cancelled = await click(bob, preview, "order_cancel_pending")
    assert "Cancelled" in cancelled["text"] and "Nothing was placed" in cancelled["text"]
    late = await click(bob, preview, "order_confirm")
    assert "Cancelled" in late["text"]
    assert await sandbox_orders(bob) == []


async def test_expired_confirmation_places_nothing(bob: RunningBot) -> None:
    preview = await command(bob, "buy 10 AAPL")
    async with bob.services.db.sessions.begin() as session:
        await session.execute(update(PendingOrder).values(expires_at=utcnow()))
    result = await click(bob, preview, "order_confirm")
    assert "expired" in result["text"].lower() and "Nothing was placed" in result["text"]
    assert await sandbox_orders(bob) == []
    actions = [e.action for e in await AuditLog(bob.services.db.sessions).since(subject="order")]
    assert actions == ["previewed", "expired"]


async def test_only_the_requester_can_confirm(bob: RunningBot) -> None:
    preview = await command(bob, "buy 10 AAPL")
    stranger = await click(bob, preview, "order_confirm", user=ALICE)
    assert stranger["replace_original"] is False
    assert "Only the person who asked" in stranger["text"]
    assert await sandbox_orders(bob) == []
    stranger_cancel = await click(bob, preview, "order_cancel_pending", user=ALICE)
    assert "Only the person who asked" in stranger_cancel["text"]
    # Bob's user id sent from another workspace (Enterprise Grid, multi-workspace) is not Bob.
    elsewhere = await click(bob, preview, "order_confirm", user=BOB, team="T0OTHER")
    assert "Only the person who asked" in elsewhere["text"]
    assert await sandbox_orders(bob) == []
    await click(bob, preview, "order_confirm")
    assert len(await sandbox_orders(bob)) == 1


async def test_outstanding_agreements_refuse_trading_with_the_list(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "buy 1 AAPL", user=ALICE)
    text = str(reply["blocks"])
    assert "AutoShares Platform Terms of Use" in text
    assert any(b["action_id"] == "agreement_sign" for b in buttons(reply["blocks"]))
    assert await sandbox_orders(bot) == []


async def test_order_list_and_cancel(bob: RunningBot) -> None:
    await click(bob, await command(bob, "buy 3 TSLA stop 180 limit 181"), "order_confirm")
    await click(bob, await command(bob, "buy 1 AAPL"), "order_confirm")  # fills at once
    (open_order,) = [o for o in await sandbox_orders(bob) if o["Status"] == "New"]
    listing = await command(bob, "list")
    cancel_buttons = [b for b in buttons(listing["blocks"]) if b["action_id"] == "order_cancel_open"]
    assert [b["value"] for b in cancel_buttons] == [f"5002:{open_order['Id']}"]

    cancelled = await click(bob, listing, "order_cancel_open")
    assert "cancelled" in cancelled["text"]
    assert {o["Id"]: o["Status"] for o in await sandbox_orders(bob)}[open_order["Id"]] == "Canceled"

    again = await command(bob, f"cancel {open_order['Id']}")
    assert "already filled or cancelled" in again["text"]
    empty = await command(bob, "list")
    assert "no open orders" in empty["text"]


async def test_order_cancel_command(bob: RunningBot) -> None:
    await click(bob, await command(bob, "buy 3 TSLA stop 180 limit 181"), "order_confirm")
    (order,) = await sandbox_orders(bob)
    reply = await command(bob, f"cancel {order['Id']}")
    assert "cancelled" in reply["text"]
    assert (await sandbox_orders(bob))[0]["Status"] == "Canceled"
    missing = await command(bob, "cancel 999")
    assert "no order 999" in missing["text"]


class TestRejectedAtPlacement:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "LARGE_ORDER_NOTIONAL": "1000000"}

    async def test_an_order_rejected_when_placed_says_why(self, bob: RunningBot) -> None:
        first = await command(bob, "buy 300 AAPL")  # about $69,000 of $100,000
        second = await command(bob, "buy 100 MSFT")  # about $43,000
        assert "Review your order" in first["text"] and "Review your order" in second["text"]
        await click(bob, second, "order_confirm")
        rejected = await click(bob, first, "order_confirm")  # the buying power is gone by now
        text = str(rejected["blocks"])
        assert "is *rejected*" in text and "AutoShares rejected it: Not enough buying power" in text
        statuses = [o["Status"] for o in await sandbox_orders(bob)]
        assert statuses == ["Filled", "Rejected"]
        actions = [e.action for e in await AuditLog(bob.services.db.sessions).since(subject="order")]
        assert actions.count("rejected") == 1


async def test_agreements_are_checked_again_before_placing(bob: RunningBot) -> None:
    preview = await command(bob, "buy 1 AAPL")
    # Before confirming, the Slack user re-links to a login that has an agreement to sign.
    await bob.link(BOB, "alice")
    refused = await click(bob, preview, "order_confirm")
    assert refused["replace_original"] is True
    assert "AutoShares Platform Terms of Use" in str(refused["blocks"])
    assert await sandbox_orders(bob) == []
    assert (await bob.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 0
    again = await click(bob, preview, "order_confirm")  # the order is settled as not placed
    assert "Not placed" in again["text"]


@pytest.mark.parametrize(("word", "value"), [("pre", "REGPRE"), ("post", "REGPOST"), ("ext", None)])
async def test_extended_hours_orders_carry_a_documented_value(
    bob: RunningBot, word: str, value: str | None
) -> None:
    """`ext`, `pre` and `post` reach AutoShares as ExtendedHours values its pages document (the
    sandbox refuses any other with 422); `ext` names the extended session that comes next."""
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 210})
    preview = await command(bob, f"buy 2 TSLA limit 200 {word}")
    assert "limit $200.00 · day · " in str(preview["blocks"])
    await click(bob, preview, "order_confirm")
    (order,) = await sandbox_orders(bob)
    assert order["ExtendedHours"] == value if value else order["ExtendedHours"] in {"REGPRE", "REGPOST"}
    assert order["Status"] == "New"

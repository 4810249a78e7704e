"""`/order edit` end to end: a working order changed through a preview and one Confirm, from the
command and from the Edit button's modal; refused plainly when the order finished meanwhile;
replaced once however many Confirms race."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.devkit.driver import buttons
from storage.audit import AuditLog
from tests.conftest import RunningBot
from tests.scenario.steps import command as run
from tests.scenario.test_options import OWNER, monthly
from tests.scenario.test_orders import BOB, button, click, command, sandbox_orders

REPLACE = "PUT /v1.0/accounts/{accountId}/orders/{orderId}"


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    return bot


async def resting_order(bot: RunningBot, text: str = "buy 10 AAPL limit 200") -> tuple[str, dict[str, Any]]:
    """Place a limit order below the market through the bot: (its pending id, the order)."""
    preview = await command(bot, text)
    pending_id = button(preview, "order_confirm")["value"]
    await click(bot, preview, "order_confirm")
    order = max(await sandbox_orders(bot), key=lambda o: int(o["Id"]))
    assert order["Status"] == "New" and order["ClientId"] == pending_id
    return pending_id, order


async def replace_calls(bot: RunningBot) -> int:
    return int((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"].get(REPLACE, 0))


async def test_edit_previews_side_by_side_and_confirm_replaces_the_order_keeping_its_id(
    bob: RunningBot,
) -> None:
    placed_id, order = await resting_order(bob)
    preview = await command(bob, f"edit {order['Id']} qty 5 limit 201")
    text = str(preview["blocks"])
    assert preview["text"].startswith("[PAPER] Review your change to order")
    assert "*Now*\\nQuantity: 10\\nLimit: $200.00\\nEstimated cost: $2,000.00" in text
    assert "*After the change*\\nQuantity: 5\\nLimit: $201.00\\nEstimated cost: $1,005.00" in text
    assert [o["Quantity"] for o in await sandbox_orders(bob)] == [10]  # a preview changes nothing
    edit_id = button(preview, "order_confirm")["value"]

    result = await click(bob, preview, "order_confirm")
    (changed,) = await sandbox_orders(bob)
    assert (changed["Id"], changed["Quantity"], changed["Price"]) == (order["Id"], 5, 201)
    assert changed["ClientId"] == edit_id and await replace_calls(bob) == 1
    assert "Order changed: *Buy 5 AAPL* · limit $201.00" in str(result["blocks"])
    assert f"AutoShares order {order['Id']}" in str(result["blocks"])
    # The order's earlier message hands over to the change's, which follows the order now.
    repo = bob.services.core.orders.repo
    assert (await repo.get(placed_id)).status == "replaced"  # type: ignore[union-attr]
    assert (await repo.find(order_id=order["Id"])).id == edit_id  # type: ignore[union-attr]
    audit = AuditLog(bob.services.db.sessions)
    assert [e.action for e in await audit.since(subject_id=edit_id)] == ["previewed", "confirmed", "placed"]
    assert [e.action for e in await audit.since(subject_id=placed_id)][-1] == "replaced"

    # The Edit button of `/order list` opens the modal prefilled; its preview confirms the same way.
    listed = await command(bob, "list")
    edit = button(listed, "order_edit_open")
    assert edit["value"] == f"5002:{order['Id']}:Limit:5:201:"
    before = len(bob.slack.by_method("views.open"))
    await bob.driver.click(edit, user=BOB)
    view = (await bob.slack.wait_for("views.open", count=before + 1))[-1].args["view"]
    assert view["callback_id"] == "order_edit"
    assert [
        (b["block_id"], b["element"].get("initial_value")) for b in view["blocks"] if b["type"] == "input"
    ] == [
        ("quantity", "5"),
        ("limit_price", "201"),
    ]

    def state(quantity: str, limit: str) -> dict[str, Any]:
        return {
            "quantity": {"quantity": {"type": "plain_text_input", "value": quantity}},
            "limit_price": {"limit_price": {"type": "plain_text_input", "value": limit}},
        }

    wrong = await bob.driver.submit_view(view, state("0", "201"), user=BOB)
    assert list(wrong.json()["errors"]) == ["quantity"]
    submitted = await bob.driver.submit_view(view, state("6", "201"), user=BOB)
    assert submitted.status_code == 200 and not submitted.content
    (posted,) = await bob.slack.wait_for("chat.postEphemeral", count=1)
    confirmation = {"blocks": posted.args["blocks"]}
    assert "Quantity: 5" in str(confirmation["blocks"]) and "Quantity: 6" in str(confirmation["blocks"])
    await click(bob, confirmation, "order_confirm")
    assert [(o["Id"], o["Quantity"]) for o in await sandbox_orders(bob)] == [(order["Id"], 6)]
    assert await replace_calls(bob) == 2
    # The order's first message was told (by the outbox) that the change's message follows it now.
    told = f"[PAPER] Order {order['Id']} was changed."
    await bob.slack.wait_until(
        lambda: any(c.args["text"] == told for c in bob.slack.by_method("response_url"))
    )


async def test_an_order_filled_meanwhile_is_not_changed_and_the_user_is_told(bob: RunningBot) -> None:
    _, order = await resting_order(bob)
    preview = await command(bob, f"edit {order['Id']} qty 3")
    assert "Quantity: 3" in str(preview["blocks"])
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 195.0})  # it fills
    result = await click(bob, preview, "order_confirm")
    text = str(result["blocks"])
    assert f"Not changed: order {order['Id']}. The order is already filled, so nothing was changed" in text
    (filled,) = await sandbox_orders(bob)
    assert (filled["Status"], filled["Quantity"], filled["ClientId"]) == ("Filled", 10, order["ClientId"])
    # Asked afresh, the bot says so before any preview; a stop on a limit order is refused too.
    again = await command(bob, f"edit {order['Id']} qty 3")
    assert "The order is already filled, so nothing was changed." in again["text"]
    _, other = await resting_order(bob, "buy 2 MSFT limit 400")
    misfit = await command(bob, f"edit {other['Id']} stop 390")
    assert f"Order {other['Id']} is a limit order, which has no stop price" in misfit["text"]
    assert await replace_calls(bob) == 1  # only the refused one reached AutoShares


async def test_twenty_concurrent_confirms_of_one_edit_replace_the_order_once(bob: RunningBot) -> None:
    _, order = await resting_order(bob)
    preview = await command(bob, f"edit {order['Id']} limit 202")
    before = len(bob.slack.by_method("response_url"))
    confirm = button(preview, "order_confirm")
    responses = await asyncio.gather(*(bob.driver.click(confirm, user=BOB) for _ in range(20)))
    assert all(r.status_code == 200 for r in responses)
    told = f"[PAPER] Order {order['Id']} was changed."  # the order's earlier message, by the outbox

    def click_answers() -> list[Any]:
        return [a for a in bob.slack.by_method("response_url")[before:] if a.args["text"] != told]

    await bob.slack.wait_until(lambda: len(click_answers()) >= 20, timeout=30)
    answers = click_answers()
    assert await replace_calls(bob) == 1
    (changed,) = await sandbox_orders(bob)
    assert (changed["Id"], changed["Price"]) == (order["Id"], 202)
    assert {a.args["text"] for a in answers} == {
        f"[PAPER] Order {order['Id']}: Buy 10 AAPL · limit $202.00 · day is open, waiting to fill."
    }
    assert all(b["action_id"] != "order_confirm" for a in answers for b in buttons(a.args["blocks"]))


async def test_a_replace_whose_answer_was_lost_is_settled_by_reading_the_order_back(bob: RunningBot) -> None:
    _, order = await resting_order(bob)
    preview = await command(bob, f"edit {order['Id']} qty 4")
    await bob.admin("POST", "_sandbox/faults", json={"FailNextOrders": 1})  # replaced, answered 500
    result = await click(bob, preview, "order_confirm")
    assert "Order changed: *Buy 4 AAPL* · limit $200.00" in str(result["blocks"])
    assert [(o["Id"], o["Quantity"]) for o in await sandbox_orders(bob)] == [(order["Id"], 4)]
    assert await replace_calls(bob) == 1  # never sent twice


async def test_an_option_orders_edit_is_valued_with_its_contract_size(bob: RunningBot) -> None:
    bob.slack.workspace_admins.add(OWNER)
    _, order = await resting_order(bob, f"buy 1 AAPL {monthly()} 230 call limit 1")
    await run(bob, f"admin limit <@{BOB}> value 1,000", user=OWNER)
    # 20 contracts of 100 shares at $1 are $2,000, not $20: over the member's limit.
    refused = await command(bob, f"edit {order['Id']} qty 20")
    assert refused["text"] == (
        "This order is worth about $2,000.00, over your limit of $1,000 per order. "
        "Make it smaller, or ask an admin to raise your limit."
    )
    fits = str((await command(bob, f"edit {order['Id']} qty 5"))["blocks"])
    assert "*Now*\\nQuantity: 1\\nLimit: $1.00\\nEstimated cost: $100.00" in fits
    assert "Estimated cost: $500.00" in fits

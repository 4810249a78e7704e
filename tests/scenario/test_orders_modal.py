"""The order ticket modal and the large-order second step."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.devkit.driver import buttons
from bot.telemetry import context as request_context
from handlers.blocks.order import TICKET_FIELDS
from tests.conftest import RunningBot
from tests.scenario.test_orders import BOB, button, click, command, sandbox_orders

SELECTS = {"side", "type", "time_in_force"}


def ticket_state(**fields: str) -> dict[str, Any]:
    """Slack's view.state.values for the order ticket filled in with ``fields``."""
    values: dict[str, Any] = {}
    for name in TICKET_FIELDS:
        value = fields.get(name, "")
        if name in SELECTS:
            element = {"type": "static_select", "selected_option": {"value": value} if value else None}
        elif name == "extended_hours":
            element = {"type": "checkboxes", "selected_options": [{"value": "ext"}] if value else []}
        else:
            element = {"type": "plain_text_input", "value": value or None}
        values[name] = {name: element}
    return values


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    return bot


async def open_ticket(bot: RunningBot) -> dict[str, Any]:
    before = len(bot.slack.by_method("views.open"))
    response = await bot.driver.command("/order", "", user=BOB)
    assert response.status_code == 200
    calls = await bot.slack.wait_for("views.open", count=before + 1)
    assert calls[-1].args["trigger_id"]
    return calls[-1].args["view"]


async def test_ticket_errors_land_on_their_field_and_place_nothing(bob: RunningBot) -> None:
    view = await open_ticket(bob)
    assert view["callback_id"] == "order_ticket"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == list(TICKET_FIELDS)
    response = await bob.driver.submit_view(
        view, ticket_state(symbol="AAPL", side="buy", type="market", quantity="-5"), user=BOB
    )
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["quantity"]
    response = await bob.driver.submit_view(
        view, ticket_state(symbol="AAPL", side="buy", type="limit", quantity="5"), user=BOB
    )
    assert response.json()["errors"] == {"limit_price": "A limit order needs a limit price."}
    assert await sandbox_orders(bob) == []
    assert bob.slack.by_method("chat.postEphemeral") == []


async def test_ticket_submission_leads_to_the_same_confirmation(bob: RunningBot) -> None:
    view = await open_ticket(bob)
    fields = {
        "symbol": "msft",
        "side": "buy",
        "type": "limit",
        "quantity": "2",
        "limit_price": "430",
        "time_in_force": "gtc",
    }
    response = await bob.driver.submit_view(view, ticket_state(**fields), user=BOB)
    assert response.status_code == 200 and not response.content  # closes the modal
    (posted,) = await bob.slack.wait_for("chat.postEphemeral", count=1)
    assert posted.args["channel"] == "C0GENERAL" and posted.args["user"] == BOB
    confirmation = {"blocks": posted.args["blocks"]}
    assert "*Buy 2 MSFT* · limit $430.00 · good till cancelled" in str(confirmation["blocks"])
    result = await click(bob, confirmation, "order_confirm")
    assert "Order placed" in str(result["blocks"])
    (order,) = await sandbox_orders(bob)
    assert (order["Symbol"], order["Type"], order["Price"], order["TimeInForce"]) == (
        "MSFT",
        "Limit",
        430.0,
        "GoodTillCancel",
    )


async def test_ticket_preview_falls_back_to_a_dm_where_the_bot_cannot_post(bob: RunningBot) -> None:
    bob.slack.not_in.add("C0GENERAL")
    view = await open_ticket(bob)
    await bob.driver.submit_view(view, ticket_state(symbol="AAPL", side="buy", quantity="1"), user=BOB)
    dms = await bob.slack.wait_for("chat.postMessage", channel=BOB, count=2)  # this and the link DM
    assert [d for d in dms if "Review your order" in d.args["text"]]


async def test_large_order_needs_the_symbol_typed(bob: RunningBot) -> None:
    preview = await command(bob, "buy 200 AAPL")  # about $46,000 > $25,000
    assert "worth more than $25,000" in str(preview["blocks"])
    before = len(bob.slack.by_method("views.open"))
    await bob.driver.click(button(preview, "order_confirm"), user=BOB)
    (opened,) = (await bob.slack.wait_for("views.open", count=before + 1))[before:]
    view = opened.args["view"]
    assert view["callback_id"] == "order_large_confirm"
    assert await sandbox_orders(bob) == []

    def typed(text: str) -> dict[str, Any]:
        return {"symbol_check": {"symbol": {"type": "plain_text_input", "value": text}}}

    wrong = await bob.driver.submit_view(view, typed("AAPX"), user=BOB)
    assert wrong.json()["response_action"] == "errors"
    assert "Type AAPL exactly" in wrong.json()["errors"]["symbol_check"]
    assert await sandbox_orders(bob) == []

    before = len(bob.slack.by_method("response_url"))
    right = await bob.driver.submit_view(view, typed(" aapl "), user=BOB)
    assert right.status_code == 200 and not right.content
    answer = (await bob.slack.wait_for("response_url", count=before + 1))[-1]
    assert answer.args["replace_original"] is True and "Order placed" in answer.args["text"] + str(
        answer.args["blocks"]
    )
    (order,) = await sandbox_orders(bob)
    assert order["Quantity"] == 200
    # Submitting the modal again (a retry) places nothing more.
    await bob.driver.submit_view(view, typed("AAPL"), user=BOB)
    await bob.slack.wait_for("response_url", count=before + 2)
    assert len(await sandbox_orders(bob)) == 1


async def test_buttons_are_valid_and_values_are_short(bob: RunningBot) -> None:
    preview = await command(bob, "buy 1 AAPL")
    assert all(len(b.get("value", "")) < 100 for b in buttons(preview["blocks"]))


# -- the order form opens first -------------------------------------------------------------------
# Slack's trigger id expires three seconds after the command or click: the modal is opened on it
# before the listener touches the database, so a slow or busy database cannot make it expire.

Statement = tuple[float, str, str | None]


@pytest.fixture
def statements(bob: RunningBot) -> Iterator[list[Statement]]:
    """Every SQL statement the bot runs from now on: (when, statement, the Slack request it ran
    for, e.g. "/order", or None outside Bolt's dispatch: pollers, the gate's replay record)."""
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        scope = request_context.current()
        seen.append((time.time(), statement, scope.command if scope else None))

    engine = bob.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


async def test_the_order_form_opens_before_the_listener_touches_the_database(
    bob: RunningBot, statements: list[Statement]
) -> None:
    before = len(bob.slack.by_method("views.open"))
    response = await bob.driver.command("/order", "", user=BOB)
    assert response.status_code == 200
    (opened,) = (await bob.slack.wait_for("views.open", count=before + 1))[before:]
    assert opened.args["view"]["callback_id"] == "order_ticket"
    await bob.services.tasks.drain(5)
    early = [sql for at, sql, command in statements if command == "/order" and at <= opened.at]
    assert not early, f"the database was used before views.open: {early}"
    # The record sees a listener's statements: `/autoshares status` reads the user's link.
    await bob.driver.command("/autoshares", "status", user=BOB)
    await bob.slack.wait_for("response_url")
    await bob.services.tasks.drain(5)
    assert [sql for _, sql, command in statements if command == "/autoshares status"]


@pytest.mark.postgres_only(reason="SQLite locks the whole file, the gate's replay record included")
async def test_the_order_form_opens_while_the_database_is_locked(bob: RunningBot) -> None:
    before = len(bob.slack.by_method("views.open"))
    async with bob.services.db.engine.connect() as conn, conn.begin():
        found = await conn.execute(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('slack_requests', 'alembic_version')"
            )
        )
        tables = ", ".join(found.scalars())
        # Every table the listeners use, held until the modal is open.
        await conn.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
        response = await bob.driver.command("/order", "", user=BOB)
        assert response.status_code == 200
        (opened,) = (await bob.slack.wait_for("views.open", count=before + 1, timeout=5))[before:]
        assert opened.args["view"]["callback_id"] == "order_ticket"

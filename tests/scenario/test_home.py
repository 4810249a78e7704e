"""App Home end to end: app_home_opened publishes the tab (Link button for the unlinked; status,
default account with balances, open orders and active alerts for the linked), Refresh and
Unlink, and a tab that still renders when AutoShares fails or is slow."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import update

from bot.devkit.driver import buttons
from storage.models import LinkedUser
from tests.conftest import RunningBot
from tests.scenario.steps import hold_autoshares, release_autoshares, until_autoshares_holds

BOB = "U0BOB"
ALICE = "U0ALICE"
BOB_ACCOUNT = 5002


async def open_home(bot: RunningBot, user: str, tab: str = "home", timeout: float = 10.0) -> dict[str, Any]:
    """Send app_home_opened and return the view the bot published for ``user``."""
    before = len(bot.slack.by_method("views.publish"))
    response = await bot.driver.event(
        {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab}
    )
    assert response.status_code == 200
    calls = await bot.slack.wait_for("views.publish", count=before + 1, timeout=timeout)
    assert calls[before].args["user_id"] == user
    return calls[before].args["view"]


async def click_home(bot: RunningBot, view: dict[str, Any], action_id: str, user: str) -> dict[str, Any]:
    button = next(b for b in buttons(view["blocks"]) if b["action_id"] == action_id)
    before = len(bot.slack.by_method("views.publish"))
    response = await bot.driver.click(button, user=user, container={"type": "view", "view_id": "V0HOME"})
    assert response.status_code == 200
    calls = await bot.slack.wait_for("views.publish", count=before + 1)
    return calls[before].args["view"]


def home_buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["action_id"]: b for b in buttons(view["blocks"])}


async def test_unlinked_user_gets_a_link_button(bot: RunningBot) -> None:
    view = await open_home(bot, "U0NEWCOMER")
    assert view["type"] == "home"
    link = home_buttons(view)["link_open"]
    assert link["url"].startswith(bot.url + "autoshares/login?state=")
    # The button starts a real sign-in that links this Slack user.
    from bot.devkit.driver import browser_sign_in

    bot.slack.sign_in_as("U0NEWCOMER")
    page = await browser_sign_in(bot.http, link["url"], username="bob", password="sandbox")
    assert page.status_code == 200
    assert await bot.services.links.get(bot.slack.team_id, "U0NEWCOMER") is not None


async def test_linked_home_shows_account_orders_and_alerts(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    api = (await bot.services.core.users.acting(bot.slack.team_id, BOB)).api
    order = await api.place_order(
        BOB_ACCOUNT,
        {
            "Symbol": "AAPL",
            "Side": "Buy",
            "Type": "Limit",
            "Quantity": 3,
            "Price": 150,
            "TimeInForce": "GoodTillCancel",
        },
    )
    assert order.status.name == "New"
    alert = await api.create_alert(
        {
            "SecurityId": 2,
            "Operator": "GTEQ",
            "Field": "Last",
            "Argument": 500,
            "ExpirationDate": int(time.time()) + 86400,
        }
    )
    view = await open_home(bot, BOB)
    text = str(view["blocks"])
    assert "Linked as *bob*" in text
    assert "Bob's cash account (5002)" in text and "*Buying power*" in text
    assert "*Buy 3 AAPL*" in text and f"#{order.id}" in text and "New" in text
    assert "*MSFT* last price at or above *$500.00*" in text and f"#{alert.id}" in text
    assert set(home_buttons(view)) == {"home_refresh", "home_unlink", "order_edit_open"}
    # The open order's Edit button opens the edit modal prefilled with its terms.
    before = len(bot.slack.by_method("views.open"))
    edit = home_buttons(view)["order_edit_open"]
    await bot.driver.click(edit, user=BOB, container={"type": "view", "view_id": "V0HOME"})
    modal = (await bot.slack.wait_for("views.open", count=before + 1))[-1].args["view"]
    assert modal["callback_id"] == "order_edit" and f'"order":{order.id}' in modal["private_metadata"]
    assert [b["element"].get("initial_value") for b in modal["blocks"] if b["type"] == "input"] == ["3", "150"]


async def test_refresh_republishes_with_fresh_figures(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    view = await open_home(bot, BOB)
    assert "No open orders." in str(view["blocks"])
    api = (await bot.services.core.users.acting(bot.slack.team_id, BOB)).api
    await api.place_order(
        BOB_ACCOUNT,
        {"Symbol": "MSFT", "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": 300, "TimeInForce": "Day"},
    )
    refreshed = await click_home(bot, view, "home_refresh", BOB)
    assert "*Buy 1 MSFT*" in str(refreshed["blocks"])


async def test_unlink_from_home(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    view = await open_home(bot, BOB)
    assert "confirm" in home_buttons(view)["home_unlink"]
    after = await click_home(bot, view, "home_unlink", BOB)
    assert await bot.services.links.get(bot.slack.team_id, BOB) is None
    assert "Unlinked" in str(after["blocks"])
    assert "link_open" in home_buttons(after)


async def test_outstanding_agreements_are_mentioned(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    view = await open_home(bot, ALICE)
    assert "1 agreement is waiting for your signature" in str(view["blocks"])


async def test_expired_sign_in_offers_link_again(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(LinkedUser).where(LinkedUser.slack_user_id == BOB).values(needs_relink=True)
        )
    view = await open_home(bot, BOB)
    assert "has expired" in str(view["blocks"])
    assert "link_open" in home_buttons(view)
    assert "Default account" not in str(view["blocks"])


async def test_messages_tab_is_ignored(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    response = await bot.driver.event(
        {"type": "app_home_opened", "user": BOB, "channel": "D0HOME", "tab": "messages"}
    )
    assert response.status_code == 200
    await open_home(bot, BOB)
    await bot.services.drain()
    assert len(bot.slack.by_method("views.publish")) == 1


async def test_autoshares_failing_still_renders_the_tab(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    view = await open_home(bot, BOB)
    text = str(view["blocks"])
    assert "Could not load your accounts right now" in text
    assert "Could not load your alerts right now" in text
    assert "Linked as *bob*" in text


async def test_slow_autoshares_acks_the_event_first(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await hold_autoshares(bot)
    response = await bot.driver.event(
        {"type": "app_home_opened", "user": BOB, "channel": "D0HOME", "tab": "home"}
    )
    assert response.status_code == 200
    await until_autoshares_holds(bot)
    assert bot.slack.by_method("views.publish") == []
    await release_autoshares(bot)
    calls = await bot.slack.wait_for("views.publish")
    assert "Bob's cash account (5002)" in str(calls[0].args["view"]["blocks"])

"""A price alert edited in place: `/alert edit <id> above 240` moves the same AutoShares alert
(``PUT …/pricealerts/{alertId}``) and its route to the new level, and it triggers there, not at
the old one; Edit under `/alert list` opens a modal prefilled as AutoShares has the alert, whose
errors land on their field and whose Save edits it; an alert of a group is refused with how to
change it."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningBot
from tests.scenario.steps import button, command

BOB = "U0BOB"
CHANNEL = "C0GENERAL"


def form(operator: str, price: str, field: str) -> dict[str, Any]:
    return {
        "operator": {"operator": {"type": "static_select", "selected_option": {"value": operator}}},
        "price": {"price": {"type": "plain_text_input", "value": price}},
        "field": {"field": {"type": "static_select", "selected_option": {"value": field}}},
    }


async def sandbox_alert(bot: RunningBot, alert_id: int) -> dict[str, Any]:
    return next(a for a in await bot.admin("GET", "_sandbox/alerts") if a["Id"] == alert_id)


async def test_edit_by_command_and_by_modal_moves_the_same_alert(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 230})
    await command(bot, "AAPL above 235", user=BOB, slash="/alert")
    [alert] = await bot.admin("GET", "_sandbox/alerts")

    edited = await command(bot, f"edit {alert['Id']} above 240", user=BOB, slash="/alert")
    assert f"Alert {alert['Id']} now watches *AAPL* last price at or above *$240.00*" in str(edited["blocks"])
    after = await sandbox_alert(bot, alert["Id"])
    assert (after["Operator"], after["Argument"], after["ExpirationDate"]) == (
        "GTEQ",
        240,
        alert["ExpirationDate"],
    )
    route = await bot.services.core.alerts.routes.get(alert["Id"])
    assert route is not None and route.argument == 240

    await bot.admin(
        "POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 236}
    )  # past the old level only
    assert (await sandbox_alert(bot, alert["Id"]))["State"] == "New"

    listed = await command(bot, "list", user=BOB, slash="/alert")
    await bot.driver.click(button(listed, "alert_edit", str(alert["Id"])), user=BOB)
    (opened,) = await bot.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["blocks"][2]["element"]["initial_value"] == "240"
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "above"
    refused = await bot.driver.submit_view(view, form("below", "cheap", "bid"), user=BOB)
    assert list(refused.json()["errors"]) == ["price"]
    saved = await bot.driver.submit_view(view, form("below", "220.5", "bid"), user=BOB)
    assert saved.status_code == 200
    (answer,) = await bot.slack.wait_for("chat.postEphemeral", user=BOB)
    assert "*AAPL* bid at or below *$220.50*" in str(answer.args["blocks"])
    after = await sandbox_alert(bot, alert["Id"])
    assert (after["Operator"], after["Field"], after["Argument"]) == ("LTEQ", "Bid", 220.5)

    await command(bot, "MSFT moves 5%", user=BOB, slash="/alert")
    grouped = [a for a in await bot.admin("GET", "_sandbox/alerts") if a["Id"] != alert["Id"]][0]
    refusal = await command(bot, f"edit {grouped['Id']} above 500", user=BOB, slash="/alert")
    assert "cannot be edited on its own" in refusal["text"] + str(refusal.get("blocks"))

"""Team trading end to end: roles, channel policies, a pause, per-member limits and two-person
approval, driven through signed slash commands and clicks; the sandbox says what was placed."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.app.serving import serve_in_loop
from bot.app.web import create_web_app
from bot.app.wiring import Services
from bot.cli import main
from bot.devkit.driver import SlackDriver, buttons
from storage.audit import AuditLog
from storage.models import PendingOrder
from storage.records import utcnow
from tests.conftest import SIGNING_SECRET, RunningBot, running_bot
from tests.scenario.steps import command as run
from tests.scenario.test_orders import button, click, command, sandbox_orders

BOB = "U0BOB"  # a trader (the default role)
ALICE = "U0ALICE"  # made an approver
CAROL = "U0CAROL"  # made a viewer
OWNER = "U0OWNER"  # a Slack workspace admin: always an admin here
APPROVERS = "C0APPROVE"
TRADING = "C0TRADING"


async def member(bot: RunningBot, user: str, login: str) -> None:
    """A new AutoShares login (no agreements to sign), linked to ``user``."""
    await bot.admin("POST", "_sandbox/users", json={"Login": login, "Password": "sandbox", "Agreements": 0})
    assert (await bot.link(user, login)).status_code == 200


async def admin(bot: RunningBot, text: str, user: str = OWNER) -> dict[str, Any]:
    return await run(bot, f"admin {text}".strip(), user=user)


@pytest.fixture
async def team(bot: RunningBot) -> RunningBot:
    """Bob and Alice linked; the owner is a Slack admin; Alice is an approver."""
    bot.slack.workspace_admins.add(OWNER)
    await bot.link(BOB, "bob")
    await bot.link(ALICE, "alice")
    answer = await admin(bot, f"role <@{ALICE}|alice> approver")
    assert f"<@{ALICE}> is now approver" in answer["text"]
    return bot


async def posted_in(bot: RunningBot, channel: str, count: int = 1) -> list[dict[str, Any]]:
    """Messages the bot posted on its own in ``channel`` (through the outbox)."""

    def found() -> list[dict[str, Any]]:
        return [c.args for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == channel]

    await bot.slack.wait_until(lambda: len(found()) >= count)
    return found()


async def until(condition: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():  # noqa: ASYNC110 - polls what the bot stores
            await asyncio.sleep(0.01)


# -- roles -------------------------------------------------------------------------------------------


async def test_a_viewer_gets_quotes_and_alerts_but_no_orders(team: RunningBot) -> None:
    await member(team, CAROL, "carol")
    await admin(team, f"role <@{CAROL}> viewer")
    refused = await command(team, "buy 1 AAPL", user=CAROL)
    assert refused["text"] == (
        "Your role in this workspace is viewer, which cannot place orders. "
        "Ask a workspace admin to make you a trader."
    )
    assert await sandbox_orders(team) == []
    quote = await run(team, "AAPL", user=CAROL, slash="/quote")
    assert quote["text"].startswith("AAPL $")
    alert = await run(team, "AAPL above 900", user=CAROL, slash="/alert")
    assert "alert" in alert["text"].lower() and "role" not in alert["text"]


async def test_only_admins_manage_the_team_and_nothing_changes_otherwise(team: RunningBot) -> None:
    refused = await admin(team, f"role <@{BOB}> admin", user=BOB)
    assert refused["text"] == (
        "Your role in this workspace is trader, which cannot manage the team. "
        "Ask a workspace admin to make you an admin."
    )
    assert await team.services.core.team.role(team.slack.team_id, BOB) == "trader"
    # An admin made by an admin may manage the team too; their changes are audited by name.
    await admin(team, f"role <@{BOB}> admin")
    await admin(team, f"role <@{CAROL}> viewer", user=BOB)
    events = await AuditLog(team.services.db.sessions).since(subject="team")
    assert [(e.slack_user_id, e.subject_id, e.detail) for e in events] == [
        (OWNER, ALICE, {"role": "approver"}),
        (OWNER, BOB, {"role": "admin"}),
        (BOB, CAROL, {"role": "viewer"}),
    ]


async def test_admin_grammar_refusals_say_what_to_type(team: RunningBot) -> None:
    answer = await admin(team, "role bob trader")
    assert answer["text"].startswith("`bob` is not a member; pick them with @")
    answer = await admin(team, f"limit <@{BOB}> daily lots")
    assert "whole number from 1 to 10,000" in answer["text"]
    answer = await admin(team, "orders in general")
    assert "is not a channel" in answer["text"]


async def test_default_role_viewer_still_lets_slack_admins_trade(
    bot_env: dict[str, str], local_slack: Any, sandbox: Any, bot_host: Any
) -> None:
    async with running_bot({**bot_env, "DEFAULT_ROLE": "viewer"}, local_slack, sandbox, bot_host) as bot:
        bot.slack.workspace_admins.add(OWNER)
        await bot.link(BOB, "bob")
        await member(bot, OWNER, "owner")
        refused = await command(bot, "buy 1 AAPL", user=BOB)
        assert "Your role in this workspace is viewer" in refused["text"]
        preview = await command(bot, "buy 1 AAPL", user=OWNER)
        assert [b["action_id"] for b in buttons(preview["blocks"])] == [
            "order_confirm",
            "order_cancel_pending",
        ]


async def test_a_role_taken_away_before_confirm_places_nothing(team: RunningBot) -> None:
    preview = await command(team, "buy 2 AAPL")
    await admin(team, f"role <@{BOB}> viewer")
    answer = await click(team, preview, "order_confirm")
    assert answer["replace_original"] and "Your role in this workspace is viewer" in answer["text"]
    assert await sandbox_orders(team) == []


# -- channel policies and the pause ------------------------------------------------------------------


async def test_orders_only_in_allowed_channels_and_the_refusal_says_where(team: RunningBot) -> None:
    answer = await admin(team, f"orders in <#{TRADING}|trading> dm")
    assert "Orders are now allowed in <#C0TRADING>, direct messages with the bot" in answer["text"]
    refused = await run(team, "buy 1 AAPL", user=BOB, slash="/order", channel="C0GENERAL")
    assert refused["text"] == (
        "Orders are not allowed in this conversation. Use <#C0TRADING> and direct messages with me instead."
    )
    allowed = await run(team, "buy 1 AAPL", user=BOB, slash="/order", channel=TRADING)
    assert "order_confirm" in [b["action_id"] for b in buttons(allowed["blocks"])]
    in_dm = await run(team, "buy 1 AAPL", user=BOB, slash="/order", channel="D0BOB")
    assert "order_confirm" in [b["action_id"] for b in buttons(in_dm["blocks"])]
    await admin(team, "orders dm")
    refused = await run(team, "buy 1 AAPL", user=BOB, slash="/order", channel=TRADING)
    assert refused["text"].endswith("Use direct messages with me instead.")


async def test_alerts_follow_their_own_channel_policy(team: RunningBot) -> None:
    await admin(team, f"alerts in <#{TRADING}>")
    refused = await run(team, "AAPL above 900", user=BOB, slash="/alert", channel="C0GENERAL")
    assert refused["text"] == "Price alerts are not allowed in this conversation. Use <#C0TRADING> instead."
    assert await team.admin("GET", "_sandbox/stats") is not None
    created = await run(team, "AAPL above 900", user=BOB, slash="/alert", channel=TRADING)
    assert "not allowed" not in created["text"]


async def test_a_pause_stops_previews_and_waiting_confirmations_until_resumed(team: RunningBot) -> None:
    waiting = await command(team, "buy 3 AAPL")
    answer = await admin(team, "pause")
    assert "Trading is paused" in answer["text"]
    refused = await command(team, "buy 1 AAPL")
    assert refused["text"].startswith("Trading is paused in this workspace by an admin")
    confirmed = await click(team, waiting, "order_confirm")
    assert confirmed["replace_original"] and confirmed["text"].startswith("Trading is paused")
    assert await sandbox_orders(team) == []
    await admin(team, "resume")
    placed = await click(team, await command(team, "buy 1 AAPL"), "order_confirm")
    assert placed["text"].startswith("[PAPER] Order ") and len(await sandbox_orders(team)) == 1


# -- limits ------------------------------------------------------------------------------------------


async def test_an_order_over_the_members_value_limit_names_the_limit(team: RunningBot) -> None:
    await admin(team, f"limit <@{BOB}> value 1,000")
    refused = await command(team, "buy 10 AAPL limit 200")
    assert refused["text"] == (
        "This order is worth about $2,000.00, over your limit of $1,000 per order. "
        "Make it smaller, or ask an admin to raise your limit."
    )
    small = await command(team, "buy 2 AAPL limit 200")
    assert "order_confirm" in [b["action_id"] for b in buttons(small["blocks"])]


async def test_the_daily_limit_holds_under_concurrent_confirms(team: RunningBot) -> None:
    await admin(team, f"limit <@{BOB}> daily 2")
    previews = [await command(team, f"buy {n} AAPL") for n in (1, 2, 3)]
    confirms = [button(p, "order_confirm") for p in previews]
    responses = await asyncio.gather(*(team.driver.click(b, user=BOB) for b in confirms for _ in range(5)))
    assert all(r.status_code == 200 for r in responses)
    await team.services.drain()
    orders = await sandbox_orders(team)
    assert len(orders) == 2
    assert (await team.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 2
    refused = await command(team, "buy 4 AAPL")
    assert refused["text"].startswith("You have already sent 2 orders today, your daily limit.")


# -- two-person approval -----------------------------------------------------------------------------


async def needs_approval_over(bot: RunningBot, amount: int) -> None:
    await admin(bot, f"approvals in <#{APPROVERS}|approvals>")
    await admin(bot, f"approvals over {amount}")


async def sent_for_approval(
    bot: RunningBot, text: str = "buy 10 AAPL limit 200"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bob previews and confirms an order that needs approval: (his message, the request)."""
    preview = await command(bot, text)
    assert "needs a second person's approval because it is over the workspace's approval threshold" in str(
        preview["blocks"]
    )
    waiting = await click(bot, preview, "order_confirm")
    assert waiting["text"].startswith("[PAPER] Waiting for approval: Buy 10 AAPL")
    assert [b["action_id"] for b in buttons(waiting["blocks"])] == ["order_cancel_pending"]
    (request,) = await posted_in(bot, APPROVERS)
    assert request["text"].startswith("[PAPER] Approval requested: Buy 10 AAPL")
    assert [b["action_id"] for b in buttons(request["blocks"])] == ["approval_approve", "approval_reject"]
    return waiting, request


async def test_an_approver_approves_and_the_order_is_placed_once_and_the_requester_hears(
    team: RunningBot,
) -> None:
    await needs_approval_over(team, 1000)
    _waiting, request = await sent_for_approval(team)
    assert await sandbox_orders(team) == []  # Confirm placed nothing
    own = await click(team, request, "approval_approve", user=BOB)
    assert (
        own["text"]
        == "You asked for this order, so someone else with the approver role must approve or reject it."
    )
    await member(team, "U0DAVE", "dave")  # a trader, not an approver
    other = await click(team, request, "approval_approve", user="U0DAVE")
    assert other["text"].startswith("Your role in this workspace is trader, which cannot approve orders.")
    assert await sandbox_orders(team) == []
    decided = await click(team, request, "approval_approve", user=ALICE)
    assert decided["replace_original"]
    (order,) = await sandbox_orders(team)
    assert f"Approved by <@{ALICE}> and placed: AutoShares order {order['Id']}" in str(decided["blocks"])
    # The requester's message (the Confirm click's response_url) is updated through the outbox.
    pending_id = button(request, "approval_approve")["value"]

    async def told() -> bool:
        return any(
            c.args.get("text", "").startswith(f"[PAPER] Order {order['Id']}: Buy 10 AAPL")
            for c in team.slack.by_method("response_url")
        )

    await until(told)
    actions = [e.action for e in await AuditLog(team.services.db.sessions).since(subject_id=pending_id)]
    assert actions[:4] == ["previewed", "approval_requested", "approved", "placed"]


async def test_twenty_approve_clicks_on_two_replicas_place_one_order(
    team: RunningBot, second_replica: SlackDriver
) -> None:
    await needs_approval_over(team, 1000)
    _waiting, request = await sent_for_approval(team)
    approve = button(request, "approval_approve")
    before = len(team.slack.by_method("response_url"))
    responses = await asyncio.gather(
        *(team.driver.click(approve, user=ALICE, channel=APPROVERS) for _ in range(10)),
        *(second_replica.click(approve, user=ALICE, channel=APPROVERS) for _ in range(10)),
    )
    assert all(r.status_code == 200 for r in responses)
    answers = await team.slack.wait_for("response_url", count=before + 20, timeout=30)
    (order,) = await sandbox_orders(team)
    assert (await team.admin("GET", "_sandbox/stats"))["PlaceOrderCalls"] == 1
    texts = {str(a.args["blocks"]) for a in answers[before:] if a.args.get("replace_original")}
    assert texts and all(f"AutoShares order {order['Id']}" in t for t in texts)


@pytest.fixture
async def second_replica(team: RunningBot) -> AsyncIterator[SlackDriver]:
    """Another replica of the bot: its own process state, the same database."""
    services = await Services.create(team.settings, migrate=False)
    app = create_web_app(services, close_services=False)
    async with serve_in_loop(app) as server:
        yield SlackDriver(
            team.http, server.url, SIGNING_SECRET, team.slack.base_url, team_id=team.slack.team_id
        )
    await services.aclose()


async def test_a_rejection_places_nothing_and_tells_the_requester(team: RunningBot) -> None:
    await needs_approval_over(team, 1000)
    _waiting, request = await sent_for_approval(team)
    decided = await click(team, request, "approval_reject", user=ALICE)
    assert f"Rejected by <@{ALICE}>. Nothing was placed." in str(decided["blocks"])
    late = await click(team, request, "approval_approve", user=ALICE)
    assert "Rejected by" in str(late["blocks"])
    assert await sandbox_orders(team) == []

    async def told() -> bool:
        return any(
            c.args.get("text", "").startswith("[PAPER] Rejected: Buy 10 AAPL")
            for c in team.slack.by_method("response_url")
        )

    await until(told)


async def test_an_undecided_request_expires_and_both_messages_say_so(team: RunningBot) -> None:
    await needs_approval_over(team, 1000)
    _waiting, request = await sent_for_approval(team)
    pending_id = button(request, "approval_approve")["value"]
    async with team.services.db.sessions.begin() as session:
        await session.execute(
            update(PendingOrder)
            .where(PendingOrder.id == pending_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    (expired,) = await team.services.core.orders.repo.expire_due()  # one pass of the order loop
    assert expired.id == pending_id and expired.status == "expired"

    def updated() -> list[dict[str, Any]]:
        return [c.args for c in team.slack.by_method("chat.update") if c.args.get("channel") == APPROVERS]

    await team.slack.wait_until(updated)
    assert "Nobody decided in time" in str(updated()[-1]["blocks"])
    late = await click(team, request, "approval_approve", user=ALICE)
    assert "Nobody decided in time" in str(late["blocks"])
    assert await sandbox_orders(team) == []

    async def told() -> bool:
        return any(
            c.args.get("text", "").startswith("[PAPER] Approval expired: Buy 10 AAPL")
            for c in team.slack.by_method("response_url")
        )

    await until(told)


async def test_a_requester_demoted_while_waiting_cannot_be_approved(team: RunningBot) -> None:
    await needs_approval_over(team, 1000)
    _waiting, request = await sent_for_approval(team)
    await admin(team, f"role <@{BOB}> viewer")
    refused = await click(team, request, "approval_approve", user=ALICE)
    assert refused["text"] == (
        f"<@{BOB}>'s role in this workspace is now viewer, which cannot place orders, so this order "
        "cannot be approved. Reject it, or ask an admin to make them a trader."
    )
    assert await sandbox_orders(team) == []


async def test_the_requester_can_withdraw_a_waiting_request(team: RunningBot) -> None:
    await needs_approval_over(team, 1000)
    waiting, request = await sent_for_approval(team)
    withdrawn = await click(team, waiting, "order_cancel_pending")
    assert withdrawn["text"].startswith("[PAPER] Cancelled: Buy 10 AAPL")
    late = await click(team, request, "approval_approve", user=ALICE)
    assert "The requester withdrew it" in str(late["blocks"])
    assert await sandbox_orders(team) == []


async def test_a_member_marked_for_approval_needs_it_for_any_order(team: RunningBot) -> None:
    await admin(team, f"approvals in <#{APPROVERS}>")
    await admin(team, f"approval <@{BOB}> on")
    preview = await command(team, "buy 1 AAPL")
    assert "an admin asked for your orders to be approved" in str(preview["blocks"])
    await click(team, preview, "order_confirm")
    await posted_in(team, APPROVERS)
    assert await sandbox_orders(team) == []


async def test_a_threshold_without_an_approvers_channel_refuses_at_preview(team: RunningBot) -> None:
    await admin(team, "approvals over 1000")
    refused = await command(team, "buy 10 AAPL limit 200")
    assert refused["text"] == (
        "This order needs a second person's approval, but no approvers' channel is set. "
        "Ask an admin to set one with `/autoshares admin approvals in #channel`."
    )


async def test_the_audit_export_lists_approvals(
    team: RunningBot, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    await needs_approval_over(team, 1000)
    _waiting, request = await sent_for_approval(team)
    await click(team, request, "approval_approve", user=ALICE)
    await team.services.drain()
    capsys.readouterr()
    monkeypatch.setenv("DATABASE_URL", team.settings.database_url)
    assert await asyncio.to_thread(main, ["audit", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    approvals = [
        (r["action"], r["slack_user_id"]) for r in rows if r["action"] in ("approval_requested", "approved")
    ]
    assert approvals == [("approval_requested", BOB), ("approved", ALICE)]
    assert any(r["subject"] == "team" and r["action"] == "policy_changed" for r in rows)


# -- App Home's Team section -------------------------------------------------------------------------


async def home_of(bot: RunningBot, user: str) -> dict[str, Any]:
    before = len(bot.slack.by_method("views.publish"))
    response = await bot.driver.event(
        {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    )
    assert response.status_code == 200
    calls = await bot.slack.wait_for("views.publish", count=before + 1)
    return calls[before].args["view"]


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def member_form(
    user: str, role: str, max_value: str = "", daily: str = "", approval: bool = False
) -> dict[str, Any]:
    """The member form's ``state.values`` as Slack sends them."""
    return {
        "member": {"value": {"type": "users_select", "selected_user": user}},
        "role": {"value": {"type": "static_select", "selected_option": {"value": role}}},
        "max_value": {"value": {"type": "plain_text_input", "value": max_value}},
        "max_daily": {"value": {"type": "plain_text_input", "value": daily}},
        "needs_approval": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "on"}] if approval else []}
        },
    }


async def test_app_home_shows_the_team_section_to_admins_only(team: RunningBot) -> None:
    assert "Team" in headers(await home_of(team, OWNER))  # a Slack admin, not even linked
    assert "Team" not in headers(await home_of(team, BOB))
    assert "Team" not in headers(await home_of(team, ALICE))  # an approver is not an admin
    await admin(team, f"role <@{ALICE}> admin")
    view = await home_of(team, ALICE)
    assert "Team" in headers(view)
    text = str(view["blocks"])
    assert f"<@{ALICE}> · admin" in text and "Orders allowed: anywhere" in text


async def test_the_member_form_changes_a_member_under_the_same_rules(team: RunningBot) -> None:
    view = await home_of(team, OWNER)
    edit = next(b for b in buttons(view["blocks"]) if b["action_id"] == "team_edit_member")
    before = len(team.slack.by_method("views.open"))
    assert (await team.driver.click(edit, user=OWNER)).status_code == 200
    (opened,) = (await team.slack.wait_for("views.open", count=before + 1))[before:]
    form = opened.args["view"]
    # A problem goes back onto its field in the ack, and nothing is saved.
    bad = await team.driver.submit_view(form, member_form(BOB, "trader", max_value="lots"), user=OWNER)
    assert bad.json()["response_action"] == "errors" and "max_value" in bad.json()["errors"]
    published = len(team.slack.by_method("views.publish"))
    saved = await team.driver.submit_view(
        form, member_form(BOB, "viewer", max_value="2,500", daily="3"), user=OWNER
    )
    assert saved.status_code == 200
    await team.slack.wait_for("views.publish", count=published + 1)
    member = await team.services.core.team.repo.member(team.slack.team_id, BOB)
    assert (member.role, member.max_order_value, member.max_orders_per_day) == ("viewer", 2500, 3)
    # The same form submitted by a member who is not an admin changes nothing.
    await team.driver.submit_view(form, member_form(BOB, "admin"), user=BOB)

    def refused() -> list[Any]:
        return [
            c
            for c in team.slack.by_method("chat.postMessage")
            if c.args.get("channel") == BOB and "cannot manage the team" in c.args.get("text", "")
        ]

    await team.slack.wait_until(refused)
    assert (await team.services.core.team.repo.member(team.slack.team_id, BOB)).role == "viewer"


async def test_a_limit_with_fractions_of_a_cent_is_refused_by_the_command_and_the_form_alike(
    team: RunningBot,
) -> None:
    answer = await admin(team, f"limit <@{BOB}> value 1.234")
    assert "at most 2 decimals" in answer["text"] and "Try `/autoshares admin" in answer["text"]
    view = await home_of(team, OWNER)
    edit = next(b for b in buttons(view["blocks"]) if b["action_id"] == "team_edit_member")
    before = len(team.slack.by_method("views.open"))
    await team.driver.click(edit, user=OWNER)
    (opened,) = (await team.slack.wait_for("views.open", count=before + 1))[before:]
    bad = await team.driver.submit_view(opened.args["view"], member_form(BOB, "trader", max_value="1.234"), user=OWNER)
    assert bad.json()["response_action"] == "errors"
    assert "at most 2 decimals" in bad.json()["errors"]["max_value"]
    assert (await team.services.core.team.repo.member(team.slack.team_id, BOB)).max_order_value is None


async def test_the_policy_form_sets_the_workspace_rules(team: RunningBot) -> None:
    view = await home_of(team, OWNER)
    edit = next(b for b in buttons(view["blocks"]) if b["action_id"] == "team_edit_policy")
    before = len(team.slack.by_method("views.open"))
    await team.driver.click(edit, user=OWNER)
    (opened,) = (await team.slack.wait_for("views.open", count=before + 1))[before:]
    values = {
        "paused": {"value": {"type": "checkboxes", "selected_options": []}},
        "orders_channels": {
            "value": {"type": "multi_conversations_select", "selected_conversations": [TRADING]}
        },
        "orders_dm": {"value": {"type": "checkboxes", "selected_options": [{"value": "dm"}]}},
        "alerts_channels": {"value": {"type": "multi_conversations_select", "selected_conversations": []}},
        "alerts_dm": {"value": {"type": "checkboxes", "selected_options": []}},
        "threshold": {"value": {"type": "plain_text_input", "value": "5000"}},
        "approvals_channel": {"value": {"type": "conversations_select", "selected_conversation": APPROVERS}},
    }
    published = len(team.slack.by_method("views.publish"))
    assert (await team.driver.submit_view(opened.args["view"], values, user=OWNER)).status_code == 200
    await team.slack.wait_for("views.publish", count=published + 1)
    policy = await team.services.core.team.repo.policy(team.slack.team_id)
    assert policy.order_places == ("dm", TRADING) and policy.alert_places is None
    assert (policy.approval_threshold, policy.approvals_channel) == (5000, APPROVERS)
    refused = await run(team, "buy 1 AAPL", user=BOB, slash="/order", channel="C0GENERAL")
    assert refused["text"].startswith("Orders are not allowed in this conversation.")


async def test_an_approvers_channel_the_bot_cannot_post_in_tells_the_requester_at_once(
    team: RunningBot,
) -> None:
    team.slack.not_in.add(APPROVERS)
    await needs_approval_over(team, 1000)
    preview = await command(team, "buy 10 AAPL limit 200")
    await click(team, preview, "order_confirm")

    def told() -> list[dict[str, Any]]:
        return [
            c.args
            for c in team.slack.by_method("chat.postMessage")
            if c.args.get("channel") == BOB
            and "could not post your approval request" in c.args.get("text", "")
        ]

    await team.slack.wait_until(told)
    assert f"<#{APPROVERS}>" in told()[0]["text"]
    assert await sandbox_orders(team) == []

"""Agreements end to end: the list with Sign buttons, signing in place, Sign all required, the
DM after linking, the trading gate rendered by the router, the recount after a token refresh,
and AutoShares failing or slow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.devkit.driver import buttons
from storage.models import LinkedUser
from tests.conftest import RunningBot
from tests.scenario.steps import hold_autoshares, release_autoshares, until_autoshares_holds

ALICE = "U0ALICE"
BOB = "U0BOB"


async def command(
    bot: RunningBot, text: str, user: str = ALICE, slash: str = "/autoshares"
) -> dict[str, Any]:
    """Run a slash command and return the (first) response_url answer it produced."""
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command(slash, text, user=user)
    assert response.status_code == 200
    return await bot.last_response(before + 1)


async def click(bot: RunningBot, button: dict[str, Any], user: str = ALICE, **kwargs: Any) -> dict[str, Any]:
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.click(button, user=user, **kwargs)
    assert response.status_code == 200
    return await bot.last_response(before + 1)


def sandbox_unsigned(bot: RunningBot, user_id: int) -> list[Any]:
    return bot.sandbox.sandbox.state.unsigned_agreements(user_id)


async def test_agreements_list_and_sign_in_place(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "agreements")
    text = str(reply["blocks"])
    assert "AutoShares Platform Terms of Use" in text
    assert "required" in text and "version 2024.1" in text
    sign = [b for b in buttons(reply["blocks"]) if b["action_id"] == "agreement_sign"]
    assert len(sign) == 1
    assert any(b["action_id"] == "agreements_sign_all" for b in buttons(reply["blocks"]))

    answer = await click(bot, sign[0])
    assert answer["replace_original"] is True
    assert "Signed *AutoShares Platform Terms of Use*" in str(answer["blocks"])
    assert "no AutoShares agreements left to sign" in answer["text"]
    assert buttons(answer["blocks"]) == []
    assert sandbox_unsigned(bot, 1001) == []
    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None and link.agreements_outstanding == 0


async def test_stale_sign_button_signs_nothing_else(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "agreements")
    sign = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "agreement_sign")
    await click(bot, sign)
    again = await click(bot, sign)  # the same button from an old copy of the message
    assert "no longer waiting" in str(again["blocks"]) or "no AutoShares agreements" in again["text"]
    forged = await click(bot, {**sign, "value": "999999"})
    assert "Signed" not in str(forged["blocks"])


async def test_sign_all_required_leaves_optional_ones(bot: RunningBot) -> None:
    created = await bot.admin(
        "POST", "_sandbox/users", json={"Login": "carol", "Password": "pw", "Agreements": 3}
    )
    state = bot.sandbox.sandbox.state
    optional_id = created["AgreementIds"][-1]
    state.agreements[optional_id].can_skip = True
    await bot.link("U0CAROL", "carol", "pw")
    reply = await command(bot, "agreements", user="U0CAROL")
    assert "optional, can be skipped" in str(reply["blocks"])
    sign_all = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "agreements_sign_all")
    assert "2 agreements" in str(sign_all["confirm"])

    answer = await click(bot, sign_all, user="U0CAROL")
    assert answer["replace_original"] is True
    remaining = [a.id for a in sandbox_unsigned(bot, created["UserId"])]
    assert remaining == [optional_id]
    # The optional one is still offered, without a "Sign all required" button.
    ids = [b["value"] for b in buttons(answer["blocks"])]
    assert ids == [str(optional_id)]
    link = await bot.services.links.get(bot.slack.team_id, "U0CAROL")
    assert link is not None and link.agreements_outstanding == 1


async def test_user_with_nothing_to_sign(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "agreements", user=BOB)
    assert "no AutoShares agreements left to sign" in reply["text"]
    assert buttons(reply["blocks"]) == []


async def test_unlinked_user_is_told_to_link(bot: RunningBot) -> None:
    reply = await command(bot, "agreements", user="U0NOBODY")
    assert "/autoshares link" in str(reply["blocks"])
    assert "not linked" in str(reply["blocks"])


async def test_dm_after_linking_offers_sign_buttons_that_work(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    dm = (await bot.slack.wait_for("chat.postMessage", channel=ALICE))[0].args
    sign = [b for b in buttons(dm["blocks"]) if b["action_id"] == "agreement_sign"]
    assert len(sign) == 1
    assert "1 agreement is waiting" in str(dm["blocks"])
    answer = await click(
        bot,
        sign[0],
        channel="D0ALICE",
        container={"type": "message", "channel_id": "D0ALICE", "is_ephemeral": False},
    )
    assert answer["replace_original"] is True
    assert sandbox_unsigned(bot, 1001) == []


async def test_trading_gate_answers_with_the_list(bot: RunningBot) -> None:
    """A trading command refused by the gate shows the agreements with Sign buttons; once
    signed, the same command goes through to a preview."""
    await bot.link(ALICE, "alice")
    reply = await command(bot, "buy 1 AAPL", slash="/order")
    assert "Nothing was done" in str(reply["blocks"])
    assert not [b for b in buttons(reply["blocks"]) if b["action_id"] == "order_confirm"]
    sign = [b for b in buttons(reply["blocks"]) if b["action_id"] == "agreement_sign"]
    assert len(sign) == 1
    await click(bot, sign[0])
    reply = await command(bot, "buy 1 AAPL", slash="/order")
    assert [b for b in buttons(reply["blocks"]) if b["action_id"] == "order_confirm"]


async def test_token_refresh_recounts_agreements(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    # Pretend the stored count is stale and the token about to expire.
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(LinkedUser)
            .where(LinkedUser.slack_user_id == ALICE)
            .values(agreements_outstanding=7, token_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    refreshes = bot.services.tokens.refresh_count
    api = (await bot.services.core.users.acting(bot.slack.team_id, ALICE)).api
    await api.me()
    assert bot.services.tokens.refresh_count == refreshes + 1
    await bot.services.drain()
    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None and link.agreements_outstanding == 1


async def test_server_errors_become_one_sentence(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    reply = await command(bot, "agreements")
    assert "AutoShares is having trouble right now" in reply["text"]
    assert buttons(reply["blocks"]) == []


async def test_slow_autoshares_still_acks_first(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    await hold_autoshares(bot)
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command("/autoshares", "agreements", user=ALICE)
    assert response.status_code == 200
    # The ack came back while AutoShares was still thinking: it has not answered the bot yet,
    # and no answer had been posted.
    await until_autoshares_holds(bot)
    assert len(bot.slack.by_method("response_url")) == before
    await release_autoshares(bot)
    reply = await bot.last_response(before + 1)
    assert "AutoShares Platform Terms of Use" in str(reply["blocks"])


async def test_slow_autoshares_button_acks_first(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "agreements")
    sign = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "agreement_sign")
    await hold_autoshares(bot)
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.click(sign, user=ALICE)
    assert response.status_code == 200
    await until_autoshares_holds(bot)
    assert len(bot.slack.by_method("response_url")) == before
    await release_autoshares(bot)
    answer = await bot.last_response(before + 1)
    assert answer["replace_original"] is True


async def test_order_command_is_gated_until_signed(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "buy 1 AAPL", slash="/order")
    assert reply["text"] == "1 AutoShares agreement to sign before you can trade."
    assert await bot.admin("GET", "_sandbox/orders") == []
    sign_all = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "agreements_sign_all")
    await click(bot, sign_all)
    again = await command(bot, "buy 1 AAPL", slash="/order")
    assert "agreement" not in again["text"]
    assert not any(b["action_id"].startswith("agreement") for b in buttons(again["blocks"]))

"""Accounts end to end: balances and Make default, positions with paging, adding an account,
sign-up, and the ways AutoShares can refuse, fail, limit or be slow."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from handlers.parsing import AutosharesName
from sandbox.state import Position
from tests.conftest import RunningBot
from tests.scenario.steps import (
    action_ids,
    button,
    click,
    command,
    hold_autoshares,
    release_autoshares,
    until_autoshares_holds,
)

ALICE = "U0ALICE"
BOB = "U0BOB"
BOB_ID, BOB_ACCOUNT, ALICE_ACCOUNT = 1002, 5002, 5001


def sandbox_state(bot: RunningBot) -> Any:
    return bot.sandbox.sandbox.state


def give_positions(bot: RunningBot, account_id: int, count: int) -> list[str]:
    """Put ``count`` holdings (one share each of the first listed securities) in an account."""
    state = sandbox_state(bot)
    account = state.accounts[account_id]
    symbols = []
    for security in sorted(state.securities.values(), key=lambda s: s.id)[:count]:
        account.positions[security.id] = Position(
            id=state.next_id("position"),
            account_id=account_id,
            security_id=security.id,
            symbol=security.symbol,
            quantity=2.0,
            average_price=100.0,
        )
        symbols.append(security.symbol)
    return sorted(symbols)


async def test_accounts_show_balances_and_make_default(bot: RunningBot) -> None:
    sandbox_state(bot).accounts[ALICE_ACCOUNT].users[BOB_ID] = "Full"
    await bot.link(BOB, "bob")
    reply = await command(bot, "account", user=BOB)
    text = str(reply["blocks"])
    assert "Bob's cash account (5002)" in text and "Alice's cash account (5001)" in text
    assert "*Buying power*\\n$100,000.00" in text
    assert "*Cash*\\n$100,000.00" in text
    assert "Full access" in text and "Owner access" in text
    assert "No default account yet" in text
    assert sorted(b["value"] for b in [button(reply, "account_make_default", "5001")]) == ["5001"]

    answer = await click(bot, button(reply, "account_make_default", "5001"), user=BOB)
    assert answer["replace_original"] is True
    assert "Alice's cash account (5001) is now your default" in str(answer["blocks"])
    # The default has a star and no button; the other account keeps its button.
    assert [b["value"] for b in [button(answer, "account_make_default")]] == ["5002"]
    assert sandbox_state(bot).users[BOB_ID].selected_account_id == ALICE_ACCOUNT
    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None and link.default_account_id == ALICE_ACCOUNT


async def test_make_default_on_someone_elses_account_is_refused(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "account", user=BOB)
    forged = {**button(reply, "account_make_default", "5002"), "value": str(ALICE_ACCOUNT)}
    answer = await click(bot, forged, user=BOB)
    assert answer.get("replace_original") is False
    assert "refused" in answer["text"]
    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None and link.default_account_id is None


async def test_positions_page_forward_and_back(bot: RunningBot) -> None:
    symbols = give_positions(bot, BOB_ACCOUNT, 23)
    await bot.link(BOB, "bob")
    first = await command(bot, "positions", user=BOB)
    text = str(first["blocks"])
    assert "23 holdings, page 1 of 2" in text
    assert all(f"*{s}*" in text for s in symbols[:20])
    assert f"*{symbols[20]}*" not in text
    assert "2 sh @ $100.00 avg" in text
    assert action_ids(first) == ["positions_next"]

    second = await click(bot, button(first, "positions_next"), user=BOB)
    assert second["replace_original"] is True
    text = str(second["blocks"])
    assert "page 2 of 2" in text
    assert all(f"*{s}*" in text for s in symbols[20:])
    assert action_ids(second) == ["positions_previous"]

    back = await click(bot, button(second, "positions_previous"), user=BOB)
    assert "page 1 of 2" in str(back["blocks"])
    # The account used became the user's default (the first account, as resolve_account does).
    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None and link.default_account_id == BOB_ACCOUNT


async def test_positions_values_and_pl(bot: RunningBot) -> None:
    state = sandbox_state(bot)
    aapl = state.security("AAPL")
    state.accounts[BOB_ACCOUNT].positions[aapl.id] = Position(
        id=state.next_id("position"),
        account_id=BOB_ACCOUNT,
        security_id=aapl.id,
        symbol="AAPL",
        quantity=10.0,
        average_price=180.0,
    )
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 200.0})
    await bot.link(BOB, "bob")
    reply = await command(bot, f"positions {BOB_ACCOUNT}", user=BOB)
    text = str(reply["blocks"])
    assert "*AAPL*  Apple Inc." in text
    assert "10 sh @ $180.00 avg · value $2,000.00" in text
    assert "+$200.00 (+11.11%)" in text
    assert action_ids(reply) == []


async def test_positions_of_an_account_that_is_not_yours(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, f"positions {ALICE_ACCOUNT}", user=BOB)
    assert "Account 5001 is not one of your AutoShares accounts" in reply["text"]


async def test_no_positions(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "positions", user=BOB)
    assert reply["text"] == "No positions in Bob's cash account (5002)."


async def test_accounts_add_refused_shows_autoshares_reason(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, f"accounts add {ALICE_ACCOUNT}", user=BOB)
    assert reply["text"].startswith(
        "AutoShares refused to add account 5001: Access to account 5001 is denied."
    )
    assert ALICE_ACCOUNT not in [a.id for a in sandbox_state(bot).accounts_of(BOB_ID)]


async def test_accounts_add_binds_with_full_access(bot: RunningBot) -> None:
    sandbox_state(bot).accounts[ALICE_ACCOUNT].users[BOB_ID] = "Full"
    await bot.link(BOB, "bob")
    reply = await command(bot, f"accounts add {ALICE_ACCOUNT}", user=BOB)
    assert "Account 5001 is now on your AutoShares login with Full access" in str(reply["blocks"])
    stats = await bot.admin("GET", "_sandbox/stats")
    assert stats["ApiRequests"].get("PUT /v1.0/accounts/{accountId}/users/{userId}") == 1


async def test_accounts_add_with_a_bad_id_is_a_grammar_error(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "accounts add twelve", user=BOB)
    assert "account id" in reply["text"]


async def test_signup_without_a_configured_url(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    reply = await command(bot, "signup", user="U0NEWCOMER")
    assert "has not been set up" in reply["text"]
    assert "AUTOSHARES_SIGNUP_URL" not in str(reply)
    assert "AUTOSHARES_SIGNUP_URL" in caplog.text


class TestSignupConfigured:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_SIGNUP_URL": "https://signup.autoshares.example/open?ref=slack"}

    async def test_signup_links_to_the_configured_url(self, bot: RunningBot) -> None:
        reply = await command(bot, "signup", user="U0NEWCOMER")
        link = button(reply, "signup_open")
        assert link["url"] == "https://signup.autoshares.example/open?ref=slack"
        response = await bot.driver.click(link, user="U0NEWCOMER")
        assert response.status_code == 200


async def test_unlinked_user(bot: RunningBot) -> None:
    for text in ("account", "positions", "accounts add 5001"):
        reply = await command(bot, text, user="U0NOBODY")
        assert "not linked to AutoShares" in reply["text"]


async def test_user_with_outstanding_agreements_sees_accounts_and_a_reminder(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    reply = await command(bot, "account", user=ALICE)
    assert "Alice's cash account (5001)" in str(reply["blocks"])
    assert "Sign your agreements" in str(reply["blocks"])


async def test_server_errors_become_one_sentence(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    for text in ("account", "positions"):
        reply = await command(bot, text, user=BOB)
        assert reply["text"] == "AutoShares is having trouble right now. Please try again in a minute."


async def test_rate_limited_positions(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"RateLimits": True})
    api = (await bot.services.core.users.acting(bot.slack.team_id, BOB)).api
    for _ in range(120):  # the documented positions limit: 120 a minute per token
        await api.positions(BOB_ACCOUNT, page=0, sort_field="Symbol")
    reply = await command(bot, "positions", user=BOB)
    assert "AutoShares is limiting how often you can do that. Try again in" in reply["text"]


async def test_slow_autoshares_acks_first_then_answers(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await hold_autoshares(bot)
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command("/autoshares", "account", user=BOB)
    assert response.status_code == 200
    await until_autoshares_holds(bot)
    assert len(bot.slack.by_method("response_url")) == before
    await release_autoshares(bot)
    calls = await bot.slack.wait_for("response_url", count=before + 1)
    assert "Bob's cash account (5002)" in str(calls[before].args["blocks"])


async def test_expired_link_asks_to_link_again(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.services.links.mark_needs_relink(bot.slack.team_id, BOB)
    for text in ("account", "positions", "quote AAPL", "agreements"):
        reply = await command(bot, text, user=BOB)
        assert "sign-in has expired or was revoked" in reply["text"]
        assert "/autoshares link" in reply["text"]


async def test_expired_access_token_is_refreshed_transparently(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ExpireTokens": True})
    refreshes = bot.services.tokens.refresh_count
    reply = await command(bot, "account", user=BOB)
    assert "Bob's cash account (5002)" in str(reply["blocks"])
    assert bot.services.tokens.refresh_count == refreshes + 1


async def test_help_lists_every_subcommand(bot: RunningBot) -> None:
    reply = await command(bot, "help", user=BOB)
    text = str(reply["blocks"])
    names = get_args(AutosharesName)
    assert {"agreements", "account", "positions", "accounts_add", "signup", "quote"} <= set(names)
    for name in names:
        assert f"/autoshares {name.replace('_', ' ')}*" in text, name


class TestAutoSharesTimingOut:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_TIMEOUT_SECONDS": "0.05"}

    async def test_timeouts_become_one_sentence(self, bot: RunningBot) -> None:
        await bot.link(BOB, "bob")
        await hold_autoshares(bot)  # AutoShares answers nothing: every call times out
        reply = await command(bot, "account", user=BOB)
        assert reply["text"] == "AutoShares did not answer in time. Please try again in a minute."

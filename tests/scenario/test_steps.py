"""Workflow Builder steps end to end: signed ``function_executed`` events in, and exactly one
``functions.completeSuccess`` (the outputs) or ``functions.completeError`` (one plain sentence)
out, sent with the run's own token. The step acts as the person running the workflow."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.devkit.localslack import LocalSlack, ScriptedFailure, SlackCall
from sandbox.state import Position
from tests.conftest import RunningBot
from tests.scenario.steps import hold_autoshares, release_autoshares, until_autoshares_holds

BOB = "U0BOB"
ALICE = "U0ALICE"
BOB_ACCOUNT, ALICE_ACCOUNT = 5002, 5001
NOT_LINKED = "Your Slack account is not linked to AutoShares yet. Run /autoshares link to connect it."


async def run_step(bot: RunningBot, callback_id: str, user: str, **inputs: Any) -> str:
    """Run the step in a workflow ``user`` started; returns the run's function_execution_id."""
    run = f"Fx{callback_id.upper()}{len(bot.slack.calls):04d}"
    response = await bot.driver.run_step(callback_id, inputs, user=user, run=run)
    assert response.status_code == 200
    return run


async def outcome(bot: RunningBot, run: str) -> SlackCall:
    """The one call that ended the run (success or error)."""
    await bot.slack.wait_until(
        lambda: any(c.args.get("function_execution_id") == run for c in ended(bot)), timeout=10
    )
    (call,) = [c for c in ended(bot) if c.args.get("function_execution_id") == run]
    return call


def ended(bot: RunningBot) -> list[SlackCall]:
    return bot.slack.by_method("functions.completeSuccess") + bot.slack.by_method("functions.completeError")


async def succeeded(bot: RunningBot, run: str) -> dict[str, Any]:
    call = await outcome(bot, run)
    assert call.method == "functions.completeSuccess", call.args
    assert call.token == f"xwfp-run-{run.lower()}"  # the run's own token, not the bot's
    outputs: dict[str, Any] = call.args["outputs"]
    return outputs


async def failed(bot: RunningBot, run: str) -> str:
    call = await outcome(bot, run)
    assert call.method == "functions.completeError", call.args
    assert call.token == f"xwfp-run-{run.lower()}"
    return str(call.args["error"])


def hold(bot: RunningBot, account_id: int, symbol: str, quantity: float, average: float) -> None:
    state = bot.sandbox.sandbox.state
    security = state.security(symbol)
    state.accounts[account_id].positions[security.id] = Position(
        id=state.next_id("position"),
        account_id=account_id,
        security_id=security.id,
        symbol=symbol,
        quantity=quantity,
        average_price=average,
    )


async def test_get_quote_outputs_the_sandbox_price_and_day_change(bot: RunningBot) -> None:
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 231.25})
    quote = await bot.admin("GET", "_sandbox/prices/AAPL")
    await bot.link(BOB, "bob")
    run = await run_step(bot, "get_quote", BOB, symbol="  $aapl ")
    outputs = await succeeded(bot, run)
    assert outputs == {
        "symbol": "AAPL",
        "price": 231.25,
        "change": quote["Change"],
        "change_percent": quote["ChangePc"],
        "summary": outputs["summary"],
    }
    move = "up" if quote["Change"] > 0 else "down"
    assert outputs["summary"] == (
        f"AAPL (Apple Inc.) $231.25, {move} ${abs(quote['Change']):,.2f} ({quote['ChangePc']:+.2f}%) today."
    )
    assert not bot.slack.by_method("functions.completeError")


async def test_portfolio_summary_outputs_match_the_sandbox_account(bot: RunningBot) -> None:
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 200.0})
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "MSFT", "Last": 400.0})
    hold(bot, BOB_ACCOUNT, "AAPL", 10, 180.0)
    hold(bot, BOB_ACCOUNT, "MSFT", 5, 300.0)
    aapl = await bot.admin("GET", "_sandbox/prices/AAPL")
    msft = await bot.admin("GET", "_sandbox/prices/MSFT")
    cash = bot.sandbox.sandbox.state.accounts[BOB_ACCOUNT].cash
    await bot.link(BOB, "bob")
    run = await run_step(bot, "portfolio_summary", BOB)
    outputs = await succeeded(bot, run)
    total = round(cash + 10 * 200.0 + 5 * 400.0, 2)
    day = round(10 * aapl["Change"] + 5 * msft["Change"], 2)
    assert outputs == {
        "account": "Bob's cash account (5002)",
        "total_value": total,
        "cash": round(cash, 2),
        "day_change": day,
        "positions_count": 2,
        "summary": outputs["summary"],
    }
    move = f"{'up' if day > 0 else 'down'} ${abs(day):,.2f} today"
    assert outputs["summary"] == (
        f"Bob's cash account (5002): worth ${total:,.2f}, ${cash:,.2f} in cash, 2 holdings, {move}."
    )
    # The account summed up is the one every command acts on: it became Bob's default.
    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None and link.default_account_id == BOB_ACCOUNT


async def test_the_step_acts_as_the_person_running_the_workflow(bot: RunningBot) -> None:
    """A builder can add inputs but cannot set ``user_context``: Alice's run sums up Alice's
    account even with Bob named in an input, and Bob's login is never used."""
    await bot.link(BOB, "bob")
    await bot.link(ALICE, "alice")
    run = await run_step(bot, "portfolio_summary", ALICE, user_id=BOB, person=BOB)
    outputs = await succeeded(bot, run)
    assert outputs["account"] == "Alice's cash account (5001)"
    bob = await bot.services.links.get(bot.slack.team_id, BOB)
    assert bob is not None and bob.default_account_id is None


@pytest.mark.parametrize("step", ["get_quote", "portfolio_summary"])
async def test_someone_not_linked_is_told_to_link_first(bot: RunningBot, step: str) -> None:
    before = (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"]
    run = await run_step(bot, step, ALICE, symbol="AAPL")
    assert await failed(bot, run) == NOT_LINKED
    assert not bot.slack.by_method("functions.completeSuccess")
    assert (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"] == before  # AutoShares not asked


async def test_an_unknown_symbol_fails_with_the_closest_matches(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    run = await run_step(bot, "get_quote", BOB, symbol="APPL")
    error = await failed(bot, run)
    assert error.startswith("There is no such symbol as APPL at AutoShares. Closest matches: AAPL")
    assert "&" not in error and "*" not in error


async def test_a_symbol_that_cannot_be_one_fails_before_autoshares_is_asked(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    before = (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"]
    run = await run_step(bot, "get_quote", BOB, symbol="<!channel> & co")
    assert await failed(bot, run) == "Give one symbol such as AAPL."
    run = await run_step(bot, "get_quote", BOB, symbol="")  # a workflow variable empty at run time
    assert await failed(bot, run) == "Give one symbol such as AAPL."
    run = await run_step(bot, "get_quote", BOB, symbol="A&B")
    assert await failed(bot, run) == "A&B is not a valid symbol; use a ticker such as AAPL or BRK.B."
    assert (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"] == before


async def test_a_run_without_the_person_fails_with_a_plain_sentence(bot: RunningBot) -> None:
    """A workflow built on an older definition of the step (no ``user_context``) is told how to
    fix it, rather than acting for anyone."""
    await bot.link(BOB, "bob")
    event = bot.driver.function_executed("get_quote", {"symbol": "AAPL", "user_id": BOB}, run="FxNOBODY")
    assert (await bot.driver.event(event)).status_code == 200
    assert await failed(bot, "FxNOBODY") == (
        "This AutoShares step is missing an input. Remove the step from the workflow, "
        "add it again, and publish the workflow."
    )


async def test_the_step_is_acknowledged_before_autoshares_answers(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.services.drain()
    await hold_autoshares(bot)
    run = await run_step(bot, "portfolio_summary", BOB)  # acked (200) while AutoShares holds
    await until_autoshares_holds(bot)
    assert not ended(bot)
    await release_autoshares(bot)
    assert (await succeeded(bot, run))["positions_count"] == 0


async def test_a_retried_event_runs_the_step_once(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    body = json.dumps(
        bot.driver.event_callback(
            bot.driver.function_executed(
                "get_quote",
                {
                    "symbol": "MSFT",
                    "user_context": {"id": BOB, "secret": "s"},
                },
                run="FxRETRIED",
            )
        )
    )
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        response = await bot.driver.post(body, "application/json", headers=headers)
        assert response.status_code == 200
    assert (await succeeded(bot, "FxRETRIED"))["symbol"] == "MSFT"
    await bot.services.drain()
    assert len(ended(bot)) == 1


async def test_autoshares_failing_fails_the_step_in_one_sentence(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    run = await run_step(bot, "portfolio_summary", BOB)
    assert await failed(bot, run) == "AutoShares is having trouble right now. Please try again in a minute."


async def test_outputs_slack_refuses_still_end_the_run(bot: RunningBot, local_slack: LocalSlack) -> None:
    local_slack.fail_next("functions.completeSuccess", ScriptedFailure("invalid_arguments"))
    await bot.link(BOB, "bob")
    run = await run_step(bot, "get_quote", BOB, symbol="AAPL")
    assert (
        await failed(bot, run)
        == "Something went wrong on our side and nothing was changed. Please try again in a minute."
    )
    (refused,) = local_slack.refused
    assert refused.method == "functions.completeSuccess" and refused.args["outputs"]["symbol"] == "AAPL"


@pytest.mark.parametrize(
    "function", ["not an object", {"callback_id": 7}, {"callback_id": "get_quote", "id": "Fn1"}]
)
async def test_a_malformed_step_run_is_refused(bot: RunningBot, function: Any) -> None:
    event = bot.driver.function_executed("get_quote", {"symbol": "AAPL"})
    event["function"] = function
    if isinstance(function, dict) and function.get("callback_id") == "get_quote":
        event["inputs"] = "AAPL"  # inputs that are not an object
    response = await bot.driver.event(event)
    assert response.status_code == 400
    assert not ended(bot)


class TestTheDeadline:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "COMMAND_DEADLINE_SECONDS": "0.3"}

    @pytest.mark.parametrize("step", ["get_quote", "portfolio_summary"])
    async def test_slow_autoshares_fails_the_step_within_the_deadline(
        self, bot: RunningBot, step: str
    ) -> None:
        """AutoShares holds every call: the run fails while the sandbox still holds the bot's
        call (nothing waited for AutoShares past the deadline)."""
        await bot.link(BOB, "bob")
        await bot.services.drain()
        await hold_autoshares(bot)
        run = await run_step(bot, step, BOB, symbol="TSLA")
        assert await failed(bot, run) == "AutoShares did not answer in time. Please try again in a minute."
        assert (await bot.admin("GET", "_sandbox/faults"))["Hold"] is True
        await release_autoshares(bot)

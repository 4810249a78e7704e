"""handlers.transfers: its registration table, and `/autoshares transfers [account]` answered
privately with the account's transfers under the paper or live badge (or why it cannot be)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import ModuleType

import pytest
from slack_bolt.async_app import AsyncApp

from bot.autoshares.resources import Account, Transfer
from bot.core.errors import NotYourAccount
from bot.core.views import TradingEnvironment, TransfersView
from bot.devkit import blockkit
from handlers import transfers
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, Replies, assert_registers, command_context, surface_with

DEPOSIT = Transfer.model_validate(
    {"Id": "t-1", "Status": "Completed", "IsDeposit": True, "Amount": 250, "Mechanism": "ACH", "TransferDate": "2026-12-07T10:00:00Z"}
)


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(transfers.LISTENERS)
    assert ids == {"subcommand": ["transfers"], "action": [], "view": [], "event": [], "function": []}
    assert_registers(register(transfers), ids)


class Transfers:
    """Stands for ``core.transfers``: records the account asked for; answers its transfers, or
    refuses an account that is not the member's."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, int | None]] = []

    async def recent(self, team_id: str, user_id: str, account_id: int | None) -> TransfersView:
        self.asked.append((team_id, user_id, account_id))
        if account_id == 99:
            raise NotYourAccount(99)
        account = Account.model_validate({"Id": account_id or 12, "Alias": "Main <b>"})
        return TransfersView(account_id or 12, account, [DEPOSIT], has_more=False)


@pytest.mark.parametrize(
    ("environment", "tag", "badge"),
    [(TradingEnvironment.PAPER, "[PAPER] ", "Paper trading"), (TradingEnvironment.LIVE, "[LIVE] ", "Live trading")],
)
async def test_the_transfers_are_answered_privately_under_the_badge(
    environment: TradingEnvironment, tag: str, badge: str
) -> None:
    service, replies = Transfers(), Replies()
    surface = replace(surface_with(transfers=service), environment=environment)
    await transfers.show_transfers(surface, command_context(replies), 12)
    assert service.asked == [("T1", "U0ALICE", 12)]
    [answer] = replies.sent
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == f"{tag}1 transfer(s) in account 12."
    assert badge in answer["blocks"][0]["elements"][0]["text"]
    shown = str(answer["blocks"])
    assert "Deposit $250.00* · ACH · *Completed* · 2026-12-07" in shown
    assert "Main &lt;b&gt;" in shown
    assert blockkit.problems(answer["blocks"]) == []


async def dispatched(text: str, service: Transfers) -> Replies:
    """``/autoshares <text>`` through the command router the table registers on."""
    surface, replies = surface_with(transfers=service), Replies()
    transfers.register(AsyncApp(signing_secret="unit-test-secret", token="xoxb-unit", name="unit"), surface)
    ctx = replace(command_context(replies), text=text)
    await surface.router.dispatch(ctx)
    return replies


async def test_without_an_account_the_default_one_is_asked_for() -> None:
    service = Transfers()
    replies = await dispatched("transfers", service)
    assert service.asked == [("T1", "U0ALICE", None)]
    assert replies.sent[-1]["text"].endswith("1 transfer(s) in account 12.")


async def test_an_account_not_the_members_is_answered_with_the_reason() -> None:
    service = Transfers()
    replies = await dispatched("transfers account 99", service)
    assert service.asked == [("T1", "U0ALICE", 99)]
    assert replies.sent[-1]["text"].startswith("Account 99 is not one of your AutoShares accounts.")

"""handlers.options: its registration table, the chain answered privately, the expiration picker
read back (a value it cannot read is a stale button) and Trade opening the prefilled ticket."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import ModuleType

import pytest

from bot.autoshares.resources import OptionSecurity, Quote
from bot.core.commands import OptionChainRequest
from bot.core.views import ChainStrike, OptionChainView, OptionQuoteRow
from handlers import options
from handlers.blocks import options as blocks
from handlers.blocks.order import ORDER_TICKET_CALLBACK
from handlers.errors import StaleButton, sentence
from handlers.kit import table_ids
from tests.unit.handlers.conftest import (
    Registered,
    Replies,
    SlackWeb,
    assert_registers,
    button_context,
    command_context,
    surface_with,
)

DAY = date(2027, 1, 15)


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(options.LISTENERS)
    assert ids == {
        "subcommand": ["options"],
        "action": [blocks.OPTIONS_EXPIRATION, blocks.OPTIONS_TRADE],
        "view": [],
        "event": [],
        "function": [],
    }
    assert_registers(register(options), ids)


def chain(symbol: str, expiration: date) -> OptionChainView:
    def row(kind: str, option_id: int) -> OptionQuoteRow:
        contract = f"{symbol}270115{kind}00225000"
        option = OptionSecurity.model_validate({"Id": option_id, "Symbol": contract})
        return OptionQuoteRow(option, Quote.model_validate({"Bid": 4.9, "Ask": 5.1, "Last": 5.0}))

    strike = ChainStrike(Decimal(225), row("C", 1), row("P", 2))
    return OptionChainView(
        symbol, expiration, [date(2026, 12, 18), DAY], [strike], Decimal(225), Decimal("224.50"), None
    )


class Chains:
    """Stands for ``core.options``: records what was asked and answers a real chain view."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str, date | None]] = []

    async def chain(self, team_id: str, user_id: str, symbol: str, expiration: date | None) -> OptionChainView:
        self.asked.append((team_id, user_id, symbol, expiration))
        return chain(symbol, expiration or date(2026, 12, 18))


async def test_the_command_answers_the_chain_privately() -> None:
    chains, replies = Chains(), Replies()
    await options.options_command(
        surface_with(options=chains), command_context(replies), OptionChainRequest("AAPL", DAY)
    )
    assert chains.asked == [("T1", "U0ALICE", "AAPL", DAY)]
    [answer] = replies.sent
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert answer["blocks"] == blocks.chain_message(chain("AAPL", DAY))["blocks"]


async def test_a_picked_expiration_replaces_the_message_with_that_chain() -> None:
    chains, replies = Chains(), Replies()
    await options.pick_expiration(surface_with(options=chains), button_context("AAPL 2027-01-15", replies))
    assert chains.asked == [("T1", "U0ALICE", "AAPL", DAY)]
    [answer] = replies.sent
    assert answer["replace_original"] is True
    assert "expiring Fri 2027-01-15" in answer["blocks"][0]["text"]["text"]


async def test_the_picker_value_the_chain_makes_is_the_one_read_back() -> None:
    picker = blocks.chain_message(chain("BRK.B", DAY))["blocks"][0]["accessory"]
    value = picker["options"][0]["value"]
    chains = Chains()
    await options.pick_expiration(surface_with(options=chains), button_context(value, Replies()))
    assert chains.asked == [("T1", "U0ALICE", "BRK.B", date(2026, 12, 18))]


@pytest.mark.parametrize("value", ["", "AAPL", "AAPL soon", "2027-01-15", "not a symbol 2027-01-15"])
async def test_a_picker_value_it_cannot_read_is_a_stale_button(value: str) -> None:
    chains, replies = Chains(), Replies()
    with pytest.raises(StaleButton) as raised:
        await options.pick_expiration(surface_with(options=chains), button_context(value, replies))
    assert chains.asked == [] and replies.sent == []
    assert sentence(raised.value) == "That button is out of date. Run `/options` again."


async def test_trade_opens_the_ticket_prefilled_with_the_contract_at_its_ask() -> None:
    web = SlackWeb()
    await options.trade(
        surface_with(), button_context("AAPL270115C00225000 5.10", Replies(), web, channel_id="C9")
    )
    [opened] = web.called("views_open")
    assert opened["trigger_id"] == "trigger-1"
    view = opened["view"]
    assert view["callback_id"] == ORDER_TICKET_CALLBACK
    assert json.loads(view["private_metadata"]) == {"channel": "C9"}
    shown = json.dumps(view)
    assert "AAPL270115C00225000" in shown and '"5.10"' in shown
    assert "contracts of 100 shares" in view["blocks"][0]["elements"][0]["text"]


async def test_trade_in_a_conversation_without_a_channel_keeps_none() -> None:
    web = SlackWeb()
    await options.trade(surface_with(), button_context("AAPL270115P00225000", Replies(), web, channel_id=""))
    [opened] = web.called("views_open")
    assert json.loads(opened["view"]["private_metadata"]) == {}

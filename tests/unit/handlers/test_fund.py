"""handlers.fund: its table, the confirmation or refusal a preview becomes, and both cancels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from bot.autoshares.resources import Account, FundPreview, Order, parse
from bot.core.commands import FundRequest
from bot.core.errors import OrderNotCancellable, PlaceNotAllowed
from bot.core.funds import FundPreviewResult, fund_ticket
from bot.core.orders import OrderPolicy
from bot.core.views import PendingState, TradingEnvironment
from bot.devkit import blockkit
from bot.devkit.driver import buttons
from handlers import fund
from handlers.blocks.fund import FUND_CANCEL_OPEN
from handlers.blocks.order import ORDER_CANCEL_PENDING, ORDER_CONFIRM
from handlers.kit import table_ids
from storage.records import Pending
from tests.unit.handlers.conftest import RESPONSE_URL, TEAM, USER, Harness, Registered, assert_registers

BOB = Account.model_validate({"Id": 5002, "Alias": "Bob's cash account"})
BUY = FundRequest("buy", "VFIAX", dollars=Decimal("1000"))
POLICY = OrderPolicy(confirm_seconds=180, large_order_notional=500)
PASSED = parse(FundPreview, {"IsSuccessful": True}, "preview")
REFUSED = parse(
    FundPreview,
    {"IsSuccessful": False, "ErrorDescription": "FundClosed", "ErrorDescriptionText": "The fund is <closed>."},
    "preview",
)


def pending() -> Pending:
    now = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
    return Pending(
        id="p-1", team_id=TEAM, slack_user_id=USER, account_id=5002, symbol="VFIAX",
        request=fund_ticket(BUY).stored(), preview=None, notional=Decimal(1000), status=PendingState.PENDING,
        created_at=now, expires_at=now, updated_at=now, channel_id=None, response_url=None,
        autoshares_order_id=None, order_status=None, result=None, error=None,
    )  # fmt: skip


def result(preview: FundPreview = PASSED, *, held: bool = True, large: bool = False) -> FundPreviewResult:
    return FundPreviewResult(
        BUY, fund_ticket(BUY), 5002, BOB, preview, Decimal(1000), None, large, pending() if held else None
    )


class FundsStandIn:
    """Stands for ``FundService``: records what it is asked, answers with real results."""

    def __init__(self, preview: FundPreviewResult | None = None, fail: Exception | None = None) -> None:
        self._preview, self.fail = preview or result(), fail
        self.orders = SimpleNamespace(policy=POLICY)
        self.asked: list[tuple[Any, ...]] = []

    async def preview(
        self, team_id: str, slack_user_id: str, request: FundRequest, *, channel_id: str, response_url: str | None
    ) -> FundPreviewResult:
        self.asked.append(("preview", team_id, slack_user_id, request, channel_id, response_url))
        if self.fail:
            raise self.fail
        return self._preview

    async def cancel(self, team_id: str, slack_user_id: str, order_id: int, account_id: int | None) -> Order | None:
        self.asked.append(("cancel", team_id, slack_user_id, order_id, account_id))
        if self.fail:
            raise self.fail
        if account_id is None:
            return None  # the order's status could not be read back
        return Order.model_validate({"Id": order_id, "AccountId": account_id, "Symbol": "VFIAX", "Status": "Canceled"})


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(fund.LISTENERS)
    assert ids == {"subcommand": ["fund"], "action": [FUND_CANCEL_OPEN], "view": [], "event": [], "function": []}
    assert_registers(register(fund), ids)


def test_a_passed_preview_is_a_confirmation_under_the_workspaces_policy_and_badge() -> None:
    message = fund.fund_preview_message(result(large=True), POLICY, TradingEnvironment.LIVE)
    assert blockkit.problems(message["blocks"]) == []
    assert message["text"].startswith("[LIVE] Review your mutual fund order: Buy $1,000.00 of VFIAX")
    text = str(message["blocks"])
    assert "Live trading" in text and "Account 5002 (Bob's cash account)" in text
    assert "worth more than $500" in text  # the policy's large-order threshold
    assert "This confirmation expires in 3 minutes" in text  # the policy's confirmation time
    assert [(b["action_id"], b["value"]) for b in buttons(message["blocks"])] == [
        (ORDER_CONFIRM, "p-1"),
        (ORDER_CANCEL_PENDING, "p-1"),
    ]


@pytest.mark.parametrize(
    ("preview", "held", "reason"),
    [
        (REFUSED, False, "The fund is &lt;closed&gt; (`FundClosed`)"),
        (REFUSED, True, "The fund is &lt;closed&gt; (`FundClosed`)"),  # refused, whatever was kept
        (PASSED, False, "no reason was given"),  # nothing kept to confirm
    ],
)
def test_anything_short_of_a_held_passed_preview_says_why_and_offers_no_confirm(
    preview: FundPreview, held: bool, reason: str
) -> None:
    message = fund.fund_preview_message(result(preview, held=held), POLICY, TradingEnvironment.PAPER)
    text = str(message["blocks"])
    assert message["text"].startswith("[PAPER] AutoShares would not accept this order")
    assert f"in account 5002: {reason}. Nothing was placed; change the order and run `/fund` again." in text
    assert buttons(message["blocks"]) == []


async def test_fund_buy_previews_where_it_was_typed_and_answers_privately(harness: Callable[..., Harness]) -> None:
    service = FundsStandIn()
    replies = await harness(fund, funds=service).command("buy VFIAX $1000", command="/fund")
    assert service.asked == [("preview", TEAM, USER, BUY, "C0TRADE", RESPONSE_URL)]
    answer = replies.last
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("[PAPER] Review your mutual fund order: Buy $1,000.00 of VFIAX")
    assert "expires in 3 minutes" in replies.shown()


@pytest.mark.parametrize(
    ("text", "account_id", "says"),
    [
        ("cancel 42", None, "Cancel sent for mutual fund order 42. Its message updates when AutoShares confirms it."),
        ("cancel 42 account 12", 12, "Cancel sent for mutual fund order 42: it is now cancelled."),
    ],
)
async def test_fund_cancel_cancels_and_says_where_the_order_stands(
    harness: Callable[..., Harness], text: str, account_id: int | None, says: str
) -> None:
    service = FundsStandIn()
    replies = await harness(fund, funds=service).command(text, command="/fund")
    assert service.asked == [("cancel", TEAM, USER, 42, account_id)]
    assert says in replies.shown() and replies.last["response_type"] == "ephemeral"


async def test_the_cancel_button_of_a_placed_order_names_its_account_and_order(
    harness: Callable[..., Harness],
) -> None:
    service = FundsStandIn()
    replies = await harness(fund, funds=service).click(FUND_CANCEL_OPEN, "12:42")
    assert service.asked == [("cancel", TEAM, USER, 42, 12)]
    assert replies.last["replace_original"] is False  # the order's own message stays
    assert replies.last["text"] == "Mutual fund order 42 is now cancelled."


@pytest.mark.parametrize("value", ["", "42", "12:", ":42", "x:42", "0:42", "12:4.2", "\u0663:42"])
async def test_a_stale_cancel_button_asks_to_run_fund_cancel_and_cancels_nothing(
    harness: Callable[..., Harness], value: str
) -> None:
    service = FundsStandIn()
    replies = await harness(fund, funds=service).click(FUND_CANCEL_OPEN, value)
    assert service.asked == []
    assert replies.last["text"] == "That button is out of date. Run `/fund cancel` again."


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            OrderNotCancellable(42),
            "Order 42 is already filled or cancelled, so there is nothing to cancel. "
            "Run `/order list` to see your open orders.",
        ),
        (
            PlaceNotAllowed("orders", ["C0DESK"]),
            "Orders are not allowed in this conversation. Use <#C0DESK> instead.",
        ),
    ],
)
async def test_a_refusal_is_one_sentence_and_a_next_step(
    harness: Callable[..., Harness], error: Exception, says: str
) -> None:
    surface = harness(fund, funds=FundsStandIn(fail=error))
    for replies in (
        await surface.command("cancel 42 account 12", command="/fund"),
        await surface.click(FUND_CANCEL_OPEN, "12:42"),
    ):
        assert len(replies.sent) == 1 and replies.last["text"] == says

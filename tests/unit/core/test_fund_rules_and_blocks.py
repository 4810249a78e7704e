"""Mutual funds without I/O: the ticket a request becomes, what an order is worth now, and the
Block Kit of the confirmation and of the order's later messages."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.autoshares.resources import Account, FundPreview, FundTicket, Order, Position, parse
from bot.core.commands import FundRequest
from bot.core.funds import fund_ticket, fund_value
from bot.devkit.blockkit import problems
from bot.vocabulary.states import UNCONFIRMED
from handlers.blocks import approval as a
from handlers.blocks import fund as f
from handlers.blocks import order as b
from storage.records import OrderState, Pending

HOLDING = parse(
    Position, {"SecurityId": 64, "Symbol": "VFIAX", "Quantity": 4, "MarketValueEOD": 2000}, "positions"
)


@pytest.mark.parametrize(
    ("request_", "body"),
    [
        (
            FundRequest("buy", "VFIAX", dollars=Decimal("1000"), reinvest_dividends=False),
            {
                "Symbol": "VFIAX",
                "Quantity": 1000,
                "QuantityQualifier": "EvenDollar",
                "ReinvestDividends": False,
                "ReinvestShortTermGains": True,
                "ReinvestLongTermGains": True,
            },
        ),
        (
            FundRequest("sell", "VFIAX", shares=Decimal("1.5")),
            {"Symbol": "VFIAX", "Quantity": 1.5, "QuantityQualifier": "Shares"},
        ),
        (
            FundRequest("exchange", "VFIAX", target="VTSAX", reinvest_gains=False),
            {
                "SourceSymbol": "VFIAX",
                "TargetSymbol": "VTSAX",
                "ReinvestDividends": True,
                "ReinvestShortTermGains": False,
                "ReinvestLongTermGains": False,
            },
        ),
        (FundRequest("liquidate", "VFIAX"), {"Symbol": "VFIAX"}),
    ],
)
def test_a_request_becomes_its_operations_body(request_: FundRequest, body: dict) -> None:
    ticket = fund_ticket(request_)
    assert ticket.body() == body
    assert ticket.stored()["FundOperation"] == request_.action and ticket.stored()["Symbol"] == "VFIAX"


@pytest.mark.parametrize(
    ("request_", "holding", "value"),
    [
        (FundRequest("buy", "VFIAX", dollars=Decimal("1000")), None, Decimal("1000")),
        (FundRequest("sell", "VFIAX", dollars=Decimal("300")), None, Decimal("300")),
        (FundRequest("sell", "VFIAX", shares=Decimal("1")), HOLDING, Decimal("500")),
        (FundRequest("exchange", "VFIAX", target="VTSAX"), HOLDING, Decimal("2000")),
        (FundRequest("liquidate", "VFIAX"), HOLDING, Decimal("2000")),
        (FundRequest("liquidate", "VFIAX"), None, None),  # not known: over every limit
    ],
)
def test_what_an_order_is_worth_now(
    request_: FundRequest, holding: Position | None, value: Decimal | None
) -> None:
    assert fund_value(fund_ticket(request_), holding) == value


def test_the_confirmation_shows_the_amount_the_holding_and_the_choices() -> None:
    ticket = fund_ticket(FundRequest("exchange", "VFIAX", target="<!here>", reinvest_dividends=False))
    message = f.fund_confirmation(
        pending_id="p-1",
        ticket=ticket,
        account_id=5002,
        account=parse(Account, {"Id": 5002, "Alias": "Bob's"}, "accounts"),
        value=None,
        held=Decimal("4"),
        large=True,
        large_threshold=25_000,
        confirm_seconds=120,
        approval="over_threshold",
        approvals_channel="C0APPROVE",
    )
    assert problems(message["blocks"]) == []
    text = str(message["blocks"])
    assert "*Exchange all of VFIAX for &lt;!here&gt;*" in text and "<!here>" not in text
    assert (
        "your whole holding" in text and "4 shares of VFIAX" in text and "not known until the close" in text
    )
    assert "dividends paid in cash" in text and "capital gains reinvested" in text
    assert "counts as a large order" in text and "<#C0APPROVE>" in text
    actions = [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert [(e["action_id"], e["value"]) for e in actions] == [
        ("order_confirm", "p-1"),
        ("order_cancel_pending", "p-1"),
    ]


def test_a_refused_fund_preview_says_why_and_to_run_fund_again() -> None:
    stored = fund_ticket(FundRequest("liquidate", "VFIAX")).stored()
    refused = parse(
        FundPreview,
        {
            "IsSuccessful": False,
            "ErrorDescription": "InsufficientShares",
            "ErrorDescriptionText": "Not enough shares.",
        },
        "preview",
    )
    text = str(b.order_preview_failed(FundTicket.read(stored), 5002, refused)["blocks"])
    assert "*Liquidate VFIAX* (sell every share)" in text and "(`InsufficientShares`)" in text
    assert "run `/fund` again" in text


def _fund_pending(status: str, result: OrderState | None = None, error: str | None = None) -> Pending:
    now = datetime.now(UTC)
    return Pending(
        id="p-1",
        team_id="T",
        slack_user_id="U",
        account_id=5002,
        symbol="VFIAX",
        request=fund_ticket(FundRequest("buy", "VFIAX", dollars=Decimal("1000"))).stored(),
        preview=None,
        notional=Decimal("1000"),
        status=status,  # type: ignore[arg-type]
        created_at=now,
        expires_at=now,
        updated_at=now,
        channel_id=None,
        response_url=None,
        autoshares_order_id=9 if result else None,
        order_status=result.status if result else None,
        result=result,
        error=error,
    )


def test_a_fund_orders_later_messages_speak_of_the_fund() -> None:
    placed = b.pending_message(_fund_pending("placed", OrderState(order_id=9, status="New")))
    cancel = [e for block in placed["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert [(e["action_id"], e["value"]) for e in cancel] == [("fund_cancel_open", "5002:9")]
    assert "*Buy $1,000.00 of VFIAX*" in str(placed["blocks"])
    request = a.approval_message(_fund_pending("awaiting_approval"))
    assert "asks for approval: *Buy $1,000.00 of VFIAX*" in str(request["blocks"])
    assert "worth about $1,000.00" in str(request["blocks"])
    expired = str(b.pending_message(_fund_pending("expired"), confirm_seconds=120)["blocks"])
    assert "run `/fund` again" in expired
    unknown = b.pending_message(_fund_pending("failed", error=UNCONFIRMED), reason="check `/order list`.")
    assert "Not confirmed" in unknown["text"] and "Nothing was placed" not in str(unknown["blocks"])
    assert (
        b.large_order_view(
            pending_id="p-1",
            order=_fund_pending("pending").ticket,
            notional=None,
            response_url=None,
            channel_id=None,
        )["private_metadata"]
        == '{"pending":"p-1","symbol":"VFIAX"}'
    )


def test_open_fund_orders_are_listed_as_funds_and_cancelled_at_the_fund_endpoint() -> None:
    listed = parse(
        Order,
        {"Id": 9, "Status": "New", "Symbol": "VFIAX", "Side": "Buy", "Type": "MutualFundsExchange", "Quantity": 2},
        "orders",
    )
    message = b.open_orders_message(5002, [listed])
    assert problems(message["blocks"]) == []
    assert "*Buy 2 VFIAX* · mutual fund" in str(message["blocks"])
    assert [e["action_id"] for e in message["blocks"][2]["elements"]] == ["fund_cancel_open"]  # no Edit

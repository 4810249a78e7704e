"""Order rules (bodies, notional, large orders, buying power) and order builders, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.autoshares.resources import (
    OPEN_ORDER_STATUSES,
    Account,
    Balance,
    Order,
    OrderPreview,
    OrderStatus,
    OrderTicket,
    parse,
)
from bot.core.orders import buying_power_after, is_large, notional, order_body, order_state
from bot.devkit.blockkit import problems
from handlers.blocks import order as b
from handlers.parsing import parse_order
from sandbox.api.enums import EXTENDED_HOURS as DOCUMENTED_EXTENDED_HOURS
from storage.records import Pending

PREVIEW_ENDPOINT = "POST /accounts/{accountId}/preview/orders"
PREVIEW = parse(
    OrderPreview,
    {
        "IsSuccessful": True,
        "Cost": 2295.0,
        "Commission": 1.0,
        "TotalCost": 2296.0,
        "Quotes": [{"Symbol": "AAPL", "Last": 229.5, "Price": 229.5}],
    },
    PREVIEW_ENDPOINT,
)


def preview(body: dict) -> OrderPreview:
    return parse(OrderPreview, body, PREVIEW_ENDPOINT)


def test_order_body_uses_the_spec_names() -> None:
    body = order_body(parse_order("buy 3 TSLA stop 180 limit 181 gtc account 12"), "client-1")
    assert body == {
        "Symbol": "TSLA",
        "Side": "Buy",
        "Type": "StopLimit",
        "Quantity": 3,
        "TimeInforce": "GoodTillCancel",
        "Price": 181.0,
        "StopPrice": 180.0,
        "ClientId": "client-1",
    }
    assert order_body(parse_order("cover 1 AAPL limit 180 post")) == {
        "Symbol": "AAPL",
        "Side": "BuyToCover",
        "Type": "Limit",
        "Quantity": 1,
        "TimeInforce": "Day",
        "Price": 180.0,
        "ExtendedHours": "REGPOST",
    }


NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "local_time", "expected"),
    [
        # pre and post name a documented session whatever the time
        ("buy 1 AAPL limit 180 pre", datetime(2026, 3, 4, 15, 0), "REGPRE"),
        ("buy 1 AAPL limit 180 post", datetime(2026, 3, 4, 7, 0), "REGPOST"),
        # ext: the extended session that comes next (a Wednesday, then a Saturday)
        ("buy 1 AAPL limit 180 ext", datetime(2026, 3, 4, 7, 0), "REGPRE"),
        ("buy 1 AAPL limit 180 ext", datetime(2026, 3, 4, 9, 29), "REGPRE"),
        ("buy 1 AAPL limit 180 ext", datetime(2026, 3, 4, 9, 30), "REGPOST"),
        ("buy 1 AAPL limit 180 ext", datetime(2026, 3, 4, 17, 45), "REGPOST"),
        ("buy 1 AAPL limit 180 ext", datetime(2026, 3, 4, 20, 0), "REGPRE"),
        ("buy 1 AAPL limit 180 ext", datetime(2026, 3, 7, 12, 0), "REGPRE"),
        # Thanksgiving: the market does not open, so the next extended session is a pre-market one
        ("buy 1 AAPL limit 180 ext", datetime(2026, 11, 26, 12, 0), "REGPRE"),
        ("buy 1 AAPL limit 180 ext", datetime(2026, 11, 27, 12, 0), "REGPOST"),  # an early close
    ],
)
def test_extended_hours_are_sent_as_documented_values(text: str, local_time: datetime, expected: str) -> None:
    now = local_time.replace(tzinfo=NEW_YORK).astimezone(UTC)
    body = order_body(parse_order(text), now=now)
    assert body["ExtendedHours"] == expected
    assert expected in DOCUMENTED_EXTENDED_HOURS


def test_extended_hours_session_is_shown_in_words() -> None:
    summary = b.order_summary(
        OrderTicket.read(
            {
            "Side": "Buy",
            "Quantity": 1,
            "Symbol": "AAPL",
            "Type": "Limit",
            "Price": 180,
            "ExtendedHours": "REGPRE",
            }
        )
    )
    assert summary.endswith("day · pre-market and regular hours")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buy 10 AAPL", Decimal("2295.0000")),  # last price from the preview
        ("buy 10 AAPL limit 200", Decimal("2000.0000")),  # limit wins
        ("buy 10 AAPL stop 240", Decimal("2400.0000")),  # then stop
        ("buy 10 AAPL stop 240 limit 241", Decimal("2410.0000")),
    ],
)
def test_notional(text: str, expected: Decimal) -> None:
    assert notional(parse_order(text), PREVIEW) == expected


def test_notional_without_quotes_falls_back_to_cost_and_large_threshold() -> None:
    assert preview({"Quotes": [{"Last": 0, "Price": None}]}).last_price is None
    assert notional(parse_order("buy 10 AAPL"), preview({"Cost": 1234.5})) == Decimal("1234.5000")
    assert notional(parse_order("buy 10 AAPL"), preview({})) is None
    assert is_large(Decimal("25000.01"), 25_000)
    assert not is_large(Decimal("25000"), 25_000)
    # An order whose value cannot be known is large: the second step fails closed.
    assert is_large(None, 25_000)


def test_buying_power_after() -> None:
    balances = parse(Balance, {"BuyingPower": 10_000.0}, "GET /accounts/{accountId}/info")
    assert buying_power_after(balances, PREVIEW, "Buy") == Decimal("7704.00")
    assert buying_power_after(balances, PREVIEW, "SellShort") == Decimal("7704.00")
    assert buying_power_after(balances, PREVIEW, "Sell") == Decimal("10000.00")
    assert buying_power_after(None, PREVIEW, "Buy") is None
    assert buying_power_after(parse(Balance, {"Cash": 5}, "info"), PREVIEW, "Buy") is None


def _confirmation(symbol: str = "AAPL", large: bool = False) -> dict:
    return b.order_confirmation(
        pending_id="p-1",
        order=OrderTicket.read({"Symbol": symbol, "Side": "Buy", "Type": "Market", "Quantity": 10, "TimeInforce": "Day"}),
        account_id=5002,
        account=parse(Account, {"Id": 5002, "Alias": "<!here> account"}, "GET /users/{userId}/accounts"),
        preview=PREVIEW,
        buying_power_after=Decimal("7704.00"),
        large=large,
        large_threshold=25_000,
        notional=Decimal("30000") if large else Decimal("2296"),
        confirm_seconds=120,
    )


def test_confirmation_is_valid_escaped_and_has_confirm_and_cancel() -> None:
    message = _confirmation("<!channel>", large=True)
    assert problems(message["blocks"]) == []
    text = str(message["blocks"])
    assert "<!channel>" not in text and "<!here>" not in text and "&lt;!channel&gt;" in text
    actions = [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert [(e["action_id"], e["value"]) for e in actions] == [
        ("order_confirm", "p-1"),
        ("order_cancel_pending", "p-1"),
    ]
    assert "$2,296.00" in text and "$7,704.00" in text and "worth more than $25,000" in text
    assert "expires in 2 minutes" in text


def test_failed_preview_has_no_buttons_and_says_why() -> None:
    message = b.order_preview_failed(
        OrderTicket.read({"Symbol": "ZZZZ", "Side": "Buy", "Type": "Market", "Quantity": 1}),
        5002,
        preview(
            {
                "IsSuccessful": False,
                "ErrorDescription": "SymbolNotFound",
                "ErrorDescriptionText": "Symbol ZZZZ was not found.",
            }
        ),
    )
    assert problems(message["blocks"]) == []
    assert "actions" not in {block["type"] for block in message["blocks"]}
    assert "Symbol ZZZZ was not found (`SymbolNotFound`)" in str(message["blocks"])


def _pending(status: str, answer: dict | None = None, error: str | None = None) -> Pending:
    """A stored order whose AutoShares answer was ``answer`` (an OrderResource)."""
    now = datetime.now(UTC)
    result = order_state(parse(Order, answer, "GET /accounts/{accountId}/orders/{orderId}")) if answer else None
    return Pending(
        id="p-1",
        team_id="T",
        slack_user_id="U",
        account_id=5002,
        symbol="TSLA",
        request={"Symbol": "TSLA", "Side": "Buy", "Type": "Limit", "Price": 200.0, "Quantity": 5},
        preview=None,
        notional=None,
        status=status,
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


@pytest.mark.parametrize(
    ("pending", "phrase", "cancel_button"),
    [
        (_pending("placed", {"Id": 9, "Status": "New", "LeavesQuantity": 5}), "open, waiting to fill", True),
        (
            _pending(
                "placed",
                {
                    "Id": 9,
                    "Status": "PartiallyFilled",
                    "ExecutedQuantity": 2,
                    "AveragePrice": 199,
                    "LeavesQuantity": 3,
                },
            ),
            "2 filled at $199.00 on average; 3 still open",
            True,
        ),
        (
            _pending("placed", {"Id": 9, "Status": "Filled", "ExecutedQuantity": 5, "AveragePrice": 199}),
            "filled",
            False,
        ),
        (
            _pending(
                "placed", {"Id": 9, "Status": "Rejected", "ErrorDescriptionText": "Not enough <b>power</b>"}
            ),
            "AutoShares rejected it: Not enough &lt;b&gt;power&lt;/b&gt;",
            False,
        ),
        (_pending("failed", error="AutoShares refused it."), "Not placed", False),
        (_pending("cancelled"), "Nothing was placed", False),
        (_pending("expired"), "expired", False),
        (_pending("submitting"), "has not confirmed it yet", False),
    ],
)
def test_pending_messages(pending: Pending, phrase: str, cancel_button: bool) -> None:
    message = b.pending_message(pending, confirm_seconds=120)
    assert problems(message["blocks"]) == []
    assert phrase in str(message["blocks"])
    has_cancel = any(
        e.get("action_id") == "order_cancel_open"
        for block in message["blocks"]
        for e in block.get("elements", [])
    )
    assert has_cancel is cancel_button


def test_ticket_view_round_trips_through_state_values() -> None:
    view = b.order_ticket_view(channel_id="C1", prefill={"symbol": "AAPL", "side": "sell"})
    assert problems(view["blocks"], view=True) == []
    assert len(view["title"]["text"]) <= 24
    state = {
        "symbol": {"symbol": {"type": "plain_text_input", "value": "AAPL"}},
        "side": {"side": {"type": "static_select", "selected_option": {"value": "sell"}}},
        "type": {"type": {"type": "static_select", "selected_option": None}},
        "extended_hours": {"extended_hours": {"type": "checkboxes", "selected_options": [{"value": "ext"}]}},
    }
    values = b.ticket_values(state)
    assert values["symbol"] == "AAPL" and values["side"] == "sell" and values["type"] == ""
    assert values["extended_hours"] == "ext" and values["quantity"] == ""


def test_large_order_view_and_open_orders_are_valid() -> None:
    view = b.large_order_view(
        pending_id="p",
        order=OrderTicket.read({"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 200}),
        notional=Decimal(45900),
        response_url="u",
        channel_id="C",
    )
    assert problems(view["blocks"], view=True) == [] and len(view["title"]["text"]) <= 24
    orders = [
        parse(
            Order,
            {"Id": i, "Symbol": "AAPL", "Side": "Buy", "Quantity": 1, "Type": "Limit", "Price": 1, "Status": "New"},
            "GET /accounts/{accountId}/orders",
        )
        for i in range(30)
    ]
    listing = b.open_orders_message(5002, orders)
    assert problems(listing["blocks"]) == []
    assert "and 10 more" in str(listing["blocks"])


def test_only_autoshares_own_error_answer_settles_an_uncertain_placement_as_not_taken() -> None:
    from bot.autoshares import errors as autoshares_errors
    from bot.core.orders import answered_by_autoshares

    assert answered_by_autoshares(autoshares_errors.AutoSharesServerError("boom", status=500))
    for gateway in (502, 503, 504):
        assert not answered_by_autoshares(autoshares_errors.AutoSharesServerError("gateway", status=gateway))
    assert not answered_by_autoshares(autoshares_errors.AutoSharesUnavailable("timed out"))


@pytest.mark.parametrize("status", list(OrderStatus), ids=lambda s: s.name)
def test_the_cancel_button_shows_for_exactly_the_open_statuses(status: OrderStatus) -> None:
    message = b.pending_message(_pending("placed", {"Id": 9, "Status": int(status)}), confirm_seconds=120)
    assert problems(message["blocks"]) == []
    has_cancel = any(
        e.get("action_id") == "order_cancel_open" for block in message["blocks"] for e in block.get("elements", [])
    )
    assert has_cancel is (status in OPEN_ORDER_STATUSES)

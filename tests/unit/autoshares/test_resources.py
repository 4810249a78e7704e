"""The one number reader and the typed AutoShares resources (bot.autoshares.resources)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from bot.autoshares.errors import AutoSharesMalformed
from bot.autoshares.resources import (
    OPEN_ORDER_STATUSES,
    TERMINAL_ORDER_STATUSES,
    Balance,
    Order,
    OrderPreview,
    OrderStatus,
    Position,
    PriceAlert,
    Quote,
    Watchlist,
    parse,
    parse_list,
    to_decimal,
)
from handlers import errors

ENDPOINT = "GET /accounts/{accountId}/orders/{orderId}"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "NaN", "Infinity", "-inf"])
def test_the_number_reader_refuses_nan_and_infinities(value: object) -> None:
    with pytest.raises(ValueError, match="finite"):
        to_decimal(value)


@pytest.mark.parametrize("value", ["abc", "", "1,5", True, None, [1], {"v": 1}])
def test_the_number_reader_refuses_what_is_not_a_number(value: object) -> None:
    with pytest.raises(ValueError, match="expected a number"):
        to_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, Decimal(1)),
        (0.1, Decimal("0.1")),
        ("182.50", Decimal("182.50")),
        (" 3 ", Decimal(3)),
        (-2.5, Decimal("-2.5")),
    ],
)
def test_the_number_reader_reads_numbers_and_numeric_text_exactly(value: object, expected: Decimal) -> None:
    assert to_decimal(value) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "abc", "Infinity"])
def test_a_bad_number_in_an_answer_is_the_clients_error_naming_endpoint_and_property(value: object) -> None:
    with pytest.raises(AutoSharesMalformed) as raised:
        parse(Order, {"Id": 1, "Status": "New", "Quantity": value}, ENDPOINT)
    assert raised.value.endpoint == ENDPOINT
    assert raised.value.field == "Quantity"
    assert ENDPOINT in str(raised.value) and "Quantity" in str(raised.value)


def test_a_missing_required_property_names_the_endpoint_and_the_property() -> None:
    with pytest.raises(AutoSharesMalformed) as raised:
        parse(Order, {"Id": 7, "Symbol": "AAPL"}, ENDPOINT)
    assert str(raised.value) == f"AutoShares {ENDPOINT} answered an Order that has no Status"
    assert raised.value.field == "Status"


def test_a_missing_property_inside_a_list_names_the_item() -> None:
    body = [{"Id": 1, "Name": "Tech", "SecurityList": [{"Id": 5, "Symbol": "AAPL"}, {"Id": 6}]}]
    with pytest.raises(AutoSharesMalformed) as raised:
        parse_list(Watchlist, body, "GET /users/{userId}/watchlists")
    assert raised.value.field == "0/SecurityList/1/Symbol"
    assert "GET /users/{userId}/watchlists" in str(raised.value)


def test_pascal_case_and_camel_case_are_both_read() -> None:
    pascal = parse(
        Order,
        {
            "Id": 3,
            "Status": "PartiallyFilled",
            "Symbol": "AAPL",
            "ExecutedQuantity": 4,
            "AveragePrice": "181.2",
        },
        ENDPOINT,
    )
    camel = parse(
        Order,
        {
            "id": 3,
            "status": "partiallyFilled",
            "symbol": "AAPL",
            "executedQuantity": 4,
            "averagePrice": "181.2",
        },
        ENDPOINT,
    )
    assert pascal == camel
    assert camel.executed_quantity == Decimal(4) and camel.average_price == Decimal("181.2")


def test_unknown_properties_are_ignored() -> None:
    order = parse(Order, {"Id": 3, "Status": 0, "SomethingNew": {"x": [1]}, "Legs": []}, ENDPOINT)
    assert order.id == 3 and not hasattr(order, "SomethingNew") and not hasattr(order, "something_new")


def test_resources_are_frozen() -> None:
    order = parse(Order, {"Id": 3, "Status": 0}, ENDPOINT)
    with pytest.raises(ValueError, match="frozen"):
        order.id = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (0, OrderStatus.New),
        ("1", OrderStatus.PartiallyFilled),
        ("Filled", OrderStatus.Filled),
        ("canceled", OrderStatus.Canceled),
        (16, OrderStatus.Held),
    ],
)
def test_an_order_status_is_read_by_name_or_by_number(raw: object, status: OrderStatus) -> None:
    assert parse(Order, {"Id": 1, "Status": raw}, ENDPOINT).status is status


@pytest.mark.parametrize("raw", ["Nope", 17, True, None])
def test_an_unknown_order_status_is_refused(raw: object) -> None:
    with pytest.raises(AutoSharesMalformed) as raised:
        parse(Order, {"Id": 1, "Status": raw}, ENDPOINT)
    assert raised.value.field == "Status"


def test_open_and_terminal_statuses_do_not_overlap_and_answer_is_open() -> None:
    assert not OPEN_ORDER_STATUSES & TERMINAL_ORDER_STATUSES
    assert parse(Order, {"Id": 1, "Status": "PendingCancel"}, ENDPOINT).is_open
    assert parse(Order, {"Id": 1, "Status": "Filled"}, ENDPOINT).is_terminal
    assert not parse(Order, {"Id": 1, "Status": "Replaced"}, ENDPOINT).is_open


def test_balances_read_every_figure_as_a_decimal_under_either_spelling() -> None:
    balance = parse(Balance, {"BuyingPower": 1500.25, "cash": "20"}, "GET /accounts/{accountId}/info")
    assert balance.get("BuyingPower") == Decimal("1500.25") and balance.get("Cash") == Decimal(20)
    assert balance.get("Equity") is None
    with pytest.raises(AutoSharesMalformed, match="BuyingPower"):
        parse(Balance, {"BuyingPower": float("nan")}, "GET /accounts/{accountId}/info")


def test_a_quote_shows_last_when_its_price_is_zero_or_missing() -> None:
    assert parse(Quote, {"Price": 0, "Last": 12.5}, "quote").value == Decimal("12.5")
    assert parse(Quote, {"Last": 12.5}, "quote").value == Decimal("12.5")
    assert parse(Quote, {"Price": 13, "Last": 12.5}, "quote").value == Decimal(13)


def test_position_and_alert_spellings_of_the_spec_are_read() -> None:
    position = parse(Position, {"SecurityId": 5, "EODPrice": 10, "MarketValueEOD": 100}, "positions")
    assert (position.eod_price, position.market_value_eod) == (Decimal(10), Decimal(100))
    alert = parse(PriceAlert, {"id": 9, "state": "new", "operator": "GTEQ", "argument": "200"}, "alerts")
    assert alert.state is not None and alert.state.value == "New" and alert.argument == Decimal(200)


def test_a_list_sent_as_null_is_empty() -> None:
    preview = parse(
        OrderPreview, {"IsSuccessful": True, "Quotes": None}, "POST /accounts/{accountId}/preview/orders"
    )
    assert preview.quotes == [] and preview.last_price is None
    assert (
        parse(Watchlist, {"Id": 5, "SecurityList": None}, "GET /users/{userId}/watchlists/{id}").security_list
        == []
    )


def test_an_unreadable_answer_is_told_to_the_user_in_one_sentence_and_logged_for_the_operator() -> None:
    with pytest.raises(AutoSharesMalformed) as raised:
        parse(Order, {"Id": 1}, ENDPOINT)
    assert errors.sentence(raised.value).startswith("AutoShares sent an answer I could not read.")
    assert isinstance(raised.value, errors.OPERATOR_ERRORS)


async def test_the_client_names_the_endpoint_and_property_of_an_answer_it_cannot_read() -> None:
    """Over the client's own HTTP path: an order without its Status, a balance that is NaN."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/info"):
            return httpx.Response(200, content=b'{"BuyingPower": NaN}', headers={"Content-Type": "application/json"})
        return httpx.Response(200, json={"Id": 77, "Symbol": "AAPL", "Quantity": 1})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    api = AutoSharesClient(http, base_url="https://api.example/", app_key="key").for_user(BearerToken("t"), 7)
    with pytest.raises(AutoSharesMalformed) as missing:
        await api.order(5002, 77)
    assert str(missing.value) == (
        "AutoShares GET /accounts/{accountId}/orders/{orderId} answered an Order that has no Status"
    )
    with pytest.raises(AutoSharesMalformed) as nan:
        await api.balances(5002)
    assert nan.value.endpoint == "GET /accounts/{accountId}/info" and nan.value.field == "BuyingPower"
    await http.aclose()


def test_balances_leave_out_what_is_not_a_figure_and_refuse_what_is_not_finite() -> None:
    """The balances map is name → number; a text or null entry is another kind of property."""
    endpoint = "GET /accounts/{accountId}/info"
    balance = parse(Balance, {"BuyingPower": 10, "Currency": "USD", "Note": None, "Limits": {"a": 1}}, endpoint)
    assert balance.figures == {"BuyingPower": Decimal(10)}
    with pytest.raises(AutoSharesMalformed, match="unusable Cash"):
        parse(Balance, {"Cash": "Infinity"}, endpoint)

"""Reading webhook data: the documented camelCase shapes and the older PascalCase ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.autoshares.resources import OrderStatus
from bot.core.events import AlertTrigger, OrderEvent, alert_trigger, event_kind, order_update


def test_documented_order_data_becomes_order_resource_properties() -> None:
    data = {
        "orderId": 80328,
        "symbol": "AAPL",
        "side": "Buy",
        "type": "Limit",
        "quantity": 100,
        "filledQuantity": 40,
        "averagePrice": 182.5,
        "status": "PartiallyFilled",
        "executionTime": "2026-04-28T14:30:00.000Z",
    }
    assert order_update(data, event_type="order.partial_fill", account_id=6303) == OrderEvent(
        order_id=80328,
        symbol="AAPL",
        side="Buy",
        type="Limit",
        quantity=Decimal(100),
        executed_quantity=Decimal(40),
        average_price=Decimal("182.5"),
        leaves_quantity=Decimal(60),
        status=OrderStatus.PartiallyFilled,
        transaction_date="2026-04-28T14:30:00.000Z",
        account_id=6303,
    )


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", True])
def test_an_unusable_number_in_event_data_is_not_stated(bad: object) -> None:
    """The data's shape is undocumented: a value that is not a finite number counts as not
    stated (the stored order keeps what it knew) rather than failing the delivery."""
    order = order_update({"orderId": 5, "filledQuantity": bad, "quantity": 3}, event_type="order.filled")
    assert order.executed_quantity is None and order.quantity == 3 and order.status is OrderStatus.Filled


@pytest.mark.parametrize(
    ("status", "event_type", "expected"),
    [
        ("Filled", "order.filled", "Filled"),
        ("Cancelled", "order.cancelled", "Canceled"),  # the event's spelling -> the spec's
        ("partially_filled", "order.partial_fill", "PartiallyFilled"),
        (None, "order.rejected", "Rejected"),  # no status: the type says it
        (None, "order.created", "New"),
        ("Held", "order.created", "Held"),
    ],
)
def test_order_status_is_the_spec_name(status: str | None, event_type: str, expected: str) -> None:
    data = {"orderId": 1, "quantity": 5, "filledQuantity": 0}
    if status is not None:
        data["status"] = status
    order = order_update(data, event_type=event_type)
    assert order.status is not None and order.status.name == expected
    assert order.leaves_quantity == (0 if expected in ("Filled", "Canceled", "Rejected") else 5)


def test_pascal_case_order_resources_are_still_read() -> None:
    resource = {"Id": 7, "ClientId": "c-1", "Status": "Filled", "ExecutedQuantity": 3, "AveragePrice": 10}
    assert order_update(resource, event_type="order.filled", account_id=5002) == OrderEvent(
        order_id=7,
        client_id="c-1",
        status=OrderStatus.Filled,
        executed_quantity=Decimal(3),
        average_price=Decimal(10),
    )
    numbered = order_update({**resource, "Status": 4}, event_type="order.cancelled")
    assert numbered.status is OrderStatus.Canceled


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (  # the sandbox's documented shape: a condition object
            {
                "symbol": "aapl",
                "condition": {"field": "Last", "operator": "GTEQ", "argument": 235},
                "currentPrice": 236.25,
            },
            AlertTrigger(None, "AAPL", "GTEQ", "Last", Decimal("235"), Decimal("236.25")),
        ),
        (  # a condition in words
            {"symbol": "MSFT", "condition": "Bid <= 400.50", "currentPrice": "400.25"},
            AlertTrigger(None, "MSFT", "LTEQ", "Bid", Decimal("400.50"), Decimal("400.25")),
        ),
        (
            {"symbol": "TSLA", "condition": "above $200", "price": 201},
            AlertTrigger(None, "TSLA", "GTEQ", None, Decimal("200"), Decimal(201)),
        ),
        ({"symbol": "TSLA", "condition": "went up a lot"}, AlertTrigger(None, "TSLA")),
        ({"alertId": 12, "symbol": "AAPL", "currentPrice": 1}, AlertTrigger(12, "AAPL", price=Decimal(1))),
        (  # the older PascalCase shape
            {
                "Id": 3,
                "Symbol": "AAPL",
                "Operator": "LTEQ",
                "Field": "Ask",
                "Argument": 150.0,
                "Price": 149.9,
            },
            AlertTrigger(3, "AAPL", "LTEQ", "Ask", Decimal("150.0"), Decimal("149.9")),
        ),
    ],
)
def test_alert_trigger(data: dict[str, object], expected: AlertTrigger) -> None:
    assert alert_trigger(data) == expected


def test_alert_trigger_matches_routes_on_what_it_says() -> None:
    trigger = alert_trigger({"symbol": "AAPL", "condition": "Last >= 235", "currentPrice": 236})
    assert trigger.may_be("AAPL", "GTEQ", "Last", Decimal("235.0000"))
    assert not trigger.may_be("AAPL", "LTEQ", "Last", Decimal("235"))
    assert not trigger.may_be("AAPL", "GTEQ", "Bid", Decimal("235"))
    assert not trigger.may_be("AAPL", "GTEQ", "Last", Decimal("240"))
    assert not trigger.may_be("MSFT", "GTEQ", "Last", Decimal("235"))
    vague = alert_trigger({"symbol": "AAPL"})
    assert vague.may_be("aapl", "LTEQ", "Ask", Decimal("1"))


@pytest.mark.parametrize(
    ("event_type", "kind"),
    [
        ("order.filled", "order"),
        ("order.replaced", "order"),
        ("order.expired", "order"),
        ("alert.triggered", "alert"),
        ("position.closed", "counted"),
        ("transfer.failed", "counted"),
        ("account.updated", "counted"),
        ("position.changed", "other"),
    ],
)
def test_event_kinds(event_type: str, kind: str) -> None:
    assert event_kind(event_type) == kind


def test_a_condition_stated_in_full_names_the_alert() -> None:
    full = alert_trigger(
        {"symbol": "AAPL", "condition": {"field": "Last", "operator": "GTEQ", "argument": 240}}
    )
    assert full.states("AAPL", "GTEQ", "Last", Decimal("240.0000"))
    assert not full.states("AAPL", "GTEQ", "Last", Decimal("250"))
    partial = alert_trigger({"symbol": "AAPL", "condition": "above 240"})  # no field
    assert partial.may_be("AAPL", "GTEQ", "Last", Decimal("240"))
    assert not partial.states("AAPL", "GTEQ", "Last", Decimal("240"))

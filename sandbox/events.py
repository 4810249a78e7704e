"""What each webhook event carries in ``data``, as AutoShares' Webhooks page shows it.

The page (AutoSharesAPI/API ``pages/webhooks.md``) gives the envelope (``sandbox.webhooks``) and
one example of ``data``, for ``order.filled``, in camelCase::

    {"orderId", "symbol", "side", "type", "quantity", "filledQuantity", "averagePrice",
     "status", "executionTime"}

Every order event carries those nine here. Its table of event types adds, without naming the
fields, a reason for ``order.cancelled`` and ``order.rejected``, the remaining quantity for
``order.partial_fill``, "symbol, quantity, cost basis" for ``position.opened``, "realized P&L,
close price" for ``position.closed`` and "symbol, alert condition, current price" for
``alert.triggered``. The names used for those (``reason``, ``remainingQuantity``,
``costBasis``, ``realizedProfitLoss``, ``closePrice``, ``condition``, ``currentPrice``) are
this sandbox's choice, in the page's camelCase; a receiver must not depend on them. An
alert.triggered event names no alert id: the page lists none.
"""

from __future__ import annotations

from typing import Any

from sandbox.api.resources import iso
from sandbox.funding import Transfer
from sandbox.state import Order, Position, PriceAlert, utc_now


def order_data(order: Order, event_type: str) -> dict[str, Any]:
    """The ``data`` of an order.* event."""
    data: dict[str, Any] = {
        "orderId": order.id,
        "symbol": order.symbol,
        "side": order.side,
        "type": order.type,
        "quantity": order.quantity,
        "filledQuantity": order.executed_quantity,
        "averagePrice": round(order.average_price, 6),
        "status": order.status,
        "executionTime": iso(order.modified),
    }
    if event_type == "order.partial_fill":
        data["remainingQuantity"] = order.leaves_quantity
    elif event_type == "order.rejected":
        data["reason"] = order.reject_code or order.reject_text
    elif event_type == "order.cancelled":
        data["reason"] = (
            f"{order.time_in_force}: the part not filled at once is cancelled"
            if order.time_in_force in ("ImmediateOrCancel", "FillOrKill")
            else "Cancelled on request"
        )
    return data


def alert_data(alert: PriceAlert) -> dict[str, Any]:
    """The ``data`` of alert.triggered: the symbol, the alert condition, the current price."""
    return {
        "symbol": alert.symbol,
        "condition": {"field": alert.field, "operator": alert.operator, "argument": alert.argument},
        "currentPrice": alert.triggered_price,
        "triggeredAt": iso(utc_now()),
    }


def position_opened_data(position: Position) -> dict[str, Any]:
    return {
        "symbol": position.symbol,
        "quantity": position.quantity,
        "costBasis": round(position.quantity * position.average_price, 4),
    }


def position_closed_data(position: Position, close_price: float) -> dict[str, Any]:
    return {
        "symbol": position.symbol,
        "realizedProfitLoss": round(position.realized_pl, 4),
        "closePrice": close_price,
    }


def transfer_data(transfer: Transfer) -> dict[str, Any]:
    """transfer.completed / transfer.failed: the published table names no fields; these are the
    sandbox's own guess, in the camelCase of the published example."""
    return {
        "transferId": transfer.id,
        "status": transfer.status,
        "amount": transfer.amount,
        "isDeposit": transfer.is_deposit,
        "mechanism": transfer.mechanism,
    }

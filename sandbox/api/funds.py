"""Mutual funds: preview and place a buy, a sell, an exchange or a liquidation; cancel.

POST   /accounts/{clearingNumber}/preview/orders/mutual-funds/{buy|sell|exchange|liquidate}
                                         <Operation>MutualFundResource -> MutualFundPreviewResource
POST   /accounts/{clearingNumber}/orders/mutual-funds/{buy|sell|exchange|liquidate}
                                         <Operation>MutualFundResource -> MutualFundResource
DELETE /accounts/{clearingNumber}/orders/mutual-funds/{orderId}
                                         200 {} once cancelled; 409 when it is not open; 422 for
                                         an id that is no fund order of the account

Body problems (a missing Symbol, SourceSymbol or TargetSymbol; a buy or sell without a positive
Quantity; a QuantityQualifier not in the spec's enum; wrong JSON types) answer 422 naming the
property. Business rejections are not errors: the preview answers IsSuccessful=false with the
code in ErrorDescription, and a placed order comes back 200 with Status "Rejected" and the code
in Description (see ``sandbox.funds``). The orders are listed, read and cancelled by the order
endpoints too (Type ``MutualFundsExchange``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from starlette.responses import JSONResponse

from sandbox.api import resources
from sandbox.api.errors import conflict, invalid_parameter
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.api.validation import BodyReader
from sandbox.faults import SERVER_ERROR_BODY
from sandbox.funds import OPERATIONS, SHARES, FundRequest
from sandbox.trading import FUND_ORDER_TYPE

#: BuyMutualFundResource.QuantityQualifier (and SellMutualFundResource's).
QUANTITY_QUALIFIERS = ("Shares", "EvenDollar", "GrossDollar", "MinusRounding", "PlusRounding")
ACCOUNT = "clearingNumber"


def parse_fund(operation: str, body: dict[str, Any]) -> tuple[FundRequest, dict[str, Any]]:
    """Validate an operation's body (422 listing every problem); the request and the spec
    properties it carried."""
    reader = BodyReader(body)
    exchange = operation == "exchange"
    symbol = reader.string("SourceSymbol" if exchange else "Symbol", required=True)
    target = reader.string("TargetSymbol", required=True) if exchange else None
    quantity = qualifier = None
    if operation in ("buy", "sell"):
        quantity = reader.number("Quantity", required=True, minimum=0, exclusive_minimum=True)
        qualifier = reader.enum("QuantityQualifier", QUANTITY_QUALIFIERS)
    choices = {}
    if operation in ("buy", "exchange"):
        for name in ("ReinvestDividends", "ReinvestShortTermGains", "ReinvestLongTermGains"):
            choices[name] = reader.boolean(name)
    reader.raise_if_invalid()
    assert symbol is not None
    request = FundRequest(
        operation=operation,
        symbol=symbol.strip(),
        target=(target or "").strip(),
        quantity=quantity,
        qualifier=qualifier or SHARES,
    )
    stated = {
        ("SourceSymbol" if exchange else "Symbol"): request.symbol,
        "TargetSymbol": request.target or None,
        "Quantity": quantity,
        "QuantityQualifier": qualifier,
        **choices,
    }
    return request, {name: value for name, value in stated.items() if value is not None}


def previewer(operation: str) -> Callable[[ApiCall], Coroutine[Any, Any, Any]]:
    async def preview(call: ApiCall) -> Any:
        account = call.account(write=True, param=ACCOUNT)
        request, _ = parse_fund(operation, await call.json_object())
        code, text = call.sb.engine.funds.assess(account, call.user.id, request)
        answer: dict[str, Any] = {"IsSuccessful": not code, "ErrorDescriptionArgs": []}
        if code:
            answer["ErrorDescription"] = code
            answer["ErrorDescriptionText"] = text
        return answer

    return preview


def placer(operation: str) -> Callable[[ApiCall], Coroutine[Any, Any, Any]]:
    async def place(call: ApiCall) -> Any:
        call.sb.state.stats.place_order_calls += 1
        account = call.account(write=True, param=ACCOUNT)
        request, stated = parse_fund(operation, await call.json_object())
        order = await call.sb.engine.place_fund(account, call.user.id, request)
        order.fund_body = stated
        if call.sb.faults.take_order_failure():
            # Fault injection: the order stands, the caller is told otherwise.
            return JSONResponse(SERVER_ERROR_BODY, status_code=500)
        return resources.mutual_fund(order)

    return place


async def cancel(call: ApiCall) -> Any:
    account = call.account(write=True, param=ACCOUNT)
    raw = call.path_param("orderId")
    order = call.sb.state.orders.get(int(raw)) if raw.isdigit() else None
    if order is None or order.account_id != account.id or order.type != FUND_ORDER_TYPE:
        raise invalid_parameter("orderId", f"{raw} is not a mutual fund order of account {account.id}.")
    if not order.is_open:
        raise conflict(f"Order {order.id} cannot be cancelled: it is {order.status}.")
    await call.sb.engine.cancel(order)
    return {}


ENDPOINTS = (
    *(
        Endpoint(
            "POST",
            f"/accounts/{{clearingNumber}}/preview/orders/mutual-funds/{operation}",
            previewer(operation),
            bucket="orders",
            per_account=True,
        )
        for operation in OPERATIONS
    ),
    *(
        Endpoint(
            "POST",
            f"/accounts/{{clearingNumber}}/orders/mutual-funds/{operation}",
            placer(operation),
            bucket="orders",
            per_account=True,
        )
        for operation in OPERATIONS
    ),
    Endpoint(
        "DELETE",
        "/accounts/{clearingNumber}/orders/mutual-funds/{orderId}",
        cancel,
        bucket="orders",
        per_account=True,
    ),
)

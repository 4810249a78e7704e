"""Orders: preview, place, read, list, cancel.

POST   /accounts/{accountId}/preview/orders   CreateOrderResource -> OrderPreviewResource
POST   /accounts/{accountId}/orders           CreateOrderResource -> OrderResource
GET    /accounts/{accountId}/orders/{orderId} OrderResource (404 if not in this account)
GET    /accounts/{accountId}/orders?pageNumber&pageSize[&filter&sortField&desc]
                                              PagingResult[OrderResource]
DELETE /accounts/{accountId}/orders/{orderId} 200 OrderResource (Canceled); 409 when finished
PUT    /accounts/{accountId}/preview/orders/{orderId}
                                              ModifyOrderResource -> OrderVerifiedResource
PUT    /accounts/{accountId}/orders/{orderId} ModifyOrderResource -> OrderResource (same Id);
                                              409 when finished or the new terms fail a check
GET    /accounts/{accountId}/orders/{orderId}/details
                                              OrderDetailsModel[]: the request, each execution,
                                              the end (cancel, expiry, rejection)
GET    /accounts/{accountId}/preview/limits/{symbol}?price
                                              OrderLimits (422 for an unknown symbol)

Body problems (missing Symbol/Side/Type/Quantity, enum values not in the spec, an ExtendedHours
value no page documents, wrong JSON types, Quantity <= 0) answer 422 naming the field. Business rejections are not errors: the
order comes back 200 with Status "Rejected", the code in Description (see ``sandbox.trading``).
A ClientId already used on the account returns the earlier order (same Id), never a new one.

A replace keeps the order's Id and takes the ModifyOrderResource's terms (what it leaves out
stays; Id must be the path's; Quantity must exceed what already filled). Its ClientId becomes
the order's, and a replace sent again with that ClientId answers the order as it is. The
preview of a replace answers IsSuccessful false with ErrorDescription ``OrderNotReplaceable``
for a finished order, ``InvalidOrderType`` for a bracket, a leg of one, a spread or a dollar
amount (a ModifyOrderResource carries no Legs and no ExecInst), and the new order checks'
codes otherwise.

The ``filter`` grammar is the documentation's (``SecurityId = 4 and Status in (0,1,4,5,7)``,
``CreateDate between #…# and #…#``), see ``sandbox.api.filters``; anything else answers 400.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse

from sandbox.api import resources
from sandbox.api.enums import (
    BRACKET_TYPES,
    EXEC_INST,
    EXTENDED_HOURS,
    EXTENDED_HOURS_OLDER,
    ORDER_SIDES,
    ORDER_TYPES,
    TIME_IN_FORCE,
    TRAILING_AMOUNT_TYPES,
)
from sandbox.api.errors import conflict, invalid_parameter, not_found, validation_failed
from sandbox.api.filters import parse_filter
from sandbox.api.paging import page
from sandbox.api.positions import sort_items
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.api.validation import BodyReader
from sandbox.faults import SERVER_ERROR_BODY
from sandbox.state import Order
from sandbox.tickets import LegRequest, OrderRequest


def parse_order(body: dict[str, Any]) -> OrderRequest:
    """Validate a CreateOrderResource body (422 listing every problem; a leg's are named
    ``Legs[0].Price``)."""
    problems: list[tuple[str, str]] = []
    request = _read_order(body, "", problems)
    if problems or request is None:
        raise validation_failed(problems)
    return request


def _read_order(body: dict[str, Any], prefix: str, problems: list[tuple[str, str]]) -> OrderRequest | None:
    """One CreateOrderResource (and its Legs); its problems go to ``problems``."""
    reader = BodyReader(body)
    symbol = reader.string("Symbol", required=True)
    side = reader.enum("Side", ORDER_SIDES, required=True)
    order_type = reader.enum("Type", ORDER_TYPES, required=True)
    quantity = reader.number("Quantity", required=True, minimum=0, exclusive_minimum=True)
    tif = reader.enum("TimeInforce", TIME_IN_FORCE, aliases=("TimeInForce",))
    price = reader.number("Price")
    stop_price = reader.number("StopPrice")
    client_id = reader.string("ClientId")
    comment = reader.string("Comment")
    extended = reader.string("ExtendedHours")
    if extended and extended not in EXTENDED_HOURS + EXTENDED_HOURS_OLDER:
        documented = ", ".join(EXTENDED_HOURS)
        reader.problems.append(("ExtendedHours", f"'{extended}' is not one of: {documented}."))
    exec_inst = reader.enum("ExecInst", EXEC_INST)
    if client_id is not None and len(client_id) > 128:
        reader.problems.append(("ClientId", "Must be at most 128 characters."))
    expire_date = reader.string("ExpireDate")
    if expire_date is not None and not _is_date_time(expire_date):
        reader.problems.append(("ExpireDate", "Must be a date-time such as 2027-01-15T23:59:59Z."))
    trail_type = reader.enum("TrailingStopAmountType", TRAILING_AMOUNT_TYPES)
    trail_amount = reader.number("TrailingStopAmount", minimum=0)
    trail_limit_type = reader.enum("TrailingLimitAmountType", TRAILING_AMOUNT_TYPES)
    trail_limit_amount = reader.number("TrailingLimitAmount", minimum=0)
    reader.integer("ParentId", minimum=1)
    # Legs: a bracket's orders (each a full order), else an option spread's contracts.
    bodies = reader.objects("Legs")
    bracket = order_type in BRACKET_TYPES
    legs = [_read_order(leg, f"{prefix}Legs[{i}].", problems) for i, leg in enumerate(bodies)] if bracket else []
    spread_legs = [] if bracket else [_leg(reader, i, leg) for i, leg in enumerate(bodies)]
    problems.extend((prefix + name, problem) for name, problem in reader.problems)
    if reader.problems or None in legs or None in spread_legs:
        return None
    assert symbol is not None and side is not None and order_type is not None
    assert quantity is not None
    return OrderRequest(
        symbol=symbol.strip(),
        side=side,
        type=order_type,
        quantity=quantity,
        time_in_force=tif or "Day",
        price=price,
        stop_price=stop_price,
        client_id=client_id or "",
        comment=comment or "",
        extended_hours=extended or "",
        exec_inst=exec_inst or "None",
        expire_date=expire_date or "",
        trail_type=trail_type or "",
        trail_amount=trail_amount,
        trail_limit_type=trail_limit_type or "",
        trail_limit_amount=trail_limit_amount,
        legs=tuple(leg for leg in legs if leg is not None),
        spread_legs=tuple(leg for leg in spread_legs if leg is not None),
    )


def _leg(reader: BodyReader, index: int, body: dict[str, Any]) -> LegRequest | None:
    """One of ``Legs`` (a CreateOrderResource of its own: Symbol, Side and Quantity needed);
    its problems are the order's, named ``Legs[i].Field``."""
    leg = BodyReader(body)
    symbol = leg.string("Symbol", required=True)
    side = leg.enum("Side", ORDER_SIDES, required=True)
    quantity = leg.number("Quantity", required=True, minimum=0, exclusive_minimum=True)
    leg.enum("Type", ORDER_TYPES)
    # the rest of a CreateOrderResource is not a leg's business, but must still be well formed
    leg.number("Price")
    leg.number("StopPrice")
    leg.enum("TimeInforce", TIME_IN_FORCE, aliases=("TimeInForce",))
    reader.problems += [(f"Legs[{index}].{name}", problem) for name, problem in leg.problems]
    if symbol is None or side is None or quantity is None:
        return None
    return LegRequest(symbol=symbol.strip(), side=side, quantity=quantity)


def _is_date_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


async def preview_order(call: ApiCall) -> Any:
    account = call.account(write=True)
    request = parse_order(await call.json_object())
    result = call.sb.engine.assess(account, call.user.id, request)
    quotes = [resources.quote_model(result.quote)] if result.quote else []
    total = result.cost + result.commission if request.is_buy else result.cost - result.commission
    preview: dict[str, Any] = {
        "IsSuccessful": result.ok,
        "Commission": result.commission,
        "Commissions": {"Commission": result.commission},
        "CommissionRates": {},
        "MinimumCommission": result.commission,
        "MaximumCommission": result.commission,
        "Cost": round(result.cost, 2),
        "NetCost": round(total, 2),
        "TotalCost": round(total, 2),
        "CurrencyRate": 1.0,
        "Quotes": quotes,
        "MarginChange": 0.0,
        "InitialMarginRate": 1.0,
        "MaintenanceMarginRate": 1.0,
        "MarginRate": 1.0,
        "ErrorDescriptionArgs": [],
    }
    if not result.ok:
        preview["ErrorDescription"] = result.error_code
        preview["ErrorDescriptionText"] = result.error_text
    return preview


async def place_order(call: ApiCall) -> Any:
    call.sb.state.stats.place_order_calls += 1
    account = call.account(write=True)
    request = parse_order(await call.json_object())
    order, _created = await call.sb.engine.place(account, call.user.id, request)
    if call.sb.faults.take_order_failure():
        # Fault injection: the order stands, the caller is told otherwise.
        return JSONResponse(SERVER_ERROR_BODY, status_code=500)
    return resources.order(order, call.sb.state)


def _order_in(call: ApiCall, account_id: int) -> Any:
    raw = call.path_param("orderId")
    if not raw.isdigit():
        raise invalid_parameter("orderId", f"The value '{raw}' is not valid.")
    order = call.sb.state.orders.get(int(raw))
    if order is None or order.account_id != account_id:
        raise not_found(f"Order {raw} was not found.")
    return order


async def get_order(call: ApiCall) -> Any:
    account = call.account()
    return resources.order(_order_in(call, account.id), call.sb.state)


async def cancel_order(call: ApiCall) -> Any:
    account = call.account(write=True)
    order = _order_in(call, account.id)
    if not order.is_open:
        raise conflict(f"Order {order.id} cannot be cancelled: it is {order.status}.")
    await call.sb.engine.cancel(order)
    return resources.order(order, call.sb.state)


def parse_change(body: dict[str, Any], order: Order) -> OrderRequest:
    """Validate a ModifyOrderResource for ``order`` (422 listing every problem): the order's
    terms with the ones the body states."""
    reader = BodyReader(body)
    order_id = reader.integer("Id", required=True, minimum=1, maximum=2_147_483_647)
    order_type = reader.enum("Type", ORDER_TYPES)
    quantity = reader.number("Quantity", minimum=0, exclusive_minimum=True)
    price = reader.number("Price")
    stop_price = reader.number("StopPrice")
    tif = reader.enum("TimeInForce", TIME_IN_FORCE, aliases=("TimeInforce",))
    client_id = reader.string("ClientId")
    if order_id is not None and order_id != order.id:
        reader.problems.append(("Id", f"Must be the order id of the path ({order.id})."))
    if quantity is not None and order.is_open and quantity <= order.executed_quantity:
        reader.problems.append(("Quantity", f"Must be more than the {order.executed_quantity:g} already filled."))
    if client_id is not None and len(client_id) > 128:
        reader.problems.append(("ClientId", "Must be at most 128 characters."))
    reader.raise_if_invalid()
    new_type = order_type or order.type
    return OrderRequest(
        symbol=order.symbol,
        side=order.side,
        type=new_type,
        quantity=quantity if quantity is not None else order.quantity,
        time_in_force=tif or order.time_in_force,
        price=(price if price is not None else order.price) if new_type in ("Limit", "StopLimit") else None,
        stop_price=(stop_price if stop_price is not None else order.stop_price)
        if new_type in ("Stop", "StopLimit")
        else None,
        client_id=client_id or order.client_id,
        comment=order.comment,
        extended_hours=order.extended_hours,
        exec_inst=order.exec_inst,
        expire_date=order.expire_date,
        trail_type=order.trail_type,
        trail_amount=order.trail_amount,
        trail_limit_type=order.trail_limit_type,
        trail_limit_amount=order.trail_limit_amount,
    )


async def preview_replace(call: ApiCall) -> Any:
    account = call.account(write=True)
    order = _order_in(call, account.id)
    request = parse_change(await call.json_object(), order)
    result = call.sb.engine.broker.assess_replace(account, call.user.id, order, request)
    total = result.cost + result.commission if request.is_buy else result.cost - result.commission
    preview: dict[str, Any] = {
        "OrderId": order.id,
        "IsSuccessful": result.ok and order.is_open,
        "Commission": result.commission,
        "Commissions": {"Commission": result.commission},
        "CommissionRates": {},
        "Cost": round(result.cost, 2),
        "NetCost": round(total, 2),
        "TotalCost": round(total, 2),
        "Quotes": [resources.quote_model(result.quote)] if result.quote else [],
        "ErrorDescriptionArgs": [],
    }
    if not order.is_open:
        preview["ErrorDescription"] = "OrderNotReplaceable"
        preview["ErrorDescriptionText"] = f"The order is {order.status} and can no longer be changed."
    elif not result.ok:
        preview["ErrorDescription"] = result.error_code
        preview["ErrorDescriptionText"] = result.error_text
    return preview


async def replace_order(call: ApiCall) -> Any:
    account = call.account(write=True)
    order = _order_in(call, account.id)
    request = parse_change(await call.json_object(), order)
    _, refusal = await call.sb.engine.replace(account, call.user.id, order, request)
    if refusal:
        raise conflict(refusal)
    if call.sb.faults.take_order_failure():
        # Fault injection: the order is replaced, the caller is told otherwise.
        return JSONResponse(SERVER_ERROR_BODY, status_code=500)
    return resources.order(order, call.sb.state)


async def order_details(call: ApiCall) -> Any:
    account = call.account()
    return resources.order_details(_order_in(call, account.id), call.sb.state)


async def order_limits(call: ApiCall) -> Any:
    """How many shares of the symbol the account can buy (buying power at the price) and sell
    (long shares not already being sold, then shorts on the buying power left)."""
    account = call.account()
    symbol = call.path_param("symbol")
    raw = call.query_str("price", required=False)
    try:
        price = float(raw) if raw else 0.0
    except ValueError:
        raise invalid_parameter("price", f"The value '{raw}' is not valid.") from None
    if not price >= 0:
        raise invalid_parameter("price", "Must be at least 0.")
    security = call.sb.state.security(symbol)
    if security is None or not symbol.strip():
        raise validation_failed([("symbol", f"Symbol {symbol} was not found.")])
    limits = call.sb.engine.broker.limits(account, security.id, price)
    return resources.order_limits(account.id, security.symbol, *limits)


async def list_orders(call: ApiCall) -> Any:
    account = call.account()
    page_number = call.query_int("pageNumber", required=True)
    page_size = call.query_int("pageSize", required=True, minimum=1)
    sort_field = call.query_str("sortField", required=False, default="Id")
    desc = call.query_bool("desc", required=False)
    state = call.sb.state
    items = [resources.order(o, state) for o in state.orders.values() if o.account_id == account.id]
    filter_text = call.query_str("filter", required=False)
    if filter_text:
        predicate = parse_filter(filter_text)
        items = [item for item in items if predicate(item)]
    items = sort_items(items, sort_field, desc)
    chunk, result = page(call.request, items, page_number, page_size)
    result["Result"] = chunk
    return result


ENDPOINTS = (
    Endpoint(
        "POST", "/accounts/{accountId}/preview/orders", preview_order, bucket="orders", per_account=True
    ),
    Endpoint("POST", "/accounts/{accountId}/orders", place_order, bucket="orders", per_account=True),
    Endpoint("GET", "/accounts/{accountId}/orders", list_orders, bucket="order_queries"),
    Endpoint("GET", "/accounts/{accountId}/orders/{orderId}", get_order, bucket="order_queries"),
    Endpoint(
        "GET", "/accounts/{accountId}/orders/{orderId}/details", order_details, bucket="order_queries"
    ),
    Endpoint("GET", "/accounts/{accountId}/preview/limits/{symbol}", order_limits, bucket="order_queries"),
    Endpoint(
        "DELETE", "/accounts/{accountId}/orders/{orderId}", cancel_order, bucket="orders", per_account=True
    ),
    Endpoint(
        "PUT",
        "/accounts/{accountId}/preview/orders/{orderId}",
        preview_replace,
        bucket="orders",
        per_account=True,
    ),
    Endpoint("PUT", "/accounts/{accountId}/orders/{orderId}", replace_order, bucket="orders", per_account=True),
)

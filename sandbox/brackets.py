"""Brackets: an entry whose fill triggers its exits. ``OneTriggerOther`` has one exit;
``OneTriggerOneCancelOther`` two, and the first of them to fill cancels the other.

AutoShares takes a bracket as one CreateOrderResource whose Type is the bracket's and whose
``Legs`` are its orders, the entry first. The sandbox books the parent (no fills of its own),
the entry (working at once) and the exits (``Held`` until the entry fills); every leg names the
parent in ``ParentId`` and the parent lists its legs. The parent shows the entry's executed
quantity and average price; it is ``Filled`` once an exit fills, and ``Canceled`` when it is
cancelled (which cancels every leg still open), when the entry ends without a fill, or when
every exit ended without one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandbox.api.enums import BRACKET_TYPES
from sandbox.state import Account, Order, utc_now
from sandbox.tickets import Assessment, Event, OrderRequest, reject

#: ``sandbox.trading`` imports this module, so its ``Broker`` is named ``Any`` here.
Broker = Any

#: The side that closes what the entry opens.
EXIT_SIDES = {"Buy": "Sell", "Sell": "Buy", "SellShort": "BuyToCover", "BuyToCover": "SellShort"}
EXIT_TYPES = ("Limit", "Stop", "StopLimit", "TrailingStop", "TrailingStopLimit")
#: Legs a bracket type takes: the entry and its exits.
LEG_COUNTS = {"OneTriggerOther": 2, "OneTriggerOneCancelOther": 3}


def assess(broker: Broker, account: Account, user_id: int, request: OrderRequest) -> Assessment:
    """The entry's assessment (its cost is the bracket's), then the exits' shape and prices."""
    legs = request.legs
    if len(legs) != LEG_COUNTS[request.type]:
        detail = f"{request.type} takes {LEG_COUNTS[request.type]} Legs, the entry first, not {len(legs)}"
        return reject(Assessment(None, None), "InvalidOrderType", detail=detail)
    entry, exits = legs[0], legs[1:]
    if entry.type in BRACKET_TYPES or entry.is_cash_amount:
        return reject(Assessment(None, None), "InvalidOrderType", detail="the entry must be a single order")
    result = broker.assess(account, user_id, entry)
    if not result.ok or result.quote is None:
        return result
    for leg in exits:
        problem = _exit_problem(entry, leg)
        if problem:
            return reject(result, "InvalidOrderType", detail=problem)
        price_problem = broker.price_problem(leg, result.quote)
        if price_problem:
            return reject(result, "QuotePriceIsInvalid", detail=price_problem)
    return result


def _exit_problem(entry: OrderRequest, leg: OrderRequest) -> str:
    if leg.symbol.strip().upper() != entry.symbol.strip().upper():
        return "every leg must trade the entry's symbol"
    if leg.side != EXIT_SIDES[entry.side]:
        return f"an exit of a {entry.side} entry must {EXIT_SIDES[entry.side]}"
    if leg.type not in EXIT_TYPES:
        return f"an exit must be one of {', '.join(EXIT_TYPES)}"
    if abs(leg.quantity - entry.quantity) > 1e-9:
        return "every exit must have the entry's quantity"
    return ""


def place(
    broker: Broker, account: Account, user_id: int, request: OrderRequest, assessment: Assessment
) -> tuple[Order, list[Event]]:
    """Book the parent and, when accepted, its legs; the entry is evaluated at once."""
    parent = broker.book(account, user_id, replace(request, price=None, stop_price=None), assessment)
    if request.client_id:
        broker.client_ids[(account.id, request.client_id)] = parent.id
    if not assessment.ok:
        return parent, [Event("order.rejected", account.id, replace(parent))]
    legs = [broker.book(account, user_id, leg, assessment, parent_id=parent.id) for leg in request.legs]
    for leg in legs[1:]:
        leg.status = "Held"
    parent.leg_ids = [leg.id for leg in legs]
    events = [Event("order.created", account.id, replace(parent))]
    events += [Event("order.created", account.id, replace(leg)) for leg in legs]
    return parent, events + broker.evaluate(legs[0], placement=True)


def _legs(broker: Broker, order: Order) -> tuple[Order | None, list[Order]]:
    """The bracket ``order`` belongs to (itself when it is one) and its legs."""
    parent = order if order.leg_ids else broker.state.orders.get(order.parent_id or -1)
    if parent is None:
        return None, []
    return parent, [broker.state.orders[i] for i in parent.leg_ids]


def _end(order: Order, status: str) -> Event:
    order.status = status
    order.modified = utc_now()
    if status == "Canceled":
        order.canceled_at = order.modified
    elif status == "Filled":
        order.request_status = "Complete"
    event = "order.filled" if status == "Filled" else "order.cancelled"
    return Event(event, order.account_id, replace(order))


def after_fill(broker: Broker, order: Order) -> list[Event]:
    """A leg filled: the entry's fill releases the exits; an exit's fill cancels the other
    exit and fills the bracket."""
    parent, legs = _legs(broker, order)
    if parent is None or parent is order or not parent.is_open:
        return []
    entry, exits = legs[0], legs[1:]
    if order is entry:
        parent.executed_quantity = entry.executed_quantity
        parent.average_price = entry.average_price
        parent.last_price, parent.last_quantity = entry.last_price, entry.last_quantity
        parent.modified = utc_now()
        if entry.status != "Filled":
            return []
        events: list[Event] = []
        for leg in exits:
            leg.status = "New"
            leg.modified = utc_now()
            if leg.trail_type:  # a trailing exit follows the price from now on
                leg.trail_extreme = broker.market.quote(leg.security_id).last
            events += broker.evaluate(leg)
        return events
    if order.status != "Filled":
        return []
    events = [_end(leg, "Canceled") for leg in exits if leg is not order and leg.is_open]
    return [*events, _end(parent, "Filled")]


def after_cancel(broker: Broker, order: Order) -> list[Event]:
    """A bracket, or one of its legs, ended without filling: cancel what it leaves pointless."""
    parent, legs = _legs(broker, order)
    if parent is None:
        return []
    if parent is order or (order is legs[0] and not order.executed_quantity):
        events = [_end(leg, "Canceled") for leg in legs if leg.is_open]
        return events + ([_end(parent, "Canceled")] if parent.is_open else [])
    if parent.is_open and not any(leg.is_open for leg in legs[1:]) and not legs[0].is_open:
        return [_end(parent, "Canceled")]
    return []

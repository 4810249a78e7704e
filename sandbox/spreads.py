"""Option spreads: an order whose ``Legs`` buy one contract and sell another of the same
underlying (the order's ``Symbol``), for the order's quantity each.

The order's ``Side`` says what the spread does with money: Buy pays a net debit, Sell receives a
net credit; its ``Price`` is that net amount per share. A Limit spread fills once the legs' last
prices make the net debit at most the limit (or the net credit at least the limit), at that net;
a Market spread fills at once at the bought legs' asks less the sold legs' bids. A fill moves the
cash by the net × quantity × contract size and each leg's position at its own last price.

Checks, first failing wins: SymbolNotFound (the underlying or a leg's contract), InvalidOrderType
(not two legs, one Buy and one Sell, of the order's quantity, on the order's underlying; not
Market or Limit; GoodTillCancel at Market), MarketClosed, AccountRestricted,
QuotePriceIsInvalid (a Limit without a positive price), DayTradingBuyingPowerExceeded (a debit's
cost, or a credit spread's strike width, over the buying power).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandbox.options import CONTRACT_SIZE
from sandbox.securities import Security
from sandbox.state import Account, Order, OrderLeg, Position, SandboxState, utc_now

SPREAD_TYPES = ("Market", "Limit")
#: Sides that pay for what they get (``sandbox.tickets.BUY_SIDES``).
DEBIT_SIDES = frozenset({"Buy", "BuyToCover"})

#: ``sandbox.trading`` imports this module, so its types are named ``Any`` here: ``broker`` is
#: the ``Broker``, ``request`` an ``OrderRequest`` with ``spread_legs``, ``result`` an ``Assessment``.
Broker = Any


def order_legs(state: SandboxState, request: Any) -> list[OrderLeg]:
    """The legs an order keeps (only contracts the sandbox lists)."""
    legs = []
    for leg in request.spread_legs:
        security = state.security(leg.symbol)
        if security is not None:
            legs.append(OrderLeg(state.next_id("order"), security.id, security.symbol, leg.side, leg.quantity))
    return legs


def _leg_problem(broker: Broker, underlying: Security, request: Any) -> tuple[str, str]:
    """(rejection code, detail) for legs that do not make a spread, or ("", "")."""
    sides = sorted(leg.side for leg in request.spread_legs)
    for leg in request.spread_legs:
        security = broker.state.security(leg.symbol)
        terms = broker.market.options.get(security.id) if security is not None else None
        if security is None or terms is None:
            return "SymbolNotFound", leg.symbol
        if terms.underlying_id != underlying.id:
            return "InvalidOrderType", f"leg {leg.symbol} is not an option on {underlying.symbol}"
        if abs(leg.quantity - request.quantity) > 1e-9:
            return "InvalidOrderType", "each leg must be for the order's quantity"
    if sides != ["Buy", "Sell"]:
        return "InvalidOrderType", "a spread needs two legs, one Buy and one Sell"
    if request.type not in SPREAD_TYPES:
        return "InvalidOrderType", f"a spread is a Market or Limit order, not {request.type}"
    if request.type == "Market" and request.time_in_force == "GoodTillCancel":
        return "InvalidOrderType", "a Market order cannot be GoodTillCancel"
    return "", ""


def _net(broker: Broker, legs: list[tuple[Security, str]], *, market: bool) -> float:
    """Net debit per share (negative: a credit): bought legs less sold legs, at last prices, or
    at the asks and bids a market order pays and receives."""
    total = 0.0
    for security, side in legs:
        quote = broker.market.quote(security.id)
        if side == "Buy":
            total += quote.ask if market else quote.last
        else:
            total -= quote.bid if market else quote.last
    return round(total, 4)


def _width(broker: Broker, request: Any) -> float:
    strikes = []
    for leg in request.spread_legs:
        security = broker.state.security(leg.symbol)
        terms = broker.market.options.get(security.id) if security is not None else None
        strikes.append(terms.strike if terms is not None else 0.0)
    return max(strikes) - min(strikes) if strikes else 0.0


def check(broker: Broker, account: Account, user_id: int, request: Any, result: Any) -> tuple[str, dict[str, str]]:
    """Price a spread into ``result`` (its estimated price, cost and commission) and find the
    first rejection (see the module docstring): its code and details, or ("", {})."""
    if result.security is None or result.security.type == "Option":
        return "SymbolNotFound", {"symbol": request.symbol}
    code, detail = _leg_problem(broker, result.security, request)
    if code == "SymbolNotFound":
        return code, {"symbol": detail}
    legs = [(broker.state.security(leg.symbol), leg.side) for leg in request.spread_legs]
    net = _net(broker, [(s, side) for s, side in legs if s is not None], market=True) if not code else 0.0
    result.estimated_price = request.price if request.type == "Limit" and request.price else abs(net)
    result.cost = round(request.quantity * result.estimated_price * CONTRACT_SIZE, 4)
    result.commission = broker.config.commission
    if code:
        return code, {"detail": detail}
    if not broker.clock.is_open():
        return "MarketClosed", {}
    if any(not a.can_skip for a in broker.state.unsigned_agreements(user_id)):
        return "AccountRestricted", {}
    if request.type == "Limit" and (request.price is None or request.price <= 0):
        return "QuotePriceIsInvalid", {"detail": "Price must be a positive number for a Limit order"}
    debit = request.side in DEBIT_SIDES
    needed = result.cost if debit else request.quantity * _width(broker, request) * CONTRACT_SIZE
    needed += result.commission
    buying_power = broker.balances(account).buying_power
    if needed > buying_power + 1e-9:
        return "DayTradingBuyingPowerExceeded", {"detail": f"{needed:.2f} needed, {buying_power:.2f} available"}
    return "", {}


def _order_leg_securities(broker: Broker, order: Order) -> list[tuple[Security, str]]:
    return [(broker.state.securities[leg.security_id], leg.side) for leg in order.spread_legs]


def fill_price(broker: Broker, order: Order) -> float | None:
    """The net price a spread fills at now, or None while its limit is not reached."""
    legs = _order_leg_securities(broker, order)
    debit = order.side in DEBIT_SIDES
    if order.type == "Market":
        return abs(_net(broker, legs, market=True))
    net = _net(broker, legs, market=False)
    limit = order.price or 0.0
    if debit and net <= limit:
        return max(min(limit, net), 0.0)
    if not debit and -net >= limit:
        return max(limit, -net)
    return None


def fill(broker: Broker, order: Order, quantity: float, price: float) -> list[Position]:
    """Fill ``quantity`` spreads at the net ``price``: cash by the net, each leg's position at
    its last price; the positions as they are after it."""
    account = broker.state.accounts[order.account_id]
    debit = order.side in DEBIT_SIDES
    account.cash += (-1 if debit else 1) * quantity * price * CONTRACT_SIZE
    if order.executed_quantity == 0 and broker.config.commission:
        account.cash -= broker.config.commission
        order.commission = broker.config.commission
    positions = []
    for security, side in _order_leg_securities(broker, order):
        last = broker.market.quote(security.id).last
        delta = quantity if side == "Buy" else -quantity
        positions.append(replace(broker.move_position(account, order, delta, last, security=security)))
    executed = order.executed_quantity + quantity
    order.average_price = (order.average_price * order.executed_quantity + price * quantity) / executed
    order.executed_quantity = executed
    order.last_price = price
    order.last_quantity = quantity
    order.modified = utc_now()
    order.status = "Filled" if executed >= order.quantity - 1e-9 else "PartiallyFilled"
    if order.status == "Filled":
        order.request_status = "Complete"
    return positions

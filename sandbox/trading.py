"""Order rules: checks, preview figures, placement, fills, cancellation. No I/O.

Positions are net per security (Buy/BuyToCover add, Sell/SellShort subtract). Prices:
- Market: buys fill at the ask, sells at the bid, as soon as the market is open.
- Limit: a buy fills once Last <= limit (at min(limit, Last)); a sell once Last >= limit
  (at max(limit, Last)).
- Stop: triggers when Last crosses the stop (buy: Last >= stop, sell: Last <= stop), then fills
  like a market order. StopLimit: same trigger, then behaves as a limit order.
- TrailingStop: the stop follows the best Last since placement (a sell's highest, a buy's
  lowest) at TrailingStopAmount dollars (``Absolute``) or percent (``Persentage``), and StopPrice
  shows where it is now; once crossed it fills like a market order. TrailingStopLimit: then a
  limit TrailingLimitAmount past the stop.
- ExecInst CashAmountOrder: the Quantity is dollars; a market order filling
  Quantity / price shares (to 6 places) at once. AllOrNone: fills only when all of it can.
- GoodTillDate: needs an ExpireDate in the future; expires once it passes.
- Brackets (OneTriggerOther, OneTriggerOneCancelOther): see ``sandbox.brackets``.
- Option spreads (a Market or Limit order whose ``Legs`` are contracts): see ``sandbox.spreads``.
Orders are evaluated at placement and on every price move of their security, while the market
is open. One evaluation fills at most ``config.fill_liquidity`` shares, so a bigger order fills
in parts (PartiallyFilled, then Filled). ImmediateOrCancel cancels what did not fill at once;
FillOrKill fills entirely at once or is cancelled.

Rejections (the order is stored with Status Rejected; preview answers IsSuccessful=false), first
failing check wins: SymbolNotFound, InvalidOrderType (unsupported type, a mutual fund (see
``sandbox.funds``), Market with
GoodTillCancel, ExtendedHours on anything but a Limit order), MarketClosed, AccountRestricted (unsigned agreements),
QuotePriceIsInvalid (missing/non-positive limit or stop price, or more than 50 % away from
Last), InsufficientShares (selling/covering more than held, net of open orders),
DayTradingBuyingPowerExceeded (buying power below cost + commission).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sandbox import brackets, spreads
from sandbox.api.enums import BRACKET_TYPES, SUPPORTED_ORDER_TYPES
from sandbox.clock import MarketClock
from sandbox.config import SandboxConfig
from sandbox.market import Market, Quote
from sandbox.options import CONTRACT_SIZE
from sandbox.securities import Security
from sandbox.state import Account, Execution, LedgerEntry, Order, Position, SandboxState, utc_now
from sandbox.tickets import BUY_SIDES, Assessment, Event, OrderRequest, reject

#: OrderResource.Type of a mutual fund order: filled at the next close by ``sandbox.funds``,
#: never by a price move.
FUND_ORDER_TYPE = "MutualFundsExchange"
PRICE_COLLAR = 0.5


@dataclass
class Balances:
    cash: float
    long_value: float
    short_value: float
    reserved: float
    open_pl: float

    @property
    def equity(self) -> float:
        return self.cash + self.long_value - self.short_value

    @property
    def buying_power(self) -> float:
        return max(self.cash - self.short_value - self.reserved, 0.0)

    def as_map(self, account: Account, pending_orders: int) -> dict[str, float]:
        """The flat name -> number map of GET /accounts/{id}/info."""
        return {
            "Cash": round(self.cash, 2),
            "NetCash": round(self.cash, 2),
            "BuyingPower": round(self.buying_power, 2),
            "DayTradingBuyingPower": round(self.buying_power, 2),
            "AvailableToWithdraw": round(max(self.cash - self.reserved, 0.0), 2),
            "Equity": round(self.equity, 2),
            "EquityTotal": round(self.equity, 2),
            "NetLiquidity": round(self.equity, 2),
            "MarketValue": round(self.long_value - self.short_value, 2),
            "LongMarketValue": round(self.long_value, 2),
            "ShortMarketValue": round(self.short_value, 2),
            "OpenPL": round(self.open_pl, 2),
            "RealizedPL": round(account.realized_pl, 2),
            "PendingOrdersValue": round(self.reserved, 2),
            "PendingOrdersCount": float(pending_orders),
        }


class Broker:
    """Applies the order rules to the state, using the market's quotes and the clock."""

    def __init__(
        self, state: SandboxState, market: Market, clock: MarketClock, config: SandboxConfig
    ) -> None:
        self.state = state
        self.market = market
        self.clock = clock
        self.config = config
        #: (account id, ClientId) -> order id, for idempotent placement
        self.client_ids: dict[tuple[int, str], int] = {}

    # -- balances ------------------------------------------------------------------------------
    def open_orders(self, account_id: int, security_id: int | None = None, *, skip: int = 0) -> list[Order]:
        """Open orders of an account (of one security); ``skip``: an order being replaced,
        whose reservation its new terms take over."""
        return [
            o
            for o in self.state.orders.values()
            if o.account_id == account_id
            and o.is_open
            and o.id != skip
            and (security_id is None or o.security_id == security_id)
        ]

    def _reference_price(self, order: Order | OrderRequest, quote: Quote) -> float:
        if order.type in ("Limit", "StopLimit") and order.price:
            return order.price
        if order.type == "Stop" and order.stop_price:
            return order.stop_price
        buy = order.side in BUY_SIDES
        return quote.ask if buy else quote.bid

    def size(self, security_id: int) -> float:
        """Shares one unit of a security stands for (100 for an option contract)."""
        security = self.state.securities.get(security_id)
        return security.contract_size if security is not None else 1.0

    def balances(self, account: Account, *, skip: int = 0) -> Balances:
        long_value = short_value = open_pl = 0.0
        for pos in account.positions.values():
            last = self.market.quote(pos.security_id).last
            size = self.size(pos.security_id)
            if pos.quantity >= 0:
                long_value += pos.quantity * last * size
            else:
                short_value += -pos.quantity * last * size
            open_pl += pos.quantity * (last - pos.average_price) * size
        reserved = 0.0
        for order in self.open_orders(account.id, skip=skip):
            if order.type == FUND_ORDER_TYPE:
                # a fund buy by amount holds its dollars; by shares, shares at the fund's price
                dollars = order.quantity_qualifier != "Shares"
                price = 1.0 if dollars else self.market.quote(order.security_id).last
                reserved += order.leaves_quantity * price if order.side == "Buy" else 0.0
            elif order.is_cash_amount and order.side == "Buy":
                reserved += order.leaves_quantity
            elif order.type in BRACKET_TYPES or order.is_cash_amount:
                continue  # a bracket's parent: its legs reserve what they need
            elif order.side in ("Buy", "BuyToCover", "SellShort"):
                quote = self.market.quote(order.security_id)
                size = CONTRACT_SIZE if order.spread_legs else self.size(order.security_id)
                reserved += order.leaves_quantity * self._reference_price(order, quote) * size
        return Balances(account.cash, long_value, short_value, reserved, open_pl)

    def limits(self, account: Account, security_id: int, price: float) -> tuple[float, float, float, float]:
        """OrderLimits' figures: the buy and sell prices (``price``, else the ask and the bid),
        the shares the buying power buys, and the shares that can be sold: long shares not
        already being sold, then a short on the buying power left."""
        quote = self.market.quote(security_id)
        buy_price, sell_price = price or quote.ask, price or quote.bid
        power = max(self.balances(account).buying_power - self.config.commission, 0.0)
        buy_limit = math.floor(power / buy_price) if buy_price > 0 else 0
        short_room = math.floor(power / sell_price) if sell_price > 0 else 0
        held = max(self._coverable(account, security_id, "Sell"), 0.0)
        return buy_price, sell_price, float(buy_limit), held + short_room

    # -- checks --------------------------------------------------------------------------------
    def assess(
        self, account: Account, user_id: int, request: OrderRequest, *, replacing: int = 0
    ) -> Assessment:
        """The checks and figures of an order; ``replacing``: the id of the order these are
        new terms for (its own reservation and shares do not count against them)."""
        if request.type in BRACKET_TYPES:
            return brackets.assess(self, account, user_id, request)
        if request.spread_legs:
            underlying = self.state.security(request.symbol)
            result = Assessment(underlying, self.market.quote(underlying.id) if underlying else None)
            code, details = spreads.check(self, account, user_id, request, result)
            return reject(result, code, **details) if code else result
        return self._assess_one(account, user_id, request, replacing=replacing)

    def _kind_problem(self, request: OrderRequest) -> str:
        """What is wrong with a trailing stop's distances, a dollar amount or an expiry."""
        if request.type in ("TrailingStop", "TrailingStopLimit"):
            if not request.trail_type or not request.trail_amount or request.trail_amount <= 0:
                return "a trailing stop needs TrailingStopAmountType and a positive TrailingStopAmount"
            if request.trail_type == "Persentage" and request.trail_amount >= 100:
                return "a trailing percentage must be below 100"
            if request.type == "TrailingStopLimit" and (
                not request.trail_limit_type or request.trail_limit_amount is None or request.trail_limit_amount < 0
            ):
                return "a TrailingStopLimit needs TrailingLimitAmountType and TrailingLimitAmount"
        if request.is_cash_amount and request.type != "Market":
            return "a CashAmountOrder must be a Market order"
        if request.is_cash_amount and request.side not in ("Buy", "Sell"):
            return "a CashAmountOrder must Buy or Sell"
        if request.time_in_force == "GoodTillDate":
            expires = _moment(request.expire_date)
            if expires is None:
                return "a GoodTillDate order needs an ExpireDate"
            if expires <= self.clock.now():
                return "the ExpireDate has passed"
        return ""

    def _assess_one(
        self, account: Account, user_id: int, request: OrderRequest, *, replacing: int = 0
    ) -> Assessment:
        security = self.state.security(request.symbol)
        if security is None or not request.symbol.strip() or request.symbol.strip().isdigit():
            return reject(Assessment(None, None), "SymbolNotFound", symbol=request.symbol)
        quote = self.market.quote(security.id)
        result = Assessment(security, quote)
        result.estimated_price = self._reference_price(request, quote)
        result.cost = round(request.quantity * result.estimated_price * security.contract_size, 4)
        if request.is_cash_amount:
            result.cost = round(request.quantity, 4)
        result.commission = self.config.commission
        if request.type not in SUPPORTED_ORDER_TYPES:
            return reject(result, "InvalidOrderType", detail=f"{request.type} is not supported")
        if security.type == "MutualFund":
            detail = f"{security.symbol} is a mutual fund, traded at the mutual fund endpoints"
            return reject(result, "InvalidOrderType", detail=detail)
        if request.type == "Market" and request.time_in_force == "GoodTillCancel":
            return reject(result, "InvalidOrderType", detail="a Market order cannot be GoodTillCancel")
        if request.extended_hours and request.type != "Limit":
            return reject(result, "InvalidOrderType", detail="extended-hours orders must be Limit orders")
        kind_problem = self._kind_problem(request)
        if kind_problem:
            return reject(result, "InvalidOrderType", detail=kind_problem)
        if not self.clock.is_open():
            return reject(result, "MarketClosed")
        if any(not a.can_skip for a in self.state.unsigned_agreements(user_id)):
            return reject(result, "AccountRestricted")
        problem = self.price_problem(request, quote, collar=security.type != "Option")
        if problem:
            return reject(result, "QuotePriceIsInvalid", detail=problem)
        if quote.last <= 0 or quote.bid <= 0 or quote.ask <= 0:
            return reject(result, "QuotePriceIsInvalid", detail="the quote has no valid price")
        if request.side in ("Sell", "BuyToCover"):
            available = self._coverable(account, security.id, request.side, skip=replacing)
            shares = request.quantity / quote.bid if request.is_cash_amount else request.quantity
            if shares > available + 1e-9:
                return reject(
                    result,
                    "InsufficientShares",
                    detail=f"{shares:g} requested, {available:g} available",
                )
        if request.side in ("Buy", "SellShort"):
            buying_power = self.balances(account, skip=replacing).buying_power
            needed = result.cost + result.commission
            if needed > buying_power + 1e-9:
                return reject(
                    result,
                    "DayTradingBuyingPowerExceeded",
                    detail=f"{needed:.2f} needed, {buying_power:.2f} available",
                )
        return result

    @staticmethod
    def price_problem(request: OrderRequest, quote: Quote, *, collar: bool = True) -> str:
        checks: list[tuple[str, float | None]] = []
        if request.type in ("Limit", "StopLimit"):
            checks.append(("Price", request.price))
        if request.type in ("Stop", "StopLimit"):
            checks.append(("StopPrice", request.stop_price))
        for name, value in checks:
            if value is None or value <= 0:
                return f"{name} must be a positive number for a {request.type} order"
            if collar and abs(value - quote.last) > PRICE_COLLAR * quote.last:
                return f"{name} {value:g} is more than 50% away from the last price {quote.last:g}"
        return ""

    def _coverable(self, account: Account, security_id: int, side: str, *, skip: int = 0) -> float:
        """Shares a Sell (long) or BuyToCover (short) may still use, net of open orders."""
        position = account.positions.get(security_id)
        held = position.quantity if position else 0.0
        pending = sum(
            o.leaves_quantity
            for o in self.open_orders(account.id, security_id, skip=skip)
            if o.side == side and o.status != "Held"  # a bracket's exits wait for their entry
        )
        if side == "Sell":
            return max(held, 0.0) - pending
        return max(-held, 0.0) - pending

    # -- placement -----------------------------------------------------------------------------
    def existing(self, account_id: int, client_id: str) -> Order | None:
        order_id = self.client_ids.get((account_id, client_id)) if client_id else None
        return self.state.orders.get(order_id) if order_id is not None else None

    def place(self, account: Account, user_id: int, request: OrderRequest) -> tuple[Order, list[Event]]:
        """Create the order (accepted or rejected) and try to fill it at once."""
        assessment = self.assess(account, user_id, request)
        if request.type in BRACKET_TYPES:
            return brackets.place(self, account, user_id, request, assessment)
        order = self.book(account, user_id, request, assessment)
        if request.client_id:
            self.client_ids[(account.id, request.client_id)] = order.id
        if not assessment.ok:
            return order, [Event("order.rejected", account.id, replace(order))]
        events = [Event("order.created", account.id, replace(order))]
        events += self.evaluate(order, placement=True)
        return order, events

    def book(
        self, account: Account, user_id: int, request: OrderRequest, assessment: Assessment, **extra: Any
    ) -> Order:
        """Store the order as assessed (rejected when the assessment failed)."""
        security = assessment.security
        order = Order(
            id=self.state.next_id("order"),
            account_id=account.id,
            user_id=user_id,
            security_id=security.id if security else 0,
            symbol=security.symbol if security else request.symbol.upper(),
            side=request.side,
            type=request.type,
            quantity=request.quantity,
            time_in_force=request.time_in_force,
            price=request.price,
            stop_price=request.stop_price,
            client_id=request.client_id,
            comment=request.comment,
            extended_hours=request.extended_hours,
            exec_inst=request.exec_inst,
            spread_legs=spreads.order_legs(self.state, request),
            expire_date=request.expire_date,
            trail_type=request.trail_type,
            trail_amount=request.trail_amount,
            trail_limit_type=request.trail_limit_type,
            trail_limit_amount=request.trail_limit_amount,
            **extra,
        )
        self.state.orders[order.id] = order
        self.state.stats.orders_placed += 1
        if not assessment.ok:
            order.status = "Rejected"
            order.request_status = "Rejected"
            order.reject_code = assessment.error_code
            order.reject_text = assessment.error_text
        elif assessment.quote is not None and order.trail_type:
            order.trail_extreme = assessment.quote.last
            order.stop_price = _trailing_stop(order)
        return order

    def assess_replace(self, account: Account, user_id: int, order: Order, request: OrderRequest) -> Assessment:
        """The checks of new terms for ``order``: a bracket, its legs, a spread and a dollar
        amount are refused (InvalidOrderType), since a ModifyOrderResource carries no Legs and
        no ExecInst; anything else is assessed as a new order would be."""
        if order.leg_ids or order.parent_id is not None or order.spread_legs or order.is_cash_amount:
            detail = "a bracket, a leg of one, a spread or a dollar amount cannot be replaced; cancel it instead"
            return reject(Assessment(None, None), "InvalidOrderType", detail=detail)
        return self.assess(account, user_id, request, replacing=order.id)

    def replace(self, account: Account, user_id: int, order: Order, request: OrderRequest) -> Assessment:
        """Give a working order new terms (type, quantity, prices, time in force, ClientId),
        keeping its id, when they pass the same checks as a new order; the caller answers 409
        for a finished order or terms that fail (the assessment says why)."""
        assessment = self.assess_replace(account, user_id, order, request)
        if not order.is_open or not assessment.ok:
            return assessment
        # The order's earlier ClientId still names it: a placement sent again finds it.
        if request.client_id:
            self.client_ids[(account.id, request.client_id)] = order.id
        stop_moved = (request.type, request.stop_price) != (order.type, order.stop_price)
        order.type, order.quantity = request.type, request.quantity
        order.price, order.stop_price = request.price, request.stop_price
        order.time_in_force, order.client_id = request.time_in_force, request.client_id
        order.stop_triggered = order.stop_triggered and not stop_moved
        order.modified = utc_now()
        return assessment

    def cancel(self, order: Order) -> list[Event]:
        """Cancel an open order; the caller answers 409 for a finished one. Cancelling a
        bracket, or its entry, cancels its legs."""
        if not order.is_open:
            raise ValueError(f"order {order.id} is already {order.status}")
        order.status = "Canceled"
        order.modified = order.canceled_at = utc_now()
        events = [Event("order.cancelled", order.account_id, replace(order))]
        return events + brackets.after_cancel(self, order)

    # -- fills ---------------------------------------------------------------------------------
    def on_price_move(self, security_ids: list[int]) -> list[Event]:
        """Evaluate the open orders of the securities that moved (and of the options on them),
        oldest first."""
        wanted = set(security_ids) | set(self.market.dependents(security_ids))
        events: list[Event] = []
        for order in sorted(self.state.orders.values(), key=lambda o: o.id):
            if order.is_open and order.security_id in wanted and order.type != FUND_ORDER_TYPE:
                events += self.evaluate(order)
        return events

    def evaluate(self, order: Order, *, placement: bool = False) -> list[Event]:
        if not order.is_open or order.status == "Held" or order.type in BRACKET_TYPES:
            return []
        expires = _moment(order.expire_date) if order.time_in_force == "GoodTillDate" else None
        if expires is not None and self.clock.now() >= expires:
            order.status = "Expired"
            order.modified = utc_now()
            return [Event("order.cancelled", order.account_id, replace(order)), *brackets.after_cancel(self, order)]
        if not self.clock.is_open():
            return []
        quote = self.market.quote(order.security_id)
        price = spreads.fill_price(self, order) if order.spread_legs else self._fill_price(order, quote)
        events: list[Event] = []
        if price is not None:
            quantity = min(order.leaves_quantity, self.config.fill_liquidity)
            if order.is_cash_amount:
                quantity = math.floor(order.quantity / price * 1e6) / 1e6
            whole = order.time_in_force == "FillOrKill" or order.exec_inst == "AllOrNone"
            if whole and quantity < order.leaves_quantity:
                quantity = 0.0
            if quantity > 0:
                if order.spread_legs:
                    positions = spreads.fill(self, order, quantity, price)
                    kind = "order.filled" if order.status == "Filled" else "order.partial_fill"
                    events.append(Event(kind, order.account_id, replace(order), price=price, positions=positions))
                else:
                    events.append(self._fill(order, quantity, price))
                    events += brackets.after_fill(self, order)
        if placement and order.is_open and order.time_in_force in ("ImmediateOrCancel", "FillOrKill"):
            events += self.cancel(order)
        return events

    def _fill_price(self, order: Order, quote: Quote) -> float | None:
        buy = order.side in BUY_SIDES
        if order.trail_type and not order.stop_triggered:
            best = max if not buy else min
            order.trail_extreme = best(order.trail_extreme or quote.last, quote.last)
            order.stop_price = _trailing_stop(order)
            if order.type == "TrailingStopLimit":
                offset = order.trail_limit_amount or 0.0
                order.price = round(order.stop_price + offset if buy else order.stop_price - offset, 2)
        if order.type in ("Stop", "StopLimit", "TrailingStop", "TrailingStopLimit") and not order.stop_triggered:
            stop = order.stop_price or 0.0
            if (buy and quote.last >= stop) or (not buy and quote.last <= stop):
                order.stop_triggered = True
            else:
                return None
        if order.type in ("Market", "Stop", "TrailingStop"):
            return quote.ask if buy else quote.bid
        limit = order.price or 0.0
        if buy and quote.last <= limit:
            return min(limit, quote.last)
        if not buy and quote.last >= limit:
            return max(limit, quote.last)
        return None

    def _fill(self, order: Order, quantity: float, price: float) -> Event:
        account = self.state.accounts[order.account_id]
        buy = order.side in BUY_SIDES
        size = self.size(order.security_id)
        cash_delta = -quantity * price * size if buy else quantity * price * size
        account.cash += cash_delta
        held = account.positions.get(order.security_id)
        held_before = held.quantity if held is not None else 0.0
        verb = "Bought" if buy else "Sold"
        self.state.record_transaction(
            account.id,
            "OrderExecution",
            cash_delta,
            f"{verb} {quantity:g} {order.symbol} @ {price:.2f}",
            symbol=order.symbol,
            security_id=order.security_id,
            quantity=quantity if buy else -quantity,
            price=price,
            order_id=order.id,
            margin_type=account.margin_type,
        )
        if order.executed_quantity == 0 and self.config.commission:
            account.cash -= self.config.commission
            cash_delta -= self.config.commission
            order.commission = self.config.commission
            self.state.record_transaction(
                account.id,
                "Commission",
                -self.config.commission,
                f"Commission on order {order.id}",
                symbol=order.symbol,
                security_id=order.security_id,
                order_id=order.id,
            )
        account.ledger.append(
            LedgerEntry(utc_now(), cash_delta, order.security_id, quantity if buy else -quantity)
        )
        position = self.move_position(account, order, quantity if buy else -quantity, price)
        executed = order.executed_quantity + quantity
        order.average_price = (order.average_price * order.executed_quantity + price * quantity) / executed
        order.executed_quantity = executed
        order.last_price = price
        order.last_quantity = quantity
        order.modified = utc_now()
        exec_id = f"{order.id}-{len(order.executions) + 1}"
        order.executions.append(Execution(exec_id, quantity, price, order.modified))
        filled = order.is_cash_amount or executed >= order.quantity - 1e-9
        order.status = "Filled" if filled else "PartiallyFilled"
        if filled:
            order.request_status = "Complete"
        change = "opened" if held_before == 0 else "closed" if position.quantity == 0 else None
        return Event(
            "order.filled" if filled else "order.partial_fill",
            order.account_id,
            replace(order),
            price=price,
            positions=[replace(position)],
            position_change=change,
        )

    def move_position(
        self, account: Account, order: Order, delta: float, price: float, *, security: Security | None = None
    ) -> Position:
        """Move the position in the order's security (or in ``security``, a spread's leg)."""
        security_id = security.id if security is not None else order.security_id
        position = account.positions.get(security_id)
        if position is None:
            position = Position(
                id=self.state.next_id("position"),
                account_id=account.id,
                security_id=security_id,
                symbol=security.symbol if security is not None else order.symbol,
            )
            account.positions[security_id] = position
        old = position.quantity
        if old == 0 or (old > 0) == (delta > 0):
            total = abs(old) + abs(delta)
            position.average_price = (abs(old) * position.average_price + abs(delta) * price) / total
        else:
            closed = min(abs(old), abs(delta))
            realized = closed * (price - position.average_price) * (1 if old > 0 else -1) * self.size(security_id)
            position.realized_pl += realized
            account.realized_pl += realized
            if abs(delta) > abs(old):  # the position flips side: the rest opens at this price
                position.average_price = price
        position.quantity = round(old + delta, 9)
        position.modified = utc_now()
        if position.quantity == 0:
            del account.positions[security_id]
        return position


def _trailing_stop(order: Order) -> float:
    """Where a trailing stop's stop is now: its distance from the best price seen."""
    best = order.trail_extreme
    amount = order.trail_amount or 0.0
    distance = best * amount / 100 if order.trail_type == "Persentage" else amount
    return round(best + distance if order.side in BUY_SIDES else best - distance, 2)


def _moment(text: str) -> datetime | None:
    """An ExpireDate (ISO date-time, ``Z`` allowed) as an aware datetime, or None."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment

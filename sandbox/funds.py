"""Mutual fund orders: checks, placement and fills at the next close. No I/O.

A fund order is an order of Type ``MutualFundsExchange`` (OrderResource's enum): it is listed,
read and cancelled like any other, and fills at the next close (16:00 New York, a weekday) at
the fund's net asset value, which the market does not tick (see ``sandbox.market``). A buy or
a sell by amount (a dollar ``QuantityQualifier``) counts dollars, one by ``Shares`` shares;
a liquidation sells every share held when it fills; an exchange sells every share of the source
fund and buys the target with the proceeds. Nothing fills while the clock is forced closed.

Rejections, first failing check wins (the order is stored Rejected; the preview answers
IsSuccessful=false): SymbolNotFound (the fund, or an exchange's target), InvalidOrderType (not a
mutual fund), AccountRestricted (unsigned agreements), InsufficientShares (selling more than
held net of open fund sells, or a liquidation or exchange of a fund not held),
DayTradingBuyingPowerExceeded (a buy above the buying power).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.market import MUTUAL_FUND
from sandbox.securities import Security
from sandbox.state import Account, LedgerEntry, Order, Position, utc_now
from sandbox.tickets import REJECTION_TEXT, Event
from sandbox.trading import FUND_ORDER_TYPE, Broker

OPERATIONS = ("buy", "sell", "exchange", "liquidate")
SHARES = "Shares"
_NEW_YORK = ZoneInfo("America/New_York")
_CLOSE = time(16, 0)
#: Fund shares are kept to three decimals.
SHARE_PLACES = 3


def next_close(after: datetime) -> datetime:
    """The first close (16:00 New York on a weekday) strictly after ``after``."""
    local = after.astimezone(_NEW_YORK)
    day = local.date()
    while True:
        close = datetime.combine(day, _CLOSE, _NEW_YORK)
        if close.weekday() < 5 and close > local:
            return close.astimezone(after.tzinfo)
        day += timedelta(days=1)


@dataclass(frozen=True)
class FundRequest:
    """A mutual fund body that passed schema validation (``symbol``: the fund bought, sold or
    liquidated, or an exchange's source)."""

    operation: str
    symbol: str
    target: str = ""
    quantity: float | None = None
    qualifier: str = SHARES

    @property
    def in_dollars(self) -> bool:
        return self.qualifier != SHARES

    @property
    def side(self) -> str:
        return "Buy" if self.operation == "buy" else "Sell"


class FundDesk:
    """The fund rules over the broker's state, market and clock."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.state = broker.state

    def _fund(self, symbol: str) -> tuple[Security | None, str, str]:
        security = self.state.security(symbol)
        if security is None or not symbol.strip() or symbol.strip().isdigit():
            return None, "SymbolNotFound", REJECTION_TEXT["SymbolNotFound"].format(symbol=symbol)
        if security.type != MUTUAL_FUND:
            detail = f"{security.symbol} is not a mutual fund"
            return None, "InvalidOrderType", REJECTION_TEXT["InvalidOrderType"].format(detail=detail)
        return security, "", ""

    def held(self, account: Account, security_id: int) -> float:
        """Shares of a fund held, net of the open fund sells of it."""
        position = account.positions.get(security_id)
        shares = max(position.quantity, 0.0) if position else 0.0
        nav = self.broker.market.quote(security_id).last
        for order in self.broker.open_orders(account.id, security_id):
            if order.type == FUND_ORDER_TYPE and order.side == "Sell":
                shares -= order.quantity / nav if order.quantity_qualifier != SHARES else order.quantity
        return shares

    def assess(self, account: Account, user_id: int, request: FundRequest) -> tuple[str, str]:
        """The first rejection (code, sentence), or ("", "")."""
        security, code, text = self._fund(request.symbol)
        if security is None:
            return code, text
        if request.operation == "exchange":
            target, code, text = self._fund(request.target)
            if target is None:
                return code, text
        if any(not a.can_skip for a in self.state.unsigned_agreements(user_id)):
            return "AccountRestricted", REJECTION_TEXT["AccountRestricted"]
        nav = self.broker.market.quote(security.id).last
        amount = request.quantity or 0.0
        if request.operation == "buy":
            needed = amount if request.in_dollars else amount * nav
            power = self.broker.balances(account).buying_power
            if needed > power + 1e-9:
                detail = f"{needed:.2f} needed, {power:.2f} available"
                return "DayTradingBuyingPowerExceeded", REJECTION_TEXT[
                    "DayTradingBuyingPowerExceeded"
                ].format(detail=detail)
            return "", ""
        held = self.held(account, security.id)
        wanted = (amount / nav if request.in_dollars else amount) if request.operation == "sell" else 0.0
        if held <= 1e-9 or wanted > held + 1e-9:
            detail = f"{wanted:g} of {security.symbol} requested, {max(held, 0.0):g} held"
            return "InsufficientShares", REJECTION_TEXT["InsufficientShares"].format(detail=detail)
        return "", ""

    def place(self, account: Account, user_id: int, request: FundRequest) -> tuple[Order, list[Event]]:
        """Create the order (accepted or rejected); an accepted one fills at the next close."""
        code, text = self.assess(account, user_id, request)
        security = self.state.security(request.symbol)
        whole = request.operation in ("exchange", "liquidate")
        order = Order(
            id=self.state.next_id("order"),
            account_id=account.id,
            user_id=user_id,
            security_id=security.id if security else 0,
            symbol=security.symbol if security else request.symbol.upper(),
            side=request.side,
            type=FUND_ORDER_TYPE,
            quantity=self._quantity(account, request, security),
            time_in_force="Day",
            quantity_qualifier=SHARES if whole else request.qualifier,
            target_symbol=request.target.upper(),
            fills_at=next_close(self.broker.clock.now()),
        )
        self.state.orders[order.id] = order
        self.state.stats.orders_placed += 1
        if code:
            order.status = order.request_status = "Rejected"
            order.reject_code, order.reject_text = code, text
            return order, [Event("order.rejected", account.id, replace(order))]
        return order, [Event("order.created", account.id, replace(order))]

    def _quantity(self, account: Account, request: FundRequest, security: Security | None) -> float:
        """What the order counts: the amount asked, or every share held (exchange, liquidate)."""
        if request.operation in ("exchange", "liquidate"):
            return round(max(self.held(account, security.id), 0.0), SHARE_PLACES) if security else 0.0
        return request.quantity or 0.0

    def settle(self) -> list[Event]:
        """Fill every open fund order whose close has come (oldest first)."""
        if self.broker.clock.mode == "closed":
            return []
        now = self.broker.clock.now()
        events: list[Event] = []
        for order in sorted(self.state.orders.values(), key=lambda o: o.id):
            if order.type == FUND_ORDER_TYPE and order.is_open and order.fills_at and order.fills_at <= now:
                events += self._fill(order)
        return events

    def _fill(self, order: Order) -> list[Event]:
        account = self.state.accounts[order.account_id]
        nav = self.broker.market.quote(order.security_id).last
        position = account.positions.get(order.security_id)
        held = max(position.quantity, 0.0) if position else 0.0
        shares = order.quantity / nav if order.quantity_qualifier != SHARES else order.quantity
        shares = round(shares if order.side == "Buy" else min(shares, held), SHARE_PLACES)
        if shares <= 0:
            order.status = "Rejected"
            order.reject_code = "InsufficientShares"
            order.reject_text = REJECTION_TEXT["InsufficientShares"].format(
                detail="no shares held at the close"
            )
            return [Event("order.rejected", account.id, replace(order))]
        proceeds = shares * nav
        moved = [self._move(account, order, shares if order.side == "Buy" else -shares, nav)]
        account.cash += -proceeds if order.side == "Buy" else proceeds
        buy = order.side == "Buy"
        self._record(account, -proceeds if buy else proceeds, order.security_id, shares if buy else -shares)
        target = self.state.security(order.target_symbol) if order.target_symbol else None
        if target is not None:  # an exchange: the proceeds buy the target fund
            target_nav = self.broker.market.quote(target.id).last
            bought = round(proceeds / target_nav, SHARE_PLACES)
            into = replace(order, security_id=target.id, symbol=target.symbol)
            moved.append(self._move(account, into, bought, target_nav))
            account.cash -= bought * target_nav
            self._record(account, -bought * target_nav, target.id, bought)
        order.quantity = order.executed_quantity = order.last_quantity = shares
        order.quantity_qualifier = SHARES
        order.average_price = order.last_price = nav
        order.status, order.request_status = "Filled", "Complete"
        order.modified = utc_now()
        return [Event("order.filled", account.id, replace(order), price=nav, positions=moved)]

    @staticmethod
    def _record(account: Account, cash: float, security_id: int, shares: float) -> None:
        """The fill in the account's ledger (what its value history undoes day by day)."""
        account.ledger.append(LedgerEntry(utc_now(), cash, security_id, shares))

    def _move(self, account: Account, order: Order, delta: float, nav: float) -> Position:
        return replace(self.broker.move_position(account, order, delta, nav))

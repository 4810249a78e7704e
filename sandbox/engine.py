"""Where market moves meet orders, alerts, webhooks and the streamer.

Every price change (a tick, an admin price set, a clock advance) goes through
``Engine.prices_moved`` under the state lock: open orders of the moved securities are
evaluated, then alerts; the resulting events become webhook deliveries (queued before the call
returns) and streamer pushes. Order placement and cancellation use the same lock, so a fill
can never interleave with a placement on the same account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.alerts import evaluate_alerts
from sandbox.api import resources
from sandbox.state import Account, Order, PriceAlert
from sandbox.trading import Assessment, Broker, Event, OrderRequest

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox

#: Most simulation steps one clock advance runs (one step per tick interval, or per second).
MAX_ADVANCE_STEPS = 3600


@dataclass
class MoveResult:
    """What one price move caused, for the admin endpoint's answer."""

    events: list[Event] = field(default_factory=list)
    triggered: list[PriceAlert] = field(default_factory=list)

    @property
    def filled_order_ids(self) -> list[int]:
        return sorted({e.order.id for e in self.events if e.order and e.type != "order.created"})


class Engine:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self.broker = Broker(sandbox.state, sandbox.market, sandbox.clock, sandbox.config)

    # -- price moves ---------------------------------------------------------------------------
    async def tick(self) -> MoveResult:
        async with self.sb.state.lock:
            return self._prices_moved(self.sb.market.tick())

    async def set_price(
        self, security_id: int, last: float, bid: float | None = None, ask: float | None = None
    ) -> MoveResult:
        async with self.sb.state.lock:
            self.sb.market.set_price(security_id, last, bid, ask)
            return self._prices_moved([security_id])

    async def advance(self, seconds: float) -> MoveResult:
        """Advance simulated time, running one market step per tick interval (or second)."""
        step = self.sb.config.tick_seconds or 1.0
        steps = min(int(seconds // step), MAX_ADVANCE_STEPS)
        total = MoveResult()
        async with self.sb.state.lock:
            self.sb.clock.advance(seconds)
            for _ in range(steps):
                result = self._prices_moved(self.sb.market.tick())
                total.events += result.events
                total.triggered += result.triggered
        return total

    def _prices_moved(self, security_ids: list[int]) -> MoveResult:
        result = MoveResult()
        result.events = self.broker.on_price_move(security_ids)
        result.triggered = evaluate_alerts(self.sb.state, self.sb.market, security_ids)
        for event in result.events:
            self._publish(event)
        for alert in result.triggered:
            self._alert_triggered(alert)
        for security_id in security_ids:
            self.sb.hub.quote_changed(security_id)
        return result

    # -- orders --------------------------------------------------------------------------------
    def assess(self, account: Account, user_id: int, request: OrderRequest) -> Assessment:
        return self.broker.assess(account, user_id, request)

    async def place(self, account: Account, user_id: int, request: OrderRequest) -> tuple[Order, bool]:
        """Place an order, or return the earlier one with the same ClientId (second value
        False). Events are published before this returns."""
        async with self.sb.state.lock:
            earlier = self.broker.existing(account.id, request.client_id)
            if earlier is not None:
                return earlier, False
            order, events = self.broker.place(account, user_id, request)
            for event in events:
                self._publish(event)
            return order, True

    async def cancel(self, order: Order) -> None:
        async with self.sb.state.lock:
            for event in self.broker.cancel(order):
                self._publish(event)

    # -- publishing ----------------------------------------------------------------------------
    def _publish(self, event: Event) -> None:
        state = self.sb.state
        if event.order is not None:
            data = resources.order(event.order, state)
            self.sb.webhooks.emit(event.type, event.account_id, data)
            self.sb.hub.order_changed(event.order.account_id, data)
        for position in event.positions:
            account = state.accounts[position.account_id]
            last = self.sb.market.quote(position.security_id).last
            self.sb.hub.position_changed(
                account.id, resources.position(position, account, state, last)
            )

    def _alert_triggered(self, alert: PriceAlert) -> None:
        data: dict[str, Any] = {
            "Id": alert.id,
            "UserId": alert.user_id,
            "SecurityId": alert.security_id,
            "Symbol": alert.symbol,
            "Operator": alert.operator,
            "Field": alert.field,
            "Argument": alert.argument,
            "State": alert.state,
            "ExpirationDate": alert.expiration_date,
            "Price": alert.triggered_price,
            "Quote": resources.quote_model(self.sb.market.quote(alert.security_id)),
        }
        account_id = self.sb.state.default_account_id(alert.user_id)
        self.sb.webhooks.emit("alert.triggered", account_id, data)


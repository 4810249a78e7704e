"""Where market moves meet orders, alerts, webhooks and the streamer.

Every price change (a tick, an admin price set, a clock advance) goes through
``Engine.prices_moved`` under the state lock: open orders of the moved securities are
evaluated, then alerts; the resulting events become webhook deliveries (queued before the call
returns) and streamer pushes. Order placement and cancellation use the same lock, so a fill
can never interleave with a placement on the same account.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sandbox import events
from sandbox.alerts import evaluate_alerts
from sandbox.api import resources
from sandbox.clock import MarketClock
from sandbox.config import SandboxConfig
from sandbox.funds import FundDesk, FundRequest
from sandbox.market import Market
from sandbox.state import Account, Order, PriceAlert, SandboxState
from sandbox.streamer import StreamerHub
from sandbox.tickets import Assessment, Event, OrderRequest
from sandbox.trading import Broker
from sandbox.webhooks import WebhookDispatcher

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
    """Moves prices and books orders; tells the webhook dispatcher and the streamer hub."""

    def __init__(
        self,
        state: SandboxState,
        market: Market,
        clock: MarketClock,
        config: SandboxConfig,
        *,
        webhooks: WebhookDispatcher,
        hub: StreamerHub,
    ) -> None:
        self.state = state
        self.market = market
        self.clock = clock
        self.config = config
        self.webhooks = webhooks
        self.hub = hub
        self.broker = Broker(state, market, clock, config)
        self.funds = FundDesk(self.broker)

    # -- price moves ---------------------------------------------------------------------------
    async def tick(self) -> MoveResult:
        async with self.state.lock:
            return self._prices_moved(self.market.tick())

    async def set_price(
        self, security_id: int, last: float, bid: float | None = None, ask: float | None = None
    ) -> MoveResult:
        async with self.state.lock:
            self.market.set_price(security_id, last, bid, ask)
            return self._prices_moved([security_id])

    async def advance(self, seconds: float) -> MoveResult:
        """Advance simulated time, running one market step per tick interval (or second)."""
        step = self.config.tick_seconds or 1.0
        steps = min(int(seconds // step), MAX_ADVANCE_STEPS)
        total = MoveResult()
        async with self.state.lock:
            self.clock.advance(seconds)
            for _ in range(steps):
                result = self._prices_moved(self.market.tick())
                total.events += result.events
                total.triggered += result.triggered
            total.events += self._funds_settled()
        return total

    def _prices_moved(self, security_ids: list[int]) -> MoveResult:
        result = MoveResult()
        result.events = self.broker.on_price_move(security_ids) + self.funds.settle()
        result.triggered = evaluate_alerts(self.state, self.market, security_ids)
        for event in result.events:
            self._publish(event)
        for alert in result.triggered:
            self._alert_triggered(alert)
        for security_id in security_ids:
            self.hub.quote_changed(security_id)
        return result

    # -- orders --------------------------------------------------------------------------------
    def assess(self, account: Account, user_id: int, request: OrderRequest) -> Assessment:
        return self.broker.assess(account, user_id, request)

    async def place(self, account: Account, user_id: int, request: OrderRequest) -> tuple[Order, bool]:
        """Place an order, or return the earlier one with the same ClientId (second value
        False). Events are published before this returns."""
        async with self.state.lock:
            earlier = self.broker.existing(account.id, request.client_id)
            if earlier is not None:
                return earlier, False
            order, events = self.broker.place(account, user_id, request)
            for event in events:
                self._publish(event)
            return order, True

    async def replace(
        self, account: Account, user_id: int, order: Order, request: OrderRequest
    ) -> tuple[Assessment | None, str]:
        """Replace a working order's terms (see ``Broker.replace``): the assessment and "" when
        it was replaced (or already was, with this ClientId: no assessment then), else why not."""
        async with self.state.lock:
            if request.client_id and order.client_id == request.client_id:
                return None, ""  # the same change again: it stands
            if not order.is_open:
                return None, f"Order {order.id} cannot be replaced: it is {order.status}."
            result = self.broker.replace(account, user_id, order, request)
            if not result.ok:
                return result, f"Order {order.id} cannot be replaced: {result.error_code}: {result.error_text}"
            self._publish(Event("order.replaced", account.id, replace(order)))
            for event in self.broker.evaluate(order):
                self._publish(event)
            return result, ""

    async def place_fund(self, account: Account, user_id: int, request: FundRequest) -> Order:
        """Place a mutual fund order (it fills at the next close); events published before
        this returns."""
        async with self.state.lock:
            order, events = self.funds.place(account, user_id, request)
            for event in events:
                self._publish(event)
            return order

    def _funds_settled(self) -> list[Event]:
        """Fill the fund orders whose close has come, and publish their fills."""
        events = self.funds.settle()
        for event in events:
            self._publish(event)
        return events

    async def cancel(self, order: Order) -> None:
        async with self.state.lock:
            for event in self.broker.cancel(order):
                self._publish(event)

    # -- publishing ----------------------------------------------------------------------------
    def _publish(self, event: Event) -> None:
        """Webhooks carry the documented event data (``sandbox.events``); the streamer pushes
        the resources themselves."""
        state = self.state
        if event.order is not None:
            self.webhooks.emit(event.type, event.account_id, events.order_data(event.order, event.type))
            self.hub.order_changed(event.order.account_id, resources.order(event.order, state))
        for position in event.positions:
            account = state.accounts[position.account_id]
            last = self.market.quote(position.security_id).last
            self.hub.position_changed(account.id, resources.position(position, account, state, last))
            if event.position_change == "opened":
                self.webhooks.emit("position.opened", account.id, events.position_opened_data(position))
            elif event.position_change == "closed":
                self.webhooks.emit(
                    "position.closed", account.id, events.position_closed_data(position, event.price or 0.0)
                )

    def _alert_triggered(self, alert: PriceAlert) -> None:
        account_id = self.state.default_account_id(alert.user_id)
        self.webhooks.emit("alert.triggered", account_id, events.alert_data(alert))

"""Price alert rules: when an alert fires, when it expires. No I/O.

An alert in State New fires when its Field (Last, Bid or Ask) of its security satisfies
Operator GTEQ (value >= Argument) or LTEQ (value <= Argument) after a price move; it then
becomes Completed and fires exactly once. Alerts are not evaluated at creation, only on moves.
ExpirationDate is epoch seconds (values above 1e11 are read as milliseconds); 0 = never.
An alert past its expiration becomes Expired at the next evaluation instead of firing.
"""

from __future__ import annotations

import time

from sandbox.market import Market
from sandbox.state import PriceAlert, SandboxState


def expiration_seconds(value: int) -> float:
    return value / 1000 if value > 100_000_000_000 else float(value)


def is_expired(alert: PriceAlert, now: float) -> bool:
    return alert.expiration_date > 0 and now >= expiration_seconds(alert.expiration_date)


def crossed(operator: str, value: float, argument: float) -> bool:
    if operator == "GTEQ":
        return value >= argument
    if operator == "LTEQ":
        return value <= argument
    return False


def evaluate_alerts(
    state: SandboxState, market: Market, security_ids: list[int], now: float | None = None
) -> list[PriceAlert]:
    """Fire (Completed) or expire the New alerts of the moved securities; returns fired ones."""
    moment = time.time() if now is None else now
    wanted = set(security_ids)
    fired: list[PriceAlert] = []
    for alert in sorted(state.alerts.values(), key=lambda a: a.id):
        if alert.state != "New" or alert.security_id not in wanted:
            continue
        if is_expired(alert, moment):
            alert.state = "Expired"
            continue
        value = market.quote(alert.security_id).field(alert.field)
        if crossed(alert.operator, value, alert.argument):
            alert.state = "Completed"
            alert.triggered_price = value
            fired.append(alert)
    return fired

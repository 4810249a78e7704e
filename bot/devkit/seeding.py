"""Many linked users, price alerts and open orders at once, written straight into a sandbox and
the bot's database (tests and benchmarks at scale; linking 10,000 users through the browser
flow would measure the flow, not the pollers).

``seed_sandbox`` creates users at a running sandbox (in the same process), with tokens issued
as a sign-in would, armed price alerts far from the market and open buy orders far below it,
and returns what it made as plain, JSON-ready :class:`SeededUser` values. ``store_seeded`` then
writes the matching links (tokens encrypted), alert routes and placed orders into the bot's
database in a few bulk inserts. The two halves may run in different processes (the benchmark
serves the sandbox from a child process).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from sandbox.runtime import Sandbox
from sandbox.state import Order, PriceAlert, RefreshToken, new_token
from storage.crypto import TokenCipher
from storage.db import Database
from storage.models import AlertRoute, LinkedUser, PendingOrder
from storage.records import ACTIVE, PLACED, utcnow

SCOPES = "openid profile email offline_access"
SYMBOL = "AAPL"
#: Alerts fire at or above this price (far above the market); orders buy at this limit (far below).
ALERT_PRICE = 100_000.0
ORDER_LIMIT = 1.0
INSERT_BATCH = 1000


@dataclass(frozen=True)
class SeededOrder:
    order_id: int
    client_id: str  # the pending order's id, as the bot places it


@dataclass(frozen=True)
class SeededUser:
    """One sandbox user linked to a Slack user, with what was made for them."""

    slack_user_id: str
    login: str
    user_id: int
    account_id: int
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    security_id: int
    alert_ids: tuple[int, ...] = ()
    orders: tuple[SeededOrder, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeededUser:
        orders = tuple(SeededOrder(**o) for o in data.get("orders") or ())
        return cls(**{**data, "alert_ids": tuple(data.get("alert_ids") or ()), "orders": orders})


def dumps(users: Sequence[SeededUser]) -> str:
    return json.dumps([u.as_json() for u in users])


def loads(text: str) -> list[SeededUser]:
    return [SeededUser.from_json(item) for item in json.loads(text)]


def seed_sandbox(
    sb: Sandbox,
    *,
    users: int,
    alerts_per_user: int = 0,
    orders_per_user: int = 0,
    prefix: str = "seed",
    first_slack_user: int = 1,
) -> list[SeededUser]:
    """Create ``users`` sandbox users, each with tokens, armed alerts and open orders."""
    state = sb.state
    security = state.security(SYMBOL)
    assert security is not None
    made = []
    for number in range(first_slack_user, first_slack_user + users):
        login = f"{prefix}{number}"
        user, account = state.add_user(
            login=login,
            password="sandbox",
            email=f"{login}@example.com",
            first_name=login.capitalize(),
            last_name="Seeded",
        )
        refresh = RefreshToken(
            token=new_token(), client_id=sb.config.client_id, user_id=user.id, scope=SCOPES
        )
        state.refresh_tokens[refresh.token] = refresh
        access = sb.identity.issue_access_token(
            client_id=sb.config.client_id, user_id=user.id, scope=SCOPES, refresh_token=refresh.token
        )
        alert_ids = []
        for _ in range(alerts_per_user):
            alert = PriceAlert(
                id=state.next_id("alert"),
                user_id=user.id,
                security_id=security.id,
                symbol=security.symbol,
                operator="GTEQ",
                field="Last",
                argument=ALERT_PRICE,
                expiration_date=0,
            )
            state.alerts[alert.id] = alert
            alert_ids.append(alert.id)
        orders = []
        for _ in range(orders_per_user):
            order = Order(
                id=state.next_id("order"),
                account_id=account.id,
                user_id=user.id,
                security_id=security.id,
                symbol=security.symbol,
                side="Buy",
                type="Limit",
                quantity=1,
                time_in_force="GoodTillCancel",
                price=ORDER_LIMIT,
                client_id=str(uuid.uuid4()),
            )
            state.orders[order.id] = order
            orders.append(SeededOrder(order.id, order.client_id))
        made.append(
            SeededUser(
                slack_user_id=f"U{prefix.upper()}{number:06d}",
                login=login,
                user_id=user.id,
                account_id=account.id,
                access_token=access.token,
                refresh_token=refresh.token,
                security_id=security.id,
                alert_ids=tuple(alert_ids),
                orders=tuple(orders),
            )
        )
    return made


def link_row(
    user: SeededUser, cipher: TokenCipher, *, team_id: str, now: datetime, token_lifetime: timedelta
) -> dict[str, Any]:
    """The ``linked_users`` row of a seeded user, linked ``now`` with fresh tokens."""
    return {
        "team_id": team_id,
        "slack_user_id": user.slack_user_id,
        "autoshares_user_id": user.user_id,
        "autoshares_login": user.login,
        "email": f"{user.login}@example.com",
        "display_name": user.login,
        "access_token_enc": cipher.encrypt(user.access_token),
        "refresh_token_enc": cipher.encrypt(user.refresh_token),
        "token_expires_at": now + token_lifetime,
        "scopes": SCOPES,
        "linked_at": now,
        "needs_relink": False,
        "default_account_id": user.account_id,
        "agreements_outstanding": 0,
    }


def route_rows(
    user: SeededUser, *, team_id: str, channel_id: str, now: datetime, checked_at: datetime | None
) -> list[dict[str, Any]]:
    """The ``alert_routes`` rows of a seeded user's alerts, routed to ``channel_id``."""
    return [
        {
            "alert_id": alert_id,
            "team_id": team_id,
            "slack_user_id": user.slack_user_id,
            "autoshares_user_id": user.user_id,
            "channel_id": channel_id,
            "symbol": SYMBOL,
            "security_id": user.security_id,
            "operator": "GTEQ",
            "field": "Last",
            "argument": Decimal(str(ALERT_PRICE)),
            "expires_at": None,
            "created_at": now,
            "state": ACTIVE,
            "claimed_at": checked_at,
        }
        for alert_id in user.alert_ids
    ]


def order_rows(
    user: SeededUser, *, team_id: str, channel_id: str, now: datetime, checked_at: datetime | None
) -> list[dict[str, Any]]:
    """The ``pending_orders`` rows of a seeded user's placed orders."""
    rows = []
    for order in user.orders:
        request = {"Symbol": SYMBOL, "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": ORDER_LIMIT}
        result = {
            "Id": order.order_id,
            "ClientId": order.client_id,
            "Status": "New",
            "ExecutedQuantity": 0,
        }
        rows.append(
            {
                "id": order.client_id,
                "team_id": team_id,
                "slack_user_id": user.slack_user_id,
                "account_id": user.account_id,
                "symbol": SYMBOL,
                "request_json": json.dumps({**request, "TimeInforce": "GoodTillCancel"}),
                "preview_json": None,
                "notional": Decimal(str(ORDER_LIMIT)),
                "status": PLACED,
                "created_at": now,
                "expires_at": now,
                "updated_at": checked_at or now,
                "channel_id": channel_id,
                "response_url": None,
                "autoshares_order_id": order.order_id,
                "order_status": "New",
                "result_json": json.dumps(result, sort_keys=True),
                "error": None,
            }
        )
    return rows


async def store_seeded(
    db: Database,
    cipher: TokenCipher,
    users: Sequence[SeededUser],
    *,
    team_id: str,
    channel_id: str = "C0GENERAL",
    checked_at: datetime | None = None,
    token_lifetime: timedelta = timedelta(hours=24),
) -> None:
    """Write the links, alert routes and placed orders of ``users`` into the bot's database.

    ``checked_at``: when the routes and orders were last looked at (None: routes never checked,
    orders placed just now).
    """
    now = utcnow()
    links = [link_row(u, cipher, team_id=team_id, now=now, token_lifetime=token_lifetime) for u in users]
    routes = [
        row
        for u in users
        for row in route_rows(u, team_id=team_id, channel_id=channel_id, now=now, checked_at=checked_at)
    ]
    orders = [
        row
        for u in users
        for row in order_rows(u, team_id=team_id, channel_id=channel_id, now=now, checked_at=checked_at)
    ]
    async with db.sessions.begin() as session:
        for model, rows in ((LinkedUser, links), (AlertRoute, routes), (PendingOrder, orders)):
            for start in range(0, len(rows), INSERT_BATCH):
                await session.execute(insert(model), rows[start : start + INSERT_BATCH])

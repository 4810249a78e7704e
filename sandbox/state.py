"""Everything the sandbox remembers, in memory: users, accounts, tokens, orders, alerts,
watchlists, and each account's transactions.

The records are plain dataclasses; the rules that change them live in ``identity``,
``trading`` and ``alerts``. All mutation happens on the event loop; the few sequences that await
in the middle of a read-modify-write (order placement, price moves) hold ``SandboxState.lock``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.funding import Offering, Transfer, default_offerings
from sandbox.news import CorporateAction, NewsStory
from sandbox.options import OptionTerms
from sandbox.securities import Security, default_securities


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_token(nbytes: int = 32) -> str:
    """An opaque, URL-safe random string for codes and tokens."""
    return secrets.token_urlsafe(nbytes)


@dataclass
class User:
    id: int
    login: str
    password: str
    email: str
    first_name: str
    last_name: str
    middle_name: str = ""
    added: datetime = field(default_factory=utc_now)
    selected_account_id: int | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


@dataclass
class Agreement:
    """A platform agreement the user must sign before trading."""

    id: int
    user_id: int
    title: str
    version: str = "1.0"
    type: str = "Platform"
    can_skip: bool = False
    signed_at: datetime | None = None


@dataclass
class Position:
    id: int
    account_id: int
    security_id: int
    symbol: str
    quantity: float = 0.0
    average_price: float = 0.0
    realized_pl: float = 0.0
    created: datetime = field(default_factory=utc_now)
    modified: datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class LedgerEntry:
    """One change of an account's cash and holdings (a fill, its commission): replayed
    backwards from today's state, these give the account's value on any past day."""

    at: datetime
    cash: float
    security_id: int | None = None
    quantity: float = 0.0


@dataclass
class Account:
    id: int
    clearing_account: str
    cash: float
    alias: str = ""
    margin_type: str = "Cash"
    currency: str = "USD"
    #: user id -> access type (Full, ReadOnly, ClosePositionsOnly, Owner)
    users: dict[int, str] = field(default_factory=dict)
    #: security id -> position
    positions: dict[int, Position] = field(default_factory=dict)
    realized_pl: float = 0.0
    #: every fill and commission, oldest first (for GET /accounts/{accountId}/history)
    ledger: list[LedgerEntry] = field(default_factory=list)


@dataclass(frozen=True)
class OrderLeg:
    """One leg of a spread order; its id is allocated like an order's, so AutoShares' answer
    names each leg (an OrderResource of its own)."""

    id: int
    security_id: int
    symbol: str
    side: str
    quantity: float


@dataclass
class Execution:
    """One fill of an order."""

    exec_id: str
    quantity: float
    price: float
    at: datetime


@dataclass
class Order:
    id: int
    account_id: int
    user_id: int
    security_id: int
    symbol: str
    side: str
    type: str
    quantity: float
    time_in_force: str
    price: float | None = None
    stop_price: float | None = None
    client_id: str = ""
    comment: str = ""
    extended_hours: str = ""
    exec_inst: str = "None"
    status: str = "New"
    request_status: str = "Validated"
    executed_quantity: float = 0.0
    average_price: float = 0.0
    last_price: float = 0.0
    last_quantity: float = 0.0
    commission: float = 0.0
    #: Stop and StopLimit orders become live once the stop price is crossed.
    stop_triggered: bool = False
    reject_code: str = ""
    reject_text: str = ""
    #: An option spread's legs: (id, security id, symbol, side, quantity) each.
    spread_legs: list[OrderLeg] = field(default_factory=list)
    #: Mutual fund orders: what Quantity counts (Shares, or a dollar qualifier), the fund an
    #: exchange buys, and when the order fills (the net asset value struck at the next close).
    quantity_qualifier: str = "Shares"
    target_symbol: str = ""
    fills_at: datetime | None = None
    #: The mutual fund body as it was sent (the spec's properties), shown by the admin API.
    fund_body: dict[str, Any] = field(default_factory=dict)
    created: datetime = field(default_factory=utc_now)
    modified: datetime = field(default_factory=utc_now)
    #: GoodTillDate's ExpireDate, as sent.
    expire_date: str = ""
    #: Trailing stops: the distance (``Absolute`` dollars or ``Persentage``), the limit offset
    #: of a TrailingStopLimit, and the best price seen since placement, which the stop follows.
    trail_type: str = ""
    trail_amount: float | None = None
    trail_limit_type: str = ""
    trail_limit_amount: float | None = None
    trail_extreme: float = 0.0
    #: A bracket: its legs name the parent; the parent lists its legs (entry first).
    parent_id: int | None = None
    leg_ids: list[int] = field(default_factory=list)
    #: Every fill, in order, for the order's details.
    executions: list[Execution] = field(default_factory=list)
    canceled_at: datetime | None = None

    @property
    def is_cash_amount(self) -> bool:
        """The Quantity is a dollar amount (ExecInst CashAmountOrder)."""
        return self.exec_inst == "CashAmountOrder"

    @property
    def leaves_quantity(self) -> float:
        if self.status in TERMINAL_ORDER_STATUSES:
            return 0.0
        if self.exec_inst == "CashAmountOrder":
            return 0.0 if self.executed_quantity else self.quantity
        return max(self.quantity - self.executed_quantity, 0.0)

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_ORDER_STATUSES


TERMINAL_ORDER_STATUSES = frozenset({"Filled", "Canceled", "Rejected", "Expired"})


@dataclass
class PriceAlert:
    id: int
    user_id: int
    security_id: int
    symbol: str
    operator: str
    field: str
    argument: float
    expiration_date: int
    state: str = "New"
    # dataclasses.field, spelled out: the ``field`` attribute above shadows the name here
    created: int = dataclasses.field(default_factory=lambda: int(time.time()))
    triggered_price: float | None = None


@dataclass
class Watchlist:
    """A user's named list of securities (WatchlistModel), in the order they were added."""

    id: int
    user_id: int
    name: str
    #: security id -> when it was added, in insertion order
    securities: dict[int, datetime] = field(default_factory=dict)
    description: str = ""
    type: str = "UserList"
    read_only: bool = False
    created: datetime = field(default_factory=utc_now)
    modified: datetime = field(default_factory=utc_now)


@dataclass
class Transaction:
    """One movement of an account's cash or holdings (TransactionMapModel): an order's fill, its
    commission, a dividend or a fee. ``value`` is the cash it moved (negative: money out)."""

    id: int
    account_id: int
    type: str
    value: float
    description: str
    margin_type: str = "Cash"
    symbol: str = ""
    security_id: int | None = None
    quantity: float | None = None
    price: float | None = None
    order_id: int | None = None
    date: datetime = field(default_factory=utc_now)


@dataclass
class AuthorizationCode:
    """An OAuth authorization code: single use, short-lived, bound to client and redirect."""

    code: str
    client_id: str
    user_id: int
    redirect_uri: str
    scope: str
    expires_at: float
    code_challenge: str
    code_challenge_method: str
    nonce: str | None = None
    audience: str | None = None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    # The accessors authlib's grants call.
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass
class RefreshToken:
    """A refresh token: never expires, never rotates, dies only by revocation."""

    token: str
    client_id: str
    user_id: int
    scope: str
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope


@dataclass
class AccessToken:
    """An opaque bearer token for the trading API and /userinfo."""

    token: str
    client_id: str
    user_id: int
    scope: str
    expires_at: float
    issued_at: float = field(default_factory=time.time)
    refresh_token: str | None = None
    revoked: bool = False

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def is_active(self, now: float | None = None) -> bool:
        return not self.revoked and (now if now is not None else time.time()) < self.expires_at


@dataclass
class StreamerSession:
    session_id: str
    user_id: int
    created: float = field(default_factory=time.time)


@dataclass
class SandboxStats:
    """Counters for GET /_sandbox/stats."""

    token_grants: Counter[str] = field(default_factory=Counter)
    revocations: int = 0
    orders_placed: int = 0
    place_order_calls: int = 0
    api_requests: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    injected_errors: int = 0
    dropped_connections: int = 0
    delayed_requests: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "TokenGrants": dict(self.token_grants),
            "Revocations": self.revocations,
            "OrdersPlaced": self.orders_placed,
            "PlaceOrderCalls": self.place_order_calls,
            "ApiRequests": dict(self.api_requests),
            "RateLimited": self.rate_limited,
            "InjectedErrors": self.injected_errors,
            "DroppedConnections": self.dropped_connections,
            "DelayedRequests": self.delayed_requests,
        }


class SandboxState:
    """The in-memory store of one sandbox instance (never shared between instances)."""

    def __init__(self, securities: tuple[Security, ...] | None = None) -> None:
        self.lock = asyncio.Lock()
        self.securities: dict[int, Security] = {s.id: s for s in (securities or default_securities())}
        self.securities_by_symbol: dict[str, Security] = {s.symbol: s for s in self.securities.values()}
        #: Finds an option contract by its symbol (``sandbox.options.OptionBook.contract``).
        self.contracts: Callable[[str], Security | None] | None = None
        #: The listed option contracts' terms by security id (the option book's).
        self.option_terms: dict[int, OptionTerms] = {}
        self.users: dict[int, User] = {}
        self.accounts: dict[int, Account] = {}
        self.agreements: dict[int, Agreement] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.orders: dict[int, Order] = {}
        self.alerts: dict[int, PriceAlert] = {}
        self.watchlists: dict[int, Watchlist] = {}
        self.transactions: dict[int, Transaction] = {}
        self.streamer_sessions: dict[str, StreamerSession] = {}
        #: security id -> its news, oldest first (seeded on first read; see ``sandbox.news``)
        self.news: dict[int, list[NewsStory]] = {}
        self.corporate_actions: dict[int, CorporateAction] = {}
        # New issues and transfers (sandbox.funding): offering reference → offering, the
        # (account id, offering reference) pairs subscribed, transfer id → transfer.
        self.offerings: dict[str, Offering] = {o.reference: o for o in default_offerings()}
        self.ipo_subscriptions: set[tuple[int, str]] = set()
        self.transfers: dict[str, Transfer] = {}
        self.stats = SandboxStats()
        self._user_ids = itertools.count(1001)
        self._account_ids = itertools.count(5001)
        self._ids: dict[str, itertools.count[int]] = {}

    # -- identifiers ---------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        """The next id for orders, positions, alerts, agreements, watchlists, transactions (each
        kind counts from 1)."""
        counter = self._ids.setdefault(kind, itertools.count(1))
        return next(counter)

    def next_user_id(self) -> int:
        user_id = next(self._user_ids)
        while user_id in self.users:
            user_id = next(self._user_ids)
        return user_id

    def next_account_id(self) -> int:
        account_id = next(self._account_ids)
        while account_id in self.accounts:
            account_id = next(self._account_ids)
        return account_id

    # -- lookups -------------------------------------------------------------------------------
    def user_by_login(self, login: str) -> User | None:
        wanted = login.strip().lower()
        for user in self.users.values():
            if user.login.lower() == wanted or user.email.lower() == wanted:
                return user
        return None

    def security(self, symbol_or_id: str | int) -> Security | None:
        """A listed security by id or symbol; an option symbol lists its contract on first use
        (``contracts``, the option book's finder)."""
        if isinstance(symbol_or_id, int):
            return self.securities.get(symbol_or_id)
        text = symbol_or_id.strip()
        if text.isdigit():
            return self.securities.get(int(text))
        found = self.securities_by_symbol.get(text.upper())
        if found is None and self.contracts is not None:
            found = self.contracts(text)
        return found

    def accounts_of(self, user_id: int) -> list[Account]:
        return sorted((a for a in self.accounts.values() if user_id in a.users), key=lambda a: a.id)

    def default_account_id(self, user_id: int) -> int | None:
        user = self.users.get(user_id)
        if user and user.selected_account_id in self.accounts:
            return user.selected_account_id
        accounts = self.accounts_of(user_id)
        return accounts[0].id if accounts else None

    def unsigned_agreements(self, user_id: int) -> list[Agreement]:
        return sorted(
            (a for a in self.agreements.values() if a.user_id == user_id and not a.signed_at),
            key=lambda a: a.id,
        )

    def record_transaction(
        self,
        account_id: int,
        type: str,
        value: float,
        description: str,
        *,
        margin_type: str = "Cash",
        symbol: str = "",
        security_id: int | None = None,
        quantity: float | None = None,
        price: float | None = None,
        order_id: int | None = None,
        date: datetime | None = None,
    ) -> Transaction:
        """Keep one movement of an account (see ``Transaction``) and return it."""
        record = Transaction(
            self.next_id("transaction"),
            account_id,
            type,
            round(value, 4),
            description,
            margin_type=margin_type,
            symbol=symbol,
            security_id=security_id,
            quantity=quantity,
            price=price,
            order_id=order_id,
            date=date or utc_now(),
        )
        self.transactions[record.id] = record
        return record

    # -- creation ------------------------------------------------------------------------------
    def add_user(
        self,
        *,
        login: str,
        password: str,
        email: str,
        first_name: str,
        last_name: str,
        user_id: int | None = None,
        cash: float = 100_000.0,
        agreements: int = 0,
        account_id: int | None = None,
    ) -> tuple[User, Account]:
        """Create a user with one funded cash account (Owner) and N unsigned agreements."""
        if self.user_by_login(login) is not None:
            raise ValueError(f"login {login!r} is taken")
        if user_id is not None and user_id in self.users:
            raise ValueError(f"user id {user_id} is taken")
        if account_id is not None and account_id in self.accounts:
            raise ValueError(f"account id {account_id} is taken")
        user = User(
            id=user_id if user_id is not None else self.next_user_id(),
            login=login,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        self.users[user.id] = user
        account = Account(
            id=account_id if account_id is not None else self.next_account_id(),
            clearing_account="",
            cash=float(cash),
            alias=f"{first_name}'s cash account",
        )
        account.clearing_account = f"SBX{account.id:07d}"
        account.users[user.id] = "Owner"
        self.accounts[account.id] = account
        user.selected_account_id = account.id
        for number in range(agreements):
            agreement = Agreement(
                id=self.next_id("agreement"),
                user_id=user.id,
                title=(
                    "AutoShares Platform Terms of Use"
                    if number == 0
                    else f"AutoShares Market Data Agreement {number}"
                ),
                version=f"2024.{number + 1}",
                type="Platform" if number == 0 else "Quotemedia",
            )
            self.agreements[agreement.id] = agreement
        return user, account

"""What the use cases hand to the Slack surface to show: small value types, and read-only
protocols over the stored records (so Block Kit builders never import storage).

This module imports nothing from the bot but the domain's vocabulary (``bot.vocabulary``),
the client's typed resources (plain frozen values) and the typed requests (``bot.core.commands``):
``handlers.blocks`` depends on it and on nothing below, and reaches a pending order's states and
a member's roles through it (``PendingState``, ``Role``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from bot.autoshares.resources import (
    Account,
    Activity,
    Balance,
    ExecInst,
    Offering,
    OptionSecurity,
    Order,
    OrderSide,
    OrderType,
    Position,
    PositionGroup,
    PriceAlert,
    Quote,
    Security,
    Ticket,
    TimeInForce,
    TrailingAmountType,
    Transfer,
)
from bot.core.commands import ActivityRequest
from bot.vocabulary.roles import Role as Role
from bot.vocabulary.states import PendingState as PendingState


class TradingEnvironment(StrEnum):
    """Whether orders move real money (``AUTOSHARES_ENVIRONMENT``). Every order message, alert
    post and App Home says which, so nobody mistakes one for the other."""

    PAPER = "paper"
    LIVE = "live"


class LinkView(Protocol):
    """A linked user, as messages show them (``storage.records.Link`` fits)."""

    @property
    def team_id(self) -> str: ...
    @property
    def slack_user_id(self) -> str: ...
    @property
    def autoshares_user_id(self) -> int: ...
    @property
    def autoshares_login(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def linked_at(self) -> datetime: ...
    @property
    def needs_relink(self) -> bool: ...
    @property
    def default_account_id(self) -> int | None: ...
    @property
    def agreements_outstanding(self) -> int: ...
    @property
    def sign_in_ends_at(self) -> datetime | None: ...


class OrderTerms(Protocol):
    """What an order asks for: an ``Order`` AutoShares holds or an ``OrderTicket`` the bot sends."""

    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> OrderSide | None: ...
    @property
    def type(self) -> OrderType | None: ...
    @property
    def quantity(self) -> Decimal | None: ...
    @property
    def price(self) -> Decimal | None: ...
    @property
    def stop_price(self) -> Decimal | None: ...
    @property
    def time_in_force(self) -> TimeInForce | None: ...
    @property
    def extended_hours(self) -> str | None: ...
    @property
    def exec_inst(self) -> ExecInst | None: ...
    @property
    def expire_date(self) -> str | None: ...
    @property
    def trailing_stop_amount_type(self) -> TrailingAmountType | None: ...
    @property
    def trailing_stop_amount(self) -> Decimal | None: ...
    @property
    def trailing_limit_amount(self) -> Decimal | None: ...
    @property
    def legs(self) -> Sequence[OrderTerms]: ...


class OrderStateView(Protocol):
    """What the bot knows of a placed order (``storage.records.OrderState`` fits)."""

    @property
    def order_id(self) -> int | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def executed_quantity(self) -> Decimal | None: ...
    @property
    def average_price(self) -> Decimal | None: ...
    @property
    def leaves_quantity(self) -> Decimal | None: ...
    @property
    def description(self) -> str | None: ...


class PendingView(Protocol):
    """An order between preview and its end (``storage.records.Pending`` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> PendingState: ...
    @property
    def account_id(self) -> int: ...
    @property
    def request(self) -> dict[str, Any]: ...
    @property
    def ticket(self) -> Ticket: ...
    @property
    def result(self) -> OrderStateView | None: ...
    @property
    def autoshares_order_id(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def slack_user_id(self) -> str: ...
    @property
    def notional(self) -> Decimal | None: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def approval_channel(self) -> str | None: ...
    @property
    def decided_by(self) -> str | None: ...


class RouteView(Protocol):
    """Where an alert is announced (``storage.records.Route`` fits)."""

    @property
    def alert_id(self) -> int: ...
    @property
    def slack_user_id(self) -> str: ...
    @property
    def channel_id(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def operator(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def argument(self) -> Decimal: ...
    @property
    def expires_at(self) -> datetime | None: ...


class GroupView(Protocol):
    """An alert group: a percent move, a repeating alert (``storage.records.RouteGroup`` fits)."""

    @property
    def direction(self) -> str | None: ...
    @property
    def percent(self) -> Decimal | None: ...
    @property
    def reference(self) -> Decimal | None: ...
    @property
    def repeat_seconds(self) -> int | None: ...
    @property
    def snoozed_until(self) -> datetime | None: ...


@dataclass(frozen=True)
class QuoteRow:
    """One symbol asked for: its EquityResource and its QuoteModel (None if none arrived)."""

    symbol: str
    equity: Security
    quote: Quote | None


@dataclass(frozen=True)
class AccountView:
    """One account as shown: the UserAccountModel, its balances (None when they could not be
    fetched) and whether it is the user's default in Slack."""

    account: Account
    balances: Balance | None
    is_default: bool = False


@dataclass(frozen=True)
class PositionsPage:
    """One page (zero-based) of an account's holdings."""

    account_id: int
    account: Account
    positions: Sequence[Position]
    page: int
    page_size: int
    total: int | None
    has_next: bool


@dataclass(frozen=True)
class WatchRow:
    """One security of the user's watchlist: its SecurityModel (as the watchlist lists it), its
    QuoteModel (None if none arrived) and the closes of its recent price history, oldest first
    (None when the history could not be fetched)."""

    symbol: str
    security: Security
    quote: Quote | None
    closes: Sequence[float] | None


@dataclass(frozen=True)
class WatchlistView:
    """The user's watchlist as shown: ``rows`` may be fewer than ``total`` (App Home shows the
    first few); ``quotes_failed`` when the quote feed could not be reached at all."""

    name: str
    rows: Sequence[WatchRow]
    total: int
    limit: int
    delayed: bool | None = None
    quotes_failed: bool = False


@dataclass(frozen=True)
class WatchChange:
    """What `/watch add` or `/watch remove` did: the symbols ``changed`` (added or removed), those
    ``unchanged`` (already on the list, or not on it), and how many the list holds now."""

    action: str  # "add" or "remove"
    changed: Sequence[str]
    unchanged: Sequence[str]
    total: int
    limit: int
    name: str


@dataclass(frozen=True)
class PortfolioSummary:
    """One account as it stands (``bot.core.portfolio``): the UserAccountModel, its balances,
    the holdings read, how many it has, and the holdings' move today (None when unknown)."""

    account_id: int
    account: Account
    balances: Balance
    positions: Sequence[Position]
    positions_count: int
    holdings_day_change: Decimal | None


@dataclass
class HomeData:
    """What App Home shows a linked user; ``None`` parts could not be loaded (see ``problems``)."""

    link: LinkView
    account: Account | None = None
    balances: Balance | None = None
    orders: Sequence[Order] | None = None
    alerts: Sequence[PriceAlert] | None = None
    watchlist: WatchlistView | None = None
    #: The account's option positions (None: not loaded; shown only when there are some).
    option_positions: Sequence[Position] | None = None
    problems: list[str] = field(default_factory=list)
    relink_url: str | None = None
    notice: str | None = None


@dataclass(frozen=True)
class ListedAlert:
    """One of the member's alerts at AutoShares, with where it was set (None: not from Slack)
    and its group (None for a plain level)."""

    alert: PriceAlert
    channel: str | None = None
    group: GroupView | None = None


@dataclass(frozen=True)
class OptionQuoteRow:
    """One contract of a chain: its OptionResource and its QuoteModel (None if none arrived)."""

    option: OptionSecurity
    quote: Quote | None


@dataclass(frozen=True)
class ChainStrike:
    """One strike of a chain: its call and its put (None where AutoShares lists none)."""

    strike: Decimal
    call: OptionQuoteRow | None
    put: OptionQuoteRow | None


@dataclass(frozen=True)
class OptionChainView:
    """The chain around the central strike for one expiration, and the expirations to pick."""

    symbol: str
    expiration: date
    expirations: Sequence[date]
    strikes: Sequence[ChainStrike]
    central_strike: Decimal | None
    underlying_last: Decimal | None
    delayed: bool | None


@dataclass(frozen=True)
class ActivityPage:
    """One page (zero-based) of an account's activity over the period and of the kind asked for
    (``bot.core.activity``); ``since`` is where the period starts."""

    account_id: int
    account: Account
    request: ActivityRequest
    since: datetime
    items: Sequence[Activity]
    page: int
    page_size: int
    total: int | None
    has_next: bool


@dataclass(frozen=True)
class ActivityExport:
    """The period's activity report as CSV, named for the account and the period."""

    account_id: int
    filename: str
    csv: str
    rows: int


@dataclass(frozen=True)
class ConsolidatedView:
    """Every account of the user at once (``bot.core.holdings``): the accounts, their balances
    summed, the first holdings across them (each naming its account) and how many there are,
    and their open orders."""

    accounts: Sequence[Account]
    balances: Balance
    positions: Sequence[Position]
    positions_total: int | None
    open_orders: Sequence[Order]


@dataclass(frozen=True)
class TopHoldings:
    """An account's largest holdings by market value and its market value by security type."""

    account_id: int
    account: Account
    top: Sequence[PositionGroup]
    groups: Sequence[PositionGroup]


# -- new issues and transfers ------------------------------------------------------------------


@dataclass(frozen=True)
class OfferingsView:
    """The active offerings (new issues) of one account."""

    account_id: int
    account: Account
    offerings: list[Offering]


@dataclass(frozen=True)
class SubscriptionPreview:
    """What a subscription's confirmation shows; ``pending`` is what Confirm acts on."""

    account_id: int
    account: Account
    offering: Offering
    pending: PendingView
    #: Why Confirm will send it for approval instead (None: Confirm subscribes).
    approval: str | None = None
    approvals_channel: str | None = None


@dataclass(frozen=True)
class TransfersView:
    """One page of an account's deposits and withdrawals, newest first."""

    account_id: int
    account: Account
    transfers: list[Transfer]
    has_more: bool

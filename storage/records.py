"""What the bot stores, as plain values: records read back from the database and the AutoShares
status sets every layer shares. The domain's words (an AutoShares id, pending-order states,
roles) are ``bot.vocabulary``'s, re-exported here under the names storage's callers use.

Nothing here talks to the database; the repositories beside this module turn rows into these
records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, Protocol

from bot.autoshares.resources.enums import OPEN_STATUS_NAMES, TERMINAL_STATUS_NAMES
from bot.autoshares.resources.numbers import to_decimal
from bot.autoshares.resources.tickets import Ticket, read_ticket

# The domain's vocabulary (an AutoShares id's rule, roles, pending-order states), re-exported for
# storage's callers.
from bot.vocabulary.ids import MAX_AUTOSHARES_ID as MAX_AUTOSHARES_ID
from bot.vocabulary.ids import autoshares_id as autoshares_id
from bot.vocabulary.roles import ROLES as ROLES
from bot.vocabulary.roles import Role as Role
from bot.vocabulary.states import UNSETTLED_STATES as UNSETTLED_STATES
from bot.vocabulary.states import WAITING_STATES as WAITING_STATES
from bot.vocabulary.states import PendingState as PendingState


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class TokenFields(Protocol):
    """The tokens of a sign-in or a refresh, as the repositories store them (encrypted)."""

    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def scopes(self) -> str: ...


# -- linked users --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A Slack user's AutoShares link with its tokens decrypted (never logged: repr hides them).

    ``tokens_unreadable``: none of the configured keys decrypts the stored tokens (the key was
    changed without keeping the old one). Such a link comes back with empty tokens and
    ``needs_relink`` set, so the user is asked to link again instead of meeting an error.
    """

    team_id: str
    slack_user_id: str
    autoshares_user_id: int
    autoshares_login: str
    email: str | None
    display_name: str | None
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    token_expires_at: datetime
    scopes: str
    linked_at: datetime
    needs_relink: bool
    default_account_id: int | None
    agreements_outstanding: int
    tokens_unreadable: bool = False

    @property
    def sign_in_ends_at(self) -> datetime | None:
        """When the stored sign-in stops working until the user links again: the expiry of a
        token that has no refresh token (a trading token from ``POST /token``); None when it
        is refreshed."""
        return None if self.refresh_token or self.tokens_unreadable else self.token_expires_at


# -- pending orders ------------------------------------------------------------------------------

#: Pending-order states (``PendingState``; see storage.orders for the moves between them), by
#: the names storage's callers use.
PENDING = PendingState.PENDING
SUBMITTING = PendingState.SUBMITTING
PLACED = PendingState.PLACED
FAILED = PendingState.FAILED
CANCELLED = PendingState.CANCELLED
EXPIRED = PendingState.EXPIRED
#: Two-person approval: confirmed by the requester, waiting for an approver (→ submitting on
#: Approve, → rejected on Reject, → expired when nobody decides in time).
AWAITING_APPROVAL = PendingState.AWAITING_APPROVAL
REJECTED = PendingState.REJECTED
#: A placed order changed since (its change's row follows the order now).
REPLACED = PendingState.REPLACED

#: AutoShares order statuses by name, as the ``order_status`` column stores them: the sets are
#: defined once, with AutoShares' OrderStatus enum, in the client (bot.autoshares.resources.enums).
OPEN_ORDER_STATUSES = OPEN_STATUS_NAMES
TERMINAL_ORDER_STATUSES = TERMINAL_STATUS_NAMES

#: How ``OrderState`` is kept in ``pending_orders.result_json``: under AutoShares' OrderResource
#: property names, the form the column has always had, so rows written before stay readable.
_STORED_ORDER_KEYS = {
    "order_id": "Id",
    "client_id": "ClientId",
    "account_id": "AccountId",
    "status": "Status",
    "symbol": "Symbol",
    "executed_quantity": "ExecutedQuantity",
    "average_price": "AveragePrice",
    "leaves_quantity": "LeavesQuantity",
    "description": "Description",
}
_STORED_NUMBERS = frozenset({"executed_quantity", "average_price", "leaves_quantity"})


@dataclass(frozen=True)
class OrderState:
    """What the bot keeps of an order AutoShares holds: from its answer, a poll or a webhook.
    A field left None is one the source did not state (the stored state keeps what it knew)."""

    order_id: int | None = None
    client_id: str | None = None
    account_id: int | None = None
    #: AutoShares' status name (``OrderStatus.name``), as the ``order_status`` column has it.
    status: str | None = None
    symbol: str | None = None
    executed_quantity: Decimal | None = None
    average_price: Decimal | None = None
    leaves_quantity: Decimal | None = None
    description: str | None = None

    def over(self, known: OrderState | None) -> OrderState:
        """This state laid over ``known``: what this one leaves out stays as last known."""
        if known is None:
            return self
        stated = {name: value for name, value in self.__dict__.items() if value is not None}
        return OrderState(**{**known.__dict__, **stated})

    @property
    def progress(self) -> tuple[int, Decimal]:
        """How far the order has got: (status rank, executed quantity). Bigger is later."""
        if self.status in TERMINAL_ORDER_STATUSES:
            rank = 2
        else:
            rank = 1 if self.status == "PartiallyFilled" else 0
        return (rank, self.executed_quantity or Decimal(0))

    def stored(self) -> dict[str, Any]:
        """The JSON kept in ``result_json`` (numbers as exact text)."""
        return {
            key: (str(value) if name in _STORED_NUMBERS else value)
            for name, key in _STORED_ORDER_KEYS.items()
            if (value := getattr(self, name)) is not None
        }

    @classmethod
    def from_stored(cls, data: Any) -> OrderState | None:
        """A state read back from ``result_json`` (None when there is none or it is unreadable)."""
        if not isinstance(data, dict):
            return None
        values: dict[str, Any] = {}
        for name, key in _STORED_ORDER_KEYS.items():
            value = data.get(key)
            if value is None:
                continue
            if name in _STORED_NUMBERS:
                try:
                    values[name] = to_decimal(value)
                except ValueError:
                    continue
            elif name in ("order_id", "account_id"):
                values[name] = autoshares_id(value)
            else:
                values[name] = str(value)
        return cls(**values)


@dataclass(frozen=True)
class Pending:
    """A pending order row, decoded."""

    id: str
    team_id: str
    slack_user_id: str
    account_id: int
    symbol: str
    request: dict[str, Any]
    preview: dict[str, Any] | None
    notional: Decimal | None
    status: PendingState
    created_at: datetime
    expires_at: datetime
    updated_at: datetime
    channel_id: str | None
    response_url: str | None
    autoshares_order_id: int | None
    order_status: str | None
    result: OrderState | None
    error: str | None
    approval_channel: str | None = None
    approval_ts: str | None = None
    decided_by: str | None = None

    @cached_property
    def ticket(self) -> Ticket:
        """The stored request, typed: an order (or a change to one), a fund order or a
        subscription."""
        return read_ticket(self.request)

    @property
    def settled(self) -> bool:
        """Past the confirmation step (no longer pending, awaiting approval or submitting)."""
        return self.status not in UNSETTLED_STATES

    def is_expired(self, now: datetime | None = None) -> bool:
        """Still waiting (for its requester, or for an approver) past its window."""
        return self.status in WAITING_STATES and self.expires_at <= (now or utcnow())


# -- team trading --------------------------------------------------------------------------------

#: Roles (``Role``), least to most, by the names storage's callers use.
VIEWER, TRADER, APPROVER, ADMIN = Role.VIEWER, Role.TRADER, Role.APPROVER, Role.ADMIN
#: The ``dm`` entry of a place list: direct messages with the bot.
DM_PLACE = "dm"


@dataclass(frozen=True)
class Member:
    """What an admin set for one member (``role`` None: the default role)."""

    team_id: str
    slack_user_id: str
    role: Role | None = None
    max_order_value: Decimal | None = None
    max_orders_per_day: int | None = None
    needs_approval: bool = False


@dataclass(frozen=True)
class Policy:
    """A workspace's rules. ``order_places`` / ``alert_places``: None for anywhere, else the
    channel ids (and :data:`DM_PLACE`) where orders or alerts are allowed."""

    team_id: str
    trading_paused: bool = False
    order_places: tuple[str, ...] | None = None
    alert_places: tuple[str, ...] | None = None
    approval_threshold: Decimal | None = None
    approvals_channel: str | None = None


# -- alert routes --------------------------------------------------------------------------------

#: Alert route states: active → fired | deleted | expired.
ACTIVE = "active"
FIRED = "fired"
DELETED = "deleted"
# EXPIRED (above) is shared with pending orders: the same word, the same meaning.


@dataclass(frozen=True)
class Route:
    """An alert route as read from the database."""

    alert_id: int
    team_id: str
    slack_user_id: str
    autoshares_user_id: int
    channel_id: str
    symbol: str
    security_id: int
    operator: str
    field: str
    argument: Decimal
    expires_at: datetime | None
    created_at: datetime
    state: str
    fired_at: datetime | None
    group_id: int | None = None
    fired_price: Decimal | None = None
    rearm_at: datetime | None = None

    @property
    def is_dm(self) -> bool:
        """Routes set in a direct message store the user id as the channel."""
        return self.channel_id == self.slack_user_id


#: Alert group states: active → ended (deleted, expired, or retired with its owner's link).
GROUP_ACTIVE = "active"
GROUP_ENDED = "ended"
#: Percent moves from the previous close: either way, up only, down only.
MOVES, UP, DOWN = "moves", "up", "down"
#: Where a member's alert triggers go: where the alert was set (the default), or their DM.
DELIVER_CHANNEL = "channel"
DELIVER_DM = "dm"


@dataclass(frozen=True)
class RouteGroup:
    """An alert group as stored: several AutoShares alerts announced as one ``/alert``.

    ``direction``/``percent``/``reference``: a percent move from the previous close (None for
    a price level). ``repeat_seconds``: the cool-down of a repeating alert (None: once).
    ``thread_to`` is where the thread's first post was asked to go (a channel, or the owner's
    id for their DM), ``thread_channel``/``thread_ts`` the message Slack made of it.
    """

    id: int
    team_id: str
    slack_user_id: str
    symbol: str
    direction: str | None
    percent: Decimal | None
    reference: Decimal | None
    repeat_seconds: int | None
    snoozed_until: datetime | None
    thread_to: str | None
    thread_channel: str | None
    thread_ts: str | None
    state: str
    created_at: datetime

    @property
    def repeats(self) -> bool:
        return self.repeat_seconds is not None

    def snoozed(self, now: datetime | None = None) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > (now or utcnow())

    def thread_for(self, to: str) -> tuple[str, str] | None:
        """(channel, ts) of the post a trigger going to ``to`` replies under, if there is one."""
        if self.thread_to == to and self.thread_channel and self.thread_ts:
            return self.thread_channel, self.thread_ts
        return None


# -- digests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """A digest schedule as stored (``channel_id`` is the member's id for their DM)."""

    id: int
    team_id: str
    slack_user_id: str
    channel_id: str
    every: str
    at_local: str
    zone: str
    label: str
    next_run_at: datetime
    last_run_at: datetime | None

    @property
    def is_dm(self) -> bool:
        return self.channel_id == self.slack_user_id

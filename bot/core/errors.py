"""The use cases' exception tree: codes and data, never user-facing text.

    BotError                        anything the bot raises on purpose
    ├── ConfigError                 a setting is missing or malformed (the message names it)
    │   ├── SignupNotConfigured     AUTOSHARES_SIGNUP_URL is not set
    │   └── SlackIdentityNotConfigured  SLACK_CLIENT_ID / SLACK_CLIENT_SECRET are not set
    ├── SlackIdentityFailed         Slack did not confirm who signed in
    ├── NotLinkedError              the Slack user has not linked AutoShares yet
    ├── AgreementsOutstandingError  trading is refused until agreements are signed (carries them)
    ├── NoTradingAccount            the login has no trading account
    ├── NotYourAccount              an account id that is not one of the user's
    ├── AccountBindRefused          AutoShares refused to add an account (carries its reason)
    ├── UnknownSymbolError          no such symbol (carries the closest matches)
    ├── UnknownOptionContract       no such option contract (carries its underlying)
    ├── NoOptions                   no option expirations for a symbol (or not the one asked for)
    ├── AlertNotFound               no such price alert
    ├── AlertNotEditable            an alert of a group, or one that fired, is not edited in place
    ├── NewsNotFound                a story a Read button names is no longer in the news
    ├── WatchlistFull               the symbols would not fit on the user's watchlist
    ├── WatchlistConflict           AutoShares would not change the watchlist (gone, read-only)
    ├── AlertNotYours               someone other than its owner tried to snooze an alert
    ├── NoPreviousClose             no previous close to work a percent move out from
    ├── OrderNotCancellable         already filled or cancelled
    ├── OrderNotFound               no such order in the account
    ├── OrderNotEditable            the order is no longer working (carries its status)
    ├── EditDoesNotFit              the change does not fit the order (a stop on a limit order...)
    ├── TeamRefusal                 the workspace's rules refuse it (bot.core.team)
    │   ├── RoleTooLow              the member's role does not allow the action
    │   ├── TradingPaused           an admin paused trading in the workspace
    │   ├── PlaceNotAllowed         orders or alerts are not allowed in this conversation
    │   │   └── AlertDmNotAllowed   alert triggers may not go to direct messages
    │   ├── OrderValueOverLimit     the order is worth more than the member's limit
    │   ├── DailyOrderLimit         the member sent their orders for the day
    │   ├── ApprovalsNotSet         the order needs approval and no approvers' channel is set
    │   └── OwnApproval             the requester clicked Approve or Reject on their own order
    └── ChartExpired                a shared chart is no longer kept (carries its symbol and range)
        └── PerformanceChartExpired a shared performance chart is no longer kept (carries its period)

Failures of AutoShares itself are ``bot.autoshares.errors.AutoSharesError``. ``code`` is short
and stable (logs, metrics); ``str(exc)`` is for operators. The one place that turns either tree
into a sentence and a next step for a Slack user is ``handlers.errors``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from bot.autoshares.resources import Agreement, Security


class BotError(Exception):
    """Base class: an error the bot raises on purpose."""

    code = "bot_error"


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the setting."""

    code = "config"


class SlackIdentityNotConfigured(ConfigError):
    """Sign in with Slack needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; without them nobody
    can link (there is no insecure fallback)."""

    code = "slack_identity_not_configured"

    def __init__(self) -> None:
        super().__init__("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set, so nobody can link AutoShares")


class SlackIdentityFailed(BotError):
    """Slack did not confirm who signed in (code refused, ID token invalid, Slack unreachable)."""

    code = "slack_identity_failed"


class NotLinkedError(BotError):
    code = "not_linked"


class AgreementsOutstandingError(BotError):
    """Trading is refused while the user has agreements to sign."""

    code = "agreements_outstanding"

    def __init__(self, agreements: Sequence[Agreement]) -> None:
        super().__init__(f"{len(agreements)} agreement(s) outstanding")
        self.agreements = list(agreements)


class NoTradingAccount(BotError):
    code = "no_trading_account"


class NotYourAccount(BotError):
    code = "not_your_account"

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} is not among the user's accounts")
        self.account_id = account_id


class AccountBindRefused(BotError):
    code = "account_bind_refused"

    def __init__(self, account_id: int, reason: str | None, cause_code: str) -> None:
        super().__init__(f"binding account {account_id} refused ({cause_code})")
        self.account_id = account_id
        self.reason = reason


class UnknownSymbolError(BotError):
    """AutoShares lists no security under ``symbol``; ``suggestions`` are the closest it has."""

    code = "unknown_symbol"

    def __init__(self, symbol: str, suggestions: Sequence[Security] = ()) -> None:
        super().__init__(f"unknown symbol {symbol!r}")
        self.symbol = symbol
        self.suggestions = list(suggestions)


class NewsNotFound(BotError):
    """The story a Read button names is no longer among the symbol's news."""

    code = "news_not_found"

    def __init__(self, symbol: str, news_id: int) -> None:
        super().__init__(f"news {news_id} of {symbol} not found")
        self.symbol = symbol
        self.news_id = news_id


class AlertNotEditable(BotError):
    """An alert that cannot be edited in place: one of a group (a percent move, a repeating
    alert), or one that already fired."""

    code = "alert_not_editable"

    def __init__(self, alert_id: int, why: str) -> None:
        super().__init__(f"alert {alert_id} cannot be edited: {why}")
        self.alert_id = alert_id
        self.why = why


class AlertNotFound(BotError):
    code = "alert_not_found"

    def __init__(self, alert_id: int) -> None:
        super().__init__(f"alert {alert_id} not found")
        self.alert_id = alert_id


class WatchlistFull(BotError):
    """Adding ``adding`` symbols to a watchlist holding ``holding`` would pass ``limit``."""

    code = "watchlist_full"

    def __init__(self, limit: int, holding: int, adding: int) -> None:
        super().__init__(f"watchlist holds {holding} of {limit}; {adding} more do not fit")
        self.limit, self.holding, self.adding = limit, holding, adding


class WatchlistConflict(BotError):
    """AutoShares answered 409 to a change of the watchlist: it was deleted, renamed or made
    read-only meanwhile (the user's other AutoShares apps share it)."""

    code = "watchlist_conflict"


class AlertNotYours(BotError):
    """Only ``owner`` (who set the alert) may do that to it."""

    code = "alert_not_yours"

    def __init__(self, alert_id: int, owner: str) -> None:
        super().__init__(f"alert {alert_id} belongs to another member")
        self.alert_id = alert_id
        self.owner = owner


class NoPreviousClose(BotError):
    """The quote of ``symbol`` states no previous close (nor a last price and change)."""

    code = "no_previous_close"

    def __init__(self, symbol: str) -> None:
        super().__init__(f"no previous close for {symbol!r}")
        self.symbol = symbol


class OrderNotCancellable(BotError):
    code = "order_not_cancellable"

    def __init__(self, order_id: int) -> None:
        super().__init__(f"order {order_id} not cancellable")
        self.order_id = order_id


class OrderNotFound(BotError):
    code = "order_not_found"

    def __init__(self, order_id: int, account_id: int) -> None:
        super().__init__(f"order {order_id} not found in account {account_id}")
        self.order_id = order_id
        self.account_id = account_id


class OfferingNotFound(BotError):
    """The new issue is not (or no longer) among the account's active offerings."""

    code = "offering_not_found"

    def __init__(self, reference: str, account_id: int) -> None:
        super().__init__(f"offering {reference!r} not active for account {account_id}")
        self.reference = reference
        self.account_id = account_id


class OfferingRefused(BotError):
    """AutoShares would not follow (``subscribe``) or unfollow an offering (its 409)."""

    code = "offering_refused"

    def __init__(self, title: str, action: str) -> None:
        super().__init__(f"AutoShares refused to {action} {title!r}")
        self.title = title
        self.action = action


class OrderNotEditable(BotError):
    """The order is no longer working (filled, cancelled...): nothing can be changed.
    ``description`` is AutoShares' status name (also what a failed change's row keeps)."""

    code = "order_not_editable"

    def __init__(self, order_id: int | None, description: str | None) -> None:
        super().__init__(f"order {order_id} not editable: {description}")
        self.order_id = order_id
        self.description = description


class EditDoesNotFit(BotError):
    """The change does not fit the order, or changes nothing. ``problem``: ``fixed`` (the order
    cannot change in place; ``order_type`` says what it is, see ``fixed_kind``), ``no_stop``
    (not a stop order), ``no_limit`` (no limit price), ``filled`` (the new quantity is not above
    what already filled) or ``same`` (nothing would change)."""

    code = "edit_does_not_fit"

    def __init__(
        self, order_id: int, problem: str, order_type: str = "", filled: Decimal | None = None
    ) -> None:
        super().__init__(f"edit of order {order_id} does not fit: {problem}")
        self.order_id = order_id
        self.problem = problem
        self.order_type = order_type
        self.filled = filled


class OrderOverLimit(BotError):
    """The order asks for more than AutoShares says the account can buy or sell of the symbol
    now (``GET …/preview/limits/{symbol}``); refused before any Confirm."""

    code = "order_over_limit"

    def __init__(self, symbol: str, buying: bool, wanted: Decimal, limit: Decimal) -> None:
        super().__init__(f"order for {wanted} {symbol} over the account's limit of {limit}")
        self.symbol = symbol
        self.buying = buying
        self.wanted = wanted
        self.limit = limit


class ChartExpired(BotError):
    """The chart a Share button names is gone (expired, pruned, or not the clicker's)."""

    code = "chart_expired"

    def __init__(self, symbol: str, chart_range: str) -> None:
        super().__init__(f"chart of {symbol} over {chart_range} no longer kept")
        self.symbol = symbol
        self.chart_range = chart_range


class PerformanceChartExpired(ChartExpired):
    """The performance chart a Share button names is gone; ``chart_range`` is its period,
    ``account_id`` the account it showed when one was named (None: the default one)."""

    code = "chart_expired"

    def __init__(self, period: str, benchmark: str | None, account_id: int | None = None) -> None:
        super().__init__("account", period)
        self.benchmark = benchmark
        self.account_id = account_id


class SignupNotConfigured(ConfigError):
    code = "signup_not_configured"

    def __init__(self) -> None:
        super().__init__("/autoshares signup asked for, but AUTOSHARES_SIGNUP_URL is not set")


class TeamRefusal(BotError):
    """The workspace's rules (roles, policies, limits) refuse what was asked; nothing was done."""

    code = "team_refusal"


class RoleTooLow(TeamRefusal):
    """``action`` needs ``needed`` (a role name); the member has ``role``."""

    code = "role_too_low"

    def __init__(self, action: str, needed: str, role: str, requester: str | None = None) -> None:
        super().__init__(f"{action} needs the {needed} role; the member is {role}")
        self.action, self.needed, self.role = action, needed, role
        #: Set when it is the requester of an order being approved whose role fell short.
        self.requester = requester


class TradingPaused(TeamRefusal):
    code = "trading_paused"

    def __init__(self) -> None:
        super().__init__("trading is paused in the workspace")


class PlaceNotAllowed(TeamRefusal):
    """``kind`` (orders or alerts) may not go to this conversation; ``places`` are where they may
    (channel ids and ``dm``)."""

    code = "place_not_allowed"

    def __init__(self, kind: str, places: Sequence[str]) -> None:
        super().__init__(f"{kind} are not allowed in this conversation")
        self.kind, self.places = kind, list(places)


class AlertDmNotAllowed(PlaceNotAllowed):
    """A member asked for their triggers in a DM where the policy allows alerts only in
    ``places``."""

    code = "alert_dm_not_allowed"

    def __init__(self, places: Sequence[str]) -> None:
        super().__init__("alerts", places)


class OrderValueOverLimit(TeamRefusal):
    """``value`` None: the order's value cannot be known, and a limit is set (fails closed).
    ``fund``: a mutual fund order's (its value comes from the holding, not a price)."""

    code = "order_value_over_limit"

    def __init__(self, value: Decimal | None, limit: Decimal, *, fund: bool = False) -> None:
        super().__init__(f"order value {value} over the member's limit {limit}")
        self.value, self.limit, self.fund = value, limit, fund


class DailyOrderLimit(TeamRefusal):
    code = "daily_order_limit"

    def __init__(self, limit: int, requester: str | None = None) -> None:
        super().__init__(f"daily order limit {limit} reached")
        self.limit, self.requester = limit, requester


class ApprovalsNotSet(TeamRefusal):
    code = "approvals_not_set"

    def __init__(self) -> None:
        super().__init__("the order needs approval and no approvers' channel is set")


class OwnApproval(TeamRefusal):
    code = "own_approval"

    def __init__(self) -> None:
        super().__init__("the requester may not decide their own approval request")


class UnknownOptionContract(BotError):
    """AutoShares lists no option contract under ``symbol`` (``GET /options/{symbol}`` 404)."""

    code = "unknown_option"

    def __init__(self, symbol: str, underlying: str, expiration: date | None = None) -> None:
        super().__init__(f"unknown option contract {symbol!r}")
        self.symbol = symbol
        self.underlying = underlying
        self.expiration = expiration


class NoOptions(BotError):
    """AutoShares lists no option expirations for ``symbol`` (or not the one asked for:
    ``expiration``, with the nearest it has)."""

    code = "no_options"

    def __init__(self, symbol: str, expiration: date | None = None, nearest: date | None = None) -> None:
        super().__init__(f"no options for {symbol!r}")
        self.symbol = symbol
        self.expiration = expiration
        self.nearest = nearest

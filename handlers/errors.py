"""The one place where an error becomes what a Slack user reads: one plain sentence and a next step.

Errors carry codes and data (``bot.core.errors``, ``bot.autoshares.errors``); this table maps
each class to its sentence, looked up along ``type(exc).__mro__`` the way Starlette finds an
exception handler, so a subclass without its own entry gets its parent's words. Text that comes
from AutoShares (a reason, a symbol) is escaped for mrkdwn before it is shown.

Handlers raise :class:`StaleButton`, :class:`CannotPostHere` and :class:`StepInputMissing`,
Slack-side problems the use cases know nothing about. :func:`plain_sentence` is the same words
without mrkdwn, for the places Slack shows plain text (a failed workflow step).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from bot.autoshares import errors as a
from bot.autoshares.resources import FUND_ORDER_KIND
from bot.core import errors as c
from bot.core.orders import NOT_TAKEN
from bot.vocabulary.states import UNCONFIRMED
from handlers.blocks.common import escape
from handlers.blocks.numbers import money, shares
from handlers.blocks.order import status_words
from handlers.parsing import ParseError
from storage.crypto import SecretUnreadable

UNEXPECTED = "Something went wrong on our side and nothing was changed. Please try again in a minute."
OUR_SIDE = "Something went wrong on our side. Please try again in a minute."
#: The bot's own connections to AutoShares were all in use until the command's deadline: the call
#: was never sent, so nothing was placed or changed, and AutoShares is not to blame.
BUSY = "I'm handling a lot of requests right now, so nothing was placed or changed. Try again in a moment."
#: The database write before Slack's ack (the replay check) did not finish in time: the request
#: was not handled (nor recorded as seen, so a retry is handled normally).
DATABASE_UNREACHABLE = "I can't reach my database right now; nothing was changed. Try again in a minute."
#: Requests queued for the database connection before Slack's ack until its limit ran out.
ACK_BUSY = "I'm handling a lot of requests right now, so nothing was changed. Try again in a moment."
RELINK = "Your AutoShares sign-in has expired or was revoked. Run `/autoshares link` to sign in again."


class StaleButton(Exception):
    """A button whose value no longer makes sense (an old message): run the command again."""

    code = "stale_button"

    def __init__(self, command: str) -> None:
        super().__init__(f"out-of-date button for {command}")
        self.command = command


class CannotPostHere(Exception):
    """Slack refused a post in this conversation (the bot is not in it, or may not post there)."""

    code = "cannot_post_here"

    def __init__(self, slack_error: str) -> None:
        super().__init__(f"Slack refused the post: {slack_error}")
        self.slack_error = slack_error


class ModalTooLate(Exception):
    """Slack refused to open a modal: the click's trigger had expired (it lasts three seconds,
    and what the modal shows was read from AutoShares first)."""

    code = "modal_too_late"


class StepInputMissing(Exception):
    """A workflow step ran without an input it needs (Slack fills the required ones, so this is
    a workflow built against an older definition of the step)."""

    code = "step_input_missing"

    def __init__(self, name: str) -> None:
        super().__init__(f"the step ran without its {name} input")
        self.name = name


def _symbol(exc: Any) -> str:
    symbol = escape(exc.symbol)
    names = ", ".join(escape(s.symbol) for s in getattr(exc, "suggestions", []) if s.symbol)
    if names:
        return f"There is no such symbol as {symbol} at AutoShares. Closest matches: {names}."
    return f"AutoShares does not know the symbol {symbol}. Check it with `/quote` and try again."


def _no_options(exc: Any) -> str:
    symbol = escape(exc.symbol)
    if exc.expiration is None or exc.nearest is None:
        return f"AutoShares lists no options for {symbol}. Check the symbol with `/quote {symbol}`."
    return (
        f"{symbol} has no options expiring {exc.expiration:%Y-%m-%d}; the nearest is "
        f"{exc.nearest:%Y-%m-%d}. Run `/options {symbol} {exc.nearest:%Y-%m-%d}`."
    )


def _invalid(exc: Any) -> str:
    description = getattr(exc, "description", None)
    if description:
        return f"AutoShares did not accept that: {escape(description).rstrip('.')}."
    return "AutoShares did not accept that request. Check the values and try again."


def _rate_limited(exc: Any) -> str:
    seconds = max(1, round(getattr(exc, "retry_after", 5)))
    return f"AutoShares is limiting how often you can do that. Try again in {seconds} seconds."


def _bind_refused(exc: Any) -> str:
    reason = (exc.reason or "").strip().rstrip(".")
    said = f": {escape(reason)}" if reason else ""
    return (
        f"AutoShares refused to add account {exc.account_id}{said}. Check the account id, or ask "
        "the account's owner to give your AutoShares login access."
    )


def places(ids: Any) -> str:
    """Where orders or alerts are allowed, in words: ``<#C1>, <#C2> and direct messages``."""
    names = [f"<#{escape(p)}>" for p in ids if p != "dm"]
    if "dm" in ids:
        names.append("direct messages with me")
    if not names:
        return "nowhere"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _place_refused(exc: Any) -> str:
    what = "Orders" if exc.kind == "orders" else "Price alerts"
    if not exc.places:
        return f"{what} are turned off in this workspace by an admin. Ask an admin if you need them."
    return f"{what} are not allowed in this conversation. Use {places(exc.places)} instead."


def _role_too_low(exc: Any) -> str:
    article = "an" if exc.needed[0] in "aeiou" else "a"
    if exc.requester:
        return (
            f"<@{escape(exc.requester)}>'s role in this workspace is now {exc.role}, which cannot "
            f"{exc.action}, so this order cannot be approved. Reject it, or ask an admin to make "
            f"them {article} {exc.needed}."
        )
    return (
        f"Your role in this workspace is {exc.role}, which cannot {exc.action}. "
        f"Ask a workspace admin to make you {article} {exc.needed}."
    )


def _value_over_limit(exc: Any) -> str:
    limit = money(exc.limit, places=0 if exc.limit == exc.limit.to_integral_value() else 2)
    if exc.value is None and getattr(exc, "fund", False):
        return (
            f"The value of this fund order cannot be worked out from your holdings, and your limit is "
            f"{limit} per order. Sell a dollar amount such as `/fund sell VFIAX $500`, "
            "or ask an admin to raise your limit."
        )
    if exc.value is None:
        return (
            f"The value of this order cannot be worked out, and your limit is {limit} per order. "
            "Give a limit price, or ask an admin to raise your limit."
        )
    return (
        f"This order is worth about {money(exc.value)}, over your limit of {limit} per order. "
        "Make it smaller, or ask an admin to raise your limit."
    )


def _daily_limit(exc: Any) -> str:
    sent = f"{exc.limit} order{'s' if exc.limit != 1 else ''} today"
    if exc.requester:
        return (
            f"<@{escape(exc.requester)}> has already sent {sent}, their daily limit, so this one cannot "
            "be placed now. Reject it, or ask an admin to raise their limit."
        )
    return (
        f"You have already sent {sent}, your daily limit. Try again on the next trading day, "
        "or ask an admin to raise it."
    )


def _watchlist_full(exc: Any) -> str:
    room = max(exc.limit - exc.holding, 0)
    fits = f"only {room} more fit" if room else "no more fit"
    return (
        f"Your watchlist holds {exc.holding} of its {exc.limit} symbols, so {fits}. "
        "Remove some with `/watch remove AAPL`, then try again."
    )


Words = Callable[[Any], str]


SENTENCES: dict[type[BaseException], Words] = {
    ParseError: lambda exc: str(exc),
    StaleButton: lambda exc: f"That button is out of date. Run `{exc.command}` again.",
    CannotPostHere: lambda exc: (
        "I can't post in this conversation. Invite me with `/invite @AutoShares`, then try again."
    ),
    ModalTooLate: lambda exc: "That took longer than Slack allows to open a window. Click the button again.",
    StepInputMissing: lambda exc: (
        "This AutoShares step is missing an input. Remove the step from the workflow, "
        "add it again, and publish the workflow."
    ),
    # the use cases
    c.BotError: lambda exc: OUR_SIDE,
    c.NotLinkedError: lambda exc: (
        "Your Slack account is not linked to AutoShares yet. Run `/autoshares link` to connect it."
    ),
    c.AgreementsOutstandingError: lambda exc: (
        "You have AutoShares agreements to sign before you can trade. "
        "Run `/autoshares agreements` to review and sign them."
    ),
    c.NoTradingAccount: lambda exc: (
        "Your AutoShares login has no trading account yet. Run `/autoshares signup` to open one, "
        "or `/autoshares accounts add &lt;accountId&gt;` to add an existing one."
    ),
    c.NotYourAccount: lambda exc: (
        f"Account {exc.account_id} is not one of your AutoShares accounts. "
        "Run `/autoshares account` to see yours."
    ),
    c.AccountBindRefused: _bind_refused,
    c.UnknownSymbolError: _symbol,
    c.UnknownOptionContract: lambda exc: (
        f"AutoShares lists no option {escape(exc.symbol)}. "
        f"Run `/options {escape(exc.underlying)}` to see the expirations and strikes it has."
    ),
    c.NoOptions: _no_options,
    c.NewsNotFound: lambda exc: (
        f"That story is no longer in AutoShares' news for {escape(exc.symbol)}. "
        f"Run `/news {escape(exc.symbol)}` to see the latest."
    ),
    c.AlertNotEditable: lambda exc: (
        f"Alert {exc.alert_id} is part of a percent move or a repeating alert, so it cannot be edited on its own. "
        f"Delete it with `/alert delete {exc.alert_id}` and set a new one."
        if exc.why == "group"
        else f"Alert {exc.alert_id} has already triggered. Set a new one, such as `/alert AAPL above 200`."
    ),
    c.AlertNotFound: lambda exc: f"You have no price alert {exc.alert_id}. Run `/alert list` to see yours.",
    c.WatchlistFull: _watchlist_full,
    c.WatchlistConflict: lambda exc: (
        "AutoShares would not change your watchlist; it may have just been changed in another "
        "AutoShares app. Run `/watch` to see it, then try again."
    ),
    c.AlertNotYours: lambda exc: (
        f"Only <@{escape(exc.owner)}>, who set this alert, can snooze it; "
        "set your own with `/alert AAPL above 200 repeat`."
    ),
    c.NoPreviousClose: lambda exc: (
        f"AutoShares gives no previous close for {escape(exc.symbol)} right now, so a percent move "
        f"cannot be worked out. Try `/alert {escape(exc.symbol)} above 200` with a price instead."
    ),
    c.AlertDmNotAllowed: lambda exc: (
        f"An admin allows price alerts only in {places(exc.places)}, not in direct messages, so your "
        "triggers keep posting where you set them."
        if exc.places
        else "Price alerts are turned off in this workspace by an admin. Ask an admin if you need them."
    ),
    c.OrderNotCancellable: lambda exc: (
        f"Order {exc.order_id} is already filled or cancelled, so there is nothing to cancel. "
        "Run `/order list` to see your open orders."
    ),
    c.OrderNotFound: lambda exc: (
        f"There is no order {exc.order_id} in account {exc.account_id}. "
        "Run `/order list` to see your open orders."
    ),
    c.OfferingNotFound: lambda exc: (
        f"That new issue is no longer open to account {exc.account_id}. "
        "Run `/autoshares ipo` to see the offerings open now."
    ),
    c.OfferingRefused: lambda exc: (
        f"AutoShares would not {escape(exc.action)} {escape(exc.title)}, so nothing changed. "
        "Run `/autoshares ipo` to see where you stand."
    ),
    c.OrderNotEditable: lambda exc: (
        f"The order is already {status_words(exc.description) if exc.description else 'closed'}, "
        "so nothing was changed. Run `/order list` to see your open orders."
    ),
    c.EditDoesNotFit: lambda exc: _edit_misfit(exc),
    c.OrderOverLimit: lambda exc: (
        f"Your account can {'buy' if exc.buying else 'sell'} at most {shares(exc.limit)} "
        f"{escape(exc.symbol)} right now and this order asks for {shares(exc.wanted)}, so nothing was "
        "placed. Make the order smaller and run `/order` again."
    ),
    c.ChartExpired: lambda exc: (
        f"That chart has expired; run `/quote {escape(exc.symbol)} chart {escape(exc.chart_range)}` "
        "again to share a fresh one."
    ),
    c.PerformanceChartExpired: lambda exc: (
        f"That chart has expired; run `/autoshares performance {escape(exc.chart_range)}"
        f"{' vs ' + escape(exc.benchmark) if exc.benchmark else ''}"
        f"{f' account {exc.account_id}' if exc.account_id is not None else ''}` again to share a fresh one."
    ),
    c.SignupNotConfigured: lambda exc: (
        "Sign-up from Slack has not been set up by the people who run this bot. "
        "Ask them for the AutoShares sign-up link."
    ),
    c.SlackIdentityNotConfigured: lambda exc: (
        "Linking AutoShares is not available yet: an admin of this bot must finish its set-up "
        "(Sign in with Slack). Please ask the people who run this bot."
    ),
    c.SlackIdentityFailed: lambda exc: (
        "Slack could not confirm who you are right now. Please try again in a minute."
    ),
    c.RoleTooLow: _role_too_low,
    c.TradingPaused: lambda exc: (
        "Trading is paused in this workspace by an admin, so nothing was placed. "
        "Ask an admin to resume it with `/autoshares admin resume`."
    ),
    c.PlaceNotAllowed: _place_refused,
    c.OrderValueOverLimit: _value_over_limit,
    c.DailyOrderLimit: _daily_limit,
    c.ApprovalsNotSet: lambda exc: (
        "This order needs a second person's approval, but no approvers' channel is set. "
        "Ask an admin to set one with `/autoshares admin approvals in #channel`."
    ),
    c.OwnApproval: lambda exc: (
        "You asked for this order, so someone else with the approver role must approve or reject it."
    ),
    SecretUnreadable: lambda exc: OUR_SIDE,
    # AutoShares
    a.AutoSharesError: lambda exc: (
        "AutoShares could not complete that request. Please try again in a minute."
    ),
    a.IssuerMisconfigured: lambda exc: OUR_SIDE,
    a.OAuthError: lambda exc: "AutoShares sign-in failed. Run `/autoshares link` to try again.",
    a.RelinkRequired: lambda exc: RELINK,
    a.QuotesUnavailable: lambda exc: "Live quotes are unavailable right now. Please try again in a minute.",
    a.AutoSharesUnauthorized: lambda exc: RELINK,
    a.AutoSharesForbidden: lambda exc: (
        "AutoShares refused that request for your login. Check the account id, "
        "or ask your AutoShares administrator for access."
    ),
    a.AutoSharesAppKeyRejected: lambda exc: (
        "The bot's AutoShares application key was refused. Please ask the person who runs this bot "
        "to check its AutoShares settings."
    ),
    a.AutoSharesNotFound: lambda exc: "AutoShares could not find that. Check the id or symbol and try again.",
    a.AutoSharesConflict: lambda exc: (
        "AutoShares says that has already changed (for example, the order is already filled or cancelled)."
    ),
    a.AutoSharesInvalid: _invalid,
    a.AutoSharesRateLimited: _rate_limited,
    a.AutoSharesServerError: lambda exc: (
        "AutoShares is having trouble right now. Please try again in a minute."
    ),
    a.AutoSharesUnavailable: lambda exc: "AutoShares did not answer in time. Please try again in a minute.",
    a.AutoSharesBusy: lambda exc: BUSY,
    a.AutoSharesMalformed: lambda exc: (
        "AutoShares sent an answer I could not read. Please try again in a minute, and tell the person "
        "who runs this bot if it keeps happening."
    ),
}

#: Codes as stored (a failed order keeps its error's code), back to the classes that carry them.
BY_CODE: dict[str, type[BaseException]] = {
    str(getattr(cls, "code", "")): cls for cls in SENTENCES if getattr(cls, "code", None)
}


#: Failures only the people running the bot can fix: logged as warnings, naming the setting.
#: (An unreadable answer is logged with the endpoint and the property at fault.)
OPERATOR_ERRORS = (
    c.ConfigError,
    a.IssuerMisconfigured,
    a.AutoSharesAppKeyRejected,
    a.AutoSharesMalformed,
    SecretUnreadable,
)


def is_expected(exc: BaseException) -> bool:
    """An error the bot raises on purpose (logged at INFO), as opposed to a bug."""
    return any(cls in SENTENCES for cls in type(exc).__mro__)


def sentence(exc: BaseException) -> str:
    """What the user reads for ``exc``: its class's sentence, else its nearest parent's."""
    for cls in type(exc).__mro__:
        words = SENTENCES.get(cls)
        if words is not None:
            return words(exc)
    return UNEXPECTED


def plain_sentence(exc: BaseException) -> str:
    """:func:`sentence` as plain text: no code marks, no mrkdwn escapes."""
    return html.unescape(sentence(exc).replace("`", ""))


def _edit_misfit(exc: Any) -> str:
    """Why `/order edit` does not fit the order, and what to change instead."""
    order = f"Order {exc.order_id}"
    if exc.problem == "fixed":
        command = "/fund" if exc.order_type == FUND_ORDER_KIND else "/order"
        return (
            f"{order} is {escape(exc.order_type)}, which cannot be changed in place; "
            f"cancel it with `{command} cancel {exc.order_id}` and place a new one."
        )
    kind = escape(str(exc.order_type).lower() or "market")
    if exc.problem == "no_stop":
        other = " or limit" if kind == "limit" else ""
        return f"{order} is a {kind} order, which has no stop price; change its qty{other} instead."
    if exc.problem == "no_limit":
        other = " or stop" if kind == "stop" else ""
        return f"{order} is a {kind} order, which has no limit price; change its qty{other} instead."
    if exc.problem == "filled":
        return f"{order} has {exc.filled} shares filled already; give a qty above that."
    return f"{order} already has those terms; give a new qty, limit or stop to change it."


def order_failure(error: str | None) -> str:
    """Why an order was not placed, from what its row keeps (``code`` or ``code: detail``)."""
    if not error:
        return "AutoShares refused it."
    if error == NOT_TAKEN:
        return "AutoShares did not take the order (it answered with an error and has no order with our id)."
    if error == UNCONFIRMED:
        return (
            "AutoShares did not answer, so I cannot tell whether it was placed: "
            "check `/order list` before you send it again."
        )
    code, _, detail = error.partition(": ")
    cls = BY_CODE.get(code)
    if cls is None:
        return escape(error)  # a reason stored in words by an earlier version
    return SENTENCES[cls](
        SimpleNamespace(description=detail or None, retry_after=5, symbol="", suggestions=[])
    )

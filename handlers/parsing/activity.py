"""`/autoshares activity [7d|30d|ytd] [trades|dividends|fees|all] [account 12]`: the period and
the kind in either order, each at most once; the last 30 days of everything when left out."""

from __future__ import annotations

from typing import get_args

from bot.core.commands import ActivityKind, ActivityPeriod, ActivityRequest
from handlers.parsing.common import _account_option, _Invalid, _show

ACTIVITY_EXAMPLE = "activity 30d trades"

_PERIODS: dict[str, ActivityPeriod] = {p: p for p in get_args(ActivityPeriod)}
_KINDS: dict[str, ActivityKind] = {k: k for k in get_args(ActivityKind)} | {
    "trade": "trades",
    "dividend": "dividends",
    "fee": "fees",
}


def _activity_from_tokens(tokens: list[str]) -> ActivityRequest:
    """The activity grammar over the tokens after `activity`."""
    period: ActivityPeriod | None = None
    kind: ActivityKind | None = None
    for index, token in enumerate(tokens):
        word = token.lower()
        if word == "account":
            account = _account_option(tokens[index:], "activity", "activity 30d account 12")
            return ActivityRequest(period or "30d", kind or "all", account)
        if word in _PERIODS:
            if period is not None:
                raise _Invalid(f"Give one period, not {period} and {_show(token)}", example=ACTIVITY_EXAMPLE)
            period = _PERIODS[word]
        elif word in _KINDS:
            if kind is not None:
                raise _Invalid(
                    f"Give one kind of activity, not {kind} and {_show(token)}", example=ACTIVITY_EXAMPLE
                )
            kind = _KINDS[word]
        else:
            raise _Invalid(
                f"{_show(token)} is not understood after activity; give a period "
                "(7d, 30d or ytd) and a kind (trades, dividends, fees or all)",
                example=ACTIVITY_EXAMPLE,
            )
    return ActivityRequest(period or "30d", kind or "all")

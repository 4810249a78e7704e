"""`/autoshares performance [1w|1m|3m|1y|ytd] [vs SYMBOL] [account <id>]`: the period (a month
when not given), the benchmark to compare with (none when not given) and the account (the
default one when not given)."""

from __future__ import annotations

from bot.core.commands import PERFORMANCE_PERIODS, PerformancePeriod, PerformanceRequest
from handlers.parsing.common import _identifier, _Invalid, _show, _symbol

PERFORMANCE_EXAMPLE = "performance 3m vs SPY"
_ACCOUNT_EXAMPLE = "performance 3m account 12"


def _period_list() -> str:
    return f"{', '.join(PERFORMANCE_PERIODS[:-1])} or {PERFORMANCE_PERIODS[-1]}"


def _performance_from_tokens(tokens: list[str]) -> PerformanceRequest:
    """The grammar after `performance`: at most one period, one `vs SYMBOL` and one
    `account <id>`, in any order."""
    period: PerformancePeriod | None = None
    benchmark: str | None = None
    account: int | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.lower()
        if word == "account":
            if account is not None:
                raise _Invalid("Name one account", example=_ACCOUNT_EXAMPLE)
            if index + 1 >= len(tokens):
                raise _Invalid("Say which account after `account`", example=_ACCOUNT_EXAMPLE)
            try:
                account = _identifier(tokens[index + 1], "account id")
            except _Invalid as invalid:  # an example with an account, not the bare one
                raise _Invalid(invalid.problem, example=_ACCOUNT_EXAMPLE) from None
            index += 2
            continue
        if word in ("vs", "vs.", "versus", "against"):
            if benchmark is not None:
                raise _Invalid("Compare with one benchmark")
            if index + 1 >= len(tokens):
                raise _Invalid(f"Say which symbol to compare with after {_show(token)}")
            benchmark = _symbol(tokens[index + 1])
            index += 2
            continue
        chosen = next((p for p in PERFORMANCE_PERIODS if p == word), None)
        if chosen is None:
            raise _Invalid(f"{_show(token)} is not a period; periods are {_period_list()}")
        if period is not None:
            raise _Invalid("Give one period")
        period = chosen
        index += 1
    return PerformanceRequest(period or "1m", benchmark, account)

"""The outputs of the Workflow Builder steps, as ``functions.completeSuccess`` takes them.

Each output is declared in ``manifest.yml`` (``functions``) with its type: numbers as numbers,
and one ``summary`` sentence in plain text that a later step (a message, a form) can show as it
is. Plain text is not escaped for mrkdwn; anything that could become a link or a mention in a
later step (``<``, ``>``) is taken out of what AutoShares wrote (a name, an alias) instead.
An output whose figure AutoShares did not give is left out rather than sent as zero.
"""

from __future__ import annotations

from typing import Any

from bot.autoshares.resources import Account
from bot.core.views import PortfolioSummary, QuoteRow
from handlers.blocks.account import balance
from handlers.blocks.numbers import money, number, percent, price
from handlers.blocks.quote import quote_price

__all__ = ["GET_QUOTE", "PORTFOLIO_SUMMARY", "account_name", "plain", "portfolio_outputs", "quote_outputs"]

#: The steps' callback ids (the keys of ``functions`` in the manifest).
GET_QUOTE = "get_quote"
PORTFOLIO_SUMMARY = "portfolio_summary"


def plain(text: object, limit: int = 80) -> str:
    """AutoShares' words for plain text: no angle brackets, no control characters, clipped."""
    cleaned = "".join(ch for ch in str(text) if ch.isprintable() and ch not in "<>").strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _present(outputs: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in outputs.items() if value is not None}


def _move(change: float | None, change_pc: float | None, currency: str) -> str:
    """``up $1.23 (+0.53%)``, ``down $0.40``, ``unchanged``, or "" when unknown."""
    if change is None and change_pc is None:
        return ""
    direction = change if change is not None else change_pc
    assert direction is not None
    pc = f" ({percent(change_pc)})" if change_pc is not None else ""
    if round(direction, 4) == 0:
        return f"unchanged{pc}"
    amount = f" {money(abs(change), currency)}" if change is not None else ""
    return f"{'up' if direction > 0 else 'down'}{amount}{pc}"


def quote_outputs(row: QuoteRow) -> dict[str, Any]:
    """``symbol``, ``price`` (Price, or Last when Price is 0), ``change`` and ``change_percent``
    (the day's, as AutoShares gives them) and a ``summary`` sentence."""
    quote = row.quote
    currency = row.equity.currency or "USD"
    last = number(quote_price(quote)) if quote is not None else None
    change = number(quote.change) if quote is not None else None
    change_pc = number(quote.change_pc) if quote is not None else None
    name = plain(row.equity.description or "")
    head = f"{row.symbol} ({name})" if name else row.symbol
    move = _move(change, change_pc, currency)
    summary = f"{head} {price(last, currency)}" + (f", {move} today" if move else "") + "."
    return _present(
        {
            "symbol": row.symbol,
            "price": last,
            "change": change,
            "change_percent": change_pc,
            "summary": summary,
        }
    )


def account_name(account: Account) -> str:
    """``Bob's cash account (5002)``, or ``Account 5002`` without an alias: plain text."""
    alias = plain(account.alias or "")
    return f"{alias} ({account.id})" if alias else f"Account {account.id}"


def portfolio_outputs(found: PortfolioSummary) -> dict[str, Any]:
    """``account``, ``total_value`` (equity), ``cash``, ``day_change`` (AutoShares' day P&L
    when its balances carry one, else the holdings' move worked out from their quotes),
    ``positions_count`` and a ``summary`` sentence."""
    currency = found.account.currency or "USD"
    total = number(balance(found.balances, "Equity"))
    cash = number(balance(found.balances, "Cash"))
    day = number(balance(found.balances, "Day P&L"))
    if day is None:
        day = number(found.holdings_day_change)
    name = account_name(found.account)
    count = found.positions_count
    parts = [f"{name}: worth {money(total, currency)}" if total is not None else name]
    if cash is not None:
        parts.append(f"{money(cash, currency)} in cash")
    parts.append(f"{count} holding{'s' if count != 1 else ''}")
    if day is not None:
        parts.append(
            "unchanged today"
            if round(day, 2) == 0
            else f"{'up' if day > 0 else 'down'} {money(abs(day), currency)} today"
        )
    return _present(
        {
            "account": name,
            "total_value": total,
            "cash": cash,
            "day_change": day,
            "positions_count": count,
            "summary": ", ".join(parts) + ".",
        }
    )

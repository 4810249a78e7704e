"""A mutual fund order in words, from the ticket the bot sends (or stored): one summary that
the fund's confirmation, its outcome, the approval request and the large-order step all show.
Pure, no I/O."""

from __future__ import annotations

from bot.autoshares.resources import FundOperation, FundTicket
from handlers.blocks.common import escape
from handlers.blocks.numbers import money, shares

#: Cancel on a placed mutual fund order's message (``DELETE …/orders/mutual-funds/{orderId}``).
FUND_CANCEL_OPEN = "fund_cancel_open"


def _amount(ticket: FundTicket) -> str:
    if ticket.in_dollars:
        return f"{money(ticket.quantity)} of {escape(ticket.symbol)}"
    count = shares(ticket.quantity)
    return f"{count} share{'' if ticket.quantity == 1 else 's'} of {escape(ticket.symbol)}"


def _choice(reinvest: bool | None) -> str:
    return "reinvested" if reinvest is not False else "paid in cash"


def reinvestment(ticket: FundTicket) -> str | None:
    """``dividends reinvested · capital gains paid in cash`` for a buy or an exchange (short-
    and long-term gains apart when they differ); None for orders that take no choice."""
    if ticket.fund_operation not in (FundOperation.buy, FundOperation.exchange):
        return None
    short, long = ticket.reinvest_short_term_gains, ticket.reinvest_long_term_gains
    gains = (
        f"capital gains {_choice(short)}"
        if _choice(short) == _choice(long)
        else f"short-term gains {_choice(short)} · long-term gains {_choice(long)}"
    )
    return f"dividends {_choice(ticket.reinvest_dividends)} · {gains}"


def fund_summary(ticket: FundTicket) -> str:
    """``*Buy $1,000.00 of VFIAX* · mutual fund · dividends reinvested · capital gains
    reinvested`` (mrkdwn, escaped)."""
    symbol = escape(ticket.symbol)
    operation = ticket.fund_operation
    if operation == FundOperation.buy:
        head = f"*Buy {_amount(ticket)}*"
    elif operation == FundOperation.sell:
        head = f"*Sell {_amount(ticket)}*"
    elif operation == FundOperation.exchange:
        head = f"*Exchange all of {symbol} for {escape(ticket.target_symbol or '?')}*"
    else:
        head = f"*Liquidate {symbol}* (sell every share)"
    parts = [head, "mutual fund", "fills at the next close"]
    choices = reinvestment(ticket)
    if choices:
        parts.append(choices)
    return " · ".join(parts)

"""Every account at once, and an account's top holdings with its allocation by security type."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, ImageBlock, MarkdownTextObject, SectionBlock

from bot.autoshares.resources import Account, Balance, PositionGroup
from bot.core.views import ConsolidatedView, TopHoldings
from handlers.blocks.account import BALANCE_FIGURES, account_label, balance
from handlers.blocks.common import clip, context, escape, message, section
from handlers.blocks.numbers import money, percent, shares, signed_money
from handlers.blocks.order import order_summary

#: AutoShares' security types as people say them.
SECURITY_TYPE_WORDS = {"CommonStock": "Common stock", "ETF": "ETF", "PreferredStock": "Preferred stock"}
#: Holdings and orders listed in the consolidated view (each is one line of a section).
MAX_LINES = 20
_SIGNED = {"Day P&L", "Open P&L"}


def security_type_label(name: str) -> str:
    return SECURITY_TYPE_WORDS.get(name, escape(name))


def _balance_fields(balances: Balance, currency: str) -> list[MarkdownTextObject]:
    fields = []
    for label in BALANCE_FIGURES:
        value = balance(balances, label)
        if value is not None:
            shown = signed_money(value, currency) if label in _SIGNED else money(value, currency)
            fields.append(MarkdownTextObject(text=f"*{label}*\n{shown}"))
    return fields


def _lines(title: str, lines: Sequence[str], total: int, empty: str) -> SectionBlock:
    if not lines:
        return section(f"{title}\n_{empty}_")
    more = f"\n…and {total - len(lines)} more." if total > len(lines) else ""
    return section(clip(f"{title}\n" + "\n".join(lines) + more))


def consolidated_message(view: ConsolidatedView) -> dict[str, Any]:
    """`/autoshares account all`: the balances summed, the holdings with their account, open orders."""
    by_id: dict[int, Account] = {a.id: a for a in view.accounts}
    currency = next((a.currency for a in view.accounts if a.currency), None) or "USD"
    names = ", ".join(account_label(a) for a in view.accounts)
    count = len(view.accounts)
    fields = _balance_fields(view.balances, currency)
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=clip(f"*All {count} account{'s' if count != 1 else ''} at once*\n{names}")),
            fields=fields or None,
        ),
        DividerBlock(),
    ]

    def where(account_id: int | None) -> str:
        account = by_id.get(account_id) if account_id is not None else None
        return account_label(account) if account else f"account {account_id}" if account_id else "an account"

    held = [
        f"*{escape(p.symbol or p.security_id)}* {shares(p.quantity)} sh · value "
        f"{money(p.market_value if p.market_value is not None else p.market_value_eod, currency)} · in {where(p.account_id)}"
        for p in list(view.positions)[:MAX_LINES]
    ]
    total = view.positions_total if view.positions_total is not None else len(view.positions)
    blocks.append(_lines(f"*Positions* ({total})", held, total, "No positions in any account."))
    orders = [
        f"{order_summary(o)} · order {o.id} · in {where(o.account_id)}" for o in list(view.open_orders)[:MAX_LINES]
    ]
    blocks.append(
        _lines(f"*Open orders* ({len(view.open_orders)})", orders, len(view.open_orders), "No open orders.")
    )
    blocks.append(context("Balances summed by AutoShares across your accounts; quotes may be delayed."))
    return message(f"All {count} accounts: {total} positions, {len(view.open_orders)} open orders", blocks)


def share_bar(fraction: float, width: int = 10) -> str:
    """``███████░░░``: a share of a whole (0 to 1) as ``width`` blocks."""
    filled = max(0, min(width, round(fraction * width)))
    return "█" * filled + "░" * (width - filled)


def allocation_lines(groups: Sequence[PositionGroup], currency: str) -> list[str]:
    """One line per security type: a text bar, the value and its share of the holdings."""
    whole = sum((g.market_value for g in groups), Decimal(0))
    lines = []
    for group in groups:
        fraction = float(group.market_value / whole) if whole else 0.0
        lines.append(
            f"`{share_bar(fraction)}` {security_type_label(group.name)} {money(group.market_value, currency)}"
            f" ({percent(fraction * 100, signed=False, places=1)})"
        )
    return lines


def top_message(found: TopHoldings, *, image_url: str | None = None, note: str | None = None) -> dict[str, Any]:
    """`/autoshares positions top`: the largest holdings and the allocation by security type,
    drawn as a chart (``image_url``) or, without one, as text bars."""
    label, currency = account_label(found.account), found.account.currency or "USD"
    if not found.top:
        sentence = f"No positions in {label}."
        return message(sentence, [section(sentence), context("Place a trade with `/order`.")])
    whole = sum((g.market_value for g in found.groups), Decimal(0))
    top = [
        f"{rank}. *{escape(g.name)}* {money(g.market_value, currency)}"
        + (f" ({percent(g.market_value / whole * 100, signed=False, places=1)} of holdings)" if whole else "")
        for rank, g in enumerate(found.top, start=1)
    ]
    blocks: list[Block] = [
        section(clip(f"*Top {len(found.top)} holding{'s' if len(found.top) != 1 else ''} in {label}* by market value\n" + "\n".join(top))),
        DividerBlock(),
        section(
            clip(
                "*Allocation by security type*\n"
                + ("\n".join(allocation_lines(found.groups, currency)) or "_AutoShares reported no allocation._")
            )
        ),
    ]
    if image_url:
        blocks.append(
            ImageBlock(
                image_url=image_url,
                alt_text=clip(f"Allocation of {label} by security type", 2000),
                title=clip(f"Allocation of {label}", 200),
            )
        )
    if note:
        blocks.append(context(note))
    return message(f"Top holdings and allocation of account {found.account_id}", blocks)

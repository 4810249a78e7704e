"""Trading accounts with balances and a "Make default" button; positions, a page at a time.

Balances come from ``GET /accounts/{id}/info``, a flat map whose names differ between
AutoShares deployments (the sandbox says ``BuyingPower``, ETNA's documentation shows
``stockBuyingPower``); ``balance`` looks a figure up under each known name, ignoring case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.autoshares.resources import Account, Balance, Position
from bot.core.views import AccountView, PositionsPage
from handlers.blocks.common import account_and_page, clip, context, escape, message, section
from handlers.blocks.numbers import (
    MISSING,
    money,
    percent,
    price,
    shares,
    signed_money,
    trend,
)
from handlers.blocks.options import contracts, position_option_words

__all__ = [
    "ACCOUNT_MAKE_DEFAULT",
    "POSITIONS_PREVIOUS",
    "POSITIONS_NEXT",
    "SIGNUP_OPEN",
    "BALANCE_FIGURES",
    "balance",
    "account_label",
    "accounts_message",
    "no_accounts_message",
    "positions_message",
    "positions_page_value",
    "parse_positions_page_value",
    "account_added_message",
    "signup_message",
]

ACCOUNT_MAKE_DEFAULT = "account_make_default"
POSITIONS_PREVIOUS = "positions_previous"
POSITIONS_NEXT = "positions_next"
SIGNUP_OPEN = "signup_open"
#: Accounts shown in one message (each is one section; a message holds at most 50 blocks).
MAX_ACCOUNTS = 20

#: Figure label → the balance it shows.
BALANCE_FIGURES: dict[str, Callable[[Balance], Decimal | None]] = {
    "Buying power": lambda b: b.buying_power,
    "Cash": lambda b: b.cash,
    "Equity": lambda b: b.equity,
    "Day P&L": lambda b: b.day_profit_loss,
    "Open P&L": lambda b: b.open_profit_loss,
}
_SIGNED = {"Day P&L", "Open P&L"}


def balance(balances: Balance | None, label: str) -> Decimal | None:
    """The figure ``label`` (a key of BALANCE_FIGURES) of an account's balances, or None."""
    return BALANCE_FIGURES[label](balances) if balances is not None else None


def account_label(account: Account) -> str:
    """``Alice's cash account (5001)``: alias and id, escaped."""
    alias = (account.alias or "").strip()
    if alias:
        return f"{escape(alias)} ({account.id})"
    return f"Account {account.id}"


def _account_section(view: AccountView) -> SectionBlock:
    account = view.account
    currency = account.currency or "USD"
    title = f"*{account_label(account)}*" + ("  :star: default" if view.is_default else "")
    details = [
        escape(part)
        for part in (
            account.clearing_account,
            account.margin_type and f"{account.margin_type} account",
            account.access_type and f"{account.access_type} access",
        )
        if part
    ]
    if account.enabled is False:
        details.append("disabled")
    lines = [title, " · ".join(details)] if details else [title]
    fields: list[MarkdownTextObject] = []
    if view.balances is None:
        lines.append("_Balances are unavailable right now._")
    else:
        for label in BALANCE_FIGURES:
            value = balance(view.balances, label)
            if value is None:
                continue
            shown = signed_money(value, currency) if label in _SIGNED else money(value, currency)
            arrow = f" {trend(value)}" if label in _SIGNED and trend(value) else ""
            fields.append(MarkdownTextObject(text=f"*{label}*\n{shown}{arrow}"))
        if not fields:
            lines.append("_No balances reported._")
    accessory = None
    if not view.is_default:
        accessory = ButtonElement(
            text="Make default",
            action_id=ACCOUNT_MAKE_DEFAULT,
            value=str(account.id),
            accessibility_label=clip(f"Make account {account.id} your default", 75),
        )
    return SectionBlock(
        text=MarkdownTextObject(text=clip("\n".join(lines))),
        fields=fields or None,
        accessory=accessory,
    )


def accounts_message(
    views: Sequence[AccountView], *, note: str | None = None, agreements_outstanding: int = 0
) -> dict[str, Any]:
    """Every trading account with key balances; ``note`` (safe text) opens the message."""
    if not views:
        return no_accounts_message()
    blocks: list[Block] = []
    if note:
        blocks.append(section(note))
    shown = list(views)[:MAX_ACCOUNTS]
    blocks.append(section(f"*Your AutoShares accounts* ({len(views)})"))
    for view in shown:
        blocks.append(_account_section(view))
    if len(views) > len(shown):
        blocks.append(context(f"…and {len(views) - len(shown)} more accounts not shown."))
    hints = ["`/autoshares positions &lt;account&gt;` shows holdings."]
    if not any(v.is_default for v in views):
        hints.insert(0, "No default account yet: trades use the first account until you pick one.")
    if agreements_outstanding:
        hints.append(":memo: Sign your agreements (`/autoshares agreements`) before trading.")
    blocks.append(context(" ".join(hints)))
    return message(f"Your AutoShares accounts ({len(views)})", blocks)


def no_accounts_message() -> dict[str, Any]:
    sentence = (
        "Your AutoShares login has no trading account yet. Run `/autoshares signup` to open one, "
        "or `/autoshares accounts add &lt;accountId&gt;` to add an existing one."
    )
    return message(sentence, [section(sentence)])


def positions_page_value(account_id: int, page: int) -> str:
    """Button value for a page of positions (zero-based page, as AutoShares counts)."""
    return f"{account_id}:{page}"


def parse_positions_page_value(value: str) -> tuple[int, int]:
    """Inverse of positions_page_value; ValueError for anything else."""
    account_text, _, page_text = value.partition(":")
    return account_and_page(account_text, page_text)


def _position_section(position: Position, currency: str) -> SectionBlock:
    symbol = escape(position.symbol or position.security_id)
    name = position.company_name or position.name
    quantity = position.quantity
    average = position.average_open_price
    cost = position.cost_basis
    value = position.market_value if position.market_value is not None else position.market_value_eod
    if value is None and quantity is not None and position.eod_price is not None:
        value = quantity * position.eod_price
    unrealised = position.unrealized_profit_loss
    if unrealised is None and value is not None and cost is not None:
        unrealised = value - cost
    pl_pct = None
    if unrealised is not None and cost:
        pl_pct = unrealised / abs(cost) * 100
    head = f"*{symbol}*" + (f"  {escape(name)}" if name and name != position.symbol else "")
    side = " short" if quantity is not None and quantity < 0 else ""
    body = f"{shares(quantity)} sh{side} @ {price(average, currency)} avg · value {money(value, currency)}"
    option = position_option_words(position)
    if option is not None:  # an option: its contract, expiry and size; prices per share
        head = f"*{option}*"
        body = f"{contracts(quantity)}{side} @ {price(average, currency)} avg a share · value {money(value, currency)}"
    pl = signed_money(unrealised, currency)
    if pl != MISSING:
        pl = f"{trend(unrealised)} {pl}".strip() + (f" ({percent(pl_pct)})" if pl_pct is not None else "")
    return SectionBlock(text=MarkdownTextObject(text=clip(f"{head}\n{body} · P&L {pl}")))


def positions_message(found: PositionsPage) -> dict[str, Any]:
    """One page of holdings with Previous/Next buttons (``page`` is zero-based)."""
    account_id, account, positions = found.account_id, found.account, found.positions
    page, total, has_next, page_size = found.page, found.total, found.has_next, found.page_size
    label = account_label(account)
    currency = account.currency or "USD"
    if not positions and page == 0:
        sentence = f"No positions in {label}."
        return message(sentence, [section(sentence), context("Place a trade with `/order`.")])
    total_count = total if total is not None else page * page_size + len(positions)
    pages = max(1, math.ceil(total_count / page_size)) if total is not None else None
    where = f"page {page + 1} of {pages}" if pages else f"page {page + 1}"
    blocks: list[Block] = [
        section(f"*Positions in {label}* — {total_count} holding{'s' if total_count != 1 else ''}, {where}"),
        DividerBlock(),
    ]
    blocks.extend(_position_section(p, currency) for p in list(positions)[:page_size])
    if not positions:
        blocks.append(section("_Nothing on this page._"))
    buttons: list[ButtonElement] = []
    if page > 0:
        buttons.append(
            ButtonElement(
                text="Previous",
                action_id=POSITIONS_PREVIOUS,
                value=positions_page_value(account_id, page - 1),
            )
        )
    if has_next:
        buttons.append(
            ButtonElement(
                text="Next",
                action_id=POSITIONS_NEXT,
                value=positions_page_value(account_id, page + 1),
            )
        )
    if buttons:
        blocks.append(ActionsBlock(block_id="positions_pages", elements=buttons))
    blocks.append(context("Market value and P&L as AutoShares reports them; quotes may be delayed."))
    return message(f"Positions in account {account_id} ({where})", blocks)


def account_added_message(account_id: int, access: str | None) -> dict[str, Any]:
    how = f" with {escape(access)} access" if access else ""
    sentence = f":white_check_mark: Account {account_id} is now on your AutoShares login{how}."
    return message(
        f"Account {account_id} added.",
        [section(sentence), context("Run `/autoshares account` to see it, or make it your default there.")],
    )


def signup_message(url: str) -> dict[str, Any]:
    return message(
        f"Open an AutoShares account: {url}",
        [
            section("Open a new AutoShares trading account on the AutoShares website."),
            ActionsBlock(
                block_id="signup",
                elements=[
                    ButtonElement(text="Open an account", url=url, action_id=SIGNUP_OPEN, style="primary")
                ],
            ),
            context("When it is open, run `/autoshares link` (or `/autoshares account` if you are linked)."),
        ],
    )

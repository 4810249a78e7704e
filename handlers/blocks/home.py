"""The App Home tab: link status with Link / Unlink, the default account with balances, open
orders, active alerts and the watchlist. Each part AutoShares could not answer says so on its own line, so one
failing call never blanks the whole tab."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.autoshares.resources import Position, PriceAlert, fixed_kind
from bot.core.views import HomeData
from handlers.blocks.account import BALANCE_FIGURES, account_label, balance
from handlers.blocks.common import clip, context, escape, section
from handlers.blocks.numbers import money, price, shares, signed_money
from handlers.blocks.options import contracts, position_option_words
from handlers.blocks.order import edit_button, order_summary
from handlers.blocks.watch import EMPTY as EMPTY_WATCHLIST
from handlers.blocks.watch import watch_lines

__all__ = [
    "HOME_REFRESH",
    "HOME_UNLINK",
    "HOME_LINK",
    "home_view",
    "unlinked_home_view",
]

HOME_REFRESH = "home_refresh"
HOME_UNLINK = "home_unlink"
HOME_LINK = "link_open"  # the link button's action id (acked by handlers.link)
MAX_ROWS = 10
VIEW_BLOCK_LIMIT = 100

_OPERATORS = {"GTEQ": "at or above", "LTEQ": "at or below"}
_FIELDS = {"Last": "last price", "Bid": "bid", "Ask": "ask"}


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def _link_button(url: str, label: str) -> ButtonElement:
    return ButtonElement(text=label, url=url, action_id=HOME_LINK, style="primary")


def _commands() -> SectionBlock:
    return section(
        "*Try* `/quote AAPL` · `/order buy 1 AAPL` · `/alert AAPL above 200` · "
        "`/watch add AAPL` · `/autoshares account` · `/autoshares help`"
    )


def unlinked_home_view(link_url: str, *, notice: str | None = None) -> dict[str, Any]:
    """The tab for a user who has not linked AutoShares: a Link button and what it unlocks."""
    blocks: list[Block] = [HeaderBlock(text="AutoShares for Slack")]
    if notice:
        blocks.append(section(notice))
    blocks += [
        section(
            "Connect your AutoShares login to get quotes, see your accounts and positions, "
            "place orders (always with a confirmation step) and set price alerts, right here in Slack."
        ),
        ActionsBlock(block_id="home_link", elements=[_link_button(link_url, "Link AutoShares")]),
        context("The sign-in link works once and expires in 10 minutes; reopen this tab for a fresh one."),
        DividerBlock(),
        _commands(),
    ]
    return {"type": "home", "blocks": [b.to_dict() for b in blocks]}


def _status(data: HomeData) -> list[Block]:
    link = data.link
    who = escape(link.autoshares_login)
    lines = [f":large_green_circle: Linked as *{who}* since {_when(link.linked_at)}."]
    blocks: list[Block] = []
    if link.needs_relink:
        lines = [f":warning: Your AutoShares sign-in as *{who}* has expired; link again to keep trading."]
    if link.agreements_outstanding:
        count = link.agreements_outstanding
        noun = "agreement is" if count == 1 else "agreements are"
        lines.append(f":memo: {count} {noun} waiting for your signature: run `/autoshares agreements`.")
    blocks.append(section("\n".join(lines)))
    buttons: list[ButtonElement] = []
    if data.relink_url:
        buttons.append(_link_button(data.relink_url, "Link again"))
    buttons.append(ButtonElement(text="Refresh", action_id=HOME_REFRESH, value="refresh"))
    buttons.append(
        ButtonElement(
            text="Unlink",
            action_id=HOME_UNLINK,
            value="unlink",
            style="danger",
            confirm=ConfirmObject(
                title="Unlink AutoShares?",
                text="The bot forgets your AutoShares tokens and signs you out there. Orders and alerts already at AutoShares stay as they are.",
                confirm="Unlink",
                deny="Keep",
                style="danger",
            ),
        )
    )
    blocks.append(ActionsBlock(block_id="home_link_actions", elements=buttons))
    return blocks


def _account(data: HomeData) -> list[Block]:
    title = section("*Default account*")
    if data.account is None:
        why = (
            "_Could not load your accounts right now._"
            if "accounts" in data.problems
            else "_No trading account yet: run `/autoshares signup` or `/autoshares accounts add &lt;id&gt;`._"
        )
        return [title, section(why)]
    currency = data.account.currency or "USD"
    head = f"*{account_label(data.account)}*"
    if data.balances is None:
        return [title, section(f"{head}\n_Balances are unavailable right now._")]
    fields = []
    for label in BALANCE_FIGURES:
        value = balance(data.balances, label)
        if value is not None:
            shown = signed_money(value, currency) if "P&L" in label else money(value, currency)
            fields.append(MarkdownTextObject(text=f"*{label}*\n{shown}"))
    return [title, SectionBlock(text=MarkdownTextObject(text=head), fields=fields or None)]


def _orders(data: HomeData) -> list[Block]:
    title = section("*Open orders*")
    if data.orders is None:
        return [title, section("_Could not load open orders right now._")]
    if not data.orders:
        return [title, context("No open orders.")]
    blocks: list[Block] = [title]
    account_id = data.account.id if data.account is not None else None
    for order in list(data.orders)[:MAX_ROWS]:
        filled = order.executed_quantity
        progress = f", {shares(filled)} filled" if filled else ""
        line = f"• {order_summary(order)} · {order.status.name}{progress} · #{order.id}"
        # Each open order has its Edit button (a modal prefilled with its terms).
        editable = order.is_open and fixed_kind(order) is None
        edit = edit_button(account_id, order.id, order) if account_id is not None and editable else None
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(line)), accessory=edit))
    more = len(data.orders) - MAX_ROWS
    if more > 0:
        blocks.append(context(f"…and {more} more: `/order list`"))
    return blocks


def _alert_line(alert: PriceAlert) -> str:
    operator = _OPERATORS.get(str(alert.operator), escape(alert.operator))
    what = _FIELDS.get(str(alert.field), escape(alert.field))
    line = f"• *{escape(alert.symbol or alert.security_id or '?')}* {what} {operator} *{price(alert.argument)}*"
    if alert.expiration_date and alert.expiration_date > 0:
        line += f" · until {_when(datetime.fromtimestamp(alert.expiration_date, UTC))}"
    return line + f" · #{alert.id}"


def _alerts(data: HomeData) -> list[Block]:
    title = section("*Active alerts*")
    if data.alerts is None:
        return [title, section("_Could not load your alerts right now._")]
    if not data.alerts:
        return [title, context("No active alerts. Set one with `/alert AAPL above 200`.")]
    lines = [_alert_line(a) for a in list(data.alerts)[:MAX_ROWS]]
    more = len(data.alerts) - MAX_ROWS
    if more > 0:
        lines.append(f"…and {more} more: `/alert list`")
    return [title, section(clip("\n".join(lines)))]


def _option_positions(positions: Sequence[Position]) -> list[Block]:
    """Option holdings: contract, expiry and contract size, contracts held, value."""
    lines = []
    for position in list(positions)[:MAX_ROWS]:
        value = position.market_value if position.market_value is not None else position.market_value_eod
        lines.append(f"• {position_option_words(position)} · {contracts(position.quantity)} · value {money(value)}")
    more = len(positions) - MAX_ROWS
    if more > 0:
        lines.append(f"…and {more} more: `/autoshares positions`")
    return [section("*Option positions*"), section(clip("\n".join(lines)))]


def _watchlist(data: HomeData) -> list[Block]:
    title = section("*Watchlist*")
    if data.watchlist is None:
        return [title, section("_Could not load your watchlist right now._")]
    if not data.watchlist.rows:
        return [title, context(EMPTY_WATCHLIST)]
    blocks: list[Block] = [title, section(clip("\n".join(watch_lines(data.watchlist))))]
    if data.watchlist.quotes_failed:
        blocks.append(context("Live quotes are unavailable right now; Refresh in a minute."))
    return blocks


def home_view(data: HomeData, *, now: datetime | None = None) -> dict[str, Any]:
    """The tab for a linked user."""
    blocks: list[Block] = [HeaderBlock(text="AutoShares for Slack")]
    if data.notice:
        blocks.append(section(data.notice))
    blocks += _status(data)
    if not data.link.needs_relink:
        blocks += [
            DividerBlock(),
            *_account(data),
            DividerBlock(),
            *_orders(data),
            DividerBlock(),
            *_alerts(data),
        ]
        if data.option_positions:
            blocks += [DividerBlock(), *_option_positions(data.option_positions)]
        if data.watchlist is not None or "watchlist" in data.problems:
            blocks += [DividerBlock(), *_watchlist(data)]
    blocks += [DividerBlock(), _commands(), context(f"Updated {_when(now or datetime.now(UTC))}.")]
    return {"type": "home", "blocks": [b.to_dict() for b in blocks[:VIEW_BLOCK_LIMIT]]}

"""New issues in Block Kit: `/autoshares ipo` (the active offerings, each with Subscribe or
Unsubscribe), the subscription's confirmation and the answer to Unsubscribe. Pure, no I/O.

The confirmation carries the order pipeline's own Confirm and Cancel (``ORDER_CONFIRM``,
``ORDER_CANCEL_PENDING``) naming the pending subscription, so it is confirmed, approved and
audited exactly as an order is.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, ConfirmObject, SectionBlock

from bot.autoshares.resources import Account, Offering
from bot.core.views import OfferingsView, SubscriptionPreview
from bot.vocabulary.ids import autoshares_id
from handlers.blocks.common import context, escape, message, one_line, section
from handlers.blocks.numbers import money
from handlers.blocks.order import approval_note, confirm_buttons
from handlers.blocks.subscriptions import price_range

IPO_SUBSCRIBE = "ipo_subscribe"
IPO_UNSUBSCRIBE = "ipo_unsubscribe"
#: Offerings shown at most (Slack allows 50 blocks a message).
MAX_OFFERINGS = 20
_SAFE_URL = re.compile(r"https?://[^\s<>|]+")


def offering_value(account_id: int, reference: str) -> str:
    """A Subscribe/Unsubscribe button's value: the account and the offering's reference."""
    return f"{account_id}:{reference}"


def parse_offering_value(value: str) -> tuple[int, str]:
    """The account and reference of a button's value (``ValueError`` for a stale one)."""
    account_text, _, reference = value.partition(":")
    account_id = autoshares_id(account_text)
    if account_id is None or not reference:
        raise ValueError(value)
    return account_id, reference


def _link(url: str | None, label: str) -> str | None:
    """A Slack link to an http(s) address AutoShares gave; nothing for anything else."""
    if url and _SAFE_URL.fullmatch(url.strip()):
        return f"<{url.strip()}|{label}>"
    return None


def _account_label(account_id: int, account: Account | None) -> str:
    alias = (account.alias or account.clearing_account) if account is not None else None
    return f"{account_id} ({escape(alias)})" if alias else str(account_id)


def offering_lines(offering: Offering) -> str:
    """Name, price range, dates and the prospectus of one offering, as mrkdwn."""
    head = f"*{escape(one_line(offering.title))}*"
    if offering.industry:
        head += f" · {escape(one_line(offering.industry))}"
    dates = [
        f"{word} {escape(day)}"
        for word, day in (("trades", offering.trade_date), ("settles", offering.settlement_date))
        if day
    ]
    lines = [head, " · ".join([price_range(offering.min_price, offering.max_price), *dates])]
    tickets = []
    if offering.min_ticket_size is not None:
        tickets.append(f"orders from {money(offering.min_ticket_size)}")
    if offering.max_ticket_size is not None:
        tickets.append(f"up to {money(offering.max_ticket_size)}")
    prospectus = _link(offering.prospectus_url, "Prospectus")
    tail = [*tickets, *([prospectus] if prospectus else [])]
    if tail:
        lines.append(" · ".join(tail))
    if offering.is_subscribed:
        lines.append(":white_check_mark: You are subscribed.")
    return "\n".join(lines)


def _button(account_id: int, offering: Offering) -> ButtonElement:
    value = offering_value(account_id, offering.offering_reference)
    if offering.is_subscribed:
        return ButtonElement(
            text="Unsubscribe",
            action_id=IPO_UNSUBSCRIBE,
            value=value,
            confirm=ConfirmObject(
                title="Unsubscribe?",
                text=f"Stop following {escape(one_line(offering.title)[:200])} in account {account_id}?",
                confirm="Unsubscribe",
                deny="Keep it",
            ),
        )
    return ButtonElement(text="Subscribe", action_id=IPO_SUBSCRIBE, value=value, style="primary")


def offerings_message(view: OfferingsView, *, note: str | None = None) -> dict[str, Any]:
    """`/autoshares ipo`: the new issues open to the account, each with Subscribe or Unsubscribe."""
    where = _account_label(view.account_id, view.account)
    blocks: list[Block] = [section(note)] if note else []
    if not view.offerings:
        sentence = f"No new issues are open to account {where} right now. Try again later."
        blocks.append(section(f":calendar: {sentence}"))
        return message(sentence, blocks)
    blocks.append(section(f":bell: *New issues open to account {where}*"))
    for offering in view.offerings[:MAX_OFFERINGS]:
        blocks.append(
            SectionBlock(
                text=section(offering_lines(offering)).text,
                accessory=_button(view.account_id, offering),
            )
        )
    if len(view.offerings) > MAX_OFFERINGS:
        blocks.append(context(f"Showing {MAX_OFFERINGS} of {len(view.offerings)} offerings."))
    blocks.append(
        context("Subscribe shows the offering to confirm first; read the prospectus before you subscribe.")
    )
    return message(f"{len(view.offerings)} new issue(s) open to account {view.account_id}.", blocks)


def subscription_confirmation(preview: SubscriptionPreview, *, confirm_seconds: int) -> dict[str, Any]:
    """The offering to subscribe to, with the order pipeline's Confirm and Cancel."""
    offering, pending_id = preview.offering, preview.pending.id
    blocks: list[Block] = [
        section(
            f":receipt: Review your subscription in account {_account_label(preview.account_id, preview.account)}:\n"
            f"{offering_lines(offering)}"
        )
    ]
    if offering.description:
        blocks.append(context(escape(one_line(offering.description)[:300])))
    if preview.approval:
        blocks.append(approval_note(preview.approval, preview.approvals_channel, "This subscription", "it is sent"))
    blocks.append(confirm_buttons(pending_id))
    minutes = max(1, confirm_seconds // 60)
    blocks.append(
        context(
            f"Nothing is subscribed until you confirm. This confirmation expires in {minutes} minute"
            f"{'s' if minutes != 1 else ''}; only you can confirm it."
        )
    )
    return message(f"Review your subscription to {escape(one_line(offering.title))}", blocks)


def unsubscribed_message(view: OfferingsView, offering: Offering) -> dict[str, Any]:
    """Unsubscribe done: the list again, saying so on top."""
    note = f":leftwards_arrow_with_hook: You unsubscribed from {escape(one_line(offering.title))}."
    return offerings_message(view, note=note)

"""The DM that tells a holder of a corporate action: a split (its ratio), a dividend (its amount
and dates), a merger (with whom, on what terms), or any other kind with its terms as AutoShares
wrote them. AutoShares' words are escaped."""

from __future__ import annotations

from typing import Any

from bot.core.notices import ActionNotice
from handlers.blocks.common import clip, context, escape, message, one_line, section

#: The labels of the terms shown first (by the client's names for them, in its order); any other
#: term follows as written.
TERM_LABELS = {
    "ratio": "Ratio",
    "amount": "Amount per share",
    "currency": "Currency",
    "ex_date": "Ex-dividend date",
    "record_date": "Record date",
    "pay_date": "Payment date",
    "acquirer": "Acquirer",
    "terms": "Terms",
}
_EMOJI = {"split": ":scissors:", "dividend": ":moneybag:", "merger": ":handshake:"}


def _terms(notice: ActionNotice) -> list[str]:
    shown = [f"*{TERM_LABELS[name]}*: {escape(one_line(value))}" for name, value in notice.named_terms.named()]
    for name, value in sorted(notice.other_terms.items()):
        shown.append(f"*{escape(one_line(name))}*: {escape(one_line(value))}")
    return shown


def headline(notice: ActionNotice) -> str:
    """``AAPL: dividend of 0.25 per share`` (plain words, for the notification)."""
    kind = notice.kind.lower() or "corporate action"
    terms = notice.named_terms
    if kind == "dividend" and terms.amount:
        return f"{notice.symbol}: dividend of {terms.amount} {terms.currency or 'USD'} per share"
    if kind == "split" and terms.ratio:
        return f"{notice.symbol}: {terms.ratio} stock split"
    if kind == "merger" and terms.acquirer:
        return f"{notice.symbol}: merger with {terms.acquirer}"
    return f"{notice.symbol}: {kind}"


def corporate_action_message(notice: ActionNotice) -> dict[str, Any]:
    emoji = _EMOJI.get(notice.kind.lower(), ":loudspeaker:")
    lines = [f"{emoji} *{escape(one_line(headline(notice)))}*", "You hold this security in your AutoShares account."]
    if notice.date is not None:
        lines.append(f"*Effective*: {notice.date.strftime('%Y-%m-%d')}")
    lines += _terms(notice)
    blocks = [
        section(clip("\n".join(lines))),
        context(
            "Run `/autoshares positions` to see your holdings. You are told of each corporate action once."
        ),
    ]
    return message(escape(one_line(headline(notice))), blocks)

"""The DM that tells a holder of a corporate action: a split (its ratio), a dividend (its amount
and dates), a merger (with whom, on what terms), or any other kind with its terms as AutoShares
wrote them. AutoShares' words are escaped."""

from __future__ import annotations

from typing import Any

from bot.core.notices import ActionNotice
from handlers.blocks.common import clip, context, escape, message, one_line, section

#: Terms shown first, in this order, under these names; any other term follows as written.
KNOWN_TERMS = (
    ("Ratio", "Ratio"),
    ("Amount", "Amount per share"),
    ("Currency", "Currency"),
    ("ExDate", "Ex-dividend date"),
    ("RecordDate", "Record date"),
    ("PayDate", "Payment date"),
    ("Acquirer", "Acquirer"),
    ("Terms", "Terms"),
)
_EMOJI = {"split": ":scissors:", "dividend": ":moneybag:", "merger": ":handshake:"}


def _terms(notice: ActionNotice) -> list[str]:
    shown = []
    known = {name for name, _ in KNOWN_TERMS}
    for name, label in KNOWN_TERMS:
        if notice.terms.get(name):
            shown.append(f"*{label}*: {escape(one_line(notice.terms[name]))}")
    for name, value in sorted(notice.terms.items()):
        if name not in known and value:
            shown.append(f"*{escape(one_line(name))}*: {escape(one_line(value))}")
    return shown


def headline(notice: ActionNotice) -> str:
    """``AAPL: dividend of 0.25 per share`` (plain words, for the notification)."""
    kind = notice.kind.lower() or "corporate action"
    amount = notice.terms.get("Amount")
    ratio = notice.terms.get("Ratio")
    if kind == "dividend" and amount:
        return f"{notice.symbol}: dividend of {amount} {notice.terms.get('Currency', 'USD')} per share"
    if kind == "split" and ratio:
        return f"{notice.symbol}: {ratio} stock split"
    if kind == "merger" and notice.terms.get("Acquirer"):
        return f"{notice.symbol}: merger with {notice.terms['Acquirer']}"
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

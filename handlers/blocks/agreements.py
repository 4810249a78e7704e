"""Outstanding AutoShares agreements, each with a Sign button, and "Sign all required".

The same list answers `/autoshares agreements`, any trading command refused by the agreements
gate, and the DM sent right after linking. Button values carry only the agreement id; the click
handler asks AutoShares again, so a stale message can never sign something that is not the
user's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    SectionBlock,
)

from bot.autoshares.resources import Agreement
from bot.core.views import LinkView
from handlers.blocks.common import clip, context, escape, linked_message, message, section

__all__ = [
    "AGREEMENT_SIGN",
    "AGREEMENTS_SIGN_ALL",
    "agreement_title",
    "agreement_blocks",
    "agreements_message",
    "linked_dm",
]

AGREEMENT_SIGN = "agreement_sign"
AGREEMENTS_SIGN_ALL = "agreements_sign_all"
#: Sections shown before "and N more" (a message holds at most 50 blocks).
MAX_LISTED = 20

DEFAULT_LEAD = "These AutoShares agreements need your signature before you can trade:"


def agreement_title(agreement: Agreement) -> str:
    """The agreement's name as AutoShares gives it (Title, else Type), unescaped."""
    return agreement.title or agreement.type or "Agreement"


def _plain(text: str) -> str:
    """Text for a plain_text label: no mrkdwn control characters at all."""
    return "".join(ch for ch in text if ch not in "<>&")


def _is_required(agreement: Agreement) -> bool:
    return not agreement.can_skip


def _agreement_id(agreement: Agreement) -> str | None:
    return str(agreement.id)


def _agreement_section(agreement: Agreement) -> SectionBlock:
    details = [escape(agreement.type)] if agreement.type else []
    if agreement.version:
        details.append(f"version {escape(agreement.version)}")
    details.append("required" if _is_required(agreement) else "optional, can be skipped")
    text = f"*{escape(agreement_title(agreement))}*\n" + " · ".join(details)
    agreement_id = _agreement_id(agreement)
    accessory = None
    if agreement_id is not None:
        accessory = ButtonElement(
            text="Sign",
            action_id=AGREEMENT_SIGN,
            value=agreement_id,
            style="primary" if _is_required(agreement) else None,
            accessibility_label=clip(f"Sign {_plain(agreement_title(agreement))}", 75),
        )
    return SectionBlock(text=MarkdownTextObject(text=clip(text)), accessory=accessory)


def agreement_blocks(agreements: Sequence[Agreement]) -> list[Block]:
    """One section per agreement (Sign button), then "Sign all required" when any is required."""
    shown = list(agreements)[:MAX_LISTED]
    blocks: list[Block] = [_agreement_section(a) for a in shown]
    hidden = len(agreements) - len(shown)
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more; sign these and run `/autoshares agreements` again."))
    required = [a for a in agreements if _is_required(a) and _agreement_id(a) is not None]
    if required:
        noun = "agreement" if len(required) == 1 else f"{len(required)} agreements"
        blocks.append(
            ActionsBlock(
                block_id="agreements_all",
                elements=[
                    ButtonElement(
                        text="Sign all required",
                        action_id=AGREEMENTS_SIGN_ALL,
                        value="required",
                        style="primary",
                        confirm=ConfirmObject(
                            title="Sign all required?",
                            text=f"This signs the {noun} marked required, on your behalf, at AutoShares.",
                            confirm="Sign",
                            deny="Cancel",
                        ),
                    )
                ],
            )
        )
    return blocks


def agreements_message(
    agreements: Sequence[Agreement],
    *,
    lead: str | None = None,
    signed: Sequence[str] = (),
) -> dict[str, Any]:
    """The outstanding agreements with Sign buttons, or the all-clear when none is left.

    ``lead`` is a safe sentence to open with (e.g. why a trade was refused); ``signed`` names
    the agreements just signed (raw titles, escaped here).
    """
    blocks: list[Block] = []
    if signed:
        names = ", ".join(f"*{escape(title)}*" for title in signed[:10])
        more = f" and {len(signed) - 10} more" if len(signed) > 10 else ""
        blocks.append(section(f":white_check_mark: Signed {names}{more}."))
    if not agreements:
        done = "You have no AutoShares agreements left to sign; you can trade."
        blocks.append(section(done if signed else f":white_check_mark: {done}"))
        return message(done, blocks)
    count = len(agreements)
    summary = f"{count} AutoShares agreement{'s' if count != 1 else ''} to sign before you can trade."
    blocks.append(section(f":memo: {lead or DEFAULT_LEAD}"))
    blocks.extend(agreement_blocks(agreements))
    return message(summary, blocks)


def linked_dm(link: LinkView, agreements: Sequence[Agreement]) -> dict[str, Any]:
    """The DM after linking: who the user is linked as, then any agreements with Sign buttons."""
    base = linked_message(link, agreements, list_titles=False)
    if not agreements:
        return base
    blocks = [*base["blocks"], *(b.to_dict() for b in agreement_blocks(agreements))]
    return {"text": base["text"], "blocks": blocks}

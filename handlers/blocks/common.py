"""Messages shared by every surface: errors, linking, status and help."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.autoshares.resources import Agreement
from bot.core.views import LinkView, TradingEnvironment
from bot.vocabulary.ids import autoshares_id

__all__ = [
    "UNEXPECTED",
    "BADGE_BLOCK",
    "badged",
    "escape",
    "one_line",
    "message",
    "error_message",
    "notice",
    "link_prompt",
    "linked_message",
    "link_refused_message",
    "status_message",
    "unlinked_message",
    "help_message",
]

UNEXPECTED = "Something went wrong on our side and nothing was changed. Please try again in a minute."

MAX_TEXT = 3000
#: Slack's most blocks in a message, and in a modal or App Home view.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

#: The block id of the paper/live badge (one per message or view).
BADGE_BLOCK = "trading_environment"
#: (badge, start of the plain-text fallback that notifications show) per environment.
BADGES = {
    TradingEnvironment.PAPER: (":test_tube: *Paper trading* · no real money", "[PAPER]"),
    TradingEnvironment.LIVE: (":red_circle: *Live trading* · real money", "[LIVE]"),
}


def account_and_page(account_text: str, page_text: str) -> tuple[int, int]:
    """A paging button's account (the one AutoShares id rule) and zero-based page, as its value
    wrote them; ValueError for anything else (a stale or forged value)."""
    account_id = autoshares_id(account_text)
    if account_id is None or not (page_text.isascii() and page_text.isdigit()) or len(page_text) > 6:
        raise ValueError(f"{account_text}:{page_text}")
    return account_id, int(page_text)


def escape(text: object) -> str:
    """Escape user or API text for mrkdwn so it cannot ping (<!channel>, <@U…>) or inject links."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: object) -> str:
    """API text on one line: line breaks and runs of spaces become one space, so a headline or a
    comment cannot start a line of its own that reads like the bot's."""
    return " ".join(str(text).split())


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(text: str, blocks: Iterable[Block]) -> dict[str, Any]:
    return {"text": clip(text, 4000), "blocks": [b.to_dict() for b in blocks]}


def section(mrkdwn: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(mrkdwn)))


def context(mrkdwn: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(mrkdwn))])


def badged(payload: dict[str, Any], environment: TradingEnvironment) -> dict[str, Any]:
    """``payload`` (a message, or a modal or App Home view) with the paper/live badge on top,
    under a leading header, and a message's ``text`` starting ``[PAPER]`` or ``[LIVE]``: the
    text is what notifications show, where no block is seen.

    One helper over finished payloads, so the builders keep their signatures and a surface
    badges what it sends. Badging twice changes nothing; a payload at Slack's block limit loses
    its last block rather than the badge.
    """
    badge, tag = BADGES[environment]
    is_view = "type" in payload  # views say "home" or "modal"; messages have no type
    blocks = [b for b in payload.get("blocks") or [] if b.get("block_id") != BADGE_BLOCK]
    at = 1 if blocks and blocks[0].get("type") == "header" else 0
    mark = ContextBlock(block_id=BADGE_BLOCK, elements=[MarkdownTextObject(text=badge)]).to_dict()
    limit = MAX_VIEW_BLOCKS if is_view else MAX_MESSAGE_BLOCKS
    result = {**payload, "blocks": [*blocks[:at], mark, *blocks[at:]][:limit]}
    if not is_view:
        text = str(payload.get("text") or "")
        for _, other in BADGES.values():
            text = text.removeprefix(other + " ")
        result["text"] = clip(f"{tag} {text}".rstrip(), 4000)
    return result


def error_message(sentence: str) -> dict[str, Any]:
    """One plain sentence and a next step (the sentence is already safe text)."""
    return message(sentence, [section(f":warning: {sentence}")])


def notice(sentence: str) -> dict[str, Any]:
    return message(sentence, [section(sentence)])


def link_prompt(url: str, *, relink: bool = False) -> dict[str, Any]:
    lead = (
        "Your AutoShares sign-in needs renewing."
        if relink
        else "Connect your AutoShares login to trade from Slack."
    )
    return message(
        f"{lead} Open the sign-in link: {url}",
        [
            section(f"{lead} The link works once and expires in 10 minutes."),
            ActionsBlock(
                block_id="link",
                elements=[
                    ButtonElement(
                        text="Sign in to AutoShares", url=url, action_id="link_open", style="primary"
                    )
                ],
            ),
        ],
    )


def link_refused_message() -> dict[str, Any]:
    """The requester's sign-in link was opened by another Slack user: nothing was linked."""
    sentence = (
        ":no_entry: Your AutoShares sign-in link was opened by someone signed in to Slack as another "
        "person, so nothing was linked and the link no longer works. Run `/autoshares link` again and "
        "open the new link yourself; never forward it."
    )
    return message(
        "Your AutoShares sign-in link was opened by someone else; nothing was linked.", [section(sentence)]
    )


def _agreements_line(count: int) -> str:
    if count == 0:
        return "No agreements are waiting for your signature."
    noun = "agreement is" if count == 1 else "agreements are"
    return f":memo: {count} {noun} waiting for your signature; run `/autoshares agreements` to review and sign before trading."


def linked_message(
    link: LinkView, agreements: Sequence[Agreement], *, list_titles: bool = True
) -> dict[str, Any]:
    """``list_titles=False`` when the caller lists the agreements itself (with Sign buttons)."""
    who = escape(link.autoshares_login)
    lines = [f":white_check_mark: You are linked to AutoShares as *{who}*."]
    lines.append(_agreements_line(len(agreements)))
    for agreement in list(agreements)[:10] if list_titles else []:
        lines.append(f"• {escape(agreement.title or agreement.type or 'Agreement')}")
    return message(f"You are linked to AutoShares as {who}.", [section("\n".join(lines))])


def status_message(link: LinkView, *, now: datetime | None = None) -> dict[str, Any]:
    who = escape(link.autoshares_login)
    ends = link.sign_in_ends_at
    if link.needs_relink or (ends is not None and ends <= (now or datetime.now(UTC))):
        state = ":warning: Your sign-in has expired; run `/autoshares link` to renew it."
    elif ends is not None:
        state = (
            f":large_green_circle: Active until <!date^{int(ends.timestamp())}^{{date_short}} {{time}}|"
            f"{ends:%Y-%m-%d %H:%M} UTC>; then run `/autoshares link` again."
        )
    else:
        state = ":large_green_circle: Active."
    fields = [
        f"*Linked as:* {who}" + (f" ({escape(link.email)})" if link.email else ""),
        f"*AutoShares user id:* {link.autoshares_user_id}",
        f"*Linked since:* <!date^{int(link.linked_at.timestamp())}^{{date_short}} {{time}}|{link.linked_at:%Y-%m-%d %H:%M} UTC>",
        f"*Status:* {state}",
        _agreements_line(link.agreements_outstanding),
    ]
    if link.default_account_id:
        fields.insert(2, f"*Default account:* {link.default_account_id}")
    return message(f"Linked to AutoShares as {who}.", [section("\n".join(fields))])


def unlinked_message() -> dict[str, Any]:
    return message(
        "You are not linked to AutoShares.",
        [section("You are not linked to AutoShares. Run `/autoshares link` to connect your login.")],
    )


def help_message(entries: Sequence[tuple[str, str, str]], *, linked: bool) -> dict[str, Any]:
    blocks: list[Block] = [HeaderBlock(text="AutoShares for Slack")]
    if not linked:
        blocks.append(section("Start with `/autoshares link` to connect your AutoShares login."))
    lines = [
        f"*{escape(command)}* — {escape(description)}\n   e.g. `{escape(example)}`"
        for command, example, description in entries
    ]
    # Keep each section under Slack's 3000-character limit.
    chunk: list[str] = []
    size = 0  # of the chunk joined by newlines, plus one
    for line in lines:
        if size + len(line) > 2800:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.append(DividerBlock())
    blocks.append(context("Orders always ask you to confirm before anything is placed."))
    return message("AutoShares for Slack: commands", blocks)

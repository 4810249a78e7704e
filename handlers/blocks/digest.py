"""The portfolio digest and the digest schedules in Block Kit (pure builders).

A part AutoShares could not answer says so on its own line, so one failing call never hides
the rest of the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from handlers.blocks.alert import alert_condition
from handlers.blocks.common import context, escape, message, section
from handlers.blocks.numbers import money, percent, signed_money
from handlers.blocks.order import order_summary

MAX_LISTED = 5
UNAVAILABLE = "_AutoShares did not answer for this part; it is left out._"


def _stamp(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def digest_message(summary: Any, *, undeliverable_channel: str | None = None) -> dict[str, Any]:
    """The digest: total value and day change, top movers, open orders, alerts that fired."""
    blocks: list[Block] = [HeaderBlock(text="Portfolio digest")]
    total = money(summary.total_value) if summary.total_value is not None else "unavailable"
    change = signed_money(summary.day_change) if summary.day_change is not None else "unavailable"
    blocks.append(
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Total value*\n{total}"),
                MarkdownTextObject(text=f"*Day change*\n{change}"),
            ]
        )
    )
    if summary.movers is None:
        movers = UNAVAILABLE
    elif summary.movers:
        movers = "\n".join(f"{escape(m.symbol)}  {percent(m.change_percent)}" for m in summary.movers)
    else:
        movers = "No positions moved."
    blocks.append(section(f"*Top movers*\n{movers}"))
    if summary.open_orders is None:
        orders = UNAVAILABLE
    elif summary.open_orders:
        listed = [
            f"• {order_summary(o)} (order {o.id})" for o in summary.open_orders[:MAX_LISTED]
        ]
        more = len(summary.open_orders) - MAX_LISTED
        orders = "\n".join(listed) + (f"\n…and {more} more." if more > 0 else "")
    else:
        orders = "None."
    blocks.append(section(f"*Open orders*\n{orders}"))
    if summary.fired:
        fired = "\n".join(
            f"• {alert_condition(r.symbol, r.operator, r.field, r.argument)}"
            for r in summary.fired[:MAX_LISTED]
        )
    else:
        fired = "None in the last 24 hours."
    blocks.append(section(f"*Alerts that fired*\n{fired}"))
    footer = f"<@{escape(summary.slack_user_id)}>'s digest, {escape(summary.label)} · as of {_stamp(summary.as_of)}"
    if undeliverable_channel:
        footer += f" · I could not post in <#{escape(undeliverable_channel)}>, so it came to you here"
    blocks += [DividerBlock(), context(footer + ".")]
    return message(f"Portfolio digest: total value {total}, day change {change}", blocks)


def schedules_message(digests: Sequence[Any], notice: str | None = None) -> dict[str, Any]:
    """`/autoshares digest list` (and the answer to a change)."""
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    if not digests:
        blocks.append(section("You have no digests. Try `/autoshares digest weekdays at close`."))
        return message(notice or "You have no digests.", blocks)
    lines = []
    for digest in digests:
        where = "your DM" if digest.is_dm else f"<#{escape(digest.channel_id)}>"
        lines.append(
            f"*{digest.id}* · {escape(digest.label)} ({escape(digest.zone)}) in {where} · next {_stamp(digest.next_run_at)}"
        )
    blocks.append(section("*Your digests*\n" + "\n".join(lines)))
    blocks.append(
        context("No digest is posted on a US market holiday. Stop one with `/autoshares digest off &lt;id&gt;`.")
    )
    return message(notice or "Your digests", blocks)

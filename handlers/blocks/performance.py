"""`/autoshares performance`: the account's value over a period, the change in money and
percent, the benchmark's return over the same days, the best and worst holdings, the chart
(private to the asker until Share), and the Share button.

The Share button's value is what the click acts on, so it is parsed strictly:
``<period>;<benchmark or empty>;<chart id or empty>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ImageBlock, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject

from bot.core.charts import CHART_ID_RE
from bot.core.commands import PERFORMANCE_PERIODS, PerformancePeriod, PerformanceRequest
from bot.core.returns import HoldingMove, PerformanceReport
from bot.vocabulary.ids import autoshares_id
from bot.vocabulary.symbols import is_symbol
from handlers.blocks.account import account_label
from handlers.blocks.common import clip, context, escape, message, section
from handlers.blocks.numbers import money, percent, signed_money, trend
from handlers.blocks.quote import shared_by_line

PERFORMANCE_SHARE = "performance_share"


@dataclass(frozen=True)
class ShareRequest:
    """What a Share click posts again: the same period and benchmark, and the kept chart."""

    request: PerformanceRequest
    chart_id: str | None = None


def share_value(request: PerformanceRequest, chart_id: str | None) -> str:
    account = str(request.account_id) if request.account_id is not None else ""
    return f"{request.period};{request.benchmark or ''};{chart_id or ''};{account}"


def parse_share_value(value: str) -> ShareRequest:
    """What a Share button carries; ValueError when the value is not one the bot makes."""
    parts = value.split(";")
    if len(parts) == 3:  # a button made before reports named their account: the default one
        parts.append("")
    if len(parts) != 4:
        raise ValueError(value)
    period, benchmark, chart_id, account = parts
    chosen: PerformancePeriod | None = next((p for p in PERFORMANCE_PERIODS if p == period), None)
    account_id = autoshares_id(account) if account else None
    if (
        chosen is None
        or (benchmark and not is_symbol(benchmark))
        or (chart_id and not CHART_ID_RE.fullmatch(chart_id))
        or (account and account_id is None)
    ):
        raise ValueError(value)
    return ShareRequest(PerformanceRequest(chosen, benchmark or None, account_id), chart_id or None)


def chart_title(report: PerformanceReport) -> str:
    """``Account 5001 over 1 month vs SPY`` (plain text, for the image's title and upload)."""
    against = f" vs {report.benchmark.symbol}" if report.benchmark else ""
    return f"Account {report.account_id} over {report.period.label}{against}"


def _move(move: HoldingMove | None) -> str:
    return f"*{escape(move.symbol)}* {percent(move.percent)}" if move is not None else "—"


def _fields(report: PerformanceReport, currency: str) -> list[str]:
    fields = [
        f"*Value now*\n{money(report.end_value, currency)}",
        f"*Change*\n{trend(report.change)} {signed_money(report.change, currency)} ({percent(report.percent)})".replace(
            "\n ", "\n"
        ),
    ]
    if report.benchmark is not None:
        fields.append(
            f"*{escape(report.benchmark.symbol)} over the same days*\n{percent(report.benchmark.percent)}"
        )
    if report.best is not None:
        fields.append(f"*Best holding*\n{_move(report.best)}")
    if report.worst is not None:
        fields.append(f"*Worst holding*\n{_move(report.worst)}")
    return fields


def _notes(report: PerformanceReport) -> str:
    notes = ["Values are AutoShares' daily values of the account; holdings are ranked by their price's move."]
    if report.holdings > report.compared and report.compared:
        notes.append(f"Ranked {report.compared} of {report.holdings} holdings.")
    if not report.holdings:
        notes.append("The account holds nothing now.")
    return " ".join(notes)


def performance_message(
    report: PerformanceReport,
    request: PerformanceRequest,
    *,
    chart_id: str | None = None,
    image_url: str | None = None,
    chart_note: str | None = None,
    shared_by: str | None = None,
    shareable: bool = True,
    note: str | None = None,
) -> dict[str, Any]:
    """The report; ``chart_id`` (the kept chart) and ``image_url`` (its signed URL) on the
    private answer, ``chart_note`` (safe mrkdwn) when no image is shown, ``shared_by`` on the
    public copy (no button)."""
    currency = report.account.currency or "USD"
    heading = f":bar_chart: *{account_label(report.account)}* over {report.period.label}"
    if report.start_value is not None and report.change is None:
        heading += "\nAutoShares has only one value of the account in this period."
    elif report.start_value is None:
        heading += "\nAutoShares has no values of the account in this period."
    blocks: list[Block] = [
        section(heading),
        SectionBlock(fields=[MarkdownTextObject(text=clip(f, 1900)) for f in _fields(report, currency)]),
    ]
    if image_url:
        blocks.append(
            ImageBlock(
                image_url=image_url, alt_text=f"Value of {chart_title(report)}", title=chart_title(report)
            )
        )
    if chart_note:
        blocks.append(section(clip(chart_note)))
    blocks.append(context(_notes(report)))
    if shared_by:
        blocks.append(context(shared_by_line(shared_by)))
    elif shareable and report.line.values:
        blocks.append(
            ActionsBlock(
                block_id="performance_actions",
                elements=[
                    ButtonElement(
                        text="Share to channel",
                        action_id=PERFORMANCE_SHARE,
                        value=share_value(request, chart_id),
                        accessibility_label="Post this performance and its chart to the channel for everyone",
                    )
                ],
            )
        )
    if note:
        blocks.append(context(note))
    return message(summary(report), blocks)


def summary(report: PerformanceReport) -> str:
    """The notification text: ``Account 5001 over 1 month: +$12.00 (+0.01%) · SPY +1.20%``."""
    currency = report.account.currency or "USD"
    text = f"Account {report.account_id} over {report.period.label}: {signed_money(report.change, currency)} ({percent(report.percent)})"
    if report.benchmark is not None:
        text += f" · {escape(report.benchmark.symbol)} {percent(report.benchmark.percent)}"
    return text


__all__ = [
    "PERFORMANCE_SHARE",
    "ShareRequest",
    "chart_title",
    "parse_share_value",
    "performance_message",
    "share_value",
    "summary",
]

"""Transfers in Block Kit: `/autoshares transfers` (read only) and the DM when one completes or
fails. Pure, no I/O; every value from AutoShares is escaped."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.autoshares.resources import Account, Transfer, TransferOutcome
from bot.core.views import TransfersView
from handlers.blocks.common import context, escape, message, one_line, section
from handlers.blocks.numbers import money

#: Why Slack cannot move money, said under every list of transfers.
READ_ONLY_FOOTER = (
    ":lock: Read only: deposits and withdrawals are made in AutoShares, never from Slack, because a "
    "chat message is the wrong place to authorize moving money out of a brokerage account."
)
_STATUS_EMOJI = {TransferOutcome.COMPLETED: ":white_check_mark:", TransferOutcome.FAILED: ":x:"}


def _account_label(account_id: int, account: Account | None) -> str:
    alias = (account.alias or account.clearing_account) if account is not None else None
    return f"{account_id} ({escape(alias)})" if alias else str(account_id)


def _day(text: str | None) -> str | None:
    """The date of an AutoShares date-time (``2026-12-07T10:00:00Z`` → ``2026-12-07``)."""
    return escape(text[:10]) if text else None


def transfer_line(transfer: Transfer) -> str:
    """``:white_check_mark: Deposit $250.00 · ACH · Completed · 2026-12-07``."""
    kind = "Deposit" if transfer.is_deposit else "Withdrawal" if transfer.is_deposit is False else "Transfer"
    amount = transfer.amount if transfer.amount is not None else transfer.total_amount
    emoji = _STATUS_EMOJI.get(transfer.outcome, ":hourglass_flowing_sand:") if transfer.outcome else ":hourglass_flowing_sand:"
    parts = [f"{emoji} *{kind} {money(amount)}*"]
    if transfer.mechanism:
        parts.append(escape(transfer.mechanism))
    parts.append(f"*{escape(transfer.status)}*")
    day = _day(transfer.transfer_date or transfer.created_at)
    if day:
        parts.append(day)
    line = " · ".join(parts)
    if transfer.comment:
        line += f"\n_{escape(one_line(transfer.comment)[:200])}_"
    return line


def transfers_message(view: TransfersView) -> dict[str, Any]:
    """The newest deposits and withdrawals of the account with their status, read only."""
    where = _account_label(view.account_id, view.account)
    blocks: list[Block] = []
    if view.transfers:
        blocks.append(section(f":bank: *Deposits and withdrawals of account {where}*"))
        blocks.append(section("\n".join(transfer_line(t) for t in view.transfers)))
        if view.has_more:
            blocks.append(context("Only the newest are shown; AutoShares has them all."))
        text = f"{len(view.transfers)} transfer(s) in account {view.account_id}."
    else:
        text = f"Account {view.account_id} has no deposits or withdrawals yet."
        blocks.append(section(f":bank: Account {where} has no deposits or withdrawals yet."))
    blocks.append(context("I will send you a direct message when one of these completes or fails."))
    blocks.append(context(READ_ONLY_FOOTER))
    return message(text, blocks)


def transfer_settled_message(account_id: int, transfer: Transfer) -> dict[str, Any]:
    """The DM: a deposit or withdrawal of the member's account completed or failed."""
    kind = "deposit" if transfer.is_deposit else "withdrawal" if transfer.is_deposit is False else "transfer"
    amount = money(transfer.amount if transfer.amount is not None else transfer.total_amount)
    if transfer.outcome == TransferOutcome.COMPLETED:
        head = f":white_check_mark: Your {kind} of {amount} in account {account_id} completed."
    else:
        head = (
            f":x: Your {kind} of {amount} in account {account_id} did not go through "
            f"(status {escape(transfer.status)}). Check it in AutoShares."
        )
    plain = head.split(" ", 1)[1]
    return message(plain, [section(transfer_line(transfer)), section(head), context("Run `/autoshares transfers` to see them all.")])

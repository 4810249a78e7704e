"""handlers.blocks.subscriptions: a subscription to a new issue in words from its stored row (the
price range, the title escaped and on one line) and the message of each of its outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.resources import OfferingTicket
from bot.core.views import PendingState
from bot.devkit import blockkit
from handlers.blocks.subscriptions import (
    price_range,
    subscription_in_flight,
    subscription_outcome,
    subscription_summary,
)
from storage.records import Pending

D = Decimal
NOW = datetime(2026, 12, 7, 15, tzinfo=UTC)
TICKET = OfferingTicket(
    offering_reference="ORB-1", name="Orbital\n<!channel> Inc.", ticker_symbol="ORBF", min_price=D(18), max_price=D("21.5")
)
SUMMARY = "*Subscribe to Orbital &lt;!channel&gt; Inc. (ORBF)* · $18.00–$21.50 a share"
PLAIN = "Subscribe to Orbital &lt;!channel&gt; Inc. (ORBF) · $18.00–$21.50 a share"


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (D(18), D("21.5"), "$18.00–$21.50 a share"),
        (D(20), D(20), "$20.00 a share"),
        (D(20), None, "$20.00 a share"),
        (None, D("0.125"), "$0.1250 a share"),
        (None, None, "price to be set"),
    ],
)
def test_the_price_range(low: Decimal | None, high: Decimal | None, words: str) -> None:
    assert price_range(low, high) == words


def test_the_summary_is_escaped_and_on_one_line() -> None:
    assert subscription_summary(TICKET) == SUMMARY
    unnamed = OfferingTicket(offering_reference="Q-2")
    assert subscription_summary(unnamed) == "*Subscribe to Q-2* · price to be set"


def row(status: PendingState, **extra: Any) -> Pending:
    fields: dict[str, Any] = {
        "id": "p-1", "team_id": "T1", "slack_user_id": "U0ALICE", "account_id": 12, "symbol": "ORBF",
        "request": TICKET.stored(), "preview": None, "notional": D(500), "status": status,
        "created_at": NOW, "expires_at": NOW, "updated_at": NOW, "channel_id": None, "response_url": None,
        "autoshares_order_id": None, "order_status": None, "result": None, "error": None,
    }  # fmt: skip
    return Pending(**{**fields, **extra})


def shown(message: dict[str, Any]) -> str:
    assert blockkit.problems(message["blocks"]) == []
    [block] = message["blocks"]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
    return str(block["text"]["text"])


@pytest.mark.parametrize("status", [PendingState.PENDING, PendingState.SUBMITTING])
def test_on_its_way_it_says_autoshares_has_not_confirmed_it(status: PendingState) -> None:
    message = subscription_outcome(row(status))
    assert message == subscription_in_flight(TICKET)
    assert message["text"] == f"Subscribing: {PLAIN}"
    assert shown(message).startswith(f":hourglass_flowing_sand: {SUMMARY}… AutoShares has not confirmed it yet.")


@pytest.mark.parametrize(
    ("status", "text", "words"),
    [
        (
            PendingState.PLACED,
            f"Subscribed: {PLAIN}.",
            f":white_check_mark: Subscribed: {SUMMARY} in account 12. Run `/autoshares ipo` to see it or to unsubscribe.",
        ),
        (
            PendingState.EXPIRED,
            f"Expired: {PLAIN}.",
            f":hourglass: This subscription expired without a decision: {SUMMARY}. "
            "Nothing was subscribed; run `/autoshares ipo` again if you still want it.",
        ),
        (PendingState.CANCELLED, f"Cancelled: {PLAIN}.", f":no_entry_sign: Cancelled: {SUMMARY}. Nothing was subscribed."),
    ],
)
def test_each_end_in_words(status: PendingState, text: str, words: str) -> None:
    message = subscription_outcome(row(status))
    assert message["text"] == text
    assert shown(message) == words


def test_a_failure_gives_the_reason_once_with_one_full_stop() -> None:
    message = subscription_outcome(row(PendingState.FAILED), reason="The offering closed.")
    assert message["text"] == f"Not subscribed: {PLAIN}."
    assert shown(message) == f":x: Not subscribed: {SUMMARY}. The offering closed. Run `/autoshares ipo` to try again."
    unexplained = shown(subscription_outcome(row(PendingState.FAILED)))
    assert "AutoShares refused it. Run `/autoshares ipo` to try again." in unexplained


def test_a_long_reason_is_clipped_to_what_slack_takes() -> None:
    text = shown(subscription_outcome(row(PendingState.FAILED), reason="x" * 5000))
    assert len(text) == 3000 and text.endswith("…")


def test_a_rejection_names_the_approver_when_known() -> None:
    by_someone = shown(subscription_outcome(row(PendingState.REJECTED, decided_by="U0BOB")))
    assert by_someone == f":no_entry: Rejected by <@U0BOB>: {SUMMARY}. Nothing was subscribed."
    assert "Rejected by an approver:" in shown(subscription_outcome(row(PendingState.REJECTED)))

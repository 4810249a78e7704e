"""The pure builders and grammar of new issues and transfers: what each shows, what it escapes,
and the resources they read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.resources import (
    Account,
    Offering,
    OfferingTicket,
    Transfer,
    TransferOutcome,
    transfer_outcome,
)
from bot.core.views import OfferingsView, PendingState, TransfersView
from bot.devkit import blockkit
from bot.devkit.driver import buttons
from handlers.blocks.approval import approval_message
from handlers.blocks.ipo import offerings_message, parse_offering_value
from handlers.blocks.order import large_order_view, pending_message
from handlers.blocks.transfers import transfer_settled_message, transfers_message
from handlers.parsing import ParseError, parse_autoshares
from storage.records import Pending

ACCOUNT = Account.model_validate({"Id": 12, "Alias": "Main"})
OFFERING = {
    "OfferingReference": "ORB-1",
    "Name": "Orbital <!channel> Inc.",
    "TickerSymbol": "ORBF",
    "MinPrice": 18,
    "MaxPrice": 21.5,
    "TradeDate": "2026-12-15",
    "MinTicketSize": 500,
    "ProspectusUrl": "https://example.com/orbf.pdf",
}


def valid(message: dict[str, Any]) -> dict[str, Any]:
    assert blockkit.problems(message["blocks"]) == []
    return message


def test_offerings_show_terms_escape_names_and_offer_the_right_button() -> None:
    followed = Offering.model_validate(
        {**OFFERING, "OfferingReference": "Q-2", "IsSubscribed": True, "ProspectusUrl": "javascript:alert(1)"}
    )
    view = OfferingsView(12, ACCOUNT, [Offering.model_validate(OFFERING), followed])
    message = valid(offerings_message(view))
    text = str(message["blocks"])
    assert "<!channel>" not in text and "Orbital &lt;!channel&gt; Inc. (ORBF)" in text
    assert "$18.00–$21.50 a share" in text and "trades 2026-12-15" in text and "orders from $500.00" in text
    assert text.count("<https://example.com/orbf.pdf|Prospectus>") == 1 and "javascript" not in text
    assert [(b["action_id"], b["value"]) for b in buttons(message["blocks"])] == [
        ("ipo_subscribe", "12:ORB-1"),
        ("ipo_unsubscribe", "12:Q-2"),
    ]
    assert parse_offering_value("12:ORB-1") == (12, "ORB-1")
    for stale in ("x:ORB-1", "12:", "0:ORB-1", "\u0663:ORB-1", "9" * 30 + ":ORB-1"):
        with pytest.raises(ValueError):
            parse_offering_value(stale)
    assert "No new issues are open to account 12 (Main)" in valid(offerings_message(OfferingsView(12, ACCOUNT, [])))["text"]
    # AutoShares' line breaks cannot start a line that reads like the bot's own
    forged = Offering.model_validate({**OFFERING, "Name": "Orbital\n:white_check_mark: Subscribed", "Industry": "Space\nFree"})
    shown = str(valid(offerings_message(OfferingsView(12, ACCOUNT, [forged])))["blocks"])
    assert "Orbital :white_check_mark: Subscribed (ORBF)" in shown and "Space Free" in shown
    assert "\n:white_check_mark:" not in shown


def _subscription(status: PendingState, **extra: Any) -> Pending:
    now = datetime.now(UTC)
    ticket = OfferingTicket.of(Offering.model_validate(OFFERING))
    assert OfferingTicket.holds(ticket.stored()) and OfferingTicket.read(ticket.stored()) == ticket
    fields: dict[str, Any] = {
        "id": "p-1", "team_id": "T1", "slack_user_id": "U1", "account_id": 12, "symbol": "ORBF",
        "request": ticket.stored(), "preview": None, "notional": Decimal(500), "status": status,
        "created_at": now, "expires_at": now, "updated_at": now, "channel_id": None, "response_url": None,
        "autoshares_order_id": None, "order_status": None, "result": None, "error": None,
    }  # fmt: skip
    return Pending(**{**fields, **extra})


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (PendingState.SUBMITTING, "has not confirmed it yet"),
        (PendingState.AWAITING_APPROVAL, "Sent for approval in the approvers' channel: *Subscribe to Orbital"),
        (PendingState.PLACED, "Subscribed: *Subscribe to Orbital &lt;!channel&gt; Inc. (ORBF)*"),
        (PendingState.FAILED, "Not subscribed"),
        (PendingState.CANCELLED, "Nothing was subscribed"),
        (PendingState.EXPIRED, "expired without a decision"),
        (PendingState.REJECTED, "Rejected by"),
    ],
)
def test_a_subscription_row_reads_as_a_subscription_everywhere(status: PendingState, words: str) -> None:
    shown = str(valid(pending_message(_subscription(status)))["blocks"])
    assert words in shown and "AutoShares order" not in shown
    approval = str(valid(approval_message(_subscription(status, approval_channel="C1", decided_by="U2")))["blocks"])
    assert "Subscribe to Orbital" in approval and "orders from $500.00" in approval
    if status == PendingState.PLACED:
        assert "Approved by <@U2>: subscribed." in approval
    row = _subscription(status)
    large = large_order_view(pending_id=row.id, order=row.request, notional=row.notional, response_url=None, channel_id=None)
    assert "Type ORBF" in str(large["blocks"]) and "Subscribe to Orbital" in str(large["blocks"])


def test_transfers_are_read_only_and_the_dm_says_the_outcome() -> None:
    done = Transfer.model_validate(
        {"Id": "t-1", "Status": "COMPLETED", "IsDeposit": True, "Amount": 250, "Mechanism": "ACH",
         "TransferDate": "2026-12-07T10:00:00Z", "Comment": "<@U9> payroll\n:x: *Withdrawal $9,999.00*"}
    )  # fmt: skip
    failed = Transfer.model_validate({"Id": "t-2", "Status": "Returned", "IsDeposit": False, "Amount": 75.5})
    waiting = Transfer.model_validate({"Id": "t-3", "Status": "Pending", "Amount": 1})
    assert [t.outcome for t in (done, failed, waiting)] == [TransferOutcome.COMPLETED, TransferOutcome.FAILED, None]
    assert transfer_outcome(" cancelled ") is TransferOutcome.FAILED
    message = valid(transfers_message(TransfersView(12, ACCOUNT, [done, failed, waiting], has_more=True)))
    text = str(message["blocks"])
    assert "*Deposit $250.00* · ACH · *COMPLETED* · 2026-12-07" in text and "&lt;@U9&gt;" in text
    assert "*Withdrawal $75.50*" in text and "Only the newest are shown" in text
    assert "_&lt;@U9&gt; payroll :x: *Withdrawal $9,999.00*_" in text  # a comment starts no line of its own
    assert "never from Slack" in text and not buttons(message["blocks"])
    assert valid(transfer_settled_message(12, done))["text"] == "Your deposit of $250.00 in account 12 completed."
    assert "did not go through (status Returned)" in transfer_settled_message(12, failed)["text"]


def test_ipo_and_transfers_take_an_optional_account() -> None:
    assert parse_autoshares("ipo").args is None and parse_autoshares("IPO account 7").args == 7
    assert (parse_autoshares("transfers 9").name, parse_autoshares("transfers 9").args) == ("transfers", 9)
    with pytest.raises(ParseError, match="not understood after the account id"):
        parse_autoshares("transfers 9 now")
    for text, example in (
        ("ipo soon", "/autoshares ipo 12"),
        ("transfers account abc", "/autoshares transfers 12"),
        ("activity 30d account 0", "/autoshares activity 30d account 12"),
        ("positions top account x", "/autoshares positions top account 12"),
    ):
        with pytest.raises(ParseError) as refused:  # a bad account id: the command's own example
            parse_autoshares(text)
        assert str(refused.value).endswith(f"Try `{example}`."), str(refused.value)

"""New issues (IPO offerings) and cash transfers held by the sandbox.

Offerings are seeded (three active ones); an account follows an offering by subscribing and
stops by unsubscribing. Transfers are added and moved through their statuses by the admin API
(``/_sandbox/transfers``): the trading API only reads them, as the bot does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Statuses a transfer goes through in the sandbox (the spec types Status as a free string).
TRANSFER_STATUSES = ("Pending", "Approved", "Completed", "Rejected", "Failed", "Canceled")
#: The webhook a transfer reaching a status sends (the published event types).
TRANSFER_EVENTS = {
    "Completed": "transfer.completed",
    "Rejected": "transfer.failed",
    "Failed": "transfer.failed",
    "Canceled": "transfer.failed",
}
#: Transfer mechanisms, as the spec's TransferMechanismType lists them.
TRANSFER_MECHANISMS = ("ACH", "Check", "Wire", "Zelle")
#: The properties GET /accounts/{accountId}/transfers may sort by.
TRANSFER_SORT_FIELDS = {
    "CreatedAt": "created_at",
    "TransferDate": "transfer_date",
    "Amount": "amount",
    "Status": "status",
}


@dataclass
class Offering:
    """An active new issue (the fields of ``AccountOffering`` the sandbox keeps)."""

    reference: str
    name: str
    ticker: str
    description: str
    industry: str
    min_price: float
    max_price: float
    trade_date: str
    settlement_date: str
    min_ticket: float
    max_ticket: float
    prospectus_url: str
    offering_type: str = "IPO"
    underwriter: str = "Sandbox Securities"


def default_offerings() -> list[Offering]:
    """The offerings every fresh sandbox holds."""
    return [
        Offering(
            reference="ORB-2026-IPO",
            name="Orbital Freight Inc.",
            ticker="ORBF",
            description="Reusable cargo launches to low Earth orbit.",
            industry="Aerospace",
            min_price=18.0,
            max_price=21.0,
            trade_date="2026-12-15",
            settlement_date="2026-12-17",
            min_ticket=500.0,
            max_ticket=250000.0,
            prospectus_url="https://sandbox.autoshares.dev/prospectus/ORBF.pdf",
        ),
        Offering(
            reference="VRD-2026-IPO",
            name="Verdant Grid Holdings",
            ticker="VGRD",
            description="Battery storage for regional power grids.",
            industry="Utilities",
            min_price=12.5,
            max_price=14.0,
            trade_date="2026-12-18",
            settlement_date="2026-12-22",
            min_ticket=250.0,
            max_ticket=100000.0,
            prospectus_url="https://sandbox.autoshares.dev/prospectus/VGRD.pdf",
        ),
        Offering(
            reference="QNT-2027-IPO",
            name="Quanta Lens Corp.",
            ticker="QLNS",
            description="Imaging sensors for microscopes and telescopes.",
            industry="Technology",
            min_price=30.0,
            max_price=34.0,
            trade_date="2027-01-08",
            settlement_date="2027-01-12",
            min_ticket=1000.0,
            max_ticket=500000.0,
            prospectus_url="https://sandbox.autoshares.dev/prospectus/QLNS.pdf",
        ),
    ]


@dataclass
class Transfer:
    """A deposit or a withdrawal of one account (``TransferResource``)."""

    account_id: int
    amount: float
    is_deposit: bool
    mechanism: str = "ACH"
    status: str = "Pending"
    comment: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    external_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12].upper())
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    transfer_date: datetime = field(default_factory=lambda: datetime.now(UTC))
    created_by: str = "sandbox"

"""New issues and transfers: ``AccountOffering`` (``PageResult[AccountOffering]``),
``TransferResource``, and the subscription the bot stores between its preview and Confirm.

The spec types a transfer's ``Status`` and ``Mechanism`` as free strings; the statuses that
end a transfer are named once here (``TRANSFER_COMPLETED``, ``TRANSFER_FAILED``) and compared
without regard to case, so a deployment writing ``COMPLETED`` reads the same.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BeforeValidator

from bot.autoshares.resources.base import Resource, parse
from bot.autoshares.resources.numbers import Number, Whole, none_as_empty

#: Transfer statuses after which the money has arrived (a deposit) or left (a withdrawal).
TRANSFER_COMPLETED = frozenset({"completed", "complete", "settled", "posted"})
#: Transfer statuses after which no money moves.
TRANSFER_FAILED = frozenset({"failed", "rejected", "returned", "canceled", "cancelled", "reversed"})


class TransferOutcome(enum.StrEnum):
    """How a transfer ended: the member is told of each once."""

    COMPLETED = "completed"
    FAILED = "failed"


def transfer_outcome(status: str | None) -> TransferOutcome | None:
    """The outcome a transfer status means (None while it is still on its way)."""
    word = (status or "").strip().lower()
    if word in TRANSFER_COMPLETED:
        return TransferOutcome.COMPLETED
    if word in TRANSFER_FAILED:
        return TransferOutcome.FAILED
    return None


class OfferingUnderwriter(Resource):
    executing_broker_name: str | None = None
    lead: bool | None = None


class Offering(Resource):
    """An active new issue as one account sees it (``AccountOffering``):
    ``OfferingReference`` is required, it is what subscribing names."""

    offering_reference: str
    name: str = ""
    ticker_symbol: str | None = None
    description: str | None = None
    offering_type_name: str | None = None
    industry: str | None = None
    prospectus_url: str | None = None
    underwriter: Annotated[list[OfferingUnderwriter], BeforeValidator(none_as_empty)] = []
    min_price: Number | None = None
    max_price: Number | None = None
    trade_date: str | None = None
    settlement_date: str | None = None
    min_ticket_size: Number | None = None
    max_ticket_size: Number | None = None
    is_subscribed: bool = False
    has_order: bool | None = None

    @property
    def title(self) -> str:
        """``Orbital Freight Inc. (ORBF)``: how the offering is named to a member."""
        name = self.name or self.offering_reference
        return f"{name} ({self.ticker_symbol})" if self.ticker_symbol else name


class OfferingsPage(Resource):
    """``PageResult[AccountOffering]`` (``Items``, not ``Result`` as ``PagingResult`` has)."""

    items: Annotated[list[Offering], BeforeValidator(none_as_empty)] = []
    page_number: Whole | None = None
    page_size: Whole | None = None
    total_count: Whole | None = None
    total_page: Whole | None = None


class Transfer(Resource):
    """A deposit or a withdrawal (``TransferResource``): ``Id`` and ``Status`` are required."""

    id: str
    status: str
    account_id: Whole | None = None
    mechanism: str | None = None
    is_deposit: bool | None = None
    amount: Number | None = None
    total_amount: Number | None = None
    #: As AutoShares writes them (date-time text; shown, never computed with).
    transfer_date: str | None = None
    created_at: str | None = None
    comment: str | None = None

    @property
    def outcome(self) -> TransferOutcome | None:
        return transfer_outcome(self.status)


class OfferingTicket(Resource):
    """A subscription to a new issue, as the bot stores it between the preview and Confirm
    (the pending order's request): the offering's reference and how it was shown."""

    offering_reference: str
    name: str = ""
    ticker_symbol: str | None = None
    min_price: Number | None = None
    max_price: Number | None = None
    trade_date: str | None = None
    prospectus_url: str | None = None
    #: Always ``Subscribe``: the key that tells a stored subscription from an order body.
    ipo: str = "Subscribe"

    @classmethod
    def of(cls, offering: Offering) -> OfferingTicket:
        return cls(
            offering_reference=offering.offering_reference,
            name=offering.name,
            ticker_symbol=offering.ticker_symbol,
            min_price=offering.min_price,
            max_price=offering.max_price,
            trade_date=offering.trade_date,
            prospectus_url=offering.prospectus_url,
        )

    @staticmethod
    def holds(stored: object) -> bool:
        """Whether a pending order's stored request is a subscription (not an order body)."""
        return isinstance(stored, dict) and stored.get("Ipo") == "Subscribe"

    @classmethod
    def read(cls, stored: object) -> OfferingTicket:
        return parse(cls, stored, "a stored subscription")

    def stored(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Ipo": self.ipo,
            "OfferingReference": self.offering_reference,
            "Name": self.name,
        }
        for key, value in (
            ("TickerSymbol", self.ticker_symbol),
            ("MinPrice", self.min_price),
            ("MaxPrice", self.max_price),
            ("TradeDate", self.trade_date),
            ("ProspectusUrl", self.prospectus_url),
        ):
            if value is not None:
                body[key] = str(value) if key.endswith("Price") else value
        return body

    @property
    def title(self) -> str:
        name = self.name or self.offering_reference
        return f"{name} ({self.ticker_symbol})" if self.ticker_symbol else name

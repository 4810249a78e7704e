"""An account's activity: ``TransactionMapModel`` (the items of ``GET /accounts/{accountId}/activity``
and ``/transactions``), its ``Type`` and ``MarginType`` enumerations, and the CSV report
(``GET /accounts/{accountId}/activity/report``, an array of strings: the report's lines)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, RootModel

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.enums import enum_value
from bot.autoshares.resources.numbers import Number, Whole


class ActivityType(StrEnum):
    """TransactionMapModel.Type: what moved the account's cash or holdings."""

    Undefined = "Undefined"
    Commission = "Commission"
    OrderExecution = "OrderExecution"
    OptionExpiration = "OptionExpiration"
    Payment = "Payment"
    ManualManipulation = "ManualManipulation"
    Clearing = "Clearing"
    Rpl = "Rpl"


class MarginType(StrEnum):
    """TransactionMapModel.MarginType: the kind of money a transaction moved (``Dividend`` for a
    dividend payment)."""

    Empty = "Empty"
    Cash = "Cash"
    Margin = "Margin"
    Dividend = "Dividend"
    LegalTransfer = "LegalTransfer"
    Short = "Short"
    Grant = "Grant"
    FPLCashCollateral = "FPLCashCollateral"
    ESPPRSU = "ESPPRSU"
    DVPRVP = "DVPRVP"


class Activity(Resource):
    """One transaction of an account (``TransactionMapModel``): ``Id`` and ``Date`` are required.
    ``Value`` is the cash it moved (negative: money out)."""

    id: Whole
    account_id: Whole | None = None
    date: datetime
    type: Annotated[ActivityType, BeforeValidator(lambda v: enum_value(ActivityType, v))] | None = None
    margin_type: Annotated[MarginType, BeforeValidator(lambda v: enum_value(MarginType, v))] | None = None
    symbol: str | None = None
    description: str | None = None
    quantity: Number | None = None
    price: Number | None = None
    value: Number | None = None
    order_id: Whole | None = None
    settlement_date: datetime | None = None


class ActivityReport(RootModel[list[str]]):
    """``GET /accounts/{accountId}/activity/report?reportEnum=CsvReport``: the report's lines."""

    model_config = {"frozen": True}

    @property
    def csv(self) -> str:
        """The report as one CSV text, each line ended by CRLF as RFC 4180 writes it."""
        return "".join(f"{line}\r\n" for line in self.root)

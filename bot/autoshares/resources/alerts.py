"""Price alerts: ``PriceAlertInfoModel``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.enums import AlertField, AlertOperator, AlertState, enum_value
from bot.autoshares.resources.numbers import Number, Whole


class PriceAlert(Resource):
    """A price alert (``PriceAlertInfoModel``): ``Id`` is required."""

    id: Whole
    state: Annotated[AlertState, BeforeValidator(lambda v: enum_value(AlertState, v))] | None = None
    operator: Annotated[AlertOperator, BeforeValidator(lambda v: enum_value(AlertOperator, v))] | None = None
    field: Annotated[AlertField, BeforeValidator(lambda v: enum_value(AlertField, v))] | None = None
    argument: Number | None = None
    security_id: Whole | None = None
    symbol: str | None = None
    expiration_date: Whole | None = None
    created_date: Whole | None = None


def price_alert_body(
    *, operator: str, field: str, argument: Decimal, security_id: int, expiration: int
) -> dict[str, Any]:
    """The ``PriceAlertEditableModel`` AutoShares takes: armed (New), ``expiration`` in epoch
    seconds (0: never)."""
    return {
        "State": AlertState.New.value,
        "Operator": enum_value(AlertOperator, operator).value,
        "SecurityId": security_id,
        "Field": enum_value(AlertField, field).value,
        "Argument": float(argument),
        "ExpirationDate": expiration,
    }

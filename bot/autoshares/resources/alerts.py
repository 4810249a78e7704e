"""Price alerts: ``PriceAlertInfoModel``."""

from __future__ import annotations

from typing import Annotated

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

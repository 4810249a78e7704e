"""Holdings summed up: ``GroupPositionsResource``, the answer of
``GET /accounts/{accountId}/positions/top`` (a holding's symbol and market value) and of
``GET /accounts/{accountId}/positions/groups`` (a security type and the market value held in it)."""

from __future__ import annotations

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.numbers import Number


class PositionGroup(Resource):
    """A name (a symbol, or a security type such as ``CommonStock``) and its market value; both
    are required."""

    name: str
    market_value: Number

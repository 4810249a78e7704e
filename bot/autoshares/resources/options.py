"""Options: ``OptionResource`` (one contract), ``OptionChainResource`` (its expirations, each with
its central strike and contracts) and ``OptionExpirationResource``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.numbers import Number, Whole, none_as_empty
from bot.vocabulary.options import CONTRACT_SIZE, OptionContract, OptionRight


def _day(value: object) -> object:
    """An ISO 8601 date-time (``2027-01-15T00:00:00Z``, or a bare date) read as its calendar
    day; AutoShares writes an expiration as a date-time at midnight."""
    if isinstance(value, str) and len(value) >= 10:
        text = value.strip()
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            return date.fromisoformat(text[:10])
    return value


Day = Annotated[date, BeforeValidator(_day)]


def epoch_day(value: object) -> object:
    """An int64 expiration (``PositionResource.UnderlyingExpirationDate``): epoch seconds, or
    milliseconds when it is that large, read as its UTC calendar day; 0 is not stated."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value <= 0:
            return None
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC).date()
    return value


class OptionSecurity(Resource):
    """One option contract (``OptionResource``): ``Id`` and ``Symbol`` are required; the chain
    needs its ``OptionType``, ``StrikePrice`` and ``ExpirationDate`` too."""

    id: Whole
    symbol: str
    description: str | None = None
    option_type: str | None = None
    strike_price: Number | None = None
    expiration_date: Day | None = None
    underlying_asset_symbol: str | None = None
    contract_size: Number | None = None
    allow_trade: bool | None = None

    @property
    def right(self) -> OptionRight | None:
        kind = (self.option_type or "").casefold()
        return "Call" if kind == "call" else "Put" if kind == "put" else None

    @property
    def shares_per_contract(self) -> Decimal:
        """``ContractSize``, or the usual 100 when AutoShares gives none (or 0)."""
        return self.contract_size if self.contract_size and self.contract_size > 0 else CONTRACT_SIZE

    def contract(self, underlying: str) -> OptionContract | None:
        """The contract's terms, when AutoShares states them all."""
        if self.right is None or self.strike_price is None or self.expiration_date is None:
            return None
        root = self.underlying_asset_symbol or underlying
        return OptionContract(root, self.expiration_date, self.right, self.strike_price)


class OptionChainExpiration(Resource):
    """``OptionChainExpirationResource``: one expiration's contracts."""

    expiration: Day | None = None
    central_strike: Number | None = None
    options: Annotated[list[OptionSecurity], BeforeValidator(none_as_empty)] = []


class OptionChain(Resource):
    """``OptionChainResource``: the underlying's expirations."""

    expirations: Annotated[list[OptionChainExpiration], BeforeValidator(none_as_empty)] = []


class OptionExpiration(Resource):
    """``OptionExpirationResource``: an expiration date of the underlying's options."""

    expiration_date: Day
    expiration_type: str | None = None
    series_id: Whole | None = None

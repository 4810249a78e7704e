"""The user and their accounts: ``UserInfoModel``, ``UserAccountModel``, balances (a flat map),
``PositionResource`` and ``AgreementItemResource``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AliasChoices, BeforeValidator, Field, RootModel

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.enums import AccessType, AgreementType, enum_value
from bot.autoshares.resources.numbers import NotFinite, Number, Whole, to_decimal


class UserInfo(Resource):
    """``GET /users/@me/info``: ``UserId`` is required (some pages write ``Id``)."""

    user_id: Whole = Field(validation_alias=AliasChoices("UserId", "userId", "Id", "id"))
    login: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Account(Resource):
    """A trading account the user may act on (``UserAccountModel``): ``Id`` is required."""

    id: Whole
    alias: str | None = None
    clearing_account: str | None = None
    access_type: Annotated[AccessType, BeforeValidator(lambda v: enum_value(AccessType, v))] | None = None
    margin_type: str | None = None
    enabled: bool | None = None
    currency: str | None = None


def _figures(body: object) -> object:
    """The map's figures: a value that is not a number at all (text, null, a nested object) is
    another kind of property and is left out; a NaN or infinite one stays, to be refused."""
    if not isinstance(body, dict):
        return body
    kept: dict[object, object] = {}
    for name, value in body.items():
        if value is None or isinstance(value, bool | dict | list):
            continue
        try:
            to_decimal(value)
        except NotFinite:
            pass
        except ValueError:
            continue
        kept[name] = value
    return kept


class Balance(RootModel[Annotated[dict[str, Number], BeforeValidator(_figures)]]):
    """``GET /accounts/{accountId}/info``: a flat map of figure name → number. The spec names no
    figures; each property reads the names deployments are seen to use, in order, in any case."""

    model_config = {"frozen": True}

    #: Figure → the names it goes by, in order of preference.
    NAMES: ClassVar[dict[str, tuple[str, ...]]] = {
        "buying_power": ("BuyingPower", "StockBuyingPower", "DayTradingBuyingPower"),
        "cash": ("Cash", "NetCash", "CashBalance", "TotalCash"),
        "equity": ("Equity", "EquityTotal", "TotalEquity", "AccountValue"),
        "day_profit_loss": ("DayPL", "DayProfitLoss", "OpenPLDay", "DailyProfitLoss", "ChangeAbsolute"),
        "open_profit_loss": ("OpenPL", "UnrealizedPL", "OpenProfitLoss"),
    }

    @property
    def figures(self) -> Mapping[str, Decimal]:
        return self.root

    def get(self, name: str) -> Decimal | None:
        """The figure ``name`` in any letter case (``BuyingPower``, ``buyingPower``…), or None."""
        wanted = name.casefold()
        return next((v for k, v in self.root.items() if k.casefold() == wanted), None)

    def _first(self, figure: str) -> Decimal | None:
        return next((v for name in self.NAMES[figure] if (v := self.get(name)) is not None), None)

    @property
    def buying_power(self) -> Decimal | None:
        return self._first("buying_power")

    @property
    def cash(self) -> Decimal | None:
        return self._first("cash")

    @property
    def equity(self) -> Decimal | None:
        return self._first("equity")

    @property
    def day_profit_loss(self) -> Decimal | None:
        return self._first("day_profit_loss")

    @property
    def open_profit_loss(self) -> Decimal | None:
        return self._first("open_profit_loss")


class Position(Resource):
    """A holding (``PositionResource``): ``SecurityId`` is required."""

    security_id: Whole
    symbol: str | None = None
    name: str | None = None
    company_name: str | None = None
    quantity: Number | None = None
    average_open_price: Number | None = None
    cost_basis: Number | None = None
    #: Not in the spec's PositionResource; some deployments send it, and it is preferred.
    market_value: Number | None = None
    market_value_eod: Number | None = Field(
        default=None, validation_alias=AliasChoices("MarketValueEOD", "marketValueEOD", "marketValueEod")
    )
    eod_price: Number | None = Field(
        default=None, validation_alias=AliasChoices("EODPrice", "eodPrice", "EodPrice")
    )
    unrealized_profit_loss: Number | None = None
    currency: str | None = None


class Agreement(Resource):
    """An agreement the user has still to sign (``AgreementItemResource``, with the ``Id``,
    ``Title`` and ``Version`` the README documents): ``Id`` is required to sign it."""

    id: Whole
    type: Annotated[AgreementType, BeforeValidator(lambda v: enum_value(AgreementType, v))] | None = None
    title: str | None = None
    version: str | None = None
    can_skip: bool = False


class AccountBinding(Resource):
    """``PUT /accounts/{accountId}/users/{userId}`` (``UserToAccountRelationModel``)."""

    account_access_type: Annotated[AccessType, BeforeValidator(lambda v: enum_value(AccessType, v))] | None = None

"""The user and their accounts: ``UserInfoModel``, ``UserAccountModel``, balances (a flat map),
``PositionResource`` and ``AgreementItemResource``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated

from pydantic import AliasChoices, BeforeValidator, Field, RootModel

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.enums import AccessType, AgreementType, enum_value
from bot.autoshares.resources.numbers import Number, Whole


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


class Balance(RootModel[dict[str, Number]]):
    """``GET /accounts/{accountId}/info``: a flat map of figure name → number."""

    model_config = {"frozen": True}

    @property
    def figures(self) -> Mapping[str, Decimal]:
        return self.root

    def get(self, name: str) -> Decimal | None:
        """The figure ``name`` as AutoShares spells it (``BuyingPower``), or its camelCase."""
        return self.root.get(name, self.root.get(name[:1].lower() + name[1:]))


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

"""Every typed resource of the client (bot.autoshares.resources) against openapi.yaml: each
property it reads is a property of the spec's definition (or a documented extra), its enums hold
exactly the spec's values, and the spec-shaped example of the definition parses."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
from pydantic import AliasChoices, BaseModel

from bot.autoshares.resources import (
    Account,
    AccountBinding,
    AccountValue,
    Activity,
    ActivityType,
    Agreement,
    AgreementType,
    AlertState,
    Candle,
    ChartHistory,
    CorporateAction,
    ExecInst,
    FundOperation,
    FundOrder,
    FundPreview,
    FundTicket,
    MarginType,
    NewsItem,
    Offering,
    OfferingsPage,
    OptionChain,
    OptionChainExpiration,
    OptionExpiration,
    OptionSecurity,
    Order,
    OrderChange,
    OrderChangePreview,
    OrderDetail,
    OrderLimits,
    OrderPreview,
    OrderSide,
    OrderStatus,
    OrderTicket,
    OrderType,
    Position,
    PositionGroup,
    PriceAlert,
    QuantityQualifier,
    Quote,
    Security,
    TimeInForce,
    TrailingAmountType,
    Transfer,
    UserInfo,
    Watchlist,
    parse,
)
from bot.autoshares.resources.enums import AccessType
from tests.contract.conftest import Contract

#: Each resource, the spec definition it reads, and the properties it reads beyond that
#: definition, each with where it is documented.
RESOURCES: list[tuple[type[BaseModel], str, set[str]]] = [
    (Order, "OrderResource", set()),
    (OrderPreview, "OrderPreviewResource", set()),
    (OrderTicket, "CreateOrderResource", {"Replaces"}),  # the bot's note beside a stored change, never sent
    (OrderChange, "ModifyOrderResource", set()),
    (OrderChangePreview, "OrderVerifiedResource", set()),
    (FundOrder, "MutualFundResource", set()),
    (FundPreview, "MutualFundPreviewResource", set()),
    (OrderDetail, "OrderDetailsModel", set()),
    (OrderLimits, "OrderLimits", set()),
    (AccountBinding, "UserToAccountRelationModel", set()),
    (UserInfo, "UserInfoModel", set()),
    (Account, "UserAccountModel", set()),
    (Position, "PositionResource", {"MarketValue"}),  # sent by some deployments, preferred
    (Agreement, "AgreementItemResource", {"Id", "Title", "Version"}),  # README: items carry these
    (Security, "EquityResource", set()),
    (Quote, "QuoteModel", set()),
    (PriceAlert, "PriceAlertInfoModel", set()),
    (Watchlist, "WatchlistModel", set()),
    (ChartHistory, "ChartHistoryModel", set()),
    (OptionSecurity, "OptionResource", set()),
    (OptionChain, "OptionChainResource", set()),
    (OptionChainExpiration, "OptionChainExpirationResource", set()),
    (OptionExpiration, "OptionExpirationResource", set()),
    (AccountValue, "AccountValueItem", set()),
    (Candle, "TimeSeriesValueCandleMapModel", set()),
    (NewsItem, "NewsResource", set()),
    (CorporateAction, "CorporateActionResource", set()),
    (Activity, "TransactionMapModel", set()),
    (PositionGroup, "GroupPositionsResource", set()),
    (Offering, "AccountOffering", set()),
    (OfferingsPage, "PageResult[AccountOffering]", set()),
    (Transfer, "TransferResource", set()),
]

#: Enums and the spec property whose enum they are.
ENUMS: list[tuple[type[Enum], str, str]] = [
    (OrderStatus, "OrderResource", "Status"),
    (OrderSide, "OrderResource", "Side"),
    (OrderType, "OrderResource", "Type"),
    (TimeInForce, "OrderResource", "TimeInForce"),
    (OrderSide, "CreateOrderResource", "Side"),
    (OrderType, "CreateOrderResource", "Type"),
    (TimeInForce, "CreateOrderResource", "TimeInforce"),
    (ExecInst, "CreateOrderResource", "ExecInst"),
    (ExecInst, "OrderResource", "ExecInst"),
    (TrailingAmountType, "CreateOrderResource", "TrailingStopAmountType"),
    (TrailingAmountType, "CreateOrderResource", "TrailingLimitAmountType"),
    (TrailingAmountType, "OrderResource", "TrailingStopAmountType"),
    (AccessType, "UserToAccountRelationModel", "AccountAccessType"),
    (AlertState, "PriceAlertInfoModel", "State"),
    (AccessType, "UserAccountModel", "AccessType"),
    (AgreementType, "AgreementItemResource", "Type"),
    (QuantityQualifier, "BuyMutualFundResource", "QuantityQualifier"),
    (QuantityQualifier, "SellMutualFundResource", "QuantityQualifier"),
    (OrderStatus, "MutualFundResource", "Status"),
    (ActivityType, "TransactionMapModel", "Type"),
    (MarginType, "TransactionMapModel", "MarginType"),
]


def pascal_names(model: type[BaseModel]) -> set[str]:
    """The PascalCase spelling each field of ``model`` reads (the first alias choice)."""
    names = set()
    for field in model.model_fields.values():
        alias = field.validation_alias
        assert isinstance(alias, AliasChoices), field
        names.add(str(alias.choices[0]))
    return names


def example_of(contract: Contract, definition: str) -> dict[str, Any]:
    """A body shaped by the spec: every property of ``definition`` with a value of its type."""
    samples = {"integer": 1, "number": 1.5, "string": "x", "boolean": True, "array": [], "object": {}}
    body: dict[str, Any] = {}
    for name, schema in contract.definitions[definition]["properties"].items():
        if "enum" in schema:
            body[name] = schema["enum"][0]
        elif schema.get("format") == "date-time":
            body[name] = "2027-01-15T00:00:00Z"
        elif "$ref" not in schema:
            body[name] = samples[schema.get("type", "object")]
    return body


@pytest.mark.parametrize(("model", "definition", "extras"), RESOURCES, ids=[r[1] for r in RESOURCES])
def test_every_property_a_resource_reads_is_in_the_spec(
    contract: Contract, model: type[BaseModel], definition: str, extras: set[str]
) -> None:
    properties = set(contract.definitions[definition]["properties"])
    assert pascal_names(model) - properties == extras


@pytest.mark.parametrize(("model", "definition", "extras"), RESOURCES, ids=[r[1] for r in RESOURCES])
def test_a_spec_shaped_body_parses(
    contract: Contract, model: type[BaseModel], definition: str, extras: set[str]
) -> None:
    body = example_of(contract, definition) | {name: 1 for name in extras if name == "Id"}
    if model is Watchlist:
        body["SecurityList"] = [example_of(contract, "EquityResource")]
    if model is ChartHistory:
        body["SecurityHistory"] = [[{"Close": 1.5, "Open": 1, "High": 2, "Low": 1, "Volume": 10}]]
    if model in (AccountValue, CorporateAction):
        body["Date"] = "2026-12-01T00:00:00Z"  # a date-time, as the spec's format says
    if model is CorporateAction:
        body["CompleteDate"] = body["Date"]
    if model is Activity:
        body |= {"Date": "2026-12-07T14:30:00Z", "SettlementDate": "2026-12-08T00:00:00Z"}
    if model is PriceAlert:
        body |= {"Operator": "GTEQ", "Field": "Last"}  # documented values of the spec's strings
    parsed = parse(model, body, definition)
    assert parsed.model_dump(exclude_none=True)


@pytest.mark.parametrize(("kind", "definition", "prop"), ENUMS, ids=[f"{e[1]}.{e[2]}" for e in ENUMS])
def test_enums_hold_exactly_the_specs_values(
    contract: Contract, kind: type[Enum], definition: str, prop: str
) -> None:
    # A member is named as the spec spells it, or (``None``, a Python keyword) carries it as its value.
    spelled = [member.value if isinstance(member.value, str) else member.name for member in kind]
    assert spelled == contract.definitions[definition]["properties"][prop]["enum"]


def test_order_status_numbers_follow_the_specs_order(contract: Contract) -> None:
    """The filter examples number statuses in the spec's order (``Status in (0,1,4,5,7)``)."""
    spec = contract.definitions["OrderResource"]["properties"]["Status"]["enum"]
    assert [status.value for status in OrderStatus] == list(range(len(spec)))


def test_candles_read_the_close_they_need(contract: Contract) -> None:
    assert parse(Candle, {"Close": "2.5"}, "PUT /history/symbols").close == 2.5


#: The spec's body of each mutual fund operation.
FUND_BODIES = {
    FundOperation.buy: "BuyMutualFundResource",
    FundOperation.sell: "SellMutualFundResource",
    FundOperation.exchange: "ExchangeMutualFundResource",
    FundOperation.liquidate: "LiquidateMutualFundResource",
}


@pytest.mark.parametrize("operation", list(FundOperation))
def test_a_fund_ticket_sends_exactly_its_operations_body(
    contract: Contract, operation: FundOperation
) -> None:
    """Every property the spec's body has, and nothing else (not the stored operation)."""
    ticket = FundTicket(
        fund_operation=operation,
        symbol="VFIAX",
        target_symbol="VTSAX",
        quantity=1,
        quantity_qualifier=QuantityQualifier.EvenDollar,
        reinvest_dividends=True,
        reinvest_short_term_gains=False,
        reinvest_long_term_gains=True,
    )
    definition = FUND_BODIES[operation]
    assert set(ticket.body()) == set(contract.definitions[definition]["properties"])
    contract.check_definition(definition, ticket.body())
    assert FundTicket.read(ticket.stored()).body() == ticket.body()

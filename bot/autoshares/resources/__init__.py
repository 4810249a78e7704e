"""AutoShares answers as typed, frozen resources: parsed once, in the client, and nowhere else.

``bot.autoshares.client`` returns these; nothing above the client reads AutoShares JSON keys.
Money and quantities are ``Decimal`` (``numbers.to_decimal``, the one number reader); AutoShares'
own enumerations and the open/terminal order-status sets are in ``enums``.
"""

from __future__ import annotations

from bot.autoshares.resources.accounts import Account, AccountBinding, Agreement, Balance, Position, UserInfo
from bot.autoshares.resources.activity import Activity, ActivityReport, ActivityType, MarginType
from bot.autoshares.resources.alerts import PriceAlert
from bot.autoshares.resources.base import Resource, parse, parse_list
from bot.autoshares.resources.enums import (
    LIMIT_PRICED,
    OPEN_ORDER_STATUSES,
    OPEN_STATUS_NAMES,
    STOP_PRICED,
    TERMINAL_ORDER_STATUSES,
    TERMINAL_STATUS_NAMES,
    AccessType,
    AgreementType,
    AlertField,
    AlertOperator,
    AlertState,
    ExecInst,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TrailingAmountType,
)
from bot.autoshares.resources.funding import (
    Offering,
    OfferingsPage,
    OfferingTicket,
    Transfer,
    TransferOutcome,
    transfer_outcome,
)
from bot.autoshares.resources.funds import (
    FundOperation,
    FundOrder,
    FundPreview,
    FundTicket,
    QuantityQualifier,
)
from bot.autoshares.resources.holdings import PositionGroup
from bot.autoshares.resources.market import Candle, ChartHistory, Quote, Security
from bot.autoshares.resources.news import ActionTerms, CorporateAction, NewsItem
from bot.autoshares.resources.numbers import Number, to_decimal, to_int
from bot.autoshares.resources.options import (
    OptionChain,
    OptionChainExpiration,
    OptionExpiration,
    OptionSecurity,
)
from bot.autoshares.resources.orders import (
    FUND_ORDER_KIND,
    Order,
    OrderChange,
    OrderChangePreview,
    OrderDetail,
    OrderLimits,
    OrderPreview,
    OrderTicket,
    ReplacedTerms,
    expire_at,
    fixed_kind,
)
from bot.autoshares.resources.performance import AccountValue, ComparedHistory, compare_body
from bot.autoshares.resources.tickets import Ticket, read_ticket
from bot.autoshares.resources.watchlists import Watchlist

__all__ = [
    "LIMIT_PRICED",
    "OPEN_ORDER_STATUSES",
    "STOP_PRICED",
    "OPEN_STATUS_NAMES",
    "TERMINAL_ORDER_STATUSES",
    "TERMINAL_STATUS_NAMES",
    "AccessType",
    "Account",
    "AccountValue",
    "Activity",
    "ActivityReport",
    "ActivityType",
    "AccountBinding",
    "Agreement",
    "AgreementType",
    "AlertField",
    "AlertOperator",
    "AlertState",
    "Balance",
    "Candle",
    "FundOperation",
    "FundOrder",
    "FundPreview",
    "FundTicket",
    "ChartHistory",
    "ComparedHistory",
    "ActionTerms",
    "CorporateAction",
    "NewsItem",
    "MarginType",
    "ExecInst",
    "Number",
    "OptionChain",
    "OptionChainExpiration",
    "OptionExpiration",
    "OptionSecurity",
    "Offering",
    "OfferingTicket",
    "OfferingsPage",
    "Order",
    "OrderChange",
    "OrderChangePreview",
    "OrderDetail",
    "OrderLimits",
    "OrderPreview",
    "OrderSide",
    "OrderStatus",
    "OrderTicket",
    "OrderType",
    "ReplacedTerms",
    "Position",
    "PositionGroup",
    "PriceAlert",
    "QuantityQualifier",
    "Quote",
    "Resource",
    "Security",
    "Ticket",
    "TimeInForce",
    "TrailingAmountType",
    "Transfer",
    "TransferOutcome",
    "UserInfo",
    "Watchlist",
    "compare_body",
    "expire_at",
    "FUND_ORDER_KIND",
    "fixed_kind",
    "parse",
    "parse_list",
    "read_ticket",
    "to_decimal",
    "to_int",
    "transfer_outcome",
]

"""Records -> the JSON resources of openapi.yaml (PascalCase names, spec enums).

The spec marks nothing nullable, so optional values are left out rather than sent as null.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sandbox.api.enums import EXEC_INST
from sandbox.funding import Offering, Transfer
from sandbox.market import Quote
from sandbox.securities import Security
from sandbox.state import (
    Account,
    Agreement,
    Order,
    OrderLeg,
    Position,
    PriceAlert,
    SandboxState,
    Transaction,
    User,
    Watchlist,
)


def iso(moment: datetime) -> str:
    """RFC 3339 UTC timestamp with a Z suffix."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_day(day: date) -> str:
    """A calendar day as the spec's date-time: midnight UTC."""
    return iso(datetime.combine(day, time(), UTC))


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def user_info(user: User) -> dict[str, Any]:
    """UserInfoModel."""
    return _compact(
        {
            "UserId": user.id,
            "FirstName": user.first_name,
            "MiddleName": user.middle_name or None,
            "LastName": user.last_name,
            "Login": user.login,
            "Email": user.email,
            "Role": 1,
            "AddedDate": iso(user.added),
            "Salutation": "NoSalutation",
            "Suffix": "NoSuffix",
        }
    )


def agreement_item(agreement: Agreement) -> dict[str, Any]:
    """AgreementItemResource (Type, CanSkip) plus the Id, Title and Version the docs describe."""
    return {
        "Id": agreement.id,
        "Type": agreement.type,
        "Title": agreement.title,
        "Version": agreement.version,
        "CanSkip": agreement.can_skip,
    }


def user_account(account: Account, user_id: int, state: SandboxState) -> dict[str, Any]:
    """UserAccountModel as seen by one user."""
    owners = [state.users[uid] for uid, access in account.users.items() if access == "Owner"]
    return {
        "Id": account.id,
        "ClearingAccount": account.clearing_account,
        "AccessType": account.users[user_id],
        "MarginType": account.margin_type,
        "OwnerType": "IndividualCustomer",
        "Enabled": True,
        "Alias": account.alias,
        "ClearingFirm": "AutoShares Sandbox Clearing",
        "IsAverageAccount": False,
        "Owners": [user_info(owner) for owner in owners],
        "Currency": account.currency,
    }


def equity(security: Security) -> dict[str, Any]:
    """EquityResource."""
    return {
        "Id": security.id,
        "Symbol": security.symbol,
        "Description": security.name,
        "Exchange": security.exchange,
        "Currency": "USD",
        "AddedDate": "2015-01-02T00:00:00.000Z",
        "ModifyDate": "2024-01-02T00:00:00.000Z",
        "Type": security.type,
        "Precision": 2,
        "VolumePrecision": 0,
        "TickSize": 0.01,
        "Enabled": True,
        "AllowTrade": True,
        "AllowMargin": True,
        "AllowShort": True,
        "ContractSize": 1.0,
        "Industry": security.industry,
    }


def quote_model(quote: Quote) -> dict[str, Any]:
    """QuoteModel; Key and SecurityId both carry the security id."""
    return {
        "Key": quote.security_id,
        "SecurityId": quote.security_id,
        "Symbol": quote.symbol,
        "Bid": quote.bid,
        "Ask": quote.ask,
        "Last": quote.last,
        "Price": quote.last,
        "Mark": round((quote.bid + quote.ask) / 2, 4),
        "Open": quote.open,
        "High": quote.high,
        "Low": quote.low,
        "Close": quote.previous_close,
        "PreviousClose": quote.previous_close,
        "Change": quote.change,
        "ChangePc": quote.change_pc,
        "Volume": quote.volume,
        "TotalDailyVolume": quote.volume,
        "BidSize": quote.bid_size,
        "AskSize": quote.ask_size,
        "IsHalted": False,
        "Timestamp": iso(quote.timestamp),
        "Date": iso(quote.timestamp),
    }


def option_terms(security_id: int, state: SandboxState) -> dict[str, Any]:
    """The Underlying* properties of an option's order or position (none for a share)."""
    terms = state.option_terms.get(security_id)
    if terms is None:
        return {}
    return {
        "UnderlyingSymbol": terms.underlying,
        "UnderlyingId": terms.underlying_id,
        "UnderlyingStrike": terms.strike,
        "UnderlyingOptionType": terms.right,
        "UnderlyingExpirationDate": int(datetime.combine(terms.expiration, time(), UTC).timestamp()),
        "UnderlyingExpirationType": "Regular",
    }


def option(security: Security, state: SandboxState) -> dict[str, Any]:
    """OptionResource."""
    terms = state.option_terms[security.id]
    return {
        "Id": security.id,
        "Symbol": security.symbol,
        "Name": security.name,
        "Description": security.name,
        "Exchange": security.exchange,
        "Currency": "USD",
        "AddedDate": "2024-01-02T00:00:00.000Z",
        "ModifyDate": "2024-01-02T00:00:00.000Z",
        "Type": "Option",
        "Precision": 2,
        "VolumePrecision": 0,
        "TickSize": 0.01,
        "Enabled": True,
        "AllowTrade": True,
        "AllowMargin": False,
        "AllowShort": True,
        "OptionType": terms.right,
        "ExpirationType": "Regular",
        "ExpirationDate": iso_day(terms.expiration),
        "StrikePrice": terms.strike,
        "SeriesId": terms.underlying_id,
        "UnderlyingAssetSymbol": terms.underlying,
        "ContractSize": security.contract_size,
    }


def position(pos: Position, account: Account, state: SandboxState, last: float) -> dict[str, Any]:
    """PositionResource valued at the last price (an option's at 100 shares a contract)."""
    security = state.securities[pos.security_id]
    size = security.contract_size
    cost_basis = round(pos.quantity * pos.average_price * size, 4)
    market_value = pos.quantity * last * size
    return {
        **option_terms(pos.security_id, state),
        "Id": pos.id,
        "AccountId": account.id,
        "SecurityId": pos.security_id,
        "Symbol": pos.symbol,
        "Name": security.name,
        "CompanyName": security.name,
        "SecurityCurrency": "USD",
        "SecurityType": security.type,
        "ContractSize": size,
        "CostBasis": cost_basis,
        "DailyCostBasis": cost_basis,
        "CreateDate": iso(pos.created),
        "ModifyDate": iso(pos.modified),
        "Quantity": pos.quantity,
        "OpenQuantity": pos.quantity,
        "RealizedProfitLoss": round(pos.realized_pl, 4),
        "UnrealizedProfitLoss": round(market_value - cost_basis, 4),
        "AverageOpenPrice": round(pos.average_price, 6),
        "MarketValueEOD": round(market_value, 4),
        "EODPrice": last,
        "MarginType": "Short" if pos.quantity < 0 else "Cash",
        "TickSize": 0.01,
        "VolumePrecision": 0,
        "ClearingAccount": account.clearing_account,
        "AccountName": account.alias,
        "Currency": "USD",
    }


def _leg(leg: OrderLeg, record: Order) -> dict[str, Any]:
    """One of a spread's ``Legs`` (an OrderResource of its own, filled with the spread)."""
    return {
        "Id": leg.id,
        "SecurityId": leg.security_id,
        "Symbol": leg.symbol,
        "Side": leg.side,
        "Type": record.type,
        "Quantity": leg.quantity,
        "ExecutedQuantity": record.executed_quantity,
        "LeavesQuantity": record.leaves_quantity,
        "Status": record.status,
        "ParentId": record.id,
    }


def mutual_fund(record: Order) -> dict[str, Any]:
    """MutualFundResource: the answer to placing a mutual fund order."""
    return _compact(
        {
            "Id": record.id,
            "Status": record.status,
            "ExecutionStatus": record.status,
            "Description": record.reject_code or None,
            "ExecutedQuantity": record.executed_quantity,
            "Quantity": record.quantity,
        }
    )


def order(record: Order, state: SandboxState) -> dict[str, Any]:
    """OrderResource. A rejection's code (e.g. InsufficientShares) is in Description and its
    sentence in ErrorDescriptionText."""
    security = state.securities.get(record.security_id)
    account = state.accounts.get(record.account_id)
    user = state.users.get(record.user_id)
    return _compact(
        {
            "Id": record.id,
            "SecurityId": record.security_id,
            "Symbol": record.symbol,
            "Name": security.name if security else None,
            "Currency": "USD",
            "Precision": 2,
            "VolumePrecision": 0,
            "SecurityType": security.type if security else None,
            "Quantity": record.quantity,
            "Price": record.price,
            "StopPrice": record.stop_price,
            "ClientId": record.client_id or None,
            "ExecutedQuantity": record.executed_quantity,
            "LastPrice": record.last_price,
            "LastQuantity": record.last_quantity,
            "LeavesQuantity": record.leaves_quantity,
            "AveragePrice": round(record.average_price, 6),
            "Side": record.side,
            "Date": iso(record.modified),
            "TransactionDate": iso(record.modified),
            "CreateDate": iso(record.created),
            "Status": record.status,
            "ExecutionStatus": record.status,
            "Type": record.type,
            "InitialType": record.type,
            "RequestStatus": record.request_status,
            "Description": record.reject_code or None,
            "ErrorDescriptionText": record.reject_text or None,
            "Comment": record.comment or None,
            "TimeInForce": record.time_in_force,
            "ExecInst": record.exec_inst,
            "AccountId": record.account_id,
            "UserId": record.user_id,
            "ExtendedHours": record.extended_hours or None,
            "ExecutionVenue": "SANDBOX",
            "BrokerServiceCommission": record.commission,
            "QuantityQualifier": record.quantity_qualifier,
            "ClearingAccount": account.clearing_account if account else None,
            "AccountName": account.alias if account else None,
            "UserName": user.login if user else None,
            "AccountHolderName": user.full_name if user else None,
            **option_terms(record.security_id, state),
            **_order_kind(record, state),
        }
    )


def _order_kind(record: Order, state: SandboxState) -> dict[str, Any]:
    """OrderResource's properties of expiring, trailing and bracket orders, and a spread's legs."""
    legs = [order(state.orders[i], state) for i in record.leg_ids if i in state.orders]
    legs += [_leg(leg, record) for leg in record.spread_legs]
    return _compact(
        {
            "ExpireDate": record.expire_date or None,
            "TrailingStopAmountType": record.trail_type or None,
            "TrailingStopAmount": record.trail_amount if record.trail_type else None,
            "TrailingLimitAmountType": record.trail_limit_type or None,
            "TrailingLimitAmount": record.trail_limit_amount if record.trail_limit_type else None,
            "ParentId": record.parent_id,
            "Legs": legs or None,
        }
    )


def epoch_ms(moment: datetime) -> int:
    """OrderDetailsModel's dates: milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


def order_details(record: Order, state: SandboxState) -> list[dict[str, Any]]:
    """OrderDetailsModel[]: the request, then each execution, then how it ended (cancelled,
    expired or rejected), oldest first."""
    base = _compact(
        {
            "Id": record.id,
            "ClientId": record.client_id or None,
            "SecurityId": record.security_id,
            "Symbol": record.symbol,
            "Side": record.side,
            "Type": record.type,
            "InitialType": record.type,
            "Quantity": record.quantity,
            "Price": record.price,
            "StopPrice": record.stop_price,
            "TimeInForce": record.time_in_force,
            "ExecInst": EXEC_INST.index(record.exec_inst),
            "CreateDate": epoch_ms(record.created),
            "Currency": "USD",
            "Exchange": "SANDBOX",
            "ExecutionVenue": "SANDBOX",
            "ParentId": record.parent_id,
            "TrailingStopAmountType": record.trail_type or None,
            "TrailingStopAmount": record.trail_amount if record.trail_type else None,
            "ExtendedHours": record.extended_hours or None,
            "UserId": record.user_id,
        }
    )
    lines = [
        base
        | {
            "IsRequest": True,
            "Status": "New",
            "ExecutionStatus": "New",
            "RequestStatus": "Validated",
            "Date": epoch_ms(record.created),
            "TransactionDate": epoch_ms(record.created),
            "TransactionDateText": iso(record.created),
            "IsCompleted": False,
        }
    ]
    legs = [state.orders[i] for i in record.leg_ids if i in state.orders]
    if legs:  # a bracket fills through its legs: their executions are its own
        fills = [line for leg in legs for line in order_details(leg, state) if line.get("ExecId")]
        fills.sort(key=lambda line: line["TransactionDate"])
        return lines + fills + _end_lines(record, base)
    return lines + _execution_lines(record, base) + _end_lines(record, base)


def _execution_lines(record: Order, base: dict[str, Any]) -> list[dict[str, Any]]:
    """OrderDetailsModel for each fill, with the totals so far."""
    lines: list[dict[str, Any]] = []
    executed = cost = 0.0
    for number, execution in enumerate(record.executions):
        executed += execution.quantity
        cost += execution.quantity * execution.price
        done = number == len(record.executions) - 1 and record.status == "Filled"
        status = "Filled" if done else "PartiallyFilled"
        lines.append(
            base
            | {
                "IsRequest": False,
                "ExecId": execution.exec_id,
                "TransType": "Trade",
                "Status": status,
                "ExecutionStatus": status,
                "LastQuantity": execution.quantity,
                "LastPrice": execution.price,
                "ExecutedQuantity": round(executed, 9),
                "AveragePrice": round(cost / executed, 6),
                "LeavesQuantity": 0.0 if done else max(record.quantity - executed, 0.0),
                "BrokerServiceCommission": record.commission if number == 0 else 0.0,
                "Date": epoch_ms(execution.at),
                "TransactionDate": epoch_ms(execution.at),
                "TransactionDateText": iso(execution.at),
                "IsCompleted": done,
            }
        )
    return lines


def _end_lines(record: Order, base: dict[str, Any]) -> list[dict[str, Any]]:
    """OrderDetailsModel for how an order ended without filling (none while it works)."""
    lines: list[dict[str, Any]] = []
    if record.status in ("Canceled", "Expired", "Rejected"):
        ended = record.canceled_at or record.modified
        lines.append(
            base
            | _compact(
                {
                    "IsRequest": False,
                    "Status": record.status,
                    "ExecutionStatus": record.status,
                    "RejectReason": record.reject_code or None,
                    "OrderStatusDescription": record.reject_text or None,
                    "Date": epoch_ms(ended),
                    "TransactionDate": epoch_ms(ended),
                    "TransactionDateText": iso(ended),
                    "IsCompleted": True,
                }
            )
        )
    return lines


def order_limits(
    account_id: int, symbol: str, buy_price: float, sell_price: float, buy_limit: float, sell_limit: float
) -> dict[str, Any]:
    """OrderLimits: how many shares the account can buy and sell at those prices."""
    return {
        "AccountId": account_id,
        "Symbol": symbol,
        "BuyPrice": round(buy_price, 4),
        "SellPrice": round(sell_price, 4),
        "BuyLimit": buy_limit,
        "SellLimit": sell_limit,
    }


def price_alert(alert: PriceAlert) -> dict[str, Any]:
    """PriceAlertInfoModel."""
    return {
        "Id": alert.id,
        "State": alert.state,
        "CreatedDate": alert.created,
        "Operator": alert.operator,
        "SecurityId": alert.security_id,
        "Symbol": alert.symbol,
        "Field": alert.field,
        "Argument": alert.argument,
        "ExpirationDate": alert.expiration_date,
    }


def security_model(security: Security, added: datetime | None = None) -> dict[str, Any]:
    """SecurityModel, as a watchlist lists it; ``AddedDate`` is when it joined the list."""
    return {
        "Id": security.id,
        "Symbol": security.symbol,
        "Description": security.name,
        "Exchange": security.exchange,
        "Currency": "USD",
        "AddedDate": iso(added) if added else "2015-01-02T00:00:00.000Z",
        "ModifyDate": "2024-01-02T00:00:00.000Z",
        "Type": security.type,
        "Industry": security.industry,
        "Precision": 2,
        "VolumePrecision": 0,
        "TickSize": 0.01,
        "ContractSize": 1.0,
    }


def watchlist(record: Watchlist, state: SandboxState, *, include_securities: bool) -> dict[str, Any]:
    """WatchlistModel; ``SecurityList`` (in the order added) only when asked for, as the
    ``includeSecurities`` / ``resultIncludeSecurities`` parameters say."""
    body: dict[str, Any] = {
        "Id": record.id,
        "Name": record.name,
        "Description": record.description,
        "Type": record.type,
        "CreateDate": iso(record.created),
        "ModifyDate": iso(record.modified),
        "Source": "AutoShares",
        "ReadOnly": record.read_only,
    }
    if include_securities:
        body["SecurityList"] = [
            security_model(state.securities[security_id], added)
            for security_id, added in record.securities.items()
            if security_id in state.securities
        ]
    return body


def transaction(record: Transaction) -> dict[str, Any]:
    """TransactionMapModel (the items of GET /accounts/{accountId}/activity and /transactions)."""
    return _compact(
        {
            "Id": record.id,
            "AccountId": record.account_id,
            "SecurityId": record.security_id,
            "OrderId": record.order_id,
            "Date": iso(record.date),
            "SettlementDate": iso(record.date),
            "Type": record.type,
            "MarginType": record.margin_type,
            "Symbol": record.symbol or None,
            "Description": record.description,
            "Quantity": record.quantity,
            "Price": record.price,
            "Value": record.value,
            "IsDayTrade": False,
        }
    )


def paging_result(
    items: list[Any], total: int, next_link: str | None, previous_link: str | None
) -> dict[str, Any]:
    """PagingResult[...]. A page with no next (or previous) page says so with an empty link,
    as the documentation's examples answer (``"PreviousPageLink": ""`` on the first page of Get
    Filtered Orders, ``"NextPageLink": ""`` on the last page of Get Transactions); the spec types
    both as strings and marks nothing nullable."""
    return {
        "Result": items,
        "TotalCount": total,
        "NextPageLink": next_link or "",
        "PreviousPageLink": previous_link or "",
    }


def account_offering(offering: Offering, subscribed: bool) -> dict[str, Any]:
    """AccountOffering: an active new issue as one account sees it."""
    return {
        "OfferingReference": offering.reference,
        "Name": offering.name,
        "TickerSymbol": offering.ticker,
        "Description": offering.description,
        "OfferingTypeName": offering.offering_type,
        "Industry": offering.industry,
        "ProspectusUrl": offering.prospectus_url,
        "Underwriter": [
            {
                "ExecutingBrokerMpid": "SBXS",
                "ExecutingBrokerName": offering.underwriter,
                "Display": True,
                "Lead": True,
            }
        ],
        "MinPrice": offering.min_price,
        "MaxPrice": offering.max_price,
        "TradeDate": offering.trade_date,
        "SettlementDate": offering.settlement_date,
        "MinTicketSize": offering.min_ticket,
        "MaxTicketSize": offering.max_ticket,
        "UnitIncrement": 1,
        "HasOrder": False,
        "IsSubscribed": subscribed,
    }


def transfer(record: Transfer, clearing_account: str) -> dict[str, Any]:
    """TransferResource: a deposit or a withdrawal."""
    return {
        "Id": record.id,
        "AccountId": record.account_id,
        "ExternalId": record.external_id,
        "Mechanism": record.mechanism,
        "IsDeposit": record.is_deposit,
        "Status": record.status,
        "Comment": record.comment,
        "Amount": record.amount,
        "TotalAmount": record.amount,
        "TransferDate": iso(record.transfer_date),
        "CreatedAt": iso(record.created_at),
        "ClearingAccountNumber": clearing_account,
        "CreatedBy": record.created_by,
    }

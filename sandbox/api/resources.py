"""Records -> the JSON resources of openapi.yaml (PascalCase names, spec enums).

The spec marks nothing nullable, so optional values are left out rather than sent as null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.funding import Offering, Transfer
from sandbox.market import Quote
from sandbox.securities import Security
from sandbox.state import (
    Account,
    Agreement,
    Order,
    Position,
    PriceAlert,
    SandboxState,
    User,
    Watchlist,
)


def iso(moment: datetime) -> str:
    """RFC 3339 UTC timestamp with a Z suffix."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def position(pos: Position, account: Account, state: SandboxState, last: float) -> dict[str, Any]:
    """PositionResource valued at the last price."""
    security = state.securities[pos.security_id]
    cost_basis = round(pos.quantity * pos.average_price, 4)
    market_value = pos.quantity * last
    return {
        "Id": pos.id,
        "AccountId": account.id,
        "SecurityId": pos.security_id,
        "Symbol": pos.symbol,
        "Name": security.name,
        "CompanyName": security.name,
        "SecurityCurrency": "USD",
        "SecurityType": security.type,
        "ContractSize": 1.0,
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
            "QuantityQualifier": "Shares",
            "ClearingAccount": account.clearing_account if account else None,
            "AccountName": account.alias if account else None,
            "UserName": user.login if user else None,
            "AccountHolderName": user.full_name if user else None,
        }
    )


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

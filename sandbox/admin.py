"""Test and demo controls under /_sandbox/, answered only to loopback clients (403 otherwise).

POST /_sandbox/users      {"Login", "Password", "Email"?, "FirstName"?, "LastName"?, "Cash"?,
                           "Agreements"?: N, "UserId"?, "AccountId"?}
                          -> 201 {"UserId", "AccountId", "Login", "Email", "ClearingAccount",
                                  "Cash", "AgreementIds": [...]}          (409 login taken)
POST /_sandbox/prices     {"Symbol": "AAPL", "Last": 201.5, "Bid"?, "Ask"?} (or a list of them)
                          -> 200 {"Quotes": [QuoteModel], "FilledOrderIds": [...],
                                  "TriggeredAlertIds": [...]}
                          fills and alerts are evaluated before the answer; webhooks are queued.
GET  /_sandbox/prices/{symbol}  -> QuoteModel (there is no REST quote in the trading API)
POST /_sandbox/clock      {"AdvanceSeconds"?: N, "Mode"?: "always"|"nyse"|"closed", "Open"?: bool}
                          -> {"Mode", "IsOpen", "Now", "OffsetSeconds"}
GET  /_sandbox/clock      -> same
GET  /_sandbox/webhooks   -> {"Url", "Deliveries": [{"Id", "Type", "AccountId", "Status",
                              "Attempts", "StatusCodes", "AttemptLog", "NextAttemptInSeconds",
                              "Payload"}]}
POST /_sandbox/webhooks   {"Url": ..., "Secret": ...} -> sets the target at run time
POST /_sandbox/faults     {"LatencyMs"?, "ErrorRate"?, "DropRate"?, "FailNextOrders"?, "Hold"?: bool,
                          "Rewrite"?: {"METHOD /path prefix": {field: value or null,
                                       "_status"?: code, "_headers"?: {name: value}}},
                           "ExpireTokens"?: true, "RateLimits"?: bool, "Clear"?: true}
                          -> {"LatencyMs", "ErrorRate", "DropRate", "FailNextOrders", "Hold",
                              "Held", "RateLimits"}
                          "Hold": true makes every non-admin request wait until "Hold": false
                          (or "Clear", or a reset); "Held" counts the requests waiting now.
GET  /_sandbox/faults     -> same
POST /_sandbox/reset      {"Settings"?: {"FillLiquidity": 2, "RateLimits": false, ...}}
                          -> {"Settings": {...}}   (the settings now in force, secrets left out)
                          back to a fresh start: seed users and prices, no tokens, orders,
                          alerts, deliveries or faults, rate limits and clock as configured.
                          "Settings" names SandboxConfig fields in PascalCase (all but BaseUrl)
                          and applies to the initial configuration, not the previous reset's.
GET  /_sandbox/stats      -> {"TokenGrants": {grant type: n}, "Revocations", "OrdersPlaced",
                              "PlaceOrderCalls", "ApiRequests": {"GET /v1.0/...": n},
                              "RateLimited", "InjectedErrors", "DroppedConnections",
                              "DelayedRequests"}
GET  /_sandbox/orders     -> [OrderResource] of every account (a mutual fund order with the body
                             it was placed with, as MutualFundRequest)
GET  /_sandbox/alerts     -> [PriceAlertInfoModel + "UserId"] of every user
GET  /_sandbox/watchlists -> [WatchlistModel (with SecurityList) + "UserId"] of every user
POST /_sandbox/news       {"Symbol", "Header", "Content"?, "Source"?} -> the NewsResource published
                          (the newest of the symbol's news)
POST /_sandbox/corporate-actions  {"Symbol", "Type": "Split"|"Dividend"|"Merger", "Data"?: {name:
                          text}, "Date"?: epoch seconds} -> the CorporateActionResource published
GET  /_sandbox/transactions -> [TransactionMapModel] of every account (fills, commissions, dividends, fees)
POST /_sandbox/transactions {"AccountId", "Kind": "Dividend"|"Fee", "Amount", "Symbol"?, "Description"?,
                            "Date"?} -> 201 TransactionMapModel; the account's cash moves by it
GET  /_sandbox/offerings  -> [AccountOffering + "SubscribedAccounts": [account ids]]
POST /_sandbox/transfers  {"AccountId", "Amount", "IsDeposit"?: true, "Mechanism"?: "ACH",
                           "Status"?: "Pending", "Comment"?}  -> 201 TransferResource
POST /_sandbox/transfers/{id}  {"Status"} -> TransferResource (moves a transfer's status; moving
                          it to Completed sends transfer.completed, to Rejected, Failed or
                          Canceled transfer.failed)
GET  /_sandbox/transfers  -> [TransferResource] of every account, oldest first
"""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox import events
from sandbox.api import news as news_api
from sandbox.api import resources
from sandbox.clock import CLOCK_MODES
from sandbox.config import SandboxConfig, SandboxConfigError
from sandbox.funding import TRANSFER_EVENTS, TRANSFER_MECHANISMS, TRANSFER_STATUSES, Transfer
from sandbox.news import CORPORATE_ACTION_TYPES, CorporateAction, NewsStory
from sandbox.state import Transaction

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _is_loopback(host: str | None) -> bool:
    if host in ("localhost",):
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(data: dict[str, Any], name: str, *, required: bool = False) -> float | None:
    value = data.get(name)
    if value is None:
        if required:
            raise AdminError(422, f"{name} is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AdminError(422, f"{name} must be a number.")
    return float(value)


#: Settings a reset cannot change (the sandbox stays where it listens), or never reports.
_FIXED_SETTINGS = frozenset({"base_url"})
_SECRET_SETTINGS = frozenset({"client_secret", "webhook_secret"})


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


_KINDS = {"bool": "true or false", "int": "an integer", "float": "a number", "str": "a string"}


def _setting(name: str, type_name: str, value: Any) -> Any:
    """``value`` checked against a SandboxConfig field's annotation ("float", "str | None"...)."""
    if value is None and "None" in type_name:
        return None
    kind = type_name.split(" ")[0]
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise AdminError(422, f"Settings.{name} must be {_KINDS.get(kind, kind)}.")
    return value


def settings_from_json(data: Any, base: SandboxConfig) -> SandboxConfig:
    """``base`` with the changes named in a reset's "Settings" object."""
    if not isinstance(data, dict):
        raise AdminError(422, "Settings must be a JSON object.")
    known = {_pascal(f.name): f for f in dataclasses.fields(SandboxConfig) if f.name not in _FIXED_SETTINGS}
    changes = {}
    for key, value in data.items():
        found = known.get(key)
        if found is None:
            raise AdminError(422, f"Unknown setting {key!r}.")
        changes[found.name] = _setting(key, str(found.type), value)
    try:
        return dataclasses.replace(base, **changes)
    except SandboxConfigError as error:
        raise AdminError(422, str(error)) from None


def settings_as_json(config: SandboxConfig) -> dict[str, Any]:
    return {
        _pascal(f.name): getattr(config, f.name)
        for f in dataclasses.fields(config)
        if f.name not in _SECRET_SETTINGS
    }


class AdminRoutes:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    def routes(self) -> list[BaseRoute]:
        handlers = [
            ("/_sandbox/users", self.create_user, ["POST"]),
            ("/_sandbox/prices", self.set_prices, ["POST"]),
            ("/_sandbox/prices/{symbol}", self.get_price, ["GET"]),
            ("/_sandbox/clock", self.clock, ["GET", "POST"]),
            ("/_sandbox/webhooks", self.webhooks, ["GET", "POST"]),
            ("/_sandbox/faults", self.faults, ["GET", "POST"]),
            ("/_sandbox/reset", self.reset, ["POST"]),
            ("/_sandbox/stats", self.stats, ["GET"]),
            ("/_sandbox/orders", self.orders, ["GET"]),
            ("/_sandbox/alerts", self.alerts, ["GET"]),
            ("/_sandbox/watchlists", self.watchlists, ["GET"]),
            ("/_sandbox/news", self.publish_news, ["POST"]),
            ("/_sandbox/corporate-actions", self.publish_corporate_action, ["POST"]),
            ("/_sandbox/transactions", self.transactions, ["GET", "POST"]),
            ("/_sandbox/offerings", self.offerings, ["GET"]),
            ("/_sandbox/transfers", self.transfers, ["GET", "POST"]),
            ("/_sandbox/transfers/{transfer_id}", self.move_transfer, ["POST"]),
        ]
        return [Route(path, self._guard(handler), methods=methods) for path, handler, methods in handlers]

    def _guard(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not _is_loopback(request.client.host if request.client else None):
                return JSONResponse(
                    {"Message": "The admin API answers loopback clients only."}, status_code=403
                )
            try:
                return await handler(request)
            except AdminError as error:
                return JSONResponse({"Message": error.message}, status_code=error.status)

        return endpoint

    @staticmethod
    async def _body(request: Request) -> Any:
        try:
            return await request.json()
        except ValueError:
            raise AdminError(400, "The body must be JSON.") from None

    async def _object(self, request: Request) -> dict[str, Any]:
        data = await self._body(request)
        if not isinstance(data, dict):
            raise AdminError(400, "The body must be a JSON object.")
        return data

    # -- users ---------------------------------------------------------------------------------
    async def create_user(self, request: Request) -> Response:
        data = await self._object(request)
        login, password = data.get("Login"), data.get("Password")
        if not isinstance(login, str) or not login or not isinstance(password, str) or not password:
            raise AdminError(422, "Login and Password are required strings.")
        cash = _number(data, "Cash")
        agreements = data.get("Agreements", 0)
        if not isinstance(agreements, int) or agreements < 0:
            raise AdminError(422, "Agreements must be a non-negative integer.")
        for name in ("UserId", "AccountId"):
            value = data.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise AdminError(422, f"{name} must be a positive integer.")
        try:
            user, account = self.sb.state.add_user(
                login=login,
                password=password,
                email=str(data.get("Email") or f"{login}@example.com"),
                first_name=str(data.get("FirstName") or login.capitalize()),
                last_name=str(data.get("LastName") or "Sandbox"),
                user_id=data.get("UserId"),
                account_id=data.get("AccountId"),
                cash=self.sb.config.starting_cash if cash is None else cash,
                agreements=agreements,
            )
        except ValueError as error:
            raise AdminError(409, str(error)) from None
        return JSONResponse(
            {
                "UserId": user.id,
                "AccountId": account.id,
                "Login": user.login,
                "Email": user.email,
                "ClearingAccount": account.clearing_account,
                "Cash": account.cash,
                "AgreementIds": [a.id for a in self.sb.state.unsigned_agreements(user.id)],
            },
            status_code=201,
        )

    # -- market --------------------------------------------------------------------------------
    async def set_prices(self, request: Request) -> Response:
        data = await self._body(request)
        items = data if isinstance(data, list) else [data]
        quotes, filled, triggered = [], [], []
        for item in items:
            if not isinstance(item, dict):
                raise AdminError(400, "Each price must be a JSON object.")
            security = self.sb.state.security(str(item.get("Symbol", "")))
            if security is None:
                raise AdminError(404, f"Unknown symbol {item.get('Symbol')!r}.")
            last = _number(item, "Last", required=True)
            bid, ask = _number(item, "Bid"), _number(item, "Ask")
            if last is None or last <= 0 or (bid is not None and bid <= 0) or (ask is not None and ask <= 0):
                raise AdminError(422, "Prices must be positive.")
            result = await self.sb.engine.set_price(security.id, last, bid, ask)
            quotes.append(resources.quote_model(self.sb.market.quote(security.id)))
            filled += result.filled_order_ids
            triggered += [a.id for a in result.triggered]
        return JSONResponse({"Quotes": quotes, "FilledOrderIds": filled, "TriggeredAlertIds": triggered})

    async def get_price(self, request: Request) -> Response:
        security = self.sb.state.security(request.path_params["symbol"])
        if security is None:
            raise AdminError(404, "Unknown symbol.")
        return JSONResponse(resources.quote_model(self.sb.market.quote(security.id)))

    async def clock(self, request: Request) -> Response:
        if request.method == "POST":
            data = await self._object(request)
            mode = data.get("Mode")
            if "Open" in data:
                mode = "always" if data["Open"] else "closed"
            if mode is not None:
                if mode not in CLOCK_MODES:
                    raise AdminError(422, f"Mode must be one of {', '.join(CLOCK_MODES)}.")
                self.sb.clock.set_mode(mode)
            seconds = _number(data, "AdvanceSeconds")
            if seconds is not None:
                if seconds < 0:
                    raise AdminError(422, "AdvanceSeconds must not be negative.")
                await self.sb.engine.advance(seconds)
        return JSONResponse(self.sb.clock.as_json())

    # -- webhooks, faults, stats ---------------------------------------------------------------
    async def webhooks(self, request: Request) -> Response:
        dispatcher = self.sb.webhooks
        if request.method == "POST":
            data = await self._object(request)
            url = data.get("Url", dispatcher.url)
            secret = data.get("Secret", dispatcher.secret)
            dispatcher.configure(url or None, secret or None)
        return JSONResponse(
            {"Url": dispatcher.url, "Deliveries": [d.as_json() for d in dispatcher.deliveries]}
        )

    async def faults(self, request: Request) -> Response:
        faults = self.sb.faults
        if request.method == "POST":
            data = await self._object(request)
            if data.get("Clear"):
                faults.clear()
            latency = _number(data, "LatencyMs")
            if latency is not None:
                faults.latency_ms = int(max(latency, 0))
            for name, attribute in (("ErrorRate", "error_rate"), ("DropRate", "drop_rate")):
                value = _number(data, name)
                if value is not None:
                    if not 0 <= value <= 1:
                        raise AdminError(422, f"{name} must be between 0 and 1.")
                    setattr(faults, attribute, value)
            fail_next = _number(data, "FailNextOrders")
            if fail_next is not None:
                faults.fail_next_orders = int(max(fail_next, 0))
            if "Hold" in data:
                if not isinstance(data["Hold"], bool):
                    raise AdminError(422, "Hold must be true or false.")
                faults.hold(data["Hold"])
            if "Rewrite" in data:
                rewrites = data["Rewrite"]
                if not isinstance(rewrites, dict) or not all(
                    isinstance(k, str) and " /" in k and isinstance(v, dict) for k, v in rewrites.items()
                ):
                    raise AdminError(422, 'Rewrite must map "METHOD /path" to an object of fields.')
                faults.rewrites = rewrites
            if "RateLimits" in data:
                self.sb.limiter.enabled = bool(data["RateLimits"])
                self.sb.limiter.reset()
            if data.get("ExpireTokens"):
                now = time.time()
                for token in self.sb.state.access_tokens.values():
                    token.expires_at = min(token.expires_at, now)
        return JSONResponse(faults.as_json() | {"RateLimits": self.sb.limiter.enabled})

    async def reset(self, request: Request) -> Response:
        data = await self._object(request) if await request.body() else {}
        config = settings_from_json(data.get("Settings", {}), self.sb.initial_config)
        await self.sb.reset(config)
        return JSONResponse({"Settings": settings_as_json(self.sb.config)})

    async def stats(self, request: Request) -> Response:
        return JSONResponse(self.sb.state.stats.as_json())

    async def orders(self, request: Request) -> Response:
        state = self.sb.state
        return JSONResponse(
            [
                resources.order(o, state) | ({"MutualFundRequest": o.fund_body} if o.fund_body else {})
                for o in sorted(state.orders.values(), key=lambda o: o.id)
            ]
        )

    async def alerts(self, request: Request) -> Response:
        return JSONResponse(
            [
                resources.price_alert(a) | {"UserId": a.user_id}
                for a in sorted(self.sb.state.alerts.values(), key=lambda a: a.id)
            ]
        )

    async def watchlists(self, request: Request) -> Response:
        state = self.sb.state
        return JSONResponse(
            [
                resources.watchlist(w, state, include_securities=True) | {"UserId": w.user_id}
                for w in sorted(state.watchlists.values(), key=lambda w: w.id)
            ]
        )

    # -- news and corporate actions ---------------------------------------------------------------
    def _listed(self, data: dict[str, Any]) -> Any:
        security = self.sb.state.security(str(data.get("Symbol", "")))
        if security is None:
            raise AdminError(404, f"Unknown symbol {data.get('Symbol')!r}.")
        return security

    async def publish_news(self, request: Request) -> Response:
        data = await self._object(request)
        security = self._listed(data)
        header = data.get("Header")
        if not isinstance(header, str) or not header.strip():
            raise AdminError(422, "Header is required.")
        state = self.sb.state
        stories = news_api.stories_of(state, self.sb.config.seed, security)
        story = NewsStory(
            id=state.next_id("news"),
            security_id=security.id,
            symbol=security.symbol,
            date=int(time.time()),
            source=str(data.get("Source") or "Sandbox Wire"),
            header=header.strip(),
            content=str(data.get("Content") or ""),
        )
        stories.append(story)
        return JSONResponse(news_api.news_resource(story))

    async def publish_corporate_action(self, request: Request) -> Response:
        data = await self._object(request)
        security = self._listed(data)
        kind = data.get("Type")
        if kind not in CORPORATE_ACTION_TYPES:
            raise AdminError(422, f"Type must be one of {', '.join(CORPORATE_ACTION_TYPES)}.")
        terms = data.get("Data") or {}
        if not isinstance(terms, dict):
            raise AdminError(422, "Data must be an object of names to text.")
        date = data.get("Date", int(time.time()))
        if not isinstance(date, int) or isinstance(date, bool):
            raise AdminError(422, "Date must be epoch seconds.")
        state = self.sb.state
        action = CorporateAction(
            id=state.next_id("corporate_action"),
            security_id=security.id,
            symbol=security.symbol,
            type=kind,
            date=date,
            data={str(k): str(v) for k, v in terms.items()},
        )
        action.unique_id = f"CA-{security.symbol}-{action.id}"
        state.corporate_actions[action.id] = action
        return JSONResponse(news_api.corporate_action_resource(action))

    async def transactions(self, request: Request) -> Response:
        """GET: every account's transactions. POST: pay a dividend into an account or charge it a
        fee (see :meth:`_money_movement`)."""
        state = self.sb.state
        if request.method == "POST":
            record = self._money_movement(await self._object(request))
            return JSONResponse(resources.transaction(record), status_code=201)
        ordered = sorted(state.transactions.values(), key=lambda t: t.id)
        return JSONResponse([resources.transaction(t) for t in ordered])

    def _money_movement(self, data: dict[str, Any]) -> Transaction:
        """``{"AccountId", "Kind": "Dividend"|"Fee", "Amount", "Symbol"?, "Description"?, "Date"?}``:
        the account's cash moves by the amount, recorded as a Payment of Dividend money or a
        Clearing charge."""
        state = self.sb.state
        account_id = data.get("AccountId")
        account = state.accounts.get(account_id) if isinstance(account_id, int) else None
        if account is None:
            raise AdminError(404, "AccountId names no account.")
        amount = _number(data, "Amount", required=True) or 0.0
        kind = data.get("Kind")
        if kind not in ("Dividend", "Fee") or amount <= 0:
            raise AdminError(422, "Kind must be Dividend or Fee and Amount positive.")
        try:
            date = datetime.fromisoformat(str(data["Date"]).replace("Z", "+00:00")) if data.get("Date") else None
        except ValueError:
            raise AdminError(422, "Date must be an ISO 8601 time.") from None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
        security = state.security(str(data["Symbol"])) if data.get("Symbol") else None
        value = amount if kind == "Dividend" else -amount
        account.cash += value
        return state.record_transaction(
            account.id,
            "Payment" if kind == "Dividend" else "Clearing",
            value,
            str(data.get("Description") or (f"{security.symbol} dividend" if security else str(kind))),
            margin_type="Dividend" if kind == "Dividend" else "Cash",
            symbol=security.symbol if security else "",
            security_id=security.id if security else None,
            date=date,
        )

    # -- new issues and transfers --------------------------------------------------------------
    async def offerings(self, request: Request) -> Response:
        state = self.sb.state
        return JSONResponse(
            [
                resources.account_offering(o, False)
                | {"SubscribedAccounts": sorted(a for a, ref in state.ipo_subscriptions if ref == o.reference)}
                for o in state.offerings.values()
            ]
        )

    def _transfer_json(self, transfer: Transfer) -> dict[str, Any]:
        account = self.sb.state.accounts.get(transfer.account_id)
        return resources.transfer(transfer, account.clearing_account if account else "")

    async def transfers(self, request: Request) -> Response:
        state = self.sb.state
        if request.method == "GET":
            ordered = sorted(state.transfers.values(), key=lambda t: t.created_at)
            return JSONResponse([self._transfer_json(t) for t in ordered])
        data = await self._object(request)
        account_id = data.get("AccountId")
        if not isinstance(account_id, int) or account_id not in state.accounts:
            raise AdminError(422, "AccountId must name an account of the sandbox.")
        amount = _number(data, "Amount", required=True)
        mechanism = data.get("Mechanism", "ACH")
        if mechanism not in TRANSFER_MECHANISMS:
            raise AdminError(422, f"Mechanism must be one of {', '.join(TRANSFER_MECHANISMS)}.")
        transfer = Transfer(
            account_id=account_id,
            amount=float(amount or 0),
            is_deposit=bool(data.get("IsDeposit", True)),
            mechanism=mechanism,
            status=self._status(data.get("Status", "Pending")),
            comment=str(data.get("Comment") or ""),
        )
        state.transfers[transfer.id] = transfer
        return JSONResponse(self._transfer_json(transfer), status_code=201)

    @staticmethod
    def _status(value: Any) -> str:
        if value not in TRANSFER_STATUSES:
            raise AdminError(422, f"Status must be one of {', '.join(TRANSFER_STATUSES)}.")
        return str(value)

    async def move_transfer(self, request: Request) -> Response:
        transfer = self.sb.state.transfers.get(request.path_params["transfer_id"])
        if transfer is None:
            raise AdminError(404, "No such transfer.")
        data = await self._object(request)
        before, transfer.status = transfer.status, self._status(data.get("Status"))
        event = TRANSFER_EVENTS.get(transfer.status)
        if event is not None and transfer.status != before:
            self.sb.webhooks.emit(event, transfer.account_id, events.transfer_data(transfer))
        return JSONResponse(self._transfer_json(transfer))


def admin_routes(sandbox: Sandbox) -> list[BaseRoute]:
    return AdminRoutes(sandbox).routes()

"""The async AutoShares trading API client.

One pooled ``httpx.AsyncClient`` per process for background work and one for commands. ``AutoSharesClient.for_user(auth, user_id)`` gives
a ``UserApi`` acting for one signed-in user: every request carries ``Et-App-Key`` and ``Accept:
application/json``, and its ``auth`` flow (``bot.autoshares.auth``) adds the bearer token and
refreshes it once on a 401; GETs are retried with backoff on 5xx, timeouts and dropped
connections; writes are never re-sent blindly (the caller resolves an uncertain order placement
by its ClientId). The client imports no storage: tokens come through the auth flow.

Every answer the bot uses is returned parsed once into a typed, frozen resource
(``bot.autoshares.resources``): nothing above the client reads AutoShares JSON.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_any
from tenacity.stop import stop_base

from bot.autoshares import deadline
from bot.autoshares import errors as e
from bot.autoshares.paging import Page, typed_page
from bot.autoshares.resources import (
    Account,
    AccountBinding,
    AccountValue,
    Activity,
    ActivityReport,
    Agreement,
    Balance,
    ChartHistory,
    ComparedHistory,
    CorporateAction,
    FundOrder,
    FundPreview,
    FundTicket,
    NewsItem,
    Offering,
    OfferingsPage,
    OptionChain,
    OptionExpiration,
    OptionSecurity,
    Order,
    OrderChangePreview,
    OrderDetail,
    OrderLimits,
    OrderPreview,
    Position,
    PositionGroup,
    PriceAlert,
    Security,
    Transfer,
    UserInfo,
    Watchlist,
    parse,
    parse_list,
)

log = logging.getLogger(__name__)

API_VERSION = "v1.0"
GET_ATTEMPTS = 3
BACKOFF = (0.2, 0.6, 1.5)
#: Outside any deadline (background work), the longest wait before trying again.
MAX_WAIT_WITHOUT_DEADLINE = 2.0


def _worth_retrying(exc: BaseException) -> bool:
    # A call that waited out the deadline for a pooled connection has no time left to retry in.
    if isinstance(exc, e.AutoSharesBusy):
        return False
    return isinstance(exc, e.AutoSharesServerError | e.AutoSharesUnavailable | e.AutoSharesRateLimited)


def _wait(state: RetryCallState) -> float:
    """A 429 is waited out for its Retry-After; anything else backs off."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, e.AutoSharesRateLimited):
        return exc.retry_after
    return BACKOFF[min(state.attempt_number, len(BACKOFF)) - 1]


class _StopAtDeadline(stop_base):
    """Give up when the next wait would not end before the deadline."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        wait = retry_state.upcoming_sleep
        if deadline.remaining() is None:
            return wait > MAX_WAIT_WITHOUT_DEADLINE
        return not deadline.fits(wait)


CallObserver = Callable[[str, str, int | None, float], None]


def _description(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("ErrorDescription", "Message", "message", "error_description", "error", "Error"):
            value = body.get(key)
            if value:
                return str(value)[:300]
    return None


def _account_path(endpoint: str, account_id: int) -> str:
    """The request path of an account's endpoint (``GET /accounts/{accountId}/activity``) for one account."""
    return endpoint.split(" ", 1)[1].removeprefix("/").replace("{accountId}", str(account_id))


def error_for(status: int, endpoint: str, body: Any, headers: httpx.Headers) -> e.AutoSharesError:
    """Map an AutoShares error response to the typed exception a user can be shown."""
    description = _description(body)
    where = f"AutoShares {endpoint} answered {status}"
    detail = f"{where}: {description}" if description else where
    kwargs: dict[str, Any] = {"status": status, "endpoint": endpoint, "description": description}
    if status == 401:
        return e.AutoSharesUnauthorized(detail, **kwargs)
    if status == 403:
        if description and "application key" in description.lower():
            return e.AutoSharesAppKeyRejected(f"{detail} (check AUTOSHARES_APP_KEY)", **kwargs)
        return e.AutoSharesForbidden(detail, **kwargs)
    if status == 404:
        return e.AutoSharesNotFound(detail, **kwargs)
    if status == 409:
        return e.AutoSharesConflict(detail, **kwargs)
    if status in (400, 422):
        return e.AutoSharesInvalid(detail, **kwargs)
    if status == 429:
        try:
            retry_after = float(headers.get("Retry-After", "5"))
        except ValueError:
            retry_after = 5.0
        return e.AutoSharesRateLimited(detail, retry_after=retry_after, **kwargs)
    if status >= 500:
        return e.AutoSharesServerError(detail, **kwargs)
    return e.AutoSharesError(detail, **kwargs)


def _date_time(moment: datetime) -> str:
    """A query's ``date-time``: ISO 8601 in UTC, to the second (``2026-12-07T14:30:00Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AutoSharesClient:
    """Process-wide AutoShares API access; cheap ``UserApi`` views per linked user.

    Two connection pools: ``command_http`` for calls made under a deadline (a command or a
    click someone is waiting for) and ``http`` for the rest (background passes), so that a
    burst of one cannot queue the other behind it. Without ``command_http`` both share ``http``.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        app_key: str,
        observe: CallObserver | None = None,
        command_http: httpx.AsyncClient | None = None,
    ) -> None:
        self.http = http
        self.command_http = command_http or http
        self.base_url = base_url.rstrip("/") + "/"
        self.app_key = app_key
        self.observe = observe

    def for_user(self, auth: httpx.Auth, user_id: int | None) -> UserApi:
        """Calls acting for one user; ``user_id`` is their AutoShares UserId (None until known)."""
        return UserApi(self, auth, user_id)

    def url(self, path: str) -> str:
        return f"{self.base_url}{API_VERSION}/{path.lstrip('/')}"

    async def send(
        self,
        method: str,
        path: str,
        auth: httpx.Auth,
        *,
        endpoint: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One HTTP exchange; ``timeout`` (the time left before a deadline) can only shorten
        the client's own timeout, and bounds the whole exchange, the wait for a pooled
        connection included: past it, ``httpx.PoolTimeout`` if the request never left the
        bot's pool (the bot was busy), else ``httpx.ReadTimeout`` (AutoShares was slow)."""
        headers = {"Et-App-Key": self.app_key, "Accept": "application/json"}
        started = time.perf_counter()
        status: int | None = None
        # Under a deadline (someone is waiting) the command pool, else the background one.
        http = self.http if deadline.remaining() is None else self.command_http
        try:
            if timeout is None:
                response = await http.request(
                    method, self.url(path), params=params, json=json, headers=headers, auth=auth
                )
            else:
                response = await self._send_within(
                    http,
                    timeout,
                    method,
                    self.url(path),
                    params=params,
                    json=json,
                    headers=headers,
                    auth=auth,
                )
            status = response.status_code
            return response
        finally:
            if self.observe:
                self.observe(method, endpoint, status, time.perf_counter() - started)

    @staticmethod
    async def _send_within(
        http: httpx.AsyncClient, seconds: float, method: str, url: str, **kwargs: Any
    ) -> httpx.Response:
        """``http.request`` bounded by ``seconds`` as a whole. httpx bounds each phase apart (the
        pool wait, then the read), so a call that queued for a connection could outlive its
        deadline; httpcore's trace tells whether the request left the pool before time ran out."""
        left_pool = False

        async def trace(_event: str, _info: dict[str, Any]) -> None:
            nonlocal left_pool
            left_pool = True  # connecting, or sending on a pooled connection

        default = http.timeout.read
        limit = httpx.Timeout(min(seconds, default) if default is not None else seconds)
        try:
            async with asyncio.timeout(seconds):
                return await http.request(method, url, timeout=limit, extensions={"trace": trace}, **kwargs)
        except TimeoutError:
            if left_pool:
                raise httpx.ReadTimeout(f"no answer within {seconds:.2f} s") from None
            raise httpx.PoolTimeout(f"no pooled connection within {seconds:.2f} s") from None


class UserApi:
    """AutoShares calls on behalf of one signed-in user."""

    def __init__(self, client: AutoSharesClient, auth: httpx.Auth, user_id: int | None) -> None:
        self._client = client
        self._auth = auth
        self.user_id = user_id

    async def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str | None = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one call; returns the decoded JSON body (None when empty).

        GETs are tried again after a 5xx, a timeout or a dropped connection (backoff), and
        after a 429 whose ``Retry-After`` fits the current deadline (``bot.autoshares.deadline``);
        writes are sent once. Nothing waits past the deadline.
        """
        endpoint = endpoint or f"{method} {path}"
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: method == "GET" and _worth_retrying(exc)),
            wait=_wait,
            stop=stop_any(stop_after_attempt(GET_ATTEMPTS), _StopAtDeadline()),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(method, path, endpoint, params, json)
        raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover

    async def _once(
        self, method: str, path: str, endpoint: str, params: dict[str, Any] | None, json: Any
    ) -> Any:
        left = deadline.remaining()
        if left is not None and left <= 0:
            raise e.AutoSharesUnavailable(
                f"AutoShares {endpoint}: no time left before the deadline", endpoint=endpoint
            )
        try:
            response = await self._client.send(
                method, path, self._auth, endpoint=endpoint, params=params, json=json, timeout=left
            )
        except httpx.PoolTimeout:
            raise e.AutoSharesBusy(
                f"AutoShares {endpoint} was not sent: no connection of the bot's pool came free in time "
                "(raise COMMAND_CONCURRENCY if this is frequent)",
                endpoint=endpoint,
            ) from None
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise e.AutoSharesUnavailable(
                f"AutoShares {endpoint} failed: {type(exc).__name__}", endpoint=endpoint
            ) from None
        if response.is_success:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise e.AutoSharesServerError(
                    f"AutoShares {endpoint} returned a body that is not JSON", endpoint=endpoint
                ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = error_for(response.status_code, endpoint, body, response.headers)
        if isinstance(error, e.AutoSharesUnauthorized):
            # The auth flow already refreshed once and marked the sign-in for renewal.
            raise e.RelinkRequired(error.operator_message)
        raise error

    # -- users and agreements ------------------------------------------------------------------
    async def me(self) -> UserInfo:
        endpoint = "GET /users/@me/info"
        return parse(UserInfo, await self.request("GET", "users/@me/info", endpoint=endpoint), endpoint)

    async def agreements(self) -> list[Agreement]:
        """Agreements the user has still to sign (empty: nothing to sign)."""
        endpoint = "GET /users/{userId}/agreements"
        body = await self.request("GET", f"users/{self.user_id}/agreements", endpoint=endpoint)
        return parse_list(Agreement, body, endpoint)

    async def sign_agreement(self, agreement_id: int | str) -> None:
        await self.request(
            "POST",
            f"users/{self.user_id}/agreements/{agreement_id}/sign",
            endpoint="POST /users/{userId}/agreements/{agreementId}/sign",
        )

    # -- accounts ------------------------------------------------------------------------------
    async def accounts(self) -> list[Account]:
        endpoint = "GET /users/{userId}/accounts"
        body = await self.request("GET", f"users/{self.user_id}/accounts", endpoint=endpoint)
        return parse_list(Account, body, endpoint)

    async def bind_account(self, account_id: int, access_type: str = "Full") -> AccountBinding:
        endpoint = "PUT /accounts/{accountId}/users/{userId}"
        body = await self.request(
            "PUT",
            f"accounts/{account_id}/users/{self.user_id}",
            endpoint=endpoint,
            params={"accessType": access_type},
        )
        return parse(AccountBinding, body if isinstance(body, dict) else {}, endpoint)

    async def select_account(self, account_id: int) -> None:
        await self.request(
            "PUT", f"accounts/{account_id}/select", endpoint="PUT /accounts/{accountId}/select"
        )

    async def balances(self, account_id: int) -> Balance:
        endpoint = "GET /accounts/{accountId}/info"
        body = await self.request("GET", f"accounts/{account_id}/info", endpoint=endpoint)
        return parse(Balance, body or {}, endpoint)

    async def positions(
        self,
        account_id: int,
        *,
        page: int = 0,
        page_size: int = 20,
        sort_field: str = "Symbol",
        desc: bool = False,
    ) -> Page[Position]:
        """One page (zero-based) of an account's holdings (the spec requires all four paging
        parameters, ``sortField`` included)."""
        endpoint = "GET /accounts/{accountId}/positions"
        params: dict[str, Any] = {
            "pageNumber": page,
            "pageSize": page_size,
            "sortField": sort_field,
            "desc": str(desc).lower(),
        }
        body = await self.request("GET", f"accounts/{account_id}/positions", endpoint=endpoint, params=params)
        return typed_page(Position, body, page, page_size, endpoint)

    async def activity(
        self, account_id: int, *, page: int = 0, page_size: int = 20, filter: str | None = None
    ) -> Page[Activity]:
        """One page (zero-based) of an account's activity, newest first, optionally filtered
        (``Date >= #2026-01-01T00:00:00Z# and Type = 'OrderExecution'``)."""
        # The spec's isAsc reads "sorted in descending (true) order"; false asks for newest first
        # from a deployment that follows the name, and AutoShares' own answers are dated anyway.
        order = {"isAsc": "false"}
        return await self._activity_page(
            account_id, "GET /accounts/{accountId}/activity", order, page, page_size, filter
        )

    async def activity_report(self, account_id: int, *, filter: str | None = None) -> ActivityReport:
        """The account's activity as a CSV report (its lines), oldest first."""
        return await self._activity_report(
            account_id, "GET /accounts/{accountId}/activity/report", {"isAsc": "true"}, filter
        )

    async def transactions(
        self, account_id: int, *, page: int = 0, page_size: int = 20, filter: str | None = None
    ) -> Page[Activity]:
        """``GET /accounts/{accountId}/transactions``: the same items as :meth:`activity`, newest
        first (``isDesc``), for a deployment that answers only this form."""
        order = {"isDesc": "true"}
        return await self._activity_page(
            account_id, "GET /accounts/{accountId}/transactions", order, page, page_size, filter
        )

    async def transaction_report(self, account_id: int, *, filter: str | None = None) -> ActivityReport:
        """``GET /accounts/{accountId}/transaction/report``: :meth:`activity_report`'s other form."""
        return await self._activity_report(
            account_id, "GET /accounts/{accountId}/transaction/report", {"isDesc": "false"}, filter
        )

    async def _activity_page(
        self,
        account_id: int,
        endpoint: str,
        order: dict[str, str],
        page: int,
        page_size: int,
        filter: str | None,
    ) -> Page[Activity]:
        """A page of the account's activity at ``endpoint`` sorted by date in ``order``."""
        params: dict[str, Any] = {"pageSize": page_size, "pageNumber": page, "sortBy": "Date", **order}
        if filter:
            params["filter"] = filter
        body = await self.request(
            "GET", _account_path(endpoint, account_id), endpoint=endpoint, params=params
        )
        return typed_page(Activity, body, page, page_size, endpoint)

    async def _activity_report(
        self, account_id: int, endpoint: str, order: dict[str, str], filter: str | None
    ) -> ActivityReport:
        """The account's activity as a CSV report at ``endpoint``, sorted by date in ``order``."""
        params: dict[str, Any] = {"sortBy": "Date", **order, "reportEnum": "CsvReport"}
        if filter:
            params["filter"] = filter
        body = await self.request(
            "GET", _account_path(endpoint, account_id), endpoint=endpoint, params=params
        )
        return parse(ActivityReport, body if body is not None else [], endpoint)

    # -- every account at once ----------------------------------------------------------------
    async def consolidated_balance(self, account_ids: Sequence[int]) -> Balance:
        """The accounts' balances summed, figure by figure (a flat map, as for one account)."""
        endpoint = "POST /accounts/balance/consolidated"
        body = await self.request(
            "POST", "accounts/balance/consolidated", endpoint=endpoint, json=[int(a) for a in account_ids]
        )
        return parse(Balance, body or {}, endpoint)

    @staticmethod
    def _consolidated_query(
        account_ids: Sequence[int], page: int, page_size: int, sort_field: str
    ) -> dict[str, Any]:
        """A ``ConsolidatedQueryDto``."""
        return {
            "AccountIds": [int(a) for a in account_ids],
            "PageNumber": page,
            "PageSize": page_size,
            "SortField": sort_field,
            "Desc": False,
        }

    async def consolidated_positions(
        self, account_ids: Sequence[int], *, page: int = 0, page_size: int = 50
    ) -> Page[Position]:
        """One page of the holdings of all the accounts, each naming its ``AccountId``."""
        endpoint = "POST /positions/consolidated"
        query = self._consolidated_query(account_ids, page, page_size, "Symbol")
        body = await self.request("POST", "positions/consolidated", endpoint=endpoint, json=query)
        return typed_page(Position, body, page, page_size, endpoint)

    async def consolidated_orders(
        self, account_ids: Sequence[int], *, page: int = 0, page_size: int = 50, filter: str | None = None
    ) -> Page[Order]:
        """One page of the orders of all the accounts, optionally filtered (``Status in (0,1)``)."""
        endpoint = "POST /orders/consolidated"
        query = self._consolidated_query(account_ids, page, page_size, "Id")
        params = {"filter": filter} if filter else None
        body = await self.request("POST", "orders/consolidated", endpoint=endpoint, json=query, params=params)
        return typed_page(Order, body, page, page_size, endpoint)

    async def top_positions(self, account_id: int, *, count: int = 5) -> list[PositionGroup]:
        """The account's largest holdings by market value, largest first."""
        endpoint = "GET /accounts/{accountId}/positions/top"
        body = await self.request(
            "GET", f"accounts/{account_id}/positions/top", endpoint=endpoint, params={"count": count}
        )
        return parse_list(PositionGroup, body, endpoint)

    async def position_groups(self, account_id: int) -> list[PositionGroup]:
        """The account's market value by security type."""
        endpoint = "GET /accounts/{accountId}/positions/groups"
        body = await self.request("GET", f"accounts/{account_id}/positions/groups", endpoint=endpoint)
        return parse_list(PositionGroup, body, endpoint)

    # -- securities, quotes, history ------------------------------------------------------------
    async def equity(self, symbol: str) -> Security:
        endpoint = "GET /equities/{symbol}"
        body = await self.request("GET", f"equities/{quote(symbol, safe='')}", endpoint=endpoint)
        return parse(Security, body, endpoint)

    async def lookup(self, mask: str, count: int = 5) -> list[Security]:
        endpoint = "GET /equities/lookup"
        body = await self.request(
            "GET", "equities/lookup", endpoint=endpoint, params={"mask": mask, "count": count}
        )
        return parse_list(Security, body, endpoint)

    # -- options ---------------------------------------------------------------------------------
    async def option(self, symbol: str) -> OptionSecurity:
        """One option contract by its symbol (404: AutoShares lists no such contract)."""
        endpoint = "GET /options/{symbol}"
        body = await self.request("GET", f"options/{quote(symbol, safe='')}", endpoint=endpoint)
        return parse(OptionSecurity, body, endpoint)

    async def option_expirations(self, underlying: str) -> list[OptionExpiration]:
        endpoint = "GET /options/expirations"
        body = await self.request(
            "GET", "options/expirations", endpoint=endpoint, params={"underlying": underlying}
        )
        return parse_list(OptionExpiration, body, endpoint)

    async def option_chain(self, symbol: str, *, filter: str | None = None) -> OptionChain:
        """The underlying's option chain, optionally filtered (``ExpirationDate = #…#``)."""
        endpoint = "GET /options/optionChain/{symbol}"
        params = {"filter": filter} if filter else None
        body = await self.request(
            "GET", f"options/optionChain/{quote(symbol, safe='')}", endpoint=endpoint, params=params
        )
        return parse(OptionChain, body or {}, endpoint)

    async def streamers(self) -> dict[str, Any]:
        """The streamer addresses, read by ``bot.autoshares.streamer`` (inside the client)."""
        return await self.request("GET", "streamers", endpoint="GET /streamers")

    async def history(self, request: dict[str, Any]) -> ChartHistory:
        endpoint = "PUT /history/symbols"
        body = await self.request("PUT", "history/symbols", endpoint=endpoint, json=request)
        return parse(ChartHistory, body or {}, endpoint)

    async def compare(self, request: dict[str, Any]) -> ComparedHistory:
        """Several securities' candles over one range (``ChartCompareRequestModel``): one
        series each, in the order asked."""
        endpoint = "PUT /history/compare"
        body = await self.request("PUT", "history/compare", endpoint=endpoint, json=request)
        return parse(ComparedHistory, body if body is not None else [], endpoint)

    async def account_history(self, account_id: int, start: datetime, end: datetime) -> list[AccountValue]:
        """The account's value over ``start``..``end`` (``UserAccounts_GetAccountHistory``);
        ``step`` is obsolete in the spec but required, so 1 is sent."""
        endpoint = "GET /accounts/{accountId}/history"
        params = {"startDate": _date_time(start), "endDate": _date_time(end), "step": 1}
        body = await self.request("GET", f"accounts/{account_id}/history", endpoint=endpoint, params=params)
        return parse_list(AccountValue, body, endpoint)

    # -- news --------------------------------------------------------------------------------------
    async def news(self, symbol: str) -> list[NewsItem]:
        """A company's recent news (``News_GetNews``), as AutoShares orders it."""
        endpoint = "GET /news"
        body = await self.request("GET", "news", endpoint=endpoint, params={"symbol": symbol})
        return parse_list(NewsItem, body, endpoint)

    async def corporate_actions(self, symbol: str) -> list[CorporateAction]:
        """A company's recent corporate actions (``News_GetCorporateActions``)."""
        endpoint = "GET /news/corporate-actions"
        body = await self.request(
            "GET", "news/corporate-actions", endpoint=endpoint, params={"symbol": symbol}
        )
        return parse_list(CorporateAction, body, endpoint)

    # -- orders ----------------------------------------------------------------------------------
    async def preview_order(self, account_id: int, order: dict[str, Any]) -> OrderPreview:
        endpoint = "POST /accounts/{accountId}/preview/orders"
        body = await self.request(
            "POST", f"accounts/{account_id}/preview/orders", endpoint=endpoint, json=order
        )
        return parse(OrderPreview, body or {}, endpoint)

    async def place_order(self, account_id: int, order: dict[str, Any]) -> Order:
        endpoint = "POST /accounts/{accountId}/orders"
        body = await self.request("POST", f"accounts/{account_id}/orders", endpoint=endpoint, json=order)
        return parse(Order, body, endpoint)

    async def preview_replace(
        self, account_id: int, order_id: int, change: dict[str, Any]
    ) -> OrderChangePreview:
        """What replacing ``order_id`` with ``change`` (a ModifyOrderResource) would cost."""
        endpoint = "PUT /accounts/{accountId}/preview/orders/{orderId}"
        path = f"accounts/{account_id}/preview/orders/{order_id}"
        body = await self.request("PUT", path, endpoint=endpoint, json=change)
        return parse(OrderChangePreview, body or {}, endpoint)

    async def replace_order(self, account_id: int, order_id: int, change: dict[str, Any]) -> Order:
        """Replace a working order's terms (409: it is no longer working); the order keeps its id."""
        endpoint = "PUT /accounts/{accountId}/orders/{orderId}"
        path = f"accounts/{account_id}/orders/{order_id}"
        body = await self.request("PUT", path, endpoint=endpoint, json=change)
        return parse(Order, body, endpoint)

    async def order(self, account_id: int, order_id: int) -> Order:
        endpoint = "GET /accounts/{accountId}/orders/{orderId}"
        body = await self.request("GET", f"accounts/{account_id}/orders/{order_id}", endpoint=endpoint)
        return parse(Order, body, endpoint)

    async def order_details(self, account_id: int, order_id: int) -> list[OrderDetail]:
        """An order's history: the request, each execution, how it ended (``Orders_GetOrderDetails``)."""
        endpoint = "GET /accounts/{accountId}/orders/{orderId}/details"
        body = await self.request(
            "GET", f"accounts/{account_id}/orders/{order_id}/details", endpoint=endpoint
        )
        return parse_list(OrderDetail, body or [], endpoint)

    async def order_limits(self, account_id: int, symbol: str, price: Decimal | None = None) -> OrderLimits:
        """How many shares of ``symbol`` the account can buy and sell now, at ``price`` (else
        the market's) (``Orders_GetOrderLimits``)."""
        endpoint = "GET /accounts/{accountId}/preview/limits/{symbol}"
        params = {"price": float(price)} if price is not None else None
        path = f"accounts/{account_id}/preview/limits/{quote(symbol, safe='')}"
        body = await self.request("GET", path, endpoint=endpoint, params=params)
        return parse(OrderLimits, body or {}, endpoint)

    async def orders(
        self, account_id: int, *, page: int = 0, page_size: int = 50, filter: str | None = None
    ) -> Page[Order]:
        """One page (zero-based) of an account's orders, optionally filtered (``Status in (0,1)``)."""
        endpoint = "GET /accounts/{accountId}/orders"
        params: dict[str, Any] = {"pageNumber": page, "pageSize": page_size}
        if filter:
            params["filter"] = filter
        body = await self.request("GET", f"accounts/{account_id}/orders", endpoint=endpoint, params=params)
        return typed_page(Order, body, page, page_size, endpoint)

    async def cancel_order(self, account_id: int, order_id: int) -> Order | None:
        """Ask AutoShares to cancel an order; its answer (the order) when it gives one."""
        endpoint = "DELETE /accounts/{accountId}/orders/{orderId}"
        body = await self.request("DELETE", f"accounts/{account_id}/orders/{order_id}", endpoint=endpoint)
        return parse(Order, body, endpoint) if isinstance(body, dict) and body else None

    # -- mutual funds ----------------------------------------------------------------------------
    async def preview_fund(self, account_id: int, ticket: FundTicket) -> FundPreview:
        """AutoShares' verdict on a mutual fund order (its operation's preview endpoint)."""
        operation = ticket.fund_operation.value
        endpoint = f"POST /accounts/{{clearingNumber}}/preview/orders/mutual-funds/{operation}"
        body = await self.request(
            "POST",
            f"accounts/{account_id}/preview/orders/mutual-funds/{operation}",
            endpoint=endpoint,
            json=ticket.body(),
        )
        return parse(FundPreview, body or {}, endpoint)

    async def place_fund(self, account_id: int, ticket: FundTicket) -> FundOrder:
        """Place a mutual fund order (its operation's endpoint); 200 does not mean filled."""
        operation = ticket.fund_operation.value
        endpoint = f"POST /accounts/{{clearingNumber}}/orders/mutual-funds/{operation}"
        body = await self.request(
            "POST",
            f"accounts/{account_id}/orders/mutual-funds/{operation}",
            endpoint=endpoint,
            json=ticket.body(),
        )
        return parse(FundOrder, body, endpoint)

    async def cancel_fund_order(self, account_id: int, order_id: int) -> None:
        """Ask AutoShares to cancel a mutual fund order (200 with an object, or 204)."""
        endpoint = "DELETE /accounts/{clearingNumber}/orders/mutual-funds/{orderId}"
        await self.request(
            "DELETE", f"accounts/{account_id}/orders/mutual-funds/{order_id}", endpoint=endpoint
        )

    # -- new issues and transfers ----------------------------------------------------------------
    async def active_offerings(
        self, account_id: int, *, page: int = 0, page_size: int = 50
    ) -> list[Offering]:
        """The new issues the account may subscribe to now (one page, zero-based)."""
        endpoint = "GET /ipo/accounts/{accountId}/offerings/active"
        body = await self.request(
            "GET",
            f"ipo/accounts/{account_id}/offerings/active",
            endpoint=endpoint,
            params={"page": page, "pageSize": page_size},
        )
        if isinstance(body, list):  # a deployment answering the bare list
            return parse_list(Offering, body, endpoint)
        return parse(OfferingsPage, body or {}, endpoint).items

    async def subscribe_offering(self, account_id: int, offering_reference: str) -> None:
        """Follow a new issue (200 with no body; 409 when AutoShares will not)."""
        await self.request(
            "POST",
            f"ipo/accounts/{account_id}/offerings/{quote(offering_reference, safe='')}/subscribe",
            endpoint="POST /ipo/accounts/{accountId}/offerings/{offeringReference}/subscribe",
        )

    async def unsubscribe_offering(self, account_id: int, offering_reference: str) -> None:
        """Stop following a new issue (409 when the account does not follow it)."""
        await self.request(
            "POST",
            f"ipo/accounts/{account_id}/offerings/{quote(offering_reference, safe='')}/unsubscribe",
            endpoint="POST /ipo/accounts/{accountId}/offerings/{offeringReference}/unsubscribe",
        )

    async def transfers(self, account_id: int, *, page: int = 0, page_size: int = 20) -> Page[Transfer]:
        """One page (zero-based) of the account's deposits and withdrawals, newest first."""
        endpoint = "GET /accounts/{accountId}/transfers"
        body = await self.request(
            "GET",
            f"accounts/{account_id}/transfers",
            endpoint=endpoint,
            params={"pageSize": page_size, "pageNumber": page, "sortBy": "CreatedAt", "isDesc": "true"},
        )
        return typed_page(Transfer, body, page, page_size, endpoint)

    # -- price alerts ----------------------------------------------------------------------------
    async def alerts_page(
        self, *, page: int = 0, page_size: int = 100, newest_first: bool = False
    ) -> Page[PriceAlert]:
        """One page of the user's price alerts (the spec requires all four paging parameters)."""
        endpoint = "GET /users/{userId}/pricealerts"
        body = await self.request(
            "GET",
            f"users/{self.user_id}/pricealerts",
            endpoint=endpoint,
            params={
                "pageSize": page_size,
                "pageNumber": page,
                "sortBy": "Id",
                "isDesc": str(newest_first).lower(),
            },
        )
        return typed_page(PriceAlert, body, page, page_size, endpoint)

    async def alerts(self, *, max_pages: int = 10, page_size: int = 100) -> list[PriceAlert]:
        """All the user's price alerts, oldest first, following pages (at most ``max_pages``)."""
        found: list[PriceAlert] = []
        for number in range(max_pages):
            page = await self.alerts_page(page=number, page_size=page_size)
            found.extend(page.items)
            if not page.has_next:
                break
        return found

    async def alert(self, alert_id: int) -> PriceAlert:
        endpoint = "GET /users/{userId}/pricealerts/{alertId}"
        body = await self.request("GET", f"users/{self.user_id}/pricealerts/{alert_id}", endpoint=endpoint)
        return parse(PriceAlert, body, endpoint)

    async def create_alert(self, alert: dict[str, Any]) -> PriceAlert:
        endpoint = "POST /users/{userId}/pricealerts"
        body = await self.request("POST", f"users/{self.user_id}/pricealerts", endpoint=endpoint, json=alert)
        return parse(PriceAlert, body, endpoint)

    async def update_alert(self, alert_id: int, alert: dict[str, Any]) -> PriceAlert:
        """Change an alert in place (``PriceAlerts_ModifyPriceAlertTrigger``): the same id watches the
        ``PriceAlertEditableModel`` given."""
        endpoint = "PUT /users/{userId}/pricealerts/{alertId}"
        body = await self.request(
            "PUT", f"users/{self.user_id}/pricealerts/{alert_id}", endpoint=endpoint, json=alert
        )
        return parse(PriceAlert, body, endpoint)

    async def delete_alert(self, alert_id: int) -> None:
        await self.request(
            "DELETE",
            f"users/{self.user_id}/pricealerts/{alert_id}",
            endpoint="DELETE /users/{userId}/pricealerts/{alertId}",
        )

    # -- watchlists ------------------------------------------------------------------------------
    async def watchlists(self, *, include_securities: bool = True) -> list[Watchlist]:
        """Every watchlist of the user (``Watchlists_GetUserWatchlists``): the same lists the
        user's other AutoShares apps show, each with its ``SecurityList`` when asked for."""
        endpoint = "GET /users/{userId}/watchlists"
        body = await self.request(
            "GET",
            f"users/{self.user_id}/watchlists",
            endpoint=endpoint,
            params={"includeSecurities": str(include_securities).lower()},
        )
        return parse_list(Watchlist, body, endpoint)

    async def watchlist(self, watchlist_id: int, *, include_securities: bool = True) -> Watchlist:
        """One watchlist (``Watchlists_GetWatchlist``); AutoShares answers 409 when it does not exist."""
        endpoint = "GET /users/{userId}/watchlists/{watchlistId}"
        body = await self.request(
            "GET",
            f"users/{self.user_id}/watchlists/{watchlist_id}",
            endpoint=endpoint,
            params={"includeSecurities": str(include_securities).lower()},
        )
        return parse(Watchlist, body, endpoint)

    async def create_watchlist(
        self, name: str, securities: Sequence[int] = (), *, result_include_securities: bool = True
    ) -> Watchlist:
        """A new watchlist holding ``securities`` (ids, in order) (``Watchlists_CreateWatchlist``,
        body ``CreateWatchlistModel``); 409 when the user has one of that name already."""
        endpoint = "POST /users/{userId}/watchlists"
        body = await self.request(
            "POST",
            f"users/{self.user_id}/watchlists",
            endpoint=endpoint,
            params={"resultIncludeSecurities": str(result_include_securities).lower()},
            json={"Name": name, "Securities": [int(s) for s in securities]},
        )
        return parse(Watchlist, body, endpoint)

    async def add_security_by_id(self, watchlist_id: int, security_id: int) -> Watchlist:
        """Add one security to a watchlist (``Watchlists_AddSecurityById``); the answer is the
        watchlist with its securities."""
        endpoint = "PUT /users/{userId}/watchlists/{watchlistId}/securities/{securityId}"
        body = await self.request(
            "PUT",
            f"users/{self.user_id}/watchlists/{watchlist_id}/securities/{security_id}",
            endpoint=endpoint,
        )
        return parse(Watchlist, body, endpoint)

    async def remove_security_by_id(self, watchlist_id: int, security_id: int) -> Watchlist:
        """Remove one security from a watchlist (``Watchlists_RemoveSecurityById``)."""
        endpoint = "DELETE /users/{userId}/watchlists/{watchlistId}/securities/{securityId}"
        body = await self.request(
            "DELETE",
            f"users/{self.user_id}/watchlists/{watchlist_id}/securities/{security_id}",
            endpoint=endpoint,
        )
        return parse(Watchlist, body, endpoint)

"""Watchlists of the calling user: named lists of securities, shared by all their AutoShares apps.

GET    /users/{userId}/watchlists?includeSecurities                   WatchlistModel[]
POST   /users/{userId}/watchlists?resultIncludeSecurities             CreateWatchlistModel -> WatchlistModel
GET    /users/{userId}/watchlists/{watchlistId}?includeSecurities     WatchlistModel
DELETE /users/{userId}/watchlists/{watchlistId}                       204
PUT    /users/{userId}/watchlists/{watchlistId}/name?name             Tuple[Int32,String] {m_Item1, m_Item2}
PUT    /users/{userId}/watchlists/{watchlistId}/securities            SecuritySignature -> WatchlistModel
DELETE /users/{userId}/watchlists/{watchlistId}/securities            SecuritySignature -> WatchlistModel
PUT    /users/{userId}/watchlists/{watchlistId}/securities/{securityId}   WatchlistModel
DELETE /users/{userId}/watchlists/{watchlistId}/securities/{securityId}   WatchlistModel

Every one of these operations documents 409 for what cannot be done and none documents 404, so
409 is the answer to a watchlist that does not exist (or is another user's), a security that
does not exist, a name another of the user's watchlists has (compared case-insensitively), a
change to a read-only list, and removing a security the list does not hold. Adding one it holds
already changes nothing and answers 200. A create that clashes answers 409 with the body the spec
gives that answer, a WatchlistModel: the existing watchlist of that name (so a caller that lost a
race learns its Id), or, for unknown securities, the list as asked for, without an Id (nothing
was created) and with the reason in ``Description``.

Malformed requests answer 422: the required ``includeSecurities`` / ``resultIncludeSecurities``
and ``name`` query parameters, a missing or blank ``Name`` (at most 100 characters), ``Securities``
that is not an array of int32 ids, a SecuritySignature without ``Symbol``. A signature's
``Exchange`` and ``Currency`` are optional; given, they must be the security's (else 409).
Securities are listed in the order they were added. Rate limit: the "watchlists" bucket.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.api import resources
from sandbox.api.errors import ApiError, conflict, invalid_parameter
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.api.validation import BodyReader
from sandbox.securities import Security
from sandbox.state import Watchlist, utc_now

MAX_NAME_LENGTH = 100
MAX_INT32 = 2_147_483_647


def _path_id(call: ApiCall, name: str) -> int:
    raw = call.path_param(name)
    if not raw.isdigit() or int(raw) > MAX_INT32:
        raise invalid_parameter(name, f"The value '{raw}' is not valid.")
    return int(raw)


def _watchlist_of(call: ApiCall, user_id: int, *, write: bool = False) -> Watchlist:
    watchlist_id = _path_id(call, "watchlistId")
    found = call.sb.state.watchlists.get(watchlist_id)
    if found is None or found.user_id != user_id:
        raise conflict(f"Watchlist {watchlist_id} does not exist.")
    if write and found.read_only:
        raise conflict(f"Watchlist {watchlist_id} is read-only.")
    return found


def _name_taken(call: ApiCall, user_id: int, name: str, but: int | None = None) -> Watchlist | None:
    wanted = name.strip().casefold()
    for watchlist in sorted(call.sb.state.watchlists.values(), key=lambda w: w.id):
        if watchlist.user_id == user_id and watchlist.id != but and watchlist.name.casefold() == wanted:
            return watchlist
    return None


def _checked_name(name: str | None, field: str) -> str:
    if name is None or not name.strip():
        raise invalid_parameter(field, "The field is required.")
    if len(name.strip()) > MAX_NAME_LENGTH:
        raise invalid_parameter(field, f"Must be at most {MAX_NAME_LENGTH} characters.")
    return name.strip()


def _answer(call: ApiCall, watchlist: Watchlist, include_securities: bool = True) -> dict[str, Any]:
    return resources.watchlist(watchlist, call.sb.state, include_securities=include_securities)


async def list_watchlists(call: ApiCall) -> Any:
    user_id = call.user_id()
    include = call.query_bool("includeSecurities", required=True)
    mine = sorted((w for w in call.sb.state.watchlists.values() if w.user_id == user_id), key=lambda w: w.id)
    return [_answer(call, w, include) for w in mine]


async def create_watchlist(call: ApiCall) -> Any:
    user_id = call.user_id()
    include = call.query_bool("resultIncludeSecurities", required=True)
    reader = BodyReader(await call.json_object())
    name = reader.string("Name", required=True)
    security_ids = reader.integer_list("Securities", minimum=0, maximum=MAX_INT32)
    reader.raise_if_invalid()
    name = _checked_name(name, "Name")
    state = call.sb.state
    existing = _name_taken(call, user_id, name)
    if existing is not None:
        raise ApiError(409, _answer(call, existing, include))
    unknown = [i for i in security_ids if i not in state.securities]
    if unknown:
        listed = [state.securities[i] for i in dict.fromkeys(security_ids) if i in state.securities]
        body: dict[str, Any] = {
            "Name": name,
            "Description": f"Security {unknown[0]} does not exist.",
            "Type": "UserList",
            "ReadOnly": False,
        }
        if include:
            body["SecurityList"] = [resources.security_model(s) for s in listed]
        raise ApiError(409, body)
    now = utc_now()
    watchlist = Watchlist(
        id=state.next_id("watchlist"),
        user_id=user_id,
        name=name,
        securities=dict.fromkeys(security_ids, now),
        created=now,
        modified=now,
    )
    state.watchlists[watchlist.id] = watchlist
    return _answer(call, watchlist, include)


async def get_watchlist(call: ApiCall) -> Any:
    user_id = call.user_id()
    include = call.query_bool("includeSecurities", required=True)
    return _answer(call, _watchlist_of(call, user_id), include)


async def delete_watchlist(call: ApiCall) -> Any:
    watchlist = _watchlist_of(call, call.user_id(), write=True)
    del call.sb.state.watchlists[watchlist.id]
    return Response(status_code=204)


async def rename_watchlist(call: ApiCall) -> Any:
    user_id = call.user_id()
    name = _checked_name(call.query_str("name", required=True), "name")
    watchlist = _watchlist_of(call, user_id, write=True)
    if _name_taken(call, user_id, name, but=watchlist.id) is not None:
        raise conflict(f"Another watchlist is named '{name}'.")
    watchlist.name, watchlist.modified = name, utc_now()
    return {"m_Item1": watchlist.id, "m_Item2": watchlist.name}


async def _by_signature(call: ApiCall) -> Security:
    """The security a SecuritySignature body names (Symbol; Exchange and Currency if given)."""
    reader = BodyReader(await call.json_object())
    symbol = reader.string("Symbol", required=True)
    exchange = reader.string("Exchange")
    currency = reader.string("Currency")
    reader.raise_if_invalid()
    security = call.sb.state.securities_by_symbol.get((symbol or "").strip().upper())
    if security is None:
        raise conflict(f"Security '{symbol}' does not exist.")
    if exchange and exchange.strip().upper() != security.exchange.upper():
        raise conflict(f"Security '{symbol}' is not listed on {exchange}.")
    if currency and currency.strip().upper() != "USD":
        raise conflict(f"Security '{symbol}' does not trade in {currency}.")
    return security


def _by_id(call: ApiCall) -> Security:
    security_id = _path_id(call, "securityId")
    security = call.sb.state.securities.get(security_id)
    if security is None:
        raise conflict(f"Security {security_id} does not exist.")
    return security


def _add(call: ApiCall, watchlist: Watchlist, security: Security) -> dict[str, Any]:
    if security.id not in watchlist.securities:
        watchlist.securities[security.id] = watchlist.modified = utc_now()
    return _answer(call, watchlist)


def _remove(call: ApiCall, watchlist: Watchlist, security: Security) -> dict[str, Any]:
    if security.id not in watchlist.securities:
        raise conflict(f"Watchlist {watchlist.id} does not hold {security.symbol}.")
    del watchlist.securities[security.id]
    watchlist.modified = utc_now()
    return _answer(call, watchlist)


async def add_security(call: ApiCall) -> Any:
    watchlist = _watchlist_of(call, call.user_id(), write=True)
    return _add(call, watchlist, await _by_signature(call))


async def remove_security(call: ApiCall) -> Any:
    watchlist = _watchlist_of(call, call.user_id(), write=True)
    return _remove(call, watchlist, await _by_signature(call))


async def add_security_by_id(call: ApiCall) -> Any:
    watchlist = _watchlist_of(call, call.user_id(), write=True)
    return _add(call, watchlist, _by_id(call))


async def remove_security_by_id(call: ApiCall) -> Any:
    watchlist = _watchlist_of(call, call.user_id(), write=True)
    return _remove(call, watchlist, _by_id(call))


_ONE = "/users/{userId}/watchlists/{watchlistId}"
ENDPOINTS = (
    Endpoint("GET", "/users/{userId}/watchlists", list_watchlists, bucket="watchlists"),
    Endpoint("POST", "/users/{userId}/watchlists", create_watchlist, bucket="watchlists"),
    Endpoint("GET", _ONE, get_watchlist, bucket="watchlists"),
    Endpoint("DELETE", _ONE, delete_watchlist, bucket="watchlists"),
    Endpoint("PUT", _ONE + "/name", rename_watchlist, bucket="watchlists"),
    Endpoint("PUT", _ONE + "/securities", add_security, bucket="watchlists"),
    Endpoint("DELETE", _ONE + "/securities", remove_security, bucket="watchlists"),
    Endpoint("PUT", _ONE + "/securities/{securityId}", add_security_by_id, bucket="watchlists"),
    Endpoint("DELETE", _ONE + "/securities/{securityId}", remove_security_by_id, bucket="watchlists"),
)

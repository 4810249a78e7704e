"""Options: chains, expirations and contracts (see ``sandbox.options``).

GET /options/expirations?underlying=     OptionExpirationResource[] (empty for a symbol with no
                                         options; the spec documents no 404 here)
GET /options/optionChain/{symbol}[?filter=]
                                         OptionChainResource: every expiration with its central
                                         strike (the listed strike nearest the last price) and
                                         contracts; ``filter`` (the documented filter grammar,
                                         over OptionResource properties, e.g. ``ExpirationDate
                                         between #2027-01-15T00:00:00# and #2027-01-15T23:59:59#``)
                                         keeps the contracts that match, and the expirations that
                                         keep any
GET /options/{symbol}                    OptionResource by its OCC option symbol; 404 when the
                                         sandbox lists no such contract
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.errors import not_found
from sandbox.api.filters import parse_filter
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.options import strikes
from sandbox.securities import Security


def _underlying(call: ApiCall, symbol: str) -> Security | None:
    security = call.sb.state.securities_by_symbol.get(symbol.strip().upper())
    return security if security is not None and security.type != "Option" else None


async def get_expirations(call: ApiCall) -> Any:
    underlying = _underlying(call, call.query_str("underlying", required=True))
    if underlying is None:
        return []
    return [
        {
            "SeriesId": underlying.id,
            "SeriesType": kind,
            "ExpirationDate": resources.iso_day(day),
            "ExpirationType": kind,
        }
        for day, kind in call.sb.options.expirations(underlying)
    ]


async def get_chain(call: ApiCall) -> Any:
    underlying = _underlying(call, call.path_param("symbol"))
    if underlying is None:
        return {"Expirations": []}
    filter_text = call.query_str("filter", required=False)
    keep = parse_filter(filter_text) if filter_text else None
    book, state = call.sb.options, call.sb.state
    last = call.sb.market.quote(underlying.id).last
    central = min(strikes(underlying.reference_price), key=lambda strike: abs(strike - last))
    expirations = []
    for day, _kind in book.expirations(underlying):
        listed = [resources.option(security, state) for security in book.chain(underlying, day)]
        chosen = [item for item in listed if keep is None or keep(item)]
        if chosen:
            expirations.append(
                {"Expiration": resources.iso_day(day), "CentralStrike": central, "Options": chosen}
            )
    return {"Expirations": expirations}


async def get_option(call: ApiCall) -> Any:
    symbol = call.path_param("symbol")
    security = call.sb.options.contract(symbol)
    if security is None:
        raise not_found(f"Option '{symbol}' was not found.")
    return resources.option(security, call.sb.state)


ENDPOINTS = (
    Endpoint("GET", "/options/expirations", get_expirations, bucket="securities"),
    Endpoint("GET", "/options/optionChain/{symbol}", get_chain, bucket="securities"),
    Endpoint("GET", "/options/{symbol}", get_option, bucket="securities"),
)

"""Securities: by symbol (or numeric id) and by pattern.

GET /equities/lookup?mask=&count=   EquityResource[]: symbol prefix matches first, then
                                    symbols/descriptions containing the mask (case-insensitive)
GET /equities/{symbol}              EquityResource; 404 {"Message"} for an unknown symbol.
                                    A numeric segment is read as the security Id
                                    (the spec's /equities/{id}).
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.errors import not_found
from sandbox.api.routing import ApiCall, Endpoint


async def get_equity(call: ApiCall) -> Any:
    symbol = call.path_param("symbol")
    security = call.sb.state.security(symbol)
    if security is None or security.type == "Option":
        raise not_found(f"Security '{symbol}' was not found.")
    return resources.equity(security)


async def lookup_equities(call: ApiCall) -> Any:
    mask = call.query_str("mask", required=True).strip().upper()
    count = call.query_int("count", required=True, minimum=1)
    listed = (s for s in call.sb.state.securities.values() if s.type != "Option")
    securities = sorted(listed, key=lambda s: s.symbol)
    exact = [s for s in securities if s.symbol == mask]
    prefix = [s for s in securities if s.symbol.startswith(mask) and s not in exact]
    contains = [
        s
        for s in securities
        if s not in exact
        and s not in prefix
        and (mask in s.symbol or mask in s.name.upper() or mask == s.exchange.upper())
    ]
    return [resources.equity(s) for s in (exact + prefix + contains)[:count]]


ENDPOINTS = (
    Endpoint("GET", "/equities/lookup", lookup_equities, bucket="securities"),
    Endpoint("GET", "/equities/{symbol}", get_equity, bucket="securities"),
)

"""Options: the chain around the central strike, and what an option order adds to an order.

An option order goes through the order service as any order does (preview with AutoShares'
own preview, Confirm exactly once, the workspace's rules at preview, Confirm and Approve); this
module gives it its body, reads each contract back from AutoShares first (``GET
/options/{symbol}``: a contract AutoShares does not list is refused before anything is priced)
and values it with the contract size: a contract of 100 shares at $5.10 is worth $510.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import (
    OptionChainExpiration,
    OptionSecurity,
    OrderPreview,
    OrderSide,
    OrderTicket,
    OrderType,
    TimeInForce,
)
from bot.autoshares.streamer import QuoteStreamer
from bot.core.commands import OptionOrderRequest
from bot.core.errors import NoOptions, UnknownOptionContract
from bot.core.securities import SecurityCache
from bot.core.users import LinkedUsers
from bot.core.views import ChainStrike, OptionChainView, OptionQuoteRow
from bot.vocabulary.options import CONTRACT_SIZE, vertical_width

log = logging.getLogger(__name__)

#: Strikes shown on each side of the central one.
STRIKES_EACH_SIDE = 4
#: Expirations offered in the picker (Slack's static_select takes at most 100 options).
MAX_EXPIRATIONS = 100


# -- an option order --------------------------------------------------------------------------------


def option_order_body(request: OptionOrderRequest, client_id: str | None = None) -> dict[str, Any]:
    """The CreateOrderResource of an option order: one contract's symbol, or a spread's
    underlying with one ``Legs`` entry per contract (each for the order's quantity); the
    spread's ``Side`` is Buy for a net debit and Sell for a net credit, its ``Price`` the net
    limit."""
    order_type = OrderType(request.order_type)
    legs = (
        [
            OrderTicket(
                symbol=leg.contract.symbol,
                side=OrderSide(leg.side),
                type=order_type,
                quantity=Decimal(request.quantity),
            )
            for leg in request.legs
        ]
        if request.is_spread
        else []
    )
    ticket = OrderTicket(
        symbol=request.symbol,
        side=OrderSide(request.side),
        type=order_type,
        quantity=Decimal(request.quantity),
        price=request.limit_price,
        time_in_force=TimeInForce(request.time_in_force),
        client_id=client_id,
        legs=legs,
    )
    return ticket.body()


def option_notional(
    request: OptionOrderRequest, preview: OrderPreview | None, contract_size: Decimal = CONTRACT_SIZE
) -> Decimal | None:
    """What an option order is worth for the workspace's limits: contracts × price per share ×
    shares per contract. A spread's price is its net limit; a credit spread is valued at its
    strikes' width, what it can cost at worst. A market order without a limit takes the
    preview's cost (already for every share), else it cannot be valued."""
    if request.is_spread and not request.is_debit:
        bought = next(leg.contract for leg in request.legs if leg.side == "Buy")
        sold = next(leg.contract for leg in request.legs if leg.side != "Buy")
        per_share: Decimal | None = vertical_width(bought, sold)
    else:
        per_share = request.limit_price or (preview.last_price if preview and not request.is_spread else None)
    if per_share is not None:
        return (Decimal(request.quantity) * per_share * contract_size).quantize(Decimal("0.0001"))
    cost = preview.cost if preview is not None else None
    return abs(cost).quantize(Decimal("0.0001")) if cost is not None and cost != 0 else None


async def contract_size(api: UserApi, request: OptionOrderRequest) -> Decimal:
    """Read every contract of the order back from AutoShares; the largest contract size among
    them (100 when AutoShares states none). ``UnknownOptionContract`` for a contract it does not
    list."""

    async def one(symbol: str) -> OptionSecurity:
        try:
            return await api.option(symbol)
        except e.AutoSharesNotFound:
            expiration = request.legs[0].contract.expiration
            raise UnknownOptionContract(symbol, request.underlying, expiration) from None

    found = await asyncio.gather(*(one(leg.contract.symbol) for leg in request.legs))
    return max(option.shares_per_contract for option in found)


# -- the chain --------------------------------------------------------------------------------------


def chain_filter(expiration: date) -> str:
    """The filter asking for one expiration's contracts (the documented filter grammar)."""
    return f"ExpirationDate between #{expiration:%Y-%m-%d}T00:00:00# and #{expiration:%Y-%m-%d}T23:59:59#"


def choose_expiration(symbol: str, listed: list[date], wanted: date | None, today: date) -> date:
    """The given expiration when AutoShares lists it, else the nearest one from today on."""
    upcoming = [day for day in listed if day >= today] or listed
    if not upcoming:
        raise NoOptions(symbol)
    if wanted is None:
        return upcoming[0]
    if wanted not in listed:
        nearest = min(upcoming, key=lambda day: abs((day - wanted).days))
        raise NoOptions(symbol, wanted, nearest)
    return wanted


def around_central(
    block: OptionChainExpiration, underlying: str, each_side: int = STRIKES_EACH_SIDE
) -> tuple[Decimal | None, list[tuple[Decimal, OptionSecurity | None, OptionSecurity | None]]]:
    """The central strike and the strikes around it, each with its call and put."""
    by_strike: dict[Decimal, dict[str, OptionSecurity]] = {}
    for option in block.options:
        terms = option.contract(underlying)
        if terms is not None:
            by_strike.setdefault(terms.strike, {})[terms.right] = option
    strikes = sorted(by_strike)
    if not strikes:
        return block.central_strike, []
    central = block.central_strike if block.central_strike is not None else strikes[len(strikes) // 2]
    middle = min(range(len(strikes)), key=lambda i: abs(strikes[i] - central))
    shown = strikes[max(middle - each_side, 0) : middle + each_side + 1]
    return central, [(s, by_strike[s].get("Call"), by_strike[s].get("Put")) for s in shown]


class OptionService:
    """Option chains for Slack users (market data: the agreements gate does not apply)."""

    def __init__(self, users: LinkedUsers, securities: SecurityCache, streamer: QuoteStreamer) -> None:
        self._users = users
        self._securities = securities
        self._streamer = streamer

    async def chain(
        self, team_id: str, slack_user_id: str, symbol: str, expiration: date | None = None
    ) -> OptionChainView:
        """The chain of the given (or nearest) expiration around its central strike, with a
        quote per contract shown and the underlying's last price."""
        user = await self._users.acting(team_id, slack_user_id)
        api = user.api
        equity, listed = await asyncio.gather(
            self._securities.equity(api, symbol), api.option_expirations(symbol)
        )
        days = sorted({item.expiration_date for item in listed})
        chosen = choose_expiration(symbol, days, expiration, datetime.now(UTC).date())
        block = await self._expiration_block(api, symbol, chosen)
        central, rows = around_central(block, symbol)
        ids = [o.id for _, call, put in rows for o in (call, put) if o is not None]
        quotes = await self._streamer.get(api, [*ids, equity.id])
        underlying = quotes.get(equity.id)

        def row(option: OptionSecurity | None) -> OptionQuoteRow | None:
            return OptionQuoteRow(option, quotes.get(option.id)) if option is not None else None

        return OptionChainView(
            symbol=symbol,
            expiration=chosen,
            expirations=days[:MAX_EXPIRATIONS],
            strikes=[ChainStrike(strike, row(call), row(put)) for strike, call, put in rows],
            central_strike=central,
            underlying_last=underlying.value if underlying is not None else None,
            delayed=self._streamer.delayed,
        )

    @staticmethod
    async def _expiration_block(api: UserApi, symbol: str, expiration: date) -> OptionChainExpiration:
        """The chain's block for one expiration: asked for with the filter, else read from the
        whole chain (a deployment that refuses the filter answers 400 or 422)."""
        try:
            chain = await api.option_chain(symbol, filter=chain_filter(expiration))
        except e.AutoSharesInvalid:
            log.info("AutoShares refused the option chain filter; reading the whole chain")
            chain = await api.option_chain(symbol)
        block = next((b for b in chain.expirations if b.expiration == expiration), None)
        if block is None:
            raise NoOptions(symbol)
        return block

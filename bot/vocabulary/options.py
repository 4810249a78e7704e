"""Option contracts: how one is named, how many shares it stands for, and what a vertical spread
is. Pure values, used by the grammar, the use cases and the Block Kit builders alike.

An option's symbol is the OCC option symbol (OSI) without the root's padding: the underlying's
root, the expiration as YYMMDD, ``C`` or ``P``, and the strike times 1,000 in eight digits
(``AAPL270115C00200000`` is the AAPL call of 15 January 2027 at $200). AutoShares' contract
does not spell the form out, so the bot reads every contract back from AutoShares
(``GET /options/{symbol}``) before it previews an order for it: a name AutoShares does not know
is refused, never traded as something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

#: Shares one contract stands for when AutoShares does not say (its ``ContractSize``).
CONTRACT_SIZE = Decimal(100)
#: The most contracts in one option order.
MAX_CONTRACTS = 10_000
#: A strike: above 0, at most this, in steps of a tenth of a cent (what OSI can write).
MAX_STRIKE = Decimal(99_999)

OptionRight = Literal["Call", "Put"]

_OSI_RE = re.compile(r"([A-Z][A-Z0-9.]{0,5})([0-9]{6})([CP])([0-9]{8})")


@dataclass(frozen=True, slots=True)
class OptionContract:
    """One listed option: underlying, expiration, call or put, strike."""

    underlying: str
    expiration: date
    right: OptionRight
    strike: Decimal

    @property
    def symbol(self) -> str:
        """The OCC option symbol (see the module docstring)."""
        strike = int((self.strike * 1000).to_integral_value())
        right = "C" if self.right == "Call" else "P"
        return f"{self.underlying}{self.expiration:%y%m%d}{right}{strike:08d}"


def strike_problem(value: Decimal) -> str | None:
    """Why ``value`` is no strike (None when it is one), as the end of a sentence."""
    if not value.is_finite() or value <= 0:
        return "must be above zero"
    if value > MAX_STRIKE:
        return f"can be at most {MAX_STRIKE:,}"
    if value != value.quantize(Decimal("0.001")):
        return "can have at most 3 decimal places"
    return None


def option_contract(symbol: str) -> OptionContract | None:
    """The contract an OCC option symbol names (padded or not, any case), or None when the text
    is not one."""
    match = _OSI_RE.fullmatch(symbol.replace(" ", "").upper()) if symbol.isascii() else None
    if match is None:
        return None
    root, day, right, strike = match.groups()
    try:
        expiration = date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        return None
    value = Decimal(strike) / 1000
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    if value <= 0:
        return None
    return OptionContract(root, expiration, "Call" if right == "C" else "Put", value)


def is_option_symbol(symbol: str) -> bool:
    return option_contract(symbol) is not None


def vertical_is_debit(bought: OptionContract, sold: OptionContract) -> bool:
    """A vertical spread costs money (a debit) when the bought leg is the dearer one: the lower
    strike of two calls, the higher strike of two puts; otherwise it brings a credit."""
    if bought.right == "Call":
        return bought.strike < sold.strike
    return bought.strike > sold.strike


def vertical_width(bought: OptionContract, sold: OptionContract) -> Decimal:
    """The distance between the strikes: per share, the most a vertical can be worth."""
    return abs(bought.strike - sold.strike)


def listed_under(symbol: str) -> str:
    """The symbol an order is listed under where one symbol names it (a pending order's row,
    up to 16 characters): an option's underlying, any other symbol as it is."""
    contract = option_contract(symbol)
    return contract.underlying if contract is not None else symbol

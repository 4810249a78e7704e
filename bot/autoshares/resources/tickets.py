"""What a pending order's stored request holds, read once: an equity or option order (with what
a change replaces), a mutual fund order or a subscription to a new issue. The bot wrote each of
these bodies itself; this is the one place that tells them apart."""

from __future__ import annotations

from typing import TypeAlias

from bot.autoshares.resources.funding import OfferingTicket
from bot.autoshares.resources.funds import FundTicket
from bot.autoshares.resources.orders import OrderTicket

Ticket: TypeAlias = OrderTicket | FundTicket | OfferingTicket


def read_ticket(stored: object) -> Ticket:
    """The typed ticket of a stored request (``AutoSharesMalformed`` for a body the bot could
    not have written)."""
    if OfferingTicket.holds(stored):
        return OfferingTicket.read(stored)
    if FundTicket.is_stored(stored):
        return FundTicket.read(stored)
    return OrderTicket.read(stored)

"""Watchlists: ``WatchlistModel`` with its ``SecurityList``."""

from __future__ import annotations

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.market import Security
from bot.autoshares.resources.numbers import Whole


class Watchlist(Resource):
    """A watchlist (``WatchlistModel``): ``Id`` is required; ``SecurityList`` in AutoShares' order."""

    id: Whole
    name: str = ""
    security_list: list[Security] = []

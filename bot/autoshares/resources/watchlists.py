"""Watchlists: ``WatchlistModel`` with its ``SecurityList``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.market import Security
from bot.autoshares.resources.numbers import Whole, none_as_empty


class Watchlist(Resource):
    """A watchlist (``WatchlistModel``): ``Id`` is required; ``SecurityList`` in AutoShares' order."""

    id: Whole
    name: str = ""
    security_list: Annotated[list[Security], BeforeValidator(none_as_empty)] = []

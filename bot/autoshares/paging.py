"""Reading a list answer (``PagingResult[...]``) the ways AutoShares' pages show it.

``pageNumber`` is zero-based. The documentation's examples mark a missing neighbour page with an
empty link (``"PreviousPageLink": ""`` on a first page, ``"NextPageLink": ""`` on a last one);
the newer Pagination page writes ``null``; the spec types both links as strings and lets them be
left out; and the Pagination page's own loop also copes with a bare JSON list and stops at the
first page shorter than asked for. All of these read the same here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from bot.autoshares.resources.base import parse_list

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, the total when AutoShares gives it, and whether another
    page follows."""

    items: list[T]
    total: int | None
    has_next: bool


def _link(value: Any) -> bool:
    """A link to a neighbour page: a non-empty string (``""`` and ``null`` both mean none)."""
    return isinstance(value, str) and bool(value.strip())


def read_page(body: Any, page: int, page_size: int) -> Page[Any]:
    """The page ``page`` (zero-based) of ``page_size`` items, whatever form the answer took."""
    if isinstance(body, dict):
        items = list(body.get("Result") or [])
        raw_total = body.get("TotalCount")
        total = (
            int(raw_total) if isinstance(raw_total, int | float) and not isinstance(raw_total, bool) else None
        )
        if _link(body.get("NextPageLink")):
            has_next = True
        elif total is not None:
            has_next = (page + 1) * page_size < total
        elif "NextPageLink" in body:
            has_next = False
        else:
            has_next = len(items) >= page_size
        return Page(items, total, has_next and bool(items))
    items = list(body or []) if isinstance(body, list) else []
    return Page(items, None, len(items) >= page_size > 0)


def typed_page(model: type[M], body: Any, page: int, page_size: int, endpoint: str) -> Page[M]:
    """``read_page`` with every item parsed as ``model`` (``AutoSharesMalformed`` for one that
    does not fit)."""
    found = read_page(body, page, page_size)
    return Page(parse_list(model, found.items, endpoint), found.total, found.has_next)

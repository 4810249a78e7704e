"""Paging of list endpoints into PagingResult[...] (pageNumber is zero-based)."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.requests import Request

from sandbox.api.resources import paging_result

T = TypeVar("T")


def page(
    request: Request,
    items: list[T],
    page_number: int,
    page_size: int,
    *,
    number_param: str = "pageNumber",
) -> tuple[list[T], dict[str, Any]]:
    """The slice for ``page_number`` (0 = first page) and the PagingResult fields around it."""
    start = page_number * page_size
    chunk = items[start : start + page_size] if page_size > 0 else []
    next_link = None
    previous_link = None
    if page_size > 0 and start + page_size < len(items):
        next_link = str(request.url.include_query_params(**{number_param: page_number + 1}))
    if page_number > 0:
        previous_link = str(request.url.include_query_params(**{number_param: page_number - 1}))
    return chunk, paging_result([], len(items), next_link, previous_link)

"""One deadline for everything one command asks of AutoShares, retries included.

``within(seconds)`` sets the moment by which the work in its block must be done (a context
variable, so concurrent calls made inside it share it, and tasks started inside inherit it);
``remaining()`` is the time left, or None outside any deadline. The client gives each attempt
at most the time left, retries only when the wait fits, and waits out a 429 only when its
``Retry-After`` ends before the deadline.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("autoshares_deadline", default=None)


@contextlib.contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Everything in the block, AutoShares calls and their retries, ends ``seconds`` from now
    (None: no deadline). An outer deadline that ends sooner still wins."""
    if seconds is None:
        yield
        return
    ends = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(ends if outer is None else min(ends, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (never below 0), or None when there is none."""
    ends = _deadline.get()
    return None if ends is None else max(ends - time.monotonic(), 0.0)


def fits(wait: float) -> bool:
    """Whether waiting ``wait`` seconds still leaves time before the deadline."""
    left = remaining()
    return left is None or wait < left

"""AutoShares ids (accounts, orders, alerts, users): what one is, checked in one place."""

from __future__ import annotations

#: Ids are ``int32`` in the AutoShares contract (openapi.yaml), so 0 < id <= 2**31 - 1. The
#: columns that keep them are wider (BIGINT); the contract is the rule.
MAX_AUTOSHARES_ID = 2**31 - 1
_MAX_ID_DIGITS = len(str(MAX_AUTOSHARES_ID))


def autoshares_id(value: object) -> int | None:
    """``value`` as an AutoShares id, or None when it is not one.

    An id is an int or a string of ASCII digits (leading zeros allowed) within
    1..MAX_AUTOSHARES_ID. Anything else from outside (bool, float, 1e999, a huge int, "abc",
    " 7", "٣", "-7") is None, so a caller answers "unusable" instead of failing on ``int()``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value.lstrip("0")) > _MAX_ID_DIGITS:
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_AUTOSHARES_ID:
        return value
    return None

"""Request-body checks against the spec's models, collecting every problem for one 422.

Property names are matched case-insensitively, as ASP.NET's JSON binder does, so both
``TimeInforce`` (CreateOrderResource's spelling in openapi.yaml) and ``TimeInForce`` work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox.api.errors import validation_failed

_MISSING = object()


class BodyReader:
    """Reads typed fields from a JSON object and records what is wrong with them."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._values = {str(k).lower(): v for k, v in body.items()}
        self.problems: list[tuple[str, str]] = []

    def _get(self, name: str, aliases: Sequence[str] = ()) -> Any:
        for key in (name, *aliases):
            value = self._values.get(key.lower(), _MISSING)
            if value is not _MISSING and value is not None:
                return value
        return _MISSING

    def string(self, name: str, *, required: bool = False, aliases: Sequence[str] = ()) -> str | None:
        value = self._get(name, aliases)
        if value is _MISSING:
            if required:
                self.problems.append((name, "The field is required."))
            return None
        if not isinstance(value, str):
            self.problems.append((name, "Must be a string."))
            return None
        if required and not value.strip():
            self.problems.append((name, "The field is required."))
            return None
        return value

    def enum(
        self,
        name: str,
        allowed: Sequence[str],
        *,
        required: bool = False,
        aliases: Sequence[str] = (),
    ) -> str | None:
        value = self.string(name, required=required, aliases=aliases)
        if value is None:
            return None
        if value not in allowed:
            self.problems.append((name, f"'{value}' is not one of: {', '.join(allowed)}."))
            return None
        return value

    def number(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: float | None = None,
        exclusive_minimum: bool = False,
    ) -> float | None:
        value = self._get(name)
        if value is _MISSING:
            if required:
                self.problems.append((name, "The field is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.append((name, "Must be a number."))
            return None
        if minimum is not None and (value < minimum or (exclusive_minimum and value == minimum)):
            relation = "greater than" if exclusive_minimum else "at least"
            self.problems.append((name, f"Must be {relation} {minimum:g}."))
            return None
        return float(value)

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._get(name)
        if value is _MISSING:
            if required:
                self.problems.append((name, "The field is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append((name, "Must be an integer."))
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problems.append((name, "Is out of range."))
            return None
        return value

    def integer_list(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> list[int]:
        """An optional array of integers (empty when missing); each out-of-range or non-integer
        item is a problem."""
        value = self._get(name)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problems.append((name, "Must be an array of integers."))
            return []
        found = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int):
                self.problems.append((name, "Must be an array of integers."))
                return []
            if (minimum is not None and item < minimum) or (maximum is not None and item > maximum):
                self.problems.append((name, f"{item} is out of range."))
                return []
            found.append(item)
        return found

    def objects(self, name: str) -> list[dict[str, Any]]:
        """An optional array of objects (empty when missing)."""
        value = self._get(name)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problems.append((name, "Must be an array of objects."))
            return []
        return value

    def raise_if_invalid(self) -> None:
        if self.problems:
            raise validation_failed(self.problems)

"""The ``filter`` query of GET /accounts/{accountId}/orders: a small SQL-like predicate.

The grammar the documentation gives (the Get Filtered Orders page,
``rest-api/public-api/orders/get-filtered-orders``), clauses joined by ``and``:

    CreateDate (>, >=, <, <=) #2019-03-13T18:31:42#
    CreateDate between #2019-03-13T18:31:42# and #2019-03-17T18:31:42#
    SecurityId = 4
    Status in (0,1,4,5,7)            statuses by number: 0 New ... 15 Error, as the page lists them

Also taken, as the sandbox took them before it followed the page (and the bot falls back to):
the words ``eq ne gt ge lt le`` for the operators (and ``!=``/``<>``), 'quoted' strings, true
and false, and status names (``Status in ('New','PartiallyFilled')``). Fields are OrderResource
properties, case-insensitive. Anything else is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.api.enums import ORDER_STATUSES
from sandbox.api.errors import ApiError, bad_request

Predicate = Callable[[dict[str, Any]], bool]

_INVALID = "The filter query is invalid or contains unsupported operations."
_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<date>#[^#]*#)"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op>>=|<=|<>|!=|=|>|<)"
    r"|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r")"
)
_WORD_OPS = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_SYMBOL_OPS = {"=": "=", "!=": "!=", "<>": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
#: Order statuses by the numbers the Get Filtered Orders page gives them (0 New ... 15 Error);
#: the spec's OrderResource.Status enum lists them in the same order and adds Held (16).
STATUS_NUMBERS = {index: status for index, status in enumerate(ORDER_STATUSES)}


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise bad_request(_INVALID)
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip("#").strip().replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"Unsupported date in filter: {text}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _literal(kind: str, text: str) -> Any:
    if kind == "date":
        return _date(text)
    if kind == "string":
        return text[1:-1].replace("''", "'")
    if kind == "number":
        return float(text)
    if kind == "word" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise bad_request(f"Unsupported value in filter: {text}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise bad_request(_INVALID)
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == word:
            self.at += 1
            return True
        return False

    def expect(self, kind: str, value: str) -> None:
        token = self.take()
        if token != (kind, value):
            raise bad_request(_INVALID)

    def value(self) -> Any:
        return _literal(*self.take())

    def clause(self) -> tuple[str, str, list[Any]]:
        kind, field = self.take()
        if kind != "word":
            raise bad_request(_INVALID)
        field = field.lower()
        if self.keyword("in"):
            self.expect("punct", "(")
            values = [self.value()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self.value())
            self.expect("punct", ")")
            return field, "in", values
        if self.keyword("between"):
            low = self.value()
            if not self.keyword("and"):
                raise bad_request(_INVALID)
            return field, "between", [low, self.value()]
        kind, text = self.take()
        op = (
            _SYMBOL_OPS.get(text) if kind == "op" else _WORD_OPS.get(text.lower()) if kind == "word" else None
        )
        if op is None:
            raise bad_request(_INVALID)
        return field, op, [self.value()]

    def parse(self) -> list[tuple[str, str, list[Any]]]:
        clauses = [self.clause()]
        while self.keyword("and"):
            clauses.append(self.clause())
        if self.peek() is not None:
            raise bad_request(_INVALID)
        return clauses


def _operand(field: str, value: Any) -> Any:
    """A literal as the property compares: status numbers become names. A number no status has
    matches nothing (the page's own example asks for ``Status in (…,20)``)."""
    if field == "status" and isinstance(value, float) and value.is_integer():
        return STATUS_NUMBERS.get(int(value), value)
    return value


def _actual(value: Any, like: Any) -> Any:
    """A property value made comparable with a literal (numbers as floats, dates as datetimes)."""
    if isinstance(like, datetime) and isinstance(value, str):
        try:
            return _date(value)
        except ApiError:  # a property that is no date matches no date
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _compare(actual: Any, op: str, values: list[Any]) -> bool:
    try:
        if op == "in":
            return any(_actual(actual, v) == v for v in values)
        value = values[0]
        left = _actual(actual, value)
        if op == "=":
            return bool(left == value)
        if op == "!=":
            return bool(left != value)
        if left is None:
            return False
        if op == "between":
            return bool(value <= left <= values[1])
        return bool({">": left > value, ">=": left >= value, "<": left < value, "<=": left <= value}[op])
    except TypeError:
        return False


def parse_filter(text: str) -> Predicate:
    """A predicate over OrderResource dicts (raises the 400 answer when the text is not valid)."""
    clauses = [
        (field, op, [_operand(field, v) for v in values]) for field, op, values in _Parser(text).parse()
    ]

    def predicate(item: dict[str, Any]) -> bool:
        lowered = {k.lower(): v for k, v in item.items()}
        return all(_compare(lowered.get(field), op, values) for field, op, values in clauses)

    return predicate

"""A company's news (``NewsResource``) and corporate actions (``CorporateActionResource``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import field_validator

from bot.autoshares.resources.base import Resource, both_spellings, parse
from bot.autoshares.resources.numbers import Whole

#: An epoch number above this is in milliseconds (a date in seconds this large is in 5138).
_MILLISECONDS_FROM = 100_000_000_000


class NewsItem(Resource):
    """One headline: ``NewsId`` and ``Header`` are required (a button names the story by its id)."""

    news_id: Whole
    header: str
    key: str | None = None
    #: epoch time (int64): seconds, or milliseconds as some feeds send
    date: Whole | None = None
    source: str | None = None
    content: str | None = None
    attachment: str | None = None

    @property
    def moment(self) -> int | None:
        """The story's time in epoch seconds."""
        if self.date is None or self.date <= 0:
            return None
        return self.date // 1000 if self.date >= _MILLISECONDS_FROM else self.date


class CorporateAction(Resource):
    """A split, dividend, merger…: ``Id`` and ``Type`` are required (the bot tells each action
    once, by its id); ``Data`` holds its terms as text."""

    id: Whole
    type: str
    security_id: Whole | None = None
    unique_id: str | None = None
    date: datetime | None = None
    complete_date: datetime | None = None
    completed: bool | None = None
    is_cancel: bool | None = None
    data: dict[str, str] = {}

    @field_validator("data", mode="before")
    @classmethod
    def _terms(cls, value: object) -> object:
        """Terms as text: a null map is none, and a number is written as text."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if v is not None}
        return value

    @property
    def effective(self) -> datetime | None:
        date = self.date
        return date if date is None or date.tzinfo else date.replace(tzinfo=UTC)


class ActionTerms(Resource):
    """A corporate action's ``Data`` read by name: the terms the bot shows first, in this order,
    each as AutoShares wrote it. Any other term is kept as written (:meth:`others`)."""

    ratio: str | None = None
    amount: str | None = None
    currency: str | None = None
    ex_date: str | None = None
    record_date: str | None = None
    pay_date: str | None = None
    acquirer: str | None = None
    terms: str | None = None

    @classmethod
    def read(cls, data: Mapping[str, str]) -> ActionTerms:
        return parse(cls, dict(data), "a corporate action's Data")

    def named(self) -> list[tuple[str, str]]:
        """The named terms that have a value, by field name, in the order above."""
        return [(name, value) for name in type(self).model_fields if (value := getattr(self, name))]

    @classmethod
    def others(cls, data: Mapping[str, str]) -> dict[str, str]:
        """The terms with no name above (in either spelling), as written."""
        spellings = {str(alias) for name in cls.model_fields for alias in both_spellings(name).choices}
        return {key: value for key, value in data.items() if key not in spellings and value}

"""What a holder is told of a corporate action, as the outbox keeps it (no I/O): the symbol,
the kind, the effective date and the terms AutoShares wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.autoshares.resources import ActionTerms, CorporateAction


@dataclass(frozen=True)
class ActionNotice:
    """What a holder is told: the symbol, the kind (Split, Dividend, Merger…), the effective
    date and the terms as AutoShares wrote them (``Amount``, ``PayDate``, ``Ratio``…)."""

    symbol: str
    kind: str
    date: datetime | None = None
    terms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, symbol: str, action: CorporateAction) -> ActionNotice:
        return cls(symbol, action.type, action.effective, dict(action.data))

    @property
    def named_terms(self) -> ActionTerms:
        """The terms the DM names (amount, ratio, acquirer…), read by the client's rule."""
        return ActionTerms.read(self.terms)

    @property
    def other_terms(self) -> dict[str, str]:
        """Every other term, as AutoShares wrote it."""
        return ActionTerms.others(self.terms)

    def as_data(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "kind": self.kind,
            "date": self.date.isoformat() if self.date else None,
            "terms": dict(self.terms),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ActionNotice:
        date = data.get("date")
        terms = data.get("terms") or {}
        return cls(
            symbol=str(data.get("symbol") or ""),
            kind=str(data.get("kind") or ""),
            date=datetime.fromisoformat(date) if isinstance(date, str) else None,
            terms={str(k): str(v) for k, v in terms.items()} if isinstance(terms, dict) else {},
        )

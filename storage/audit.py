"""The audit trail: who did what to which order or alert, when, with the AutoShares ids.

Every order action (previewed, confirmed, cancelled, expired, placed, filled, rejected...) and
every alert created, deleted or fired is one ``AuditEvent`` row. Repositories that change an
order or an alert call :func:`add_event` inside their own transaction, so the trail and the
state change commit (or roll back) together. ``AuditLog.since`` reads it back and
:func:`to_csv` / :func:`to_json` export it (``autoshares-bot audit``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.vocabulary.spreadsheets import safe_cell
from storage.models import AuditEvent
from storage.records import aware, utcnow

#: Column order of the CSV export (and key order of the JSON export).
EXPORT_FIELDS = (
    "id",
    "at",
    "team_id",
    "slack_user_id",
    "subject",
    "action",
    "subject_id",
    "autoshares_id",
    "detail",
)


@dataclass(frozen=True)
class AuditRecord:
    """One audit event as read back from the database."""

    id: int
    at: datetime
    team_id: str | None
    slack_user_id: str | None
    subject: str
    action: str
    subject_id: str | None
    autoshares_id: str | None
    detail: dict[str, Any]

    def as_row(self) -> dict[str, Any]:
        """Flat values for export: ISO-8601 UTC time, detail as compact JSON text."""
        return {
            "id": self.id,
            "at": self.at.astimezone(UTC).isoformat(),
            "team_id": self.team_id or "",
            "slack_user_id": self.slack_user_id or "",
            "subject": self.subject,
            "action": self.action,
            "subject_id": self.subject_id or "",
            "autoshares_id": self.autoshares_id or "",
            "detail": json.dumps(self.detail, sort_keys=True, separators=(",", ":"), default=str),
        }


def add_event(
    session: AsyncSession,
    *,
    subject: str,
    action: str,
    team_id: str | None = None,
    slack_user_id: str | None = None,
    subject_id: str | None = None,
    autoshares_id: int | str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add one event to the caller's transaction (it commits with the change it describes)."""
    session.add(
        AuditEvent(
            at=at or utcnow(),
            team_id=team_id,
            slack_user_id=slack_user_id,
            subject=subject[:16],
            action=action[:32],
            subject_id=subject_id[:64] if subject_id else None,
            autoshares_id=str(autoshares_id)[:64] if autoshares_id is not None else None,
            detail_json=json.dumps(detail or {}, sort_keys=True, default=str),
        )
    )


def _record(row: AuditEvent) -> AuditRecord:
    try:
        detail = json.loads(row.detail_json or "{}")
    except ValueError:
        detail = {"raw": row.detail_json}
    return AuditRecord(
        id=row.id,
        at=aware(row.at),
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        subject=row.subject,
        action=row.action,
        subject_id=row.subject_id,
        autoshares_id=row.autoshares_id,
        detail=detail if isinstance(detail, dict) else {"value": detail},
    )


class AuditLog:
    """Writes single events and reads the trail back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record(self, **event: Any) -> None:
        """One event in its own transaction (see :func:`add_event` for the fields)."""
        async with self._sessions.begin() as session:
            add_event(session, **event)

    async def since(
        self,
        since: datetime | None = None,
        *,
        subject: str | None = None,
        subject_id: str | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """Events at or after ``since`` (oldest first), optionally for one subject."""
        query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if subject is not None:
            query = query.where(AuditEvent.subject == subject)
        if subject_id is not None:
            query = query.where(AuditEvent.subject_id == subject_id)
        if limit is not None:
            query = query.limit(limit)
        async with self._sessions() as session:
            return [_record(row) for row in await session.scalars(query)]


def to_csv(records: Iterable[AuditRecord]) -> str:
    """The events as CSV with a header row (RFC 4180 quoting); no cell runs as a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: safe_cell(v) if isinstance(v, str) else v for k, v in record.as_row().items()})
    return out.getvalue()


def parse_since(value: str) -> datetime:
    """``2026-01-01`` or an ISO-8601 time; a time without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"--since must be a date such as 2026-01-01 or an ISO-8601 time, got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def export(async_database_url: str, since: datetime | None, fmt: str) -> str:
    """The audit trail since ``since`` as CSV or JSON text (for ``autoshares-bot audit``)."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database

    if fmt not in ("csv", "json"):
        raise ValueError(f"format must be csv or json, got {fmt!r}")
    database = Database(async_database_url)
    try:
        records = await AuditLog(database.sessions).since(since)
    except SQLAlchemyError as exc:
        raise RuntimeError(
            f"could not read the audit trail ({type(exc).__name__}); check DATABASE_URL and run "
            "`autoshares-bot db upgrade`"
        ) from None
    finally:
        await database.dispose()
    return to_csv(records) if fmt == "csv" else to_json(records) + "\n"


def to_json(records: Sequence[AuditRecord]) -> str:
    """The events as a JSON array (detail kept as an object)."""
    rows = []
    for record in records:
        row = record.as_row()
        row["detail"] = record.detail
        rows.append(row)
    return json.dumps(rows, indent=2, default=str)

"""Leasing rows to one worker among many replicas, on PostgreSQL and on SQLite.

A background pass takes a chunk of due rows and stamps them (``claimed_at``, ``updated_at``) so
no other worker takes them until they are due again. PostgreSQL locks the chunk with ``FOR
UPDATE SKIP LOCKED`` and then stamps it (as a subquery of the UPDATE, a ``LIMIT … SKIP LOCKED``
may run again mid-statement, skip the rows just stamped and take more); SQLite, one writer at a
time, stamps with one conditional ``UPDATE … RETURNING`` that re-checks each row is still due.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Row = TypeVar("Row")


def is_postgres(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether the sessions talk to PostgreSQL (row locks with SKIP LOCKED are available)."""
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


async def lease_chunk(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Row],
    chosen: Select[Any],
    due: ColumnElement[bool],
    stamp: dict[str, Any],
) -> list[Row]:
    """Stamp the rows ``chosen`` selects (ids of ``model``, still ``due``) with ``stamp`` and
    return them, leased to this caller."""
    table: Any = model
    lease = update(table).values(**stamp).returning(table).execution_options(synchronize_session=False)
    async with sessions.begin() as session:
        if is_postgres(sessions):
            ids = list(await session.scalars(chosen.with_for_update(skip_locked=True)))
            if not ids:
                return []
            lease = lease.where(table.id.in_(ids))
        else:
            lease = lease.where(table.id.in_(chosen.scalar_subquery()), due)
        return list(await session.scalars(lease))

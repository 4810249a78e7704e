"""Chart images kept for a while (``chart_images``): the PNG of a private quote answer's chart.

The private answer only links to the picture, and Slack fetches it from whichever replica the
load balancer picks, so the bytes live in the database rather than in one process's memory.
A row is read back only until it expires (the URL's signature runs out at the same moment);
the hourly housekeeping deletes expired rows (:meth:`ChartImageRepository.delete_expired`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ChartImage
from storage.records import aware, utcnow


@dataclass(frozen=True)
class KeptChart:
    """A stored chart: whose it is, what it shows, and the PNG."""

    id: str
    team_id: str
    slack_user_id: str
    symbol: str
    chart_range: str
    png: bytes
    created_at: datetime
    expires_at: datetime


class ChartImageRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, chart: KeptChart) -> None:
        async with self._sessions.begin() as session:
            session.add(
                ChartImage(
                    id=chart.id,
                    team_id=chart.team_id,
                    slack_user_id=chart.slack_user_id,
                    symbol=chart.symbol,
                    chart_range=chart.chart_range,
                    png=chart.png,
                    created_at=chart.created_at,
                    expires_at=chart.expires_at,
                )
            )

    async def get(self, chart_id: str, *, now: datetime | None = None) -> KeptChart | None:
        """The chart ``chart_id`` if it has not expired, else None (expired rows may still be
        stored until housekeeping deletes them)."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(ChartImage).where(ChartImage.id == chart_id, ChartImage.expires_at > (now or utcnow()))
            )
        if row is None:
            return None
        return KeptChart(
            id=row.id,
            team_id=row.team_id,
            slack_user_id=row.slack_user_id,
            symbol=row.symbol,
            chart_range=row.chart_range,
            png=bytes(row.png),
            created_at=aware(row.created_at),
            expires_at=aware(row.expires_at),
        )

    async def delete_expired(self, *, now: datetime | None = None) -> int:
        """Delete every chart past its expiry; returns how many."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(ChartImage).where(ChartImage.expires_at <= (now or utcnow()))
            )
            return int(getattr(result, "rowcount", 0) or 0)

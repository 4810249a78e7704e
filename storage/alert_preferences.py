"""Where each member's alert triggers go: the channel each alert was set in (the default), or
the member's DM with the bot (``/alert deliver dm``).

The choice is read when an alert fires, in the transaction that owes its message
(:func:`delivers_to_dm`), so the outbox row names the place the message is posted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import AlertPreference
from storage.records import DELIVER_CHANNEL, DELIVER_DM, utcnow

DELIVERIES = (DELIVER_CHANNEL, DELIVER_DM)


async def delivery_of(session: AsyncSession, team_id: str, slack_user_id: str) -> str:
    """The member's choice, read in the caller's transaction (``channel`` when never set)."""
    found = await session.scalar(
        select(AlertPreference.deliver).where(
            AlertPreference.team_id == team_id, AlertPreference.slack_user_id == slack_user_id
        )
    )
    return DELIVER_DM if found == DELIVER_DM else DELIVER_CHANNEL


class AlertPreferences:
    """Reads and writes ``alert_preferences``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def delivery(self, team_id: str, slack_user_id: str) -> str:
        async with self._sessions() as session:
            return await delivery_of(session, team_id, slack_user_id)

    async def set_delivery(self, team_id: str, slack_user_id: str, deliver: str) -> None:
        """Store the member's choice (``channel`` or ``dm``), replacing any earlier one."""
        if deliver not in DELIVERIES:
            raise ValueError(f"unknown delivery {deliver!r}")
        values = {
            "team_id": team_id,
            "slack_user_id": slack_user_id,
            "deliver": deliver,
            "updated_at": utcnow(),
        }
        async with self._sessions.begin() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(AlertPreference).values(**values)
            statement = statement.on_conflict_do_update(
                index_elements=["team_id", "slack_user_id"],
                set_={"deliver": deliver, "updated_at": values["updated_at"]},
            )
            await session.execute(statement)

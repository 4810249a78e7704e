"""Engine, sessions and migrations.

``Database`` is built from the settings' async URL; it owns the engine and a sessionmaker.
``upgrade()`` applies Alembic migrations (run by `autoshares-bot db upgrade` and at start-up).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(async_url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so concurrent writers wait, not fail."""
    if async_url.startswith("sqlite"):
        engine = create_async_engine(async_url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(async_url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


class Database:
    """The engine and sessionmaker for one process; close with :meth:`dispose`."""

    def __init__(self, async_url: str) -> None:
        self.url = async_url
        self.engine = create_engine(async_url)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to ``revision``; safe to run on every start."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade, revision)

    async def dispose(self) -> None:
        await self.engine.dispose()

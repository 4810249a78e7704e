"""Engine, sessions and migrations.

``Database`` is built from the settings' async URL; it owns the engine and a sessionmaker.
``upgrade()`` applies Alembic migrations (run by `autoshares-bot db upgrade` and at start-up).
Every replica runs it at start, so it first reads the database's revision and does nothing when
that is already the code's head; on PostgreSQL the migration itself runs under an advisory lock,
so replicas started together on a new database migrate it once, one after the other. SQLite is
one process's file (one ``serve`` per file): there the migration only takes SQLite's own write
lock first, so that a `db upgrade` run beside a starting ``serve`` waits rather than collides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: The PostgreSQL advisory lock every process holds while it migrates ("AUTOSMIG" in ASCII): a
#: fixed key, so that all the replicas of a deployment wait for the same one.
MIGRATION_LOCK_KEY = 0x4155544F534D4947

log = logging.getLogger(__name__)


#: How long a statement waits for SQLite's write lock unless told otherwise.
BUSY_SECONDS = 10.0


def _sqlite_pragmas(busy_seconds: float) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return set_pragmas


#: Most connections a process's main engine opens (SQLite; PostgreSQL: ``POSTGRES_POOL``). They
#: are kept once opened, up to that many: a pool smaller than its overflow closes each connection
#: opened above its size as soon as it is returned, so every request of a burst would open one
#: (a thread and a file on SQLite, a TCP connection, authentication and server process on
#: PostgreSQL): that was most of a busy bot's database time.
SQLITE_POOL = 15
#: PostgreSQL's; each replica's count against the server's ``max_connections`` (100 by default:
#: three replicas, the CLI and the migrations fit with room to spare). A statement holds its
#: connection for a millisecond or two, so ten serve hundreds of requests a second.
POSTGRES_POOL = 10


def create_engine(async_url: str, *, wait_seconds: float | None = None) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so concurrent writers wait, not fail.

    ``wait_seconds`` makes every statement give up after that long waiting for a lock (SQLite's
    busy timeout; PostgreSQL's ``lock_timeout`` and ``statement_timeout``), for work that has a
    deadline of its own: the write before Slack's ack. The database itself then abandons the
    statement, so a write whose caller gave up cannot complete later. That engine has one
    connection: one group of rows is written at a time (``storage.replays``), and the requests
    arriving meanwhile wait for the next group, not for a connection of their own.
    """
    one = {"pool_size": 1, "max_overflow": 0}
    if async_url.startswith("sqlite"):
        busy = BUSY_SECONDS if wait_seconds is None else wait_seconds
        sized = {"pool_size": SQLITE_POOL, "max_overflow": 0} if wait_seconds is None else one
        engine = create_async_engine(async_url, connect_args={"timeout": busy}, **sized)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy))
        return engine
    if wait_seconds is None:
        return create_async_engine(async_url, pool_size=POSTGRES_POOL, max_overflow=0, pool_pre_ping=True)
    limit = str(max(int(wait_seconds * 1000), 1))  # milliseconds
    return create_async_engine(
        async_url,
        **one,
        pool_pre_ping=True,
        connect_args={"server_settings": {"lock_timeout": limit, "statement_timeout": limit}},
    )


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def code_heads() -> set[str]:
    """The revisions this code's migrations end at (one, unless the history branches)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def database_heads(connection: Connection) -> set[str]:
    """The revisions the database is at: empty when it has no ``alembic_version`` table yet."""
    return set(MigrationContext.configure(connection).get_current_heads())


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _shown(heads: set[str]) -> str:
    return ", ".join(sorted(heads)) or "an empty database"


class Database:
    """The engine and sessionmaker for one process; close with :meth:`dispose`."""

    def __init__(self, async_url: str, *, ack_seconds: float | None = None) -> None:
        self.url = async_url
        self.engine = create_engine(async_url)
        #: The engine of the write before Slack's ack: its statements give up after
        #: ``ack_seconds`` waiting for a lock (the same engine when no limit is set).
        self.ack_engine = (
            self.engine if ack_seconds is None else create_engine(async_url, wait_seconds=ack_seconds)
        )
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def current_heads(self) -> set[str]:
        """The revisions the database is at (one cheap read of ``alembic_version``)."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(database_heads)

    async def upgrade(self, revision: str = "head") -> bool:
        """Apply migrations up to ``revision``; safe to run on every start and from several
        processes at once (PostgreSQL's advisory lock, SQLite's write lock). Returns whether this
        call migrated anything: going to head on a database already there reads one row and
        returns False."""
        wanted = code_heads() if revision == "head" else None
        if wanted is not None and await self.current_heads() == wanted:
            log.info("database schema is at %s: no migration to run", _shown(wanted))
            return False
        if not self.is_postgres:
            return await self._migrate(revision, wanted)
        async with self.engine.connect() as lock:
            await self._take_migration_lock(lock)
            try:
                return await self._migrate(revision, wanted)
            finally:
                await lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                await lock.commit()

    async def _take_migration_lock(self, lock: AsyncConnection) -> None:
        """Hold the migration lock on ``lock``'s session (kept until unlocked or the connection
        closes, so a process that dies mid-migration frees it), waiting for whoever has it."""
        key = {"key": MIGRATION_LOCK_KEY}
        if not (await lock.execute(text("SELECT pg_try_advisory_lock(:key)"), key)).scalar_one():
            log.info(
                "another process is migrating the database (it holds advisory lock %d): waiting for it",
                MIGRATION_LOCK_KEY,
            )
            await lock.execute(text("SELECT pg_advisory_lock(:key)"), key)
        # A session lock outlives the transaction: end it so this connection does not sit idle
        # in a transaction while the migration runs on another one.
        await lock.commit()

    async def _migrate(self, revision: str, wanted: set[str] | None) -> bool:
        """Migrate in one transaction, unless (now that any lock is held) a process that held it
        before has already brought the database to ``wanted``."""
        async with self.engine.begin() as conn:
            if not self.is_postgres:
                # SQLite's write lock before reading the revision: a second process on the same
                # file (a `db upgrade` beside a starting `serve`) waits, then finds the work done.
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            before = await conn.run_sync(database_heads)
            if wanted is not None and before == wanted:
                log.info("database schema is at %s: another process migrated it", _shown(wanted))
                return False
            await conn.run_sync(_upgrade, revision)
            after = await conn.run_sync(database_heads)
        log.info("migrated the database schema from %s to %s", _shown(before), _shown(after))
        return before != after

    async def dispose(self) -> None:
        if self.ack_engine is not self.engine:
            await self.ack_engine.dispose()
        await self.engine.dispose()

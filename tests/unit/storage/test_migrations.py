"""The migrations build exactly the schema the code uses, from an empty database: the models'
tables as the models describe them (a model change without its migration, or a migration that
drifts from its model, fails here rather than in production), and the tables slack_sdk's
installation and OAuth state stores read and write, which the migrations write out themselves.
Then the start-up migration: nothing to do at head, and on PostgreSQL a migration that waits
for the advisory lock another process holds."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.types import DateTime, String

from bot.app.settings import async_database_url
from storage.db import MIGRATION_LOCK_KEY, Database, code_heads
from storage.models import Base

#: The tables the migrations create for slack_sdk's stores (they are not in ``Base``).
SLACK_SDK_TABLES = {"slack_bots", "slack_installations", "slack_oauth_states"}


@pytest.fixture
async def migrated_from_empty(empty_database_url: str) -> Any:
    """An empty database brought to head by the start-up migration, which says it migrated."""
    database = Database(async_database_url(empty_database_url))
    assert await database.current_heads() == set()
    assert await database.upgrade() is True
    assert await database.current_heads() == code_heads()
    yield database
    await database.dispose()


def _models_table(name: str | None, kind: str, _parent: Any) -> bool:
    return not (kind == "table" and name in SLACK_SDK_TABLES)


def _differences(connection: Connection) -> list[Any]:
    """Autogenerate's comparison of the database with the models, leaving out slack_sdk's
    tables (checked against slack_sdk's own definitions below)."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": _models_table}
    )
    return compare_metadata(context, Base.metadata)


def _slack_store_tables() -> MetaData:
    """The tables slack_sdk's stores use, built by the stores the app wires (bot.app.wiring)."""
    metadata = MetaData()
    installations = AsyncSQLAlchemyInstallationStore(client_id="A0CLIENT", engine=None)  # type: ignore[arg-type]
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=None)  # type: ignore[arg-type]
    for table in [*installations.metadata.tables.values(), *states.metadata.tables.values()]:
        table.to_metadata(metadata)
    return metadata


def _store_mismatches(connection: Connection) -> list[str]:
    """Every column slack_sdk's stores use that the database lacks, or holds with a type or
    nullability the store cannot write, and every index the stores define that is missing."""
    inspector = inspect(connection)
    wrong: list[str] = []
    for table in _slack_store_tables().sorted_tables:
        found = {c["name"]: c for c in inspector.get_columns(table.name)}
        for column in table.columns:
            have = found.get(column.name)
            if have is None:
                wrong.append(f"{table.name}.{column.name} is missing")
                continue
            kind, wanted = have["type"], column.type
            if kind.python_type is not wanted.python_type:
                wrong.append(f"{table.name}.{column.name} is {kind}, the store writes {wanted}")
            elif isinstance(wanted, String) and (kind.length or 0) < (wanted.length or 0):
                wrong.append(f"{table.name}.{column.name} is {kind}, shorter than the store's {wanted}")
            elif isinstance(wanted, DateTime) and connection.dialect.name == "postgresql":
                if kind.timezone != wanted.timezone:  # asyncpg refuses the other kind of datetime
                    wrong.append(f"{table.name}.{column.name} has timezone={kind.timezone}")
            if not have["nullable"] and column.nullable:
                wrong.append(f"{table.name}.{column.name} is NOT NULL but the store may leave it empty")
        indexed = {tuple(i["column_names"]) for i in inspector.get_indexes(table.name)}
        wrong += [
            f"{table.name} has no index on {index.columns.keys()}"
            for index in table.indexes
            if tuple(index.columns.keys()) not in indexed
        ]
    return wrong


async def test_an_empty_database_migrated_to_head_matches_the_models(migrated_from_empty: Database) -> None:
    async with migrated_from_empty.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    # A table, column, type, nullability, index or unique constraint that differs is drift.
    assert differences == []


async def test_the_slack_tables_hold_what_slack_sdks_stores_use(migrated_from_empty: Database) -> None:
    async with migrated_from_empty.engine.connect() as connection:
        assert await connection.run_sync(_store_mismatches) == []


async def test_slack_sdks_stores_save_and_find_on_the_migrated_tables(migrated_from_empty: Database) -> None:
    """The stores themselves, on the migrated tables: an installation saved is found again (as
    an installation and as its bot), and an OAuth state is consumed once."""
    engine = migrated_from_empty.engine
    installations = AsyncSQLAlchemyInstallationStore(client_id="A0CLIENT", engine=engine)
    await installations.async_save(
        Installation(
            app_id="A0APP",
            team_id="T0MIGRATE",
            user_id="U0INSTALLER",
            bot_token="xoxb-stored",
            bot_id="B0BOT",
            bot_user_id="U0BOT",
            bot_scopes="commands,chat:write",
            bot_token_expires_at=int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
            is_enterprise_install=False,
        )
    )
    found = await installations.async_find_installation(enterprise_id=None, team_id="T0MIGRATE")
    assert found is not None and found.bot_token == "xoxb-stored" and found.user_id == "U0INSTALLER"
    bot = await installations.async_find_bot(enterprise_id=None, team_id="T0MIGRATE")
    assert bot is not None and bot.bot_user_id == "U0BOT"
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False


async def test_upgrade_at_head_reads_the_revision_and_migrates_nothing(
    migrated_from_empty: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="storage.db"):
        assert await migrated_from_empty.upgrade() is False
    assert [r.getMessage() for r in caplog.records if r.name == "storage.db"] == [
        f"database schema is at {', '.join(sorted(code_heads()))}: no migration to run"
    ]
    assert await migrated_from_empty.current_heads() == code_heads()


async def test_three_upgrades_at_once_migrate_an_empty_database_once(empty_database_url: str) -> None:
    """Three engines (as three processes would have) upgrading together: one migrates, the
    others wait for its lock (PostgreSQL's advisory lock, SQLite's write lock) and find head."""
    databases = [Database(async_database_url(empty_database_url)) for _ in range(3)]
    try:
        migrated = await asyncio.wait_for(asyncio.gather(*(d.upgrade() for d in databases)), 120)
        assert sorted(migrated) == [False, False, True]
        assert await databases[0].current_heads() == code_heads()
    finally:
        for database in databases:
            await database.dispose()


@pytest.mark.postgres_only(reason="the advisory lock is PostgreSQL's")
async def test_a_migration_waits_for_the_lock_another_process_holds(empty_database_url: str) -> None:
    holder = Database(async_database_url(empty_database_url))
    database = Database(async_database_url(empty_database_url))
    try:
        async with holder.engine.connect() as lock:
            await lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await lock.commit()
            migrating = asyncio.create_task(database.upgrade())
            async with asyncio.timeout(15):
                while not await _waiting_for_the_lock(lock):  # noqa: ASYNC110 - asks PostgreSQL
                    await asyncio.sleep(0.05)
            # It is blocked on the lock now: nothing of the schema exists yet.
            assert await holder.current_heads() == set()
            await lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await lock.commit()
            assert await asyncio.wait_for(migrating, 60) is True
            assert await holder.current_heads() == code_heads()
            # ...and it let the lock go when it was done.
            taken = await lock.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            assert taken.scalar_one() is True
            await lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await lock.commit()
    finally:
        await database.dispose()
        await holder.dispose()


async def _waiting_for_the_lock(connection: Any) -> bool:
    """Whether a session of this database waits for an advisory lock not granted yet."""
    waiting = await connection.execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
    )
    await connection.commit()
    return bool(waiting.scalar_one())

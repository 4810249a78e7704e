"""The migrations build exactly the schema the models describe (so a model change without its
migration, or a migration that drifts from its model, fails here rather than in production)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from storage.db import Database
from storage.models import Base

#: Tables created by the migrations for slack_sdk's installation and OAuth state stores, which
#: define their own tables (not in ``Base``).
SLACK_SDK_TABLES = {"slack_bots", "slack_installations", "slack_oauth_states"}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def _table_of(difference: Any) -> str | None:
    item = difference[-1] if isinstance(difference, tuple) else difference
    table = getattr(item, "table", None)
    return getattr(table, "name", None) or getattr(item, "name", None)


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert [d for d in differences if _table_of(d) not in SLACK_SDK_TABLES] == []

"""Three `autoshares-bot serve` processes started together on an empty PostgreSQL database, as a
deployment of three replicas on a new database starts: each runs the migration at start, under
the advisory lock, so one migrates and the others find the schema at head; all three come up
ready."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app.settings import async_database_url
from storage.db import Database, code_heads
from tests.scenario.test_cli import base_env
from tests.scenario.test_replicas import three_replicas

pytestmark = pytest.mark.postgres_only(reason="replicas share one PostgreSQL server")

#: Every process says, once, what it did about the schema at start (storage.db).
DECIDED = "database schema"
MIGRATED = "migrated the database schema from an empty database to"


def _storage_messages(lines: list[str]) -> list[str]:
    """The messages storage.db logged, among ``lines`` (JSON log lines, bot.app.logs)."""
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "storage.db":
            found.append(str(entry["msg"]))
    return found


async def test_three_replicas_started_together_on_an_empty_database_migrate_it_once(
    bot_env: dict[str, str], empty_database_url: str, tmp_path: Path
) -> None:
    env = {
        **base_env(tmp_path),
        **bot_env,
        "DATABASE_URL": empty_database_url,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    async with three_replicas(env, tmp_path) as replicas:  # each answers /readyz with 200
        for replica in replicas:
            await replica.wait_for_lines(DECIDED)
        decisions = [[m for m in _storage_messages(r.lines) if DECIDED in m] for r in replicas]

    assert all(len(said) == 1 for said in decisions), decisions
    migrated = [said[0] for said in decisions if said[0].startswith(MIGRATED)]
    assert len(migrated) == 1, decisions
    assert all("Traceback" not in r.stderr for r in replicas)
    database = Database(async_database_url(empty_database_url))
    try:
        assert await database.current_heads() == code_heads()
    finally:
        await database.dispose()

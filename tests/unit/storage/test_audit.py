"""The audit trail and its CSV / JSON export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.settings import async_database_url
from bot.cli import main
from storage.audit import EXPORT_FIELDS, AuditLog, parse_since, to_csv, to_json
from storage.db import Database


async def test_since_filters_and_exports_round_trip(db: Database) -> None:
    log = AuditLog(db.sessions)
    old = datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    await log.record(subject="order", action="previewed", slack_user_id="U1", subject_id="p1", at=old)
    await log.record(
        subject="order",
        action="placed",
        team_id="T1",
        slack_user_id="U1",
        subject_id="p1",
        autoshares_id=77,
        detail={"note": 'comma, "quote"\nnewline'},
    )
    await log.record(subject="alert", action="created", slack_user_id="U2", subject_id="9", autoshares_id=9)
    since = await log.since(datetime(2026, 1, 1, tzinfo=UTC))
    assert [(e.subject, e.action) for e in since] == [("order", "placed"), ("alert", "created")]
    assert since[0].autoshares_id == "77" and since[0].at > datetime.now(UTC) - timedelta(minutes=1)

    rows = list(csv.DictReader(io.StringIO(to_csv(since))))
    assert list(rows[0]) == list(EXPORT_FIELDS)
    assert rows[0]["action"] == "placed" and rows[0]["autoshares_id"] == "77"
    assert json.loads(rows[0]["detail"]) == {"note": 'comma, "quote"\nnewline'}
    exported = json.loads(to_json(since))
    assert exported[1]["subject"] == "alert" and exported[0]["detail"]["note"].startswith("comma")
    assert len(await log.since()) == 3


def test_cli_exports_csv_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"

    async def seed() -> None:
        database = Database(async_database_url(url))
        await database.upgrade()
        log = AuditLog(database.sessions)
        await log.record(
            subject="order", action="previewed", subject_id="p1", at=datetime(2025, 6, 1, tzinfo=UTC)
        )
        await log.record(
            subject="order", action="placed", slack_user_id="U1", subject_id="p1", autoshares_id=5
        )
        await database.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["audit", "--since", "2026-01-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["action"], r["autoshares_id"], r["slack_user_id"]) for r in rows] == [("placed", "5", "U1")]
    assert main(["audit", "--format", "json"]) == 0
    assert [e["action"] for e in json.loads(capsys.readouterr().out)] == ["previewed", "placed"]
    assert main(["audit", "--since", "last tuesday"]) == 2
    assert "--since must be a date" in capsys.readouterr().err


def test_parse_since() -> None:
    assert parse_since("2026-01-01") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_since("2026-01-01T10:00:00+02:00") == datetime(2026, 1, 1, 8, tzinfo=UTC)

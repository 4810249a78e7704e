"""Does the database answer? The probe that ``autoshares-bot check``, ``GET /readyz`` and every
command needing the database run, kept apart from the rest of the checks so that a command such
as ``db upgrade`` does not import the Slack and AutoShares clients only to probe its database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.logs import redact
from storage.db import code_heads, database_heads

PROBE_TIMEOUT = 5.0


def failure_reason(exc: BaseException) -> str:
    """A short, secret-free description of a failure."""
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    detail = redact(detail)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def masked_database_url(url: str) -> str:
    try:
        parsed = make_url(url)
        return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)
    except Exception:  # a URL too broken to parse is reported by the settings check
        return "the configured database"


def _heads(connection: Connection) -> tuple[set[str], set[str]]:
    return database_heads(connection), code_heads()


async def database_problem(engine: AsyncEngine, *, migrations: bool = False) -> str | None:
    """None when the database answers (and, with ``migrations``, is at the code's revision)."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                current, wanted = await conn.run_sync(_heads) if migrations else (set(), set())
    except TimeoutError:
        return (
            f"the database {masked_database_url(str(engine.url))} did not answer within {PROBE_TIMEOUT:.0f} s"
        )
    except Exception as exc:
        return (
            f"cannot connect to the database {masked_database_url(str(engine.url))} ({failure_reason(exc)})"
        )
    if migrations and current != wanted:
        if not current:
            return "the database has no tables yet: run `autoshares-bot db upgrade`"
        have, need = ", ".join(sorted(current)), ", ".join(sorted(wanted))
        return f"the database is at migration {have} but this version needs {need}: run `autoshares-bot db upgrade`"
    return None


def sqlite_file_problem(async_url: str) -> str | None:
    """Connecting would create a missing SQLite file; say it is missing instead."""
    parsed = make_url(async_url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database or "")
    if not path.parent.exists():
        return f"the folder {path.parent} for the SQLite database does not exist"
    if not path.exists():
        return f"the SQLite database {path} does not exist yet: run `autoshares-bot db upgrade` to create it"
    return None

"""Background poller passes at 10, 1,000 and 10,000 active alerts and open orders, on SQLite and
PostgreSQL: pass time, AutoShares calls and bot CPU per pass, and the figure that matters, the
longest time any alert or open order waits between two checks.

The sandbox runs in its own process (``--serve-sandbox`` below), seeded directly: users with
tokens, each with ``--per-user`` armed alerts and open orders. This process writes the matching
links, alert routes and placed orders straight into a fresh database and runs the bot's real
``Pollers`` loops on a short ``--interval`` for ``--passes`` passes: the alert loop alone, then
the order loop alone, so the bot CPU of a pass is its own. Every AutoShares answer is timed by an
httpx event hook: a user's alert listing checks all their alerts, an account's open-orders
listing all its orders, one order's GET that order. The never-checked alerts and the orders
placed an hour ago are all due at the first pass. Prints figures; asserts nothing.

Run: ``python -m bench.bench_pollers [--sizes 10,1000,10000] [--per-user 10] [--interval 2]
[--passes 3] [--latency-ms 0] [--concurrency 8] [--postgres URL]`` (``make bench`` runs it with
its defaults; PostgreSQL is skipped, saying why, when the server does not answer).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
QUIET = 3600.0  # the interval of the loop not being measured: it never runs during a phase


# -- the sandbox (run in a child process) ---------------------------------------------------------
async def _serve_sandbox(users: int, per_user: int, latency_ms: int, world: Path) -> None:
    from bot.devkit.seeding import dumps, seed_sandbox
    from sandbox import SandboxConfig, running_sandbox

    config = SandboxConfig(rate_limits=True, tick_seconds=0, latency_ms=latency_ms, seed_users=False)
    async with running_sandbox(config, host="127.0.0.1", port=0) as sb:
        seeded = seed_sandbox(
            sb.sandbox, users=users, alerts_per_user=per_user, orders_per_user=per_user, prefix="bench"
        )
        await asyncio.to_thread(world.write_text, dumps(seeded))
        print(f"URL {sb.url}", flush=True)
        await asyncio.Event().wait()  # until terminated


@contextlib.asynccontextmanager
async def sandbox_process(users: int, per_user: int, latency_ms: int) -> AsyncIterator[tuple[str, list[Any]]]:
    """A seeded sandbox in its own process; yields its URL and the seeded users."""
    from bot.devkit.seeding import loads

    with tempfile.TemporaryDirectory(prefix="bench-pollers-") as tmp:
        world = Path(tmp) / "world.json"
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bench_pollers", "--serve-sandbox", "--users", str(users),
            "--per-user", str(per_user), "--latency-ms", str(latency_ms), "--world", str(world),
            stdout=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=REPO,
        )  # fmt: skip
        try:
            assert child.stdout is not None
            line = (await asyncio.wait_for(child.stdout.readline(), 300)).decode()
            if not line.startswith("URL "):
                raise RuntimeError(f"the sandbox did not start: {line!r}")
            yield line.split()[1], loads(await asyncio.to_thread(world.read_text))
        finally:
            if child.returncode is None:
                child.terminate()
                await child.wait()


# -- databases ------------------------------------------------------------------------------------
def _asyncpg_url(url: str, database: str | None = None) -> str:
    parts = urlsplit(url)
    parts = parts._replace(scheme=parts.scheme.split("+")[0])
    return urlunsplit(parts._replace(path="/" + database) if database else parts)


@contextlib.asynccontextmanager
async def fresh_database(kind: str, postgres: str, tmp: Path, name: str) -> AsyncIterator[str]:
    """A new empty database: a SQLite file, or a PostgreSQL database next to ``postgres``'s."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / (name + '.db')}"
        return
    import asyncpg

    admin = await asyncpg.connect(_asyncpg_url(postgres))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield _asyncpg_url(postgres, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def postgres_problem(postgres: str) -> str | None:
    try:
        import asyncpg

        conn = await asyncio.wait_for(asyncpg.connect(_asyncpg_url(postgres)), 5)
        await conn.close()
    except Exception as exc:  # any reason the server cannot be used: say it and go on
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    return None


# -- measuring ------------------------------------------------------------------------------------
_ALERTS = re.compile(r"/v1\.0/users/(\d+)/pricealerts$")
_ORDERS = re.compile(r"/v1\.0/accounts/(\d+)/orders$")
_ORDER = re.compile(r"/v1\.0/accounts/\d+/orders/(\d+)$")


@dataclass
class CheckLog:
    """When AutoShares answered each check: by user (alert listings), account (open-order
    listings) and order (one order read)."""

    users: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    accounts: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    orders: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: list[tuple[float, str]] = field(default_factory=list)

    async def hook(self, response: Any) -> None:
        now = time.perf_counter()
        path = response.request.url.path
        kind = "alerts" if "/pricealerts" in path else "orders" if "/orders" in path else "other"
        self.answers.append((now, kind))
        if response.status_code != 200:
            return
        params = response.request.url.params
        if (match := _ALERTS.search(path)) and params.get("pageNumber") in (None, "0"):
            self.users[int(match[1])].append(now)
        elif (match := _ORDERS.search(path)) and str(params.get("filter", "")).startswith("Status"):
            if params.get("pageNumber") in (None, "0"):
                self.accounts[int(match[1])].append(now)
        elif match := _ORDER.search(path):
            self.orders[int(match[1])].append(now)

    def calls(self, kind: str, start: float, end: float) -> int:
        return sum(1 for at, k in self.answers if k == kind and start <= at <= end)


@dataclass(frozen=True)
class Phase:
    database: str
    kind: str
    rows: int
    passes: list[tuple[float, float, float]]  # start, end, bot CPU seconds
    calls: list[int]
    longest_wait: float
    not_rechecked: int

    def line(self) -> str:
        times = [end - start for start, end, _ in self.passes]
        mean = sum(times) / len(times) if times else math.nan
        cpu = sum(c for *_, c in self.passes) / len(self.passes) if self.passes else math.nan
        calls = sum(self.calls) / len(self.calls) if self.calls else math.nan
        wait = f"{self.longest_wait:6.2f} s" if self.longest_wait == self.longest_wait else "     -  "
        return (
            f"  {self.database:<10} {self.rows:>6,} {self.kind:<7} {len(self.passes):>2} passes  "
            f"pass {mean:7.3f} s (max {max(times, default=math.nan):.3f})  {calls:7,.0f} calls/pass  "
            f"bot CPU {cpu:6.3f} s/pass  longest wait between checks {wait}  "
            f"not checked twice {self.not_rechecked:,}"
        )


def longest_wait(times_by_row: dict[int, list[float]], rows: Sequence[int]) -> tuple[float, int]:
    """The longest gap between two checks of any row, and how many rows were not checked twice."""
    longest, missed = math.nan, 0
    for row in rows:
        times = sorted(times_by_row.get(row, ()))
        if len(times) < 2:
            missed += 1
            continue
        gap = max(b - a for a, b in zip(times, times[1:], strict=False))
        longest = gap if longest != longest else max(longest, gap)
    return longest, missed


def make_timed_pollers(services: Any) -> Any:
    """The bot's Pollers, each pass timed (wall and this process's CPU)."""
    from bot.app.pollers import Pollers

    class TimedPollers(Pollers):
        passes: dict[str, list[tuple[float, float, float]]] = {"alerts": [], "orders": []}

        async def alerts_once(self) -> Any:
            return await self._timed("alerts", super().alerts_once)

        async def orders_once(self) -> Any:
            return await self._timed("orders", super().orders_once)

        async def _timed(self, kind: str, once: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return await once()
            finally:
                self.passes[kind].append((started, time.perf_counter(), time.process_time() - cpu))

    TimedPollers.passes = {"alerts": [], "orders": []}
    return TimedPollers.of(services)


async def run_phase(kind: str, env: dict[str, str], users: list[Any], passes: int, database: str) -> Phase:
    """Run the ``kind`` loop until it has made ``passes`` passes; what it checked, and when."""
    from bot.app.settings import Settings
    from bot.app.wiring import Services

    interval = float(env["ALERT_POLL_SECONDS" if kind == "alerts" else "ORDER_POLL_SECONDS"])
    services = await Services.create(Settings.from_env(env), migrate=False)
    log = CheckLog()
    services.http.event_hooks["response"].append(log.hook)
    pollers = make_timed_pollers(services)
    try:
        pollers.start()
        deadline = time.perf_counter() + interval * (passes + 1) + 600
        while len(pollers.passes[kind]) < passes and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    finally:
        await pollers.stop(grace=600)
        await services.aclose()
    done = pollers.passes[kind][:passes]
    calls = [log.calls(kind, start, end) for start, end, _ in done]
    if kind == "alerts":
        by_row = {a: log.users[u.user_id] for u in users for a in u.alert_ids}
        rows = [a for u in users for a in u.alert_ids]
    else:
        by_row = {
            o.order_id: log.accounts[u.account_id] + log.orders[o.order_id] for u in users for o in u.orders
        }
        rows = [o.order_id for u in users for o in u.orders]
    wait, missed = longest_wait(by_row, rows)
    return Phase(database, kind, len(rows), done, calls, wait, missed)


async def bench_size(size: int, args: argparse.Namespace, databases: list[str], tmp: Path) -> list[Phase]:
    from cryptography.fernet import Fernet
    from sqlalchemy import update

    from bot.app.settings import async_database_url
    from bot.devkit.seeding import store_seeded
    from storage.crypto import TokenCipher
    from storage.db import Database
    from storage.models import PendingOrder
    from storage.records import utcnow

    users_count = max(1, math.ceil(size / args.per_user))
    phases = []
    async with sandbox_process(users_count, args.per_user, args.latency_ms) as (url, users):
        for database in databases:
            key = Fernet.generate_key().decode()
            async with fresh_database(
                database, args.postgres, tmp, f"bench_pollers_{os.getpid()}_{size}"
            ) as db_url:
                db = Database(async_database_url(db_url))
                await db.upgrade()
                await store_seeded(
                    db, TokenCipher((key,)), users, team_id="T0BENCH", checked_at=None,
                )  # fmt: skip
                async with db.sessions.begin() as session:  # the orders were last looked at an hour ago
                    await session.execute(
                        update(PendingOrder).values(updated_at=utcnow() - timedelta(hours=1))
                    )
                await db.dispose()
                env = {
                    "SLACK_SIGNING_SECRET": "bench-signing-secret",
                    "SLACK_BOT_TOKEN": "xoxb-bench",
                    "SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing is posted: nothing fires
                    "AUTH0_DOMAIN": url,
                    "AUTOSHARES_API_URL": url,
                    "AUTH0_CLIENT_ID": "sandbox-client",
                    "AUTH0_CLIENT_SECRET": "sandbox-secret",
                    "AUTOSHARES_APP_KEY": "sandbox-app-key",
                    "DATABASE_URL": db_url,
                    "TOKEN_ENCRYPTION_KEY": key,
                    "POLL_CONCURRENCY": str(args.concurrency),
                }
                for kind in ("alerts", "orders"):
                    intervals = {
                        "ALERT_POLL_SECONDS": str(args.interval if kind == "alerts" else QUIET),
                        "ORDER_POLL_SECONDS": str(args.interval if kind == "orders" else QUIET),
                    }
                    phase = await run_phase(kind, {**env, **intervals}, users, args.passes, database)
                    print(phase.line(), flush=True)
                    phases.append(phase)
    return phases


async def bench(args: argparse.Namespace) -> None:
    databases = ["sqlite"]
    problem = await postgres_problem(args.postgres) if "postgresql" in args.databases else "not asked for"
    if problem is None:
        databases.append("postgresql")
    print(
        f"poller passes: {args.per_user} alerts and {args.per_user} open orders per user, POLL_CONCURRENCY "
        f"{args.concurrency}, a pass every {args.interval:g} s; sandbox in its own process (rate limits "
        f"on, {args.latency_ms} ms added latency); bot CPU = this process (SQLite's work included, the "
        f"PostgreSQL server's not):",
        flush=True,
    )
    if problem is not None and "postgresql" in args.databases:
        print(f"  postgresql skipped: {problem}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-pollers-db-") as tmp:
        for size in args.sizes:
            await bench_size(size, args, databases, Path(tmp))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10,1000,10000", help="alerts (and open orders) in all")
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every sandbox answer")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a server to create a database on")
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--world", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_sandbox:
        asyncio.run(_serve_sandbox(args.users, args.per_user, args.latency_ms, Path(args.world)))
        return
    args.sizes = [int(s) for s in str(args.sizes).split(",") if s.strip()]
    args.databases = [d.strip() for d in str(args.databases).split(",") if d.strip()]
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()

"""Alert fan-out: many triggers at once, spread over channels, with Slack refusing some posts.

The bot's services run in this process with their background loops (the outbox among them)
against the local Slack stand-in, which answers every tenth ``chat.postMessage`` with ``429``
and ``Retry-After: 1``. ``--triggers`` alert routes are spread evenly over ``--channels``
channels and all fire at once (each fire writes its message to the outbox in the same
transaction). The figures: the time until every message is posted, each channel's posts per
second, the shortest gap between two posts to one channel, and how many triggers were posted
other than exactly once. Prints figures, asserts nothing.

Run: ``python -m bench.bench_fanout [--triggers 1000] [--channels 20] [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal

from bot.app.pollers import Pollers
from bot.app.settings import Settings
from bot.app.wiring import Services
from bot.devkit.demo import local_world
from bot.devkit.localslack import ScriptedFailure
from sandbox.config import SandboxConfig

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
#: Each route's threshold is unique, so a post names the trigger it announces.
FIRST_THRESHOLD = 1000


def trigger_of(text: str) -> int | None:
    """The threshold a posted alert names (which trigger it announces)."""
    found = re.search(r"\$([\d,]+)\.00", text)
    return int(found.group(1).replace(",", "")) if found else None


async def measure(triggers: int, channels: int, database_url: str | None) -> None:
    config = SandboxConfig(tick_seconds=0, rate_limits=False)
    async with local_world(
        config,
        signing_secret=SIGNING_SECRET,
        port=3000,
        prefix="autoshares-bench-",
        AUTOSHARES_WEBHOOK_SECRET="bench-webhook-secret",
    ) as world:
        slack, env = world.slack, world.env
        if database_url:
            env["DATABASE_URL"] = database_url
        services = await Services.create(Settings.from_env(env))
        routes = services.core.alerts.routes
        try:
            for i in range(triggers):
                await routes.create(
                    alert_id=500_000 + i,
                    team_id=slack.team_id,
                    slack_user_id=f"U0FAN{i % 50:03d}",
                    autoshares_user_id=1,
                    channel_id=f"C0FAN{i % channels:03d}",
                    symbol="AAPL",
                    security_id=1,
                    operator="GTEQ",
                    field="Last",
                    argument=Decimal(FIRST_THRESHOLD + i),
                    expires_at=None,
                )
            slack.fail_every("chat.postMessage", 10, ScriptedFailure("ratelimited", 429, "1"))
            pollers = Pollers.of(services)
            started = time.monotonic()
            await asyncio.gather(
                *(
                    routes.fire(500_000 + i, event_id=f"bench-{i}", source="webhook", price=None)
                    for i in range(triggers)
                )
            )
            fired = time.monotonic() - started
            pollers.start()
            try:
                await slack.wait_until(
                    lambda: len(slack.by_method("chat.postMessage")) >= triggers, timeout=triggers * 2
                )
                drained = time.monotonic() - started
            finally:
                await pollers.stop()
        finally:
            await services.aclose()

    posts = slack.by_method("chat.postMessage")
    per_trigger = Counter(trigger_of(str(p.args.get("text", ""))) for p in posts)
    not_once = sum(1 for i in range(triggers) if per_trigger[FIRST_THRESHOLD + i] != 1)
    times: dict[str, list[float]] = defaultdict(list)
    for post in posts:
        times[str(post.args.get("channel"))].append(post.at)
    rates, gaps = [], []
    for at in times.values():
        at.sort()
        if len(at) > 1:
            rates.append((len(at) - 1) / (at[-1] - at[0]))
            gaps.append(min(b - a for a, b in zip(at, at[1:], strict=False)))
    print(f"{triggers} triggers over {channels} channels, every 10th post answered 429 (Retry-After 1)")
    print(f"  fired (outbox rows written):   {fired:8.2f} s")
    print(f"  drained (all posted):          {drained:8.2f} s")
    print(f"  posts refused by Slack:        {len(slack.refused):8d}")
    print(f"  triggers not posted once:      {not_once:8d}")
    print(
        f"  posts per channel per second:  {statistics.mean(rates):8.2f} mean, {max(rates):.2f} max "
        f"(Slack allows 1)"
    )
    print(f"  shortest gap in one channel:   {min(gaps):8.2f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triggers", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--database-url", help="postgresql://… (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    asyncio.run(measure(args.triggers, args.channels, args.database_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Slack's pace shared by replicas: three bot processes' outbox workers on one database post a
burst of alert triggers into a few channels.

Three replicas (three ``Services`` on one database, each with its own engine, Slack client and
outbox worker) deliver ``--triggers`` alert triggers spread over ``--channels`` channels through
the local Slack stand-in. Every channel's next slot is one database row (``storage.pacing``), so
the figures to read are the shortest gap between two posts to one channel, as a share of the
pace (1.00 and above: no channel ever took two posts inside one pace, whichever replica sent
them), and how many posts came closer than 0.95 of the pace after the previous one in their
channel: the posts Slack would refuse with 429 for our own pace. Each replica's share of the
posts shows that the work was split. Prints figures, asserts nothing.

By default it runs Slack's real pace (1 s) with 60 triggers (about 20 s). ``--pace 0.1
--triggers 300`` runs 300 in about as long on a scaled pace; read its gap as a share of the pace,
knowing that the scheduling jitter of one event loop (three replicas, the local Slack and the
sandbox share it here) weighs ten times more against 0.1 s than against Slack's 1 s.

Run: ``python -m bench.bench_pace [--triggers 60] [--channels 3] [--replicas 3] [--pace 1]
[--database-url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal

from bot.app.settings import Settings
from bot.app.wiring import Services
from bot.devkit.demo import local_world
from bot.devkit.localslack import LocalSlack
from sandbox.config import SandboxConfig

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
FIRST_ALERT = 700_000
#: Closer than this share of the pace after the channel's previous post, Slack would refuse it.
TOO_CLOSE = 0.95


async def owe(services: Services, slack: LocalSlack, triggers: int, channels: int) -> None:
    """Fire ``triggers`` alert routes spread over ``channels`` channels: one outbox row each."""
    routes = services.core.alerts.routes
    for i in range(triggers):
        await routes.create(
            alert_id=FIRST_ALERT + i,
            team_id=slack.team_id,
            slack_user_id=f"U0PACE{i % 20:03d}",
            autoshares_user_id=1,
            channel_id=f"C0PACE{i % channels:03d}",
            symbol="AAPL",
            security_id=1,
            operator="GTEQ",
            field="Last",
            argument=Decimal(1000 + i),
            expires_at=None,
        )
    for i in range(triggers):
        await routes.fire(FIRST_ALERT + i, event_id=f"pace-{i}", source="webhook", price=None)


async def work(services: Services, slack: LocalSlack, triggers: int, posted: Counter[int], name: int) -> None:
    """One replica's outbox worker: deliver what is due, as its poller loop would, until every
    trigger is posted."""
    delivery = services.delivery
    while len(slack.by_method("chat.postMessage")) < triggers:
        posted[name] += await delivery.run_once()
        await asyncio.sleep(0.02)
    await delivery.idle()


async def measure(triggers: int, channels: int, replicas: int, pace: float, database_url: str | None) -> None:
    config = SandboxConfig(tick_seconds=0, rate_limits=False)
    async with local_world(config, signing_secret=SIGNING_SECRET, port=3000, prefix="autoshares-pace-") as world:
        slack, env = world.slack, world.env
        env["CHANNEL_PACE_SECONDS"] = str(pace)
        if database_url:
            env["DATABASE_URL"] = database_url
        fleet = [await Services.create(Settings.from_env(env)) for _ in range(replicas)]
        posted: Counter[int] = Counter()
        try:
            await owe(fleet[0], slack, triggers, channels)
            started = time.monotonic()
            await asyncio.wait_for(
                asyncio.gather(*(work(s, slack, triggers, posted, n) for n, s in enumerate(fleet))),
                timeout=triggers * pace * 3 + 30,
            )
            drained = time.monotonic() - started
        finally:
            for services in fleet:
                await services.aclose()
    report(slack, triggers, channels, replicas, pace, drained, posted)


def report(
    slack: LocalSlack, triggers: int, channels: int, replicas: int, pace: float, drained: float, posted: Counter[int]
) -> None:
    times: dict[str, list[float]] = defaultdict(list)
    for post in slack.by_method("chat.postMessage"):
        times[str(post.args.get("channel"))].append(post.at)
    gaps = []
    for at in times.values():
        at.sort()
        gaps += [b - a for a, b in zip(at, at[1:], strict=False)]
    shortest = min(gaps)
    too_close = sum(1 for gap in gaps if gap < TOO_CLOSE * pace)
    print(f"{triggers} triggers over {channels} channels, {replicas} replicas on one database, pace {pace:g} s")
    print(f"  drained (all posted):          {drained:8.2f} s (at least {(triggers / channels - 1) * pace:.2f} s)")
    print(f"  posts started per replica:     {'  '.join(str(posted[n]) for n in range(replicas))}")
    print(f"  shortest gap in one channel:   {shortest:8.3f} s = {shortest / pace:.2f} × the pace")
    print(f"  posts Slack would refuse (429 for our pace, gap < {TOO_CLOSE} × pace): {too_close}")
    print(f"  posts Slack refused:           {len(slack.refused):8d}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triggers", type=int, default=60)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between two posts to one channel")
    parser.add_argument("--database-url", help="postgresql://… (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    asyncio.run(measure(args.triggers, args.channels, args.replicas, args.pace, args.database_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

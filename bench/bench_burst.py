"""A burst: 200 signed commands at once at the full app, with AutoShares taking 2 s a call.

The bot runs as ``autoshares-bot serve`` in a process of its own (a core to itself, as in
production) against the local sandbox (``LatencyMs`` on every AutoShares call) and the local
Slack stand-in, both in this process with the load, with the production defaults (``COMMAND_DEADLINE_SECONDS``
10, ``COMMAND_CONCURRENCY`` 100, ``ACK_DATABASE_SECONDS`` 1.5) unless told otherwise. One linked
user sends ``--count`` copies of `/order buy 1 MSFT limit 95` (a preview), all at once, then as
many `/autoshares account`. For each burst it prints every ack's latency (p50, p99, max), how
many came after Slack's 3 s and how many were answered in the ack itself (the write before the
ack ran out of ``ACK_DATABASE_SECONDS``: the bot busy, or the database unreachable), then how long the answers took and what they said: the answer
itself, "the bot is busy" (the call waited out the deadline in the bot's own pool) or "AutoShares
did not answer in time". Prints figures, asserts nothing.

Run: ``python -m bench.bench_burst [--count 200] [--latency-ms 2000] [--command-concurrency 100]
[--database-url postgresql://…]`` (a PostgreSQL database is migrated and its tables used as
they are: give it an empty one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx

from bot.app.serving import bind_socket
from bot.devkit.demo import local_world
from bot.devkit.driver import SlackDriver, browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack
from handlers.errors import ACK_BUSY, BUSY, DATABASE_UNREACHABLE
from sandbox.config import SandboxConfig

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
USER = "U0BOB"
FORM = "application/x-www-form-urlencoded"
BURSTS = (("/order", "buy 1 MSFT limit 95"), ("/autoshares", "account"))
WORKING = "Working on it"
TIMED_OUT = "did not answer in time"
SLACK_ACK_SECONDS = 3.0


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def spread(values: Sequence[float]) -> str:
    return f"p50 {percentile(values, 50):.2f} s, p99 {percentile(values, 99):.2f} s, max {max(values):.2f} s"


@dataclass
class Burst:
    acks: list[float]
    statuses: list[int]
    at_ack: list[str]  # what was said in the ack's own body (the write before it ran out of time)
    answers: list[tuple[float, str]]  # seconds after sending, what the answer said

    def report(self, name: str) -> None:
        late = sum(1 for a in self.acks if a > SLACK_ACK_SECONDS)
        refused = sum(1 for s in self.statuses if s != 200)
        print(f"{name}: {len(self.acks)} commands at once")
        print(f"  acks     {spread(self.acks)}; {late} over {SLACK_ACK_SECONDS:g} s, {refused} not 200")
        busy, unreachable = self.at_ack.count(ACK_BUSY), self.at_ack.count(DATABASE_UNREACHABLE)
        print(f"           answered in the ack, not handled: {busy} busy, {unreachable} database unreachable")
        kinds = {"answered": 0, "busy": 0, "AutoShares timed out": 0, "other error": 0}
        for _, text in self.answers:
            kinds[classify(text)] += 1
        times = [t for t, _ in self.answers]
        print(f"  answers  {spread(times)}" if times else "  answers  none")
        print("           " + ", ".join(f"{count} {kind}" for kind, count in kinds.items()), flush=True)


def classify(text: str) -> str:
    if BUSY in text:
        return "busy"
    if TIMED_OUT in text:
        return "AutoShares timed out"
    if "Please try again" in text or "went wrong" in text:
        return "other error"
    return "answered"


def final_answer(slack: LocalSlack, path: str) -> Any | None:
    """The first message at ``path`` that is not "working on it", if any yet."""
    return next(
        (c for c in slack.by_method("response_url") if c.path == path and WORKING not in str(c.args.get("text"))),
        None,
    )


async def burst(driver: SlackDriver, slack: LocalSlack, slash: str, text: str, count: int) -> Burst:
    """Send ``count`` commands at once; time each ack, then wait for every answer."""
    bodies = [driver.command_body(slash, text, user=USER) for _ in range(count)]
    paths = ["/" + parse_qs(b)["response_url"][0].split("/", 3)[3] for b in bodies]

    async def send(body: str) -> tuple[float, int, str]:
        started = time.perf_counter()
        response = await driver.post(body, FORM)
        said = str(response.json().get("text", "")) if response.content else ""
        return time.perf_counter() - started, response.status_code, said

    sent = time.time()
    acked = await asyncio.gather(*(send(b) for b in bodies))
    # A command answered in its ack was not handled: no answer will come at its response_url.
    paths = [p for p, (_, _, said) in zip(paths, acked, strict=True) if not said]
    try:
        await slack.wait_until(lambda: all(final_answer(slack, p) for p in paths), timeout=60)
    except TimeoutError:
        pass  # report what came
    answers = [(a.at - sent, str(a.args.get("text"))) for p in paths if (a := final_answer(slack, p))]
    return Burst([a for a, _, _ in acked], [s for _, s, _ in acked], [t for _, _, t in acked], answers)


async def link(driver: SlackDriver, slack: LocalSlack, http: httpx.AsyncClient) -> None:
    """Link the user, and preview one order so that their default account is known."""
    slack.sign_in_as(USER)
    await driver.command("/autoshares", "link", user=USER)

    def sign_in_urls() -> list[str]:
        calls = slack.by_method("response_url")
        return [b["url"] for c in calls for b in buttons(c.args.get("blocks") or []) if b.get("url")]

    await slack.wait_until(sign_in_urls)
    await browser_sign_in(http, sign_in_urls()[0], username="bob", password="sandbox")
    body = driver.command_body("/order", "buy 1 MSFT limit 95", user=USER)
    await driver.post(body, FORM)
    path = "/" + parse_qs(body)["response_url"][0].split("/", 3)[3]
    await slack.wait_until(lambda: final_answer(slack, path), timeout=30)


@contextlib.asynccontextmanager
async def serving(env: dict[str, str], http: httpx.AsyncClient) -> AsyncIterator[asyncio.subprocess.Process]:
    """``autoshares-bot serve`` in a process of its own, so that the load, the sandbox and the
    local Slack in this one do not share its core; ready once ``/healthz`` answers."""
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        env={**os.environ, **env, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(60):
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(env["PUBLIC_URL"] + "healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)  # noqa: ASYNC110 - the child process offers nothing to wait on
        yield bot
    finally:
        if bot.returncode is None:
            bot.terminate()
        await bot.wait()


async def measure(count: int, latency_ms: int, extra: dict[str, str]) -> None:
    config = SandboxConfig(tick_seconds=0, rate_limits=False)
    sock = bind_socket()
    port = sock.getsockname()[1]
    sock.close()  # the bot's process binds it
    async with local_world(config, signing_secret=SIGNING_SECRET, port=port, prefix="autoshares-bench-") as world:
        slack, sandbox = world.slack, world.sandbox
        limits = httpx.Limits(max_connections=count + 10, max_keepalive_connections=count + 10)
        async with (
            httpx.AsyncClient(timeout=60, limits=limits) as http,
            serving({**world.env, **extra}, http),
        ):
            driver = SlackDriver(http, world.env["PUBLIC_URL"], SIGNING_SECRET, slack.base_url, team_id=slack.team_id)
            await link(driver, slack, http)
            await http.post(sandbox.url + "_sandbox/faults", json={"LatencyMs": latency_ms})
            for slash, text in BURSTS:
                result = await burst(driver, slack, slash, text, count)
                result.report(f"{slash} {text}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="commands sent at once, per burst")
    parser.add_argument("--latency-ms", type=int, default=2000, help="AutoShares latency per call")
    parser.add_argument("--command-concurrency", type=int, default=None, help="COMMAND_CONCURRENCY")
    parser.add_argument("--database-url", default=None, help="DATABASE_URL (default: a new SQLite file)")
    args = parser.parse_args(argv)
    extra = {"WORKING_MESSAGE_SECONDS": "0.5"}
    if args.command_concurrency is not None:
        extra["COMMAND_CONCURRENCY"] = str(args.command_concurrency)
    if args.database_url:
        extra["DATABASE_URL"] = args.database_url
    print(
        f"AutoShares at {args.latency_ms} ms a call, "
        f"COMMAND_CONCURRENCY={args.command_concurrency or 'default'}, "
        f"database {'PostgreSQL' if args.database_url else 'SQLite'}:"
    )
    asyncio.run(measure(args.count, args.latency_ms, extra))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time to first feedback and time to the answer, with AutoShares answering slowly.

The bot runs in this process against the local sandbox (with an injected latency on every
AutoShares call) and the local Slack stand-in, with the production defaults for the deadline
and the "working on it" message. A linked user sends `/autoshares positions`, `/quote AAPL` and
`/order buy 1 AAPL`; for each, the figures are the time from sending the command to the first
message at its response_url (the working message, or the answer when it came first) and to the
answer itself, and how many AutoShares calls the answer took. Prints figures, asserts nothing.

Run: ``python -m bench.bench_feedback [--latencies 0,1,3] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

import httpx

from bot.app.serving import bind_socket, serve_in_loop
from bot.app.settings import Settings
from bot.app.web import create_web_app
from bot.app.wiring import Services
from bot.devkit.demo import local_world
from bot.devkit.driver import SlackDriver, browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack
from sandbox.config import SandboxConfig

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
USER = "U0BOB"
COMMANDS = (("/autoshares", "positions"), ("/quote", "AAPL"), ("/order", "buy 1 AAPL"))
WORKING = "Working on it"


async def answer_times(slack: LocalSlack, response_url: str, sent: float) -> tuple[float, float]:
    """(first message, answer) in seconds after ``sent`` for posts to ``response_url``."""
    path = "/" + response_url.split("/", 3)[3]

    def posts() -> list[Any]:
        return [c for c in slack.by_method("response_url") if c.path == path]

    await slack.wait_until(lambda: any(WORKING not in str(c.args.get("text")) for c in posts()), timeout=60)
    found = posts()
    answer = next(c for c in found if WORKING not in str(c.args.get("text")))
    return found[0].at - sent, answer.at - sent


async def measure(latencies: Sequence[float], repeat: int) -> None:
    config = SandboxConfig(tick_seconds=0, rate_limits=False)
    sock = bind_socket()
    port = sock.getsockname()[1]
    async with local_world(
        config, signing_secret=SIGNING_SECRET, port=port, prefix="autoshares-bench-"
    ) as world:
        slack, sandbox = world.slack, world.sandbox
        settings = Settings.from_env(world.env)
        services = await Services.create(settings)
        app = create_web_app(services, close_services=False)
        try:
            async with httpx.AsyncClient(timeout=60) as http, serve_in_loop(app, sock=sock) as server:
                driver = SlackDriver(http, server.url, SIGNING_SECRET, slack.base_url, team_id=slack.team_id)
                slack.sign_in_as(USER)
                await driver.command("/autoshares", "link", user=USER)
                await slack.wait_until(
                    lambda: any(buttons(c.args.get("blocks") or []) for c in slack.by_method("response_url"))
                )
                url = next(
                    b["url"]
                    for c in slack.by_method("response_url")
                    for b in buttons(c.args.get("blocks") or [])
                    if b.get("url")
                )
                await browser_sign_in(http, url, username="bob", password="sandbox")
                body = driver.command_body("/order", "buy 1 AAPL", user=USER)  # sets the default account
                await driver.post(body, "application/x-www-form-urlencoded")
                await answer_times(slack, parse_qs(body)["response_url"][0], time.time())
                print(
                    f"{'command':<24}{'AutoShares latency':>20}{'first feedback':>17}{'answer':>10}{'calls':>7}"
                )
                for latency in latencies:
                    await http.post(sandbox.url + "_sandbox/faults", json={"LatencyMs": int(latency * 1000)})
                    for slash, text in COMMANDS:
                        firsts, answers, calls = [], [], []
                        for _ in range(repeat):
                            before = (await http.get(sandbox.url + "_sandbox/stats")).json()
                            body = driver.command_body(slash, text, user=USER)
                            sent = time.time()
                            await driver.post(body, "application/x-www-form-urlencoded")
                            first, answer = await answer_times(slack, parse_qs(body)["response_url"][0], sent)
                            after = (await http.get(sandbox.url + "_sandbox/stats")).json()
                            firsts.append(first)
                            answers.append(answer)
                            calls.append(
                                sum(after["ApiRequests"].values()) - sum(before["ApiRequests"].values())
                            )
                        print(
                            f"{slash + ' ' + text:<24}{latency:>18.1f} s{statistics.mean(firsts):>15.2f} s"
                            f"{statistics.mean(answers):>8.2f} s{statistics.mean(calls):>7.0f}",
                            flush=True,
                        )
        finally:
            await services.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latencies", default="0,1,3", help="AutoShares latencies to try, in seconds")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each command per latency")
    args = parser.parse_args(argv)
    print(
        "time from sending a command to the first message the user sees, and to the answer "
        "(WORKING_MESSAGE_SECONDS=0.5, COMMAND_DEADLINE_SECONDS=10); calls = AutoShares requests:"
    )
    asyncio.run(measure([float(x) for x in args.latencies.split(",")], args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

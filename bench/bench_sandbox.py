"""Throughput of the sandbox's trading API: GET /v1.0/accounts/{id}/positions, limits off.

Prints requests/second; asserts nothing (figures belong in benchmarks, not tests). The server
and the load generator share one process and one event loop, so the figure is a floor for the
sandbox alone. Run: ``python -m bench.bench_sandbox [--seconds 3] [--concurrency 16]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from sandbox import SandboxConfig, running_sandbox

SYMBOLS = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY", "QQQ", "KO")
PARAMS = {"pageNumber": 0, "pageSize": 50, "sortField": "Symbol", "desc": "false"}


@dataclass(frozen=True)
class BenchResult:
    requests: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def bench_positions(seconds: float = 3.0, concurrency: int = 16) -> BenchResult:
    """Hammer the positions endpoint of an account holding ten positions."""
    config = SandboxConfig(rate_limits=False, tick_seconds=0)
    async with running_sandbox(config) as sb:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=sb.url, limits=limits, trust_env=False) as client:
            login = await client.post("token", headers={
                "Et-App-Key": config.app_key, "Username": "bob", "Password": "sandbox"})
            headers = {"Authorization": f"Bearer {login.json()['Token']}",
                       "Et-App-Key": config.app_key}
            for symbol in SYMBOLS:
                await client.post("v1.0/accounts/5002/orders", headers=headers, json={
                    "Symbol": symbol, "Side": "Buy", "Type": "Market", "Quantity": 1})
            counts = [0, 0]
            deadline = time.perf_counter() + seconds

            async def worker() -> None:
                while time.perf_counter() < deadline:
                    response = await client.get(
                        "v1.0/accounts/5002/positions", params=PARAMS, headers=headers)
                    counts[0 if response.status_code == 200 else 1] += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
    return BenchResult(counts[0], counts[1], elapsed)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    result = asyncio.run(bench_positions(args.seconds, args.concurrency))
    print(
        f"sandbox GET /v1.0/accounts/{{id}}/positions (10 positions, rate limits off, "
        f"concurrency {args.concurrency}): {result.per_second:,.0f} requests/s "
        f"({result.requests} ok, {result.errors} errors in {result.seconds:.2f} s)"
    )


if __name__ == "__main__":
    main()

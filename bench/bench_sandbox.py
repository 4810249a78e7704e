"""Throughput of the sandbox's trading API: GET /v1.0/accounts/{id}/positions, limits off.

Prints requests/second; asserts nothing (figures belong in benchmarks, not tests). The server
and the load generator share one process and one event loop, so the figure is a floor for the
sandbox alone. The load comes from a minimal keep-alive HTTP/1.1 client on raw asyncio streams:
httpx spends more time per request than the sandbox does, and would measure itself.
Run: ``python -m bench.bench_sandbox [--seconds 3] [--concurrency 16]``.
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
PARAMS: dict[str, str | int] = {"pageNumber": 0, "pageSize": 50, "sortField": "Symbol", "desc": "false"}


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
            login = await client.post(
                "token", headers={"Et-App-Key": config.app_key, "Username": "bob", "Password": "sandbox"}
            )
            headers = {"Authorization": f"Bearer {login.json()['Token']}", "Et-App-Key": config.app_key}
            for symbol in SYMBOLS:
                await client.post(
                    "v1.0/accounts/5002/orders",
                    headers=headers,
                    json={"Symbol": symbol, "Side": "Buy", "Type": "Market", "Quantity": 1},
                )
            probe = await client.get("v1.0/accounts/5002/positions", params=PARAMS, headers=headers)
            assert probe.json()["TotalCount"] == len(SYMBOLS), probe.text
        query = "&".join(f"{k}={v}" for k, v in PARAMS.items())
        request = (
            f"GET /v1.0/accounts/5002/positions?{query} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{sb.port}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            + "Accept: application/json\r\n\r\n"
        ).encode()
        counts = [0, 0]
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", sb.port)
            try:
                while time.perf_counter() < deadline:
                    writer.write(request)
                    status = await _read_response(reader)
                    counts[0 if status == 200 else 1] += 1
            finally:
                writer.close()
                await writer.wait_closed()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return BenchResult(counts[0], counts[1], elapsed)


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response with a Content-Length body; return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")
    )
    await reader.readexactly(length)
    return status


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

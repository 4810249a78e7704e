"""Acks per second and ack latency: the full bot against a bare AsyncApp + Starlette + uvicorn.

Both servers get signed ``/autoshares help`` slash commands, each with its own trigger_id as Slack
sends them, over keep-alive HTTP/1.1 on loopback (the bot acknowledges a body it has seen before
without handling it, so a repeated body would measure only that). Each acks and does its work in
a Bolt lazy listener, answering through ``response_url`` (the bare app answers a fixed text; the
bot runs its real ``help``: a database read and the rendered help). The server runs in its own
process (``serve`` below) so it has a core to itself; this process generates the load with a
minimal raw-asyncio client (httpx would measure itself) and receives the ``response_url`` posts.

The full app runs on SQLite (a file in a temporary folder) and on PostgreSQL (a database of its
own, created on ``--postgres``'s server and dropped after; skipped, saying why, when the server
does not answer), each right after a bare run, and is compared with it: its share of bare
Bolt's acks per second (target 60 % or more) and its p99 over bare Bolt's (target 2× or less).
Beside each run: the server process's CPU time per ack (all its threads; SQLite's work is in
it, a PostgreSQL server's is not), the one figure a busy machine disturbs least. Prints figures
and asserts nothing.

Run: ``python -m bench.bench_ack [--seconds 3] [--connections 16] [--databases sqlite,postgresql]
[--profile FILE]`` (``make bench`` runs all); ``--profile`` writes each full server's CPU profile
(cProfile, from its first request) to ``FILE.sqlite`` and ``FILE.postgresql``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
REPO = Path(__file__).resolve().parent.parent
WARMUP_SECONDS = 0.5
# What the sink answers to everything: fine for a response_url post, and a valid auth.test.
_SINK_BODY = b'{"ok":true,"team_id":"T0BENCH","team":"bench","user_id":"U0BOT","bot_id":"B0BOT","url":"https://bench.slack.com/"}'
SINK_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_SINK_BODY)).encode()
    + b"\r\n\r\n"
    + _SINK_BODY
)


@dataclass(frozen=True)
class AckResult:
    name: str
    acks: int
    errors: int
    seconds: float
    latencies: list[float]  # seconds, one per ack
    server_mean: float | None = None  # mean ack time inside the bot (its own histogram)
    cpu_seconds: float | None = None  # the server process's CPU time over the measured seconds

    @property
    def per_second(self) -> float:
        return self.acks / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# -- the servers (run in a child process) ---------------------------------------------------------
def _bare_app(sink: str, *, answer: bool) -> object:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.routing import Route

    client = AsyncWebClient(token="xoxb-bench", base_url=sink + "api/")
    app = AsyncApp(signing_secret=SIGNING_SECRET, client=client, process_before_response=True)

    async def ack(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    async def work(respond) -> None:  # type: ignore[no-untyped-def]
        if answer:
            await respond(text="help")

    app.command("/autoshares")(ack=ack, lazy=[work])
    handler = AsyncSlackRequestHandler(app)

    async def events(request):  # type: ignore[no-untyped-def]
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


EXTRA = dict(item.split("=", 1) for item in os.environ.get("BENCH_EXTRA", "").split(",") if item)


async def _full_app(sink: str, database_url: str) -> object:
    from cryptography.fernet import Fernet

    from bot.app.settings import Settings
    from bot.app.web import create_web_app
    from bot.app.wiring import Services

    settings = Settings.from_env(
        {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_URL": sink + "api/",
            # help makes no AutoShares call; nothing listens here
            "AUTH0_DOMAIN": "http://127.0.0.1:9/",
            "AUTOSHARES_API_URL": "http://127.0.0.1:9/",
            "AUTH0_CLIENT_ID": "bench",
            "AUTH0_CLIENT_SECRET": "bench",
            "AUTOSHARES_APP_KEY": "bench",
            "DATABASE_URL": database_url,
            "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            **EXTRA,
        }
    )
    return create_web_app(await Services.create(settings))


async def _serve(kind: str, sink: str, database_url: str | None, profiler: Any = None) -> None:
    import uvicorn

    from bot.app.serving import bind_socket

    if kind == "full":
        assert database_url, "the full app needs --database-url"
        app = await _full_app(sink, database_url)
    else:
        app = _bare_app(sink, answer=kind == "bare")
    sock = bind_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    if profiler is not None:
        profiler.enable()  # the requests, not the imports and the start-up
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    await task


def serve(kind: str, sink: str, database_url: str | None, profile: str | None) -> None:
    """The child's main: serve until SIGTERM (uvicorn stops gracefully), profiled if asked."""
    import signal

    # uvicorn stops on SIGTERM and then raises it again: end normally (statistics written).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if profile is None:
        asyncio.run(_serve(kind, sink, database_url))
        return
    import cProfile

    profiler = cProfile.Profile(time.thread_time)  # CPU time: the machine may be busy
    try:
        asyncio.run(_serve(kind, sink, database_url, profiler))
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


# -- the load (this process) ----------------------------------------------------------------------
def signed_command(port: int, sink: str, number: int = 1) -> bytes:
    """One complete HTTP request: a slash command Slack would send, signed, its trigger_id
    made from ``number``."""
    from bot.devkit.driver import sign

    body = urlencode(
        {
            "team_id": "T0BENCH",
            "team_domain": "bench",
            "channel_id": "C0BENCH",
            "channel_name": "bench",
            "user_id": "U0BENCH",
            "user_name": "bench",
            "command": "/autoshares",
            "text": "help",
            "api_app_id": "A0BENCH",
            "response_url": sink + "response/1",
            "trigger_id": f"{number}.1.bench",
        }
    )
    headers = sign(SIGNING_SECRET, body)
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    )
    return head.encode() + body.encode()


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked); return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


@contextlib.asynccontextmanager
async def response_sink() -> AsyncIterator[tuple[str, list[int]]]:
    """A tiny HTTP server answering 200 to every response_url post and Web API call."""
    received = [0]

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                await reader.readexactly(length)
                received[0] += 1
                writer.write(SINK_ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/", received
    finally:
        server.close()


@dataclass(frozen=True)
class Server:
    """A running ``serve`` child: its port and process id."""

    port: int
    pid: int


@contextlib.asynccontextmanager
async def server_process(
    kind: str,
    sink: str,
    stderr: int | None = None,
    *,
    database_url: str | None = None,
    profile: str | None = None,
) -> AsyncIterator[Server]:
    """Start ``serve`` in a child process; yield its port and pid; stop it gracefully. With
    ``profile`` the child runs under cProfile and writes its statistics there when it stops."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bench_ack", "--serve", kind, "--sink", sink,
        *(["--database-url", database_url] if database_url else []),
        *(["--profile", profile] if profile else []),
        stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=REPO,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = (await asyncio.wait_for(child.stdout.readline(), 60)).decode()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the {kind} server did not start: {line!r}")
        yield Server(int(line.split()[1]), child.pid)
    finally:
        if child.returncode is None:
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), 20)
            except TimeoutError:
                child.kill()
                await child.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, all its threads (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed_commands(port: int, sink: str) -> Iterator[bytes]:
    """Endless distinct signed commands."""
    return (signed_command(port, sink, number) for number in itertools.count(1))


async def load(
    port: int, requests: Iterator[bytes], seconds: float, connections: int, pid: int | None = None
) -> tuple[int, int, float, list[float], float | None]:
    """Keep ``connections`` keep-alive connections busy for ``seconds`` after a warm-up; also
    returns the CPU seconds process ``pid`` spent during the measured seconds."""
    latencies: list[float] = []
    counts = [0, 0]
    started = time.perf_counter()
    measure_from = started + WARMUP_SECONDS
    deadline = measure_from + seconds
    cpu: list[float] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (now := time.perf_counter()) < deadline:
                writer.write(next(requests))
                status = await read_response(reader)
                if now >= measure_from:
                    latencies.append(time.perf_counter() - now)
                    counts[0 if status == 200 else 1] += 1
        finally:
            writer.close()

    async def meter() -> None:
        if pid is None:
            return
        await asyncio.sleep(measure_from - time.perf_counter())
        cpu.append(cpu_seconds(pid))
        await asyncio.sleep(max(deadline - time.perf_counter(), 0))
        cpu.append(cpu_seconds(pid))

    await asyncio.gather(meter(), *(worker() for _ in range(connections)))
    used = cpu[1] - cpu[0] if len(cpu) == 2 else None
    return counts[0], counts[1], time.perf_counter() - measure_from, latencies, used


async def scrape_ack_mean(port: int) -> float | None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
    text = (await reader.read()).decode()
    writer.close()
    values = {}
    for line in text.splitlines():
        if line.startswith("autoshares_slack_ack_seconds_") and 'kind="command"' in line:
            name = line.split("{", 1)[0]
            values[name] = float(line.rsplit(" ", 1)[1])
    count = values.get("autoshares_slack_ack_seconds_count")
    return values["autoshares_slack_ack_seconds_sum"] / count if count else None


KINDS = {
    "bare-noop": "bare Bolt, lazy work does nothing",
    "bare": "bare Bolt, lazy work answers",
    "full": "AutoShares for Slack (full app)",
}
#: The targets: the full app at this share of bare Bolt's acks per second (or more) ...
TARGET_SHARE = 0.60
#: ... and its p99 at most this many times bare Bolt's, in the same run.
TARGET_P99_RATIO = 2.0


async def bench(
    kind: str,
    seconds: float,
    connections: int,
    *,
    database_url: str | None = None,
    profile: str | None = None,
) -> AckResult:
    async with (
        response_sink() as (sink, _received),
        server_process(kind, sink, database_url=database_url, profile=profile) as server,
    ):
        acks, errors, elapsed, latencies, cpu = await load(
            server.port, signed_commands(server.port, sink), seconds, connections, server.pid
        )
        await asyncio.sleep(0.5)  # let the lazy answers drain before reading the histogram
        mean = await scrape_ack_mean(server.port) if kind == "full" else None
    return AckResult(KINDS[kind], acks, errors, elapsed, latencies, mean, cpu)


def result_line(r: AckResult, label: str | None = None) -> str:
    mean = statistics.fmean(r.latencies) * 1000 if r.latencies else 0.0
    cpu = f"  CPU {r.cpu_seconds * 1000 / r.acks:5.2f} ms/ack" if r.cpu_seconds is not None and r.acks else ""
    inside = f"  server-side ack {r.server_mean * 1000:.2f} ms mean" if r.server_mean else ""
    return (
        f"  {label or r.name:<40} {r.per_second:>7,.0f} acks/s  p50 {r.percentile(50) * 1000:6.2f} ms  "
        f"p99 {r.percentile(99) * 1000:6.2f} ms  mean {mean:6.2f} ms  ({r.acks} ok, {r.errors} errors)"
        f"{cpu}{inside}"
    )


def verdict(full: AckResult, bare: AckResult) -> str:
    """The full app against bare Bolt doing an answer, measured just before it."""
    share = full.per_second / bare.per_second if bare.per_second else float("nan")
    p99 = full.percentile(99) / bare.percentile(99) if bare.latencies else float("nan")
    met = share >= TARGET_SHARE and p99 <= TARGET_P99_RATIO
    return (
        f"    full/bare: {share:.0%} of the acks per second (target ≥ {TARGET_SHARE:.0%}), p99 {p99:.2f}× "
        f"(target ≤ {TARGET_P99_RATIO:g}×): {'targets met' if met else 'targets NOT met'}"
    )


def header(seconds: float, connections: int) -> str:
    return (
        f"acks of signed `/autoshares help` (work in a lazy listener), {connections} keep-alive "
        f"connections, {seconds:g} s after a {WARMUP_SECONDS:g} s warm-up, each server in its own "
        "process, loopback; CPU = the server process, all its threads (a PostgreSQL server's not):"
    )


async def run_all(args: argparse.Namespace) -> None:
    from bench.bench_pollers import fresh_database, postgres_problem

    print(header(args.seconds, args.connections), flush=True)
    print(result_line(await bench("bare-noop", args.seconds, args.connections)), flush=True)
    databases = list(args.databases)
    if "postgresql" in databases and (problem := await postgres_problem(args.postgres)) is not None:
        print(f"  postgresql skipped: {problem}", flush=True)
        databases.remove("postgresql")
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp:
        for database in databases:
            bare = await bench("bare", args.seconds, args.connections)
            name = f"bench_ack_{os.getpid()}"
            async with fresh_database(database, args.postgres, Path(tmp), name) as url:
                profile = f"{args.profile}.{database}" if args.profile else None
                full = await bench("full", args.seconds, args.connections, database_url=url, profile=profile)
            print(f"  {database}:", flush=True)
            print(result_line(bare, "  " + bare.name), flush=True)
            print(result_line(full, f"  {full.name}"), flush=True)
            print(verdict(full, bare), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    from bench.bench_pollers import DEFAULT_POSTGRES

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--databases", default="sqlite,postgresql", help="the full app's, in this order")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a server to create the bench's database on")
    parser.add_argument(
        "--profile", help="write each full server's cProfile statistics to PROFILE.<database>"
    )
    parser.add_argument("--serve", choices=sorted(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--sink", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.sink, args.database_url, args.profile)
        return
    args.databases = [d.strip() for d in str(args.databases).split(",") if d.strip()]
    asyncio.run(run_all(args))


if __name__ == "__main__":
    main()

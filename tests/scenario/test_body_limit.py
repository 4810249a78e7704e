"""Request bodies are capped while they are read (MAX_BODY_BYTES, 1 MiB by default), on every
route, chunked bodies included: an oversized POST costs the bot no memory and gets 413 before
any signature work."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tracemalloc
from collections.abc import AsyncIterator, Iterable, Iterator
from urllib.parse import urlsplit

import pytest

from bot.devkit.driver import sign
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.scenario.test_alerts import SECRET
from tests.scenario.test_alerts import sign as sign_webhook

MIB = 1024 * 1024
PIECE = b"x" * (64 * 1024)
#: What one oversized request may cost the process at its peak (the body itself is 100-200 MB).
MEMORY_BUDGET = 20 * MIB


def fixed_body(size: int) -> Iterator[bytes]:
    """``size`` bytes, produced a piece at a time (never held whole)."""
    sent = 0
    while sent < size:
        piece = PIECE[: size - sent]
        sent += len(piece)
        yield piece


def chunked_body(size: int) -> Iterator[bytes]:
    """``size`` bytes in HTTP/1.1 chunked encoding, a piece at a time."""
    for piece in fixed_body(size):
        yield b"%x\r\n" % len(piece)
        yield piece
        yield b"\r\n"
    yield b"0\r\n\r\n"


async def post_raw(url: str, path: str, headers: dict[str, str], body: Iterable[bytes]) -> bytes:
    """POST over a raw socket and return the response head.

    The body is sent piece by piece until the server answers; the server may close the
    connection after answering, so a failed write only ends the sending.
    """
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    answer = asyncio.create_task(reader.readuntil(b"\r\n\r\n"))
    try:
        for piece in body:
            writer.write(piece)
            drained = asyncio.ensure_future(writer.drain())
            await asyncio.wait({drained, answer}, return_when=asyncio.FIRST_COMPLETED)
            if not drained.done():
                drained.cancel()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await drained
            if answer.done() or writer.is_closing():
                break
        try:
            return await answer
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            return getattr(error, "partial", b"")
    finally:
        answer.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def status_of(head: bytes) -> int:
    assert head.startswith(b"HTTP/1.1 "), head
    return int(head.split(b" ", 2)[1])


@contextlib.contextmanager
def peak_growth() -> Iterator[list[int]]:
    """Measure the peak of Python allocations made inside the block (bytes, in ``found[0]``)."""
    found: list[int] = []
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        yield found
        _, peak = tracemalloc.get_traced_memory()
        found.append(peak - baseline)
    finally:
        tracemalloc.stop()


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET}


async def test_a_100_mb_body_with_content_length_costs_no_memory(bot: RunningBot) -> None:
    size = 100 * MIB
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(size)}
    with peak_growth() as growth:
        head = await post_raw(bot.url, "/slack/events", headers, fixed_body(size))
    assert growth[0] < MEMORY_BUDGET, f"peak grew by {growth[0] / MIB:.1f} MiB"
    assert status_of(head) == 413
    assert b"\r\nconnection: close\r\n" in head.lower()
    await bot.services.drain()
    assert bot.services.metrics.value("autoshares_request_bodies_too_large_total") == 1


async def test_a_200_mb_chunked_body_costs_no_memory(bot: RunningBot) -> None:
    size = 200 * MIB
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    with peak_growth() as growth:
        head = await post_raw(bot.url, "/autoshares/webhooks", headers, chunked_body(size))
    assert growth[0] < MEMORY_BUDGET, f"peak grew by {growth[0] / MIB:.1f} MiB"
    assert status_of(head) == 413
    await bot.services.drain()
    assert bot.services.metrics.value("autoshares_request_bodies_too_large_total") == 1


async def streamed(body: bytes) -> AsyncIterator[bytes]:
    """httpx sends an async iterator as a chunked body (no Content-Length)."""
    for start in range(0, len(body), 1000):
        yield body[start : start + 1000]


class TestTheCapIsASetting:
    LIMIT = 4096

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "MAX_BODY_BYTES": str(self.LIMIT)}

    @pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
    async def test_one_byte_over_is_413_even_when_correctly_signed(
        self, bot: RunningBot, chunked: bool
    ) -> None:
        text = "command=%2Fautoshares&text=status&user_id=U0ALICE&team_id=T0DEMO&pad=" + "x" * self.LIMIT
        slack_body = text[: self.LIMIT + 1]
        slack_headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(SIGNING_SECRET, slack_body),
        }
        event = {"id": "evt_big", "type": "position.changed", "data": {"pad": "x" * self.LIMIT}}
        webhook_body = json.dumps(event).encode()[: self.LIMIT + 1]
        url = bot.url
        for path, body, headers in (
            ("slack/events", slack_body.encode(), slack_headers),
            ("autoshares/webhooks", webhook_body, sign_webhook(webhook_body)),
        ):
            content = streamed(body) if chunked else body
            response = await bot.http.post(url + path, content=content, headers=headers)
            assert response.status_code == 413, path
            assert response.json() == {"error": "too_large"}
        await bot.services.drain()
        assert bot.slack.by_method("response_url") == []
        assert bot.services.metrics.value("autoshares_request_bodies_too_large_total") == 2

    @pytest.mark.parametrize("size", [LIMIT - 1, LIMIT], ids=["just-under", "at"])
    async def test_a_body_at_or_just_under_the_cap_is_read(self, bot: RunningBot, size: int) -> None:
        body = json.dumps({"id": f"evt_fits_{size}", "type": "position.changed", "data": {}}).encode()
        body = body[:-1] + b" " * (size - len(body)) + b"}"
        assert len(body) == size
        for content in (body, streamed(body)):
            response = await bot.http.post(
                bot.url + "autoshares/webhooks", content=content, headers=sign_webhook(body)
            )
            assert response.status_code == 200
        unsigned = await bot.http.post(bot.driver.events_url, content=b"x" * size)
        assert unsigned.status_code == 401
        assert bot.services.metrics.value("autoshares_request_bodies_too_large_total") == 0

    async def test_a_get_with_a_body_is_capped_too(self, bot: RunningBot) -> None:
        response = await bot.http.request("GET", bot.url + "healthz", content=b"x" * (self.LIMIT + 1))
        assert response.status_code == 413
        assert response.json() == {"error": "too_large"}
        assert bot.services.metrics.value("autoshares_request_bodies_too_large_total") == 1


async def test_default_cap_is_one_mib(bot: RunningBot) -> None:
    assert bot.settings.max_body_bytes == MIB
    over = await bot.http.post(bot.url + "autoshares/webhooks", content=b"{" + b" " * MIB)
    assert over.status_code == 413

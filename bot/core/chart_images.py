"""Private charts: a chart is shown only to the user who asked for it, until they share it.

A quote's chart is a PNG kept in the database (``storage.charts``) and put in the private
answer as an image that Slack fetches from the bot at a signed, short-lived URL::

    PUBLIC_URL/charts/{id}.png?exp={unix time}&sig={hex HMAC-SHA256 of "{id}.{exp}"}

The id is random and unguessable, and the signature makes the URL unforgeable and its expiry
unchangeable, so the URL works only for whom the bot gave it to, and only for
``CHART_URL_SECONDS``; a URL with a wrong signature is refused before the database is asked.
The HMAC key is derived with HKDF from ``TOKEN_ENCRYPTION_KEY`` (one per configured key: the
first signs, all verify, so rotating that key does not break URLs already handed out), so
there is no other secret to configure and the encryption key itself never signs anything.

Sharing posts the stored PNG to the channel (:meth:`ChartImages.for_share`); the hourly
housekeeping deletes expired charts (:meth:`ChartImages.prune`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.core.charts import CHART_ID_BYTES, CHART_ID_RE
from bot.core.errors import ChartExpired, ConfigError
from storage.charts import ChartImageRepository, KeptChart

_SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")
_MAX_EXP_DIGITS = 12
#: HKDF ``info``: binds the derived key to this one use (and version) of the encryption key.
KEY_PURPOSE = b"autoshares-bot/chart-url/v1"


def chart_url_keys(encryption_keys: Sequence[str]) -> tuple[bytes, ...]:
    """One HMAC key per Fernet key of ``TOKEN_ENCRYPTION_KEY`` (newest first), derived with
    HKDF-SHA256."""
    if not encryption_keys:
        raise ConfigError("TOKEN_ENCRYPTION_KEY is missing; make one with `autoshares-bot keygen`")
    return tuple(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_PURPOSE).derive(
            base64.urlsafe_b64decode(key.encode())
        )
        for key in encryption_keys
    )


class ChartUrlSigner:
    """Signs ``(id, exp)`` with the first key and accepts a signature made with any of them."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("no chart URL keys")
        self._keys = tuple(keys)

    @staticmethod
    def _mac(key: bytes, chart_id: str, exp: int) -> str:
        return hmac.new(key, f"{chart_id}.{exp}".encode(), hashlib.sha256).hexdigest()

    def signature(self, chart_id: str, exp: int) -> str:
        return self._mac(self._keys[0], chart_id, exp)

    def valid(self, chart_id: str, exp: int, signature: str) -> bool:
        """True when ``signature`` was made for exactly this id and expiry (constant time)."""
        return any(hmac.compare_digest(self._mac(key, chart_id, exp), signature) for key in self._keys)


@dataclass(frozen=True)
class ShownChart:
    """A chart kept for its asker: its id (for the Share button) and the signed URL of its image."""

    id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class ServedChart:
    """What ``GET /charts/{id}.png`` answers: the PNG and how long it may be cached."""

    png: bytes
    max_age: int


class ChartImages:
    """Keeps private charts, serves them at signed URLs, hands them over to be shared."""

    def __init__(
        self, repo: ChartImageRepository, signer: ChartUrlSigner, *, public_url: str, lifetime_seconds: int
    ) -> None:
        self.repo = repo
        self.signer = signer
        self._public_url = public_url
        self._lifetime = lifetime_seconds

    def url(self, chart_id: str, exp: int) -> str:
        """The absolute, signed URL of chart ``chart_id`` valid until ``exp`` (unix seconds)."""
        query = urlencode({"exp": exp, "sig": self.signer.signature(chart_id, exp)})
        return f"{self._public_url}charts/{chart_id}.png?{query}"

    async def keep(
        self, team_id: str, slack_user_id: str, symbol: str, chart_range: str, png: bytes
    ) -> ShownChart:
        """Store ``png`` for ``CHART_URL_SECONDS`` and return where its asker can see it."""
        now = int(time.time())
        exp = now + self._lifetime
        chart = KeptChart(
            id=secrets.token_urlsafe(CHART_ID_BYTES),
            team_id=team_id,
            slack_user_id=slack_user_id,
            symbol=symbol,
            chart_range=chart_range,
            png=png,
            created_at=datetime.fromtimestamp(now, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
        await self.repo.add(chart)
        return ShownChart(chart.id, self.url(chart.id, exp), chart.expires_at)

    async def served(self, chart_id: str, exp: str | None, signature: str | None) -> ServedChart | None:
        """The image a signed URL names, or None (answered 404) when the URL is malformed,
        forged or expired, or the chart is gone. Only a correctly signed, unexpired URL costs a
        database read."""
        if not (CHART_ID_RE.fullmatch(chart_id) and exp and signature):
            return None
        if not (exp.isascii() and exp.isdigit() and len(exp) <= _MAX_EXP_DIGITS):
            return None
        if not _SIGNATURE_RE.fullmatch(signature) or not self.signer.valid(chart_id, int(exp), signature):
            return None
        now = time.time()
        if int(exp) <= now:
            return None
        chart = await self.repo.get(chart_id, now=datetime.fromtimestamp(now, UTC))
        if chart is None:
            return None
        until = min(int(exp), int(chart.expires_at.timestamp()))
        return ServedChart(chart.png, max(int(until - now), 0))

    async def for_share(
        self, team_id: str, slack_user_id: str, chart_id: str, symbol: str, chart_range: str
    ) -> KeptChart:
        """The chart a Share button names, to post to the channel. It must still be kept, be
        the clicker's own, and show what the button says; otherwise :class:`ChartExpired`
        (whose words name ``symbol`` and ``chart_range``, the command to run again)."""
        chart = await self.repo.get(chart_id) if CHART_ID_RE.fullmatch(chart_id) else None
        if chart is None or (chart.team_id, chart.slack_user_id, chart.symbol, chart.chart_range) != (
            team_id,
            slack_user_id,
            symbol,
            chart_range,
        ):
            raise ChartExpired(symbol, chart_range)
        return chart

    async def prune(self) -> int:
        """Delete every expired chart (the hourly housekeeping); returns how many."""
        return await self.repo.delete_expired()

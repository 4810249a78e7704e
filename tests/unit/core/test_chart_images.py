"""Private charts without Slack: the URL signature (keys derived from TOKEN_ENCRYPTION_KEY, the
first signs and all verify), the stored chart's lifetime, who may share it, and pruning."""

from __future__ import annotations

import base64
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from bot.core.chart_images import ChartImages, ChartUrlSigner, chart_url_keys
from bot.core.charts import CHART_ID_RE
from bot.core.errors import ChartExpired, ConfigError
from storage.charts import ChartImageRepository
from storage.db import Database
from storage.models import ChartImage
from storage.records import utcnow

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PNG = b"\x89PNG\r\n\x1a\n" + b"pixels"


def test_url_keys_are_derived_not_the_encryption_keys() -> None:
    keys = chart_url_keys([NEW, OLD])
    assert len(keys) == 2 and all(len(k) == 32 for k in keys) and keys[0] != keys[1]
    assert keys == chart_url_keys([NEW, OLD])  # every replica derives the same ones
    assert base64.urlsafe_b64decode(NEW) not in keys
    with pytest.raises(ConfigError, match="TOKEN_ENCRYPTION_KEY"):
        chart_url_keys([])


def test_a_signature_covers_exactly_the_id_and_the_expiry() -> None:
    signer = ChartUrlSigner(chart_url_keys([NEW]))
    sig = signer.signature("chart-id", 1_900_000_000)
    assert len(sig) == 64 and int(sig, 16) >= 0
    assert signer.valid("chart-id", 1_900_000_000, sig)
    assert not signer.valid("chart-id", 1_900_000_001, sig)
    assert not signer.valid("chart-ie", 1_900_000_000, sig)
    assert not signer.valid("chart-id", 1_900_000_000, sig[:-1] + ("0" if sig[-1] != "0" else "1"))


def test_rotating_the_encryption_key_keeps_urls_already_handed_out() -> None:
    before = ChartUrlSigner(chart_url_keys([OLD]))
    during = ChartUrlSigner(chart_url_keys([NEW, OLD]))
    old_sig = before.signature("c", 1_900_000_000)
    assert during.valid("c", 1_900_000_000, old_sig)
    assert during.signature("c", 1_900_000_000) != old_sig  # the new key signs
    assert not before.valid("c", 1_900_000_000, during.signature("c", 1_900_000_000))


def charts(db: Database, lifetime: int = 3600) -> ChartImages:
    return ChartImages(
        ChartImageRepository(db.sessions),
        ChartUrlSigner(chart_url_keys([NEW])),
        public_url="https://bot.example.org/",
        lifetime_seconds=lifetime,
    )


async def test_a_kept_chart_is_served_at_its_signed_url_until_it_expires(db: Database) -> None:
    kept = charts(db, lifetime=600)
    shown = await kept.keep("T1", "U1", "MSFT", "1y", PNG)
    assert CHART_ID_RE.fullmatch(shown.id)
    parts = urlsplit(shown.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"https://bot.example.org/charts/{shown.id}.png"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert abs(int(query["exp"]) - (time.time() + 600)) < 5
    served = await kept.served(shown.id, query["exp"], query["sig"])
    assert served is not None and served.png == PNG and 590 <= served.max_age <= 600
    assert await kept.served(shown.id, query["exp"], query["sig"].upper()) is None
    assert await kept.served(shown.id + "x", query["exp"], query["sig"]) is None
    assert await kept.served(shown.id, query["exp"], None) is None
    assert await kept.served(shown.id, "1" * 13, query["sig"]) is None
    async with db.sessions.begin() as session:
        await session.execute(update(ChartImage).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert await kept.served(shown.id, query["exp"], query["sig"]) is None


async def test_only_its_asker_can_share_a_chart_and_only_as_shown(db: Database) -> None:
    kept = charts(db)
    shown = await kept.keep("T1", "U1", "MSFT", "1y", PNG)
    chart = await kept.for_share("T1", "U1", shown.id, "MSFT", "1y")
    assert (chart.png, chart.symbol, chart.chart_range) == (PNG, "MSFT", "1y")
    for team, user, symbol, chart_range in [
        ("T2", "U1", "MSFT", "1y"),
        ("T1", "U2", "MSFT", "1y"),
        ("T1", "U1", "AAPL", "1y"),
        ("T1", "U1", "MSFT", "5d"),
    ]:
        with pytest.raises(ChartExpired) as refused:
            await kept.for_share(team, user, shown.id, symbol, chart_range)
        assert (refused.value.symbol, refused.value.chart_range) == (symbol, chart_range)
    with pytest.raises(ChartExpired):
        await kept.for_share("T1", "U1", "not-an-id", "MSFT", "1y")


async def test_prune_deletes_only_expired_charts(db: Database) -> None:
    kept = charts(db)
    old = await kept.keep("T1", "U1", "MSFT", "1y", PNG)
    new = await kept.keep("T1", "U1", "AAPL", "5d", PNG)
    async with db.sessions.begin() as session:
        await session.execute(
            update(ChartImage)
            .where(ChartImage.id == old.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with pytest.raises(ChartExpired):
        await kept.for_share("T1", "U1", old.id, "MSFT", "1y")  # expired, though still stored
    assert await kept.prune() == 1
    assert await kept.prune() == 0
    async with db.sessions() as session:
        assert list(await session.scalars(select(ChartImage.id))) == [new.id]

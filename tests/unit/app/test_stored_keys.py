"""Stored secrets under changing keys: rotation, the count of what cannot be decrypted, rows read
back as "link again", and the cached count /readyz reports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from bot.app import stored_keys
from bot.app.stored_keys import StoredKeys, describe
from bot.autoshares.tokens import TokenSet
from bot.telemetry.metrics import Metrics
from storage.crypto import TokenCipher
from storage.db import Database
from storage.keys import LINKED_USERS, Unreadable, count_unreadable, rewrite, rotate_secrets
from storage.link_states import LinkStateRepository, StateProblem
from storage.links import LinkRepository
from storage.models import LinkedUser, LinkState


def key() -> str:
    return Fernet.generate_key().decode()


async def link(db: Database, cipher: TokenCipher, user: str, refresh: str | None = "refresh") -> None:
    tokens = TokenSet("access-" + user, refresh, datetime.now(UTC) + timedelta(hours=1), "openid")
    await LinkRepository(db.sessions, cipher).save(
        team_id="T1",
        slack_user_id=user,
        autoshares_user_id=1,
        autoshares_login=user.lower(),
        email=None,
        display_name=None,
        tokens=tokens,
        agreements_outstanding=0,
    )


async def test_rotation_re_encrypts_every_row_in_batches_and_counts_what_it_cannot_read(db: Database) -> None:
    old, new, lost = key(), key(), key()
    for user in ("U1", "U2", "U3"):
        await link(db, TokenCipher([old]), user, refresh=None if user == "U2" else "refresh")
    await link(db, TokenCipher([lost]), "U4")
    states = LinkStateRepository(db.sessions, TokenCipher([old]))
    issued = await states.issue("T1", "U1", "verifier-1", "nonce", slack_nonce="s")

    done = await rotate_secrets(db.sessions, TokenCipher([new, old]), batch_size=2)
    assert (done.rotated, done.unreadable, done.changed) == (4, 1, 0)

    only_new = TokenCipher([new])
    for user in ("U1", "U2", "U3"):
        read = await LinkRepository(db.sessions, only_new).get("T1", user)
        assert read is not None and read.access_token == "access-" + user and not read.needs_relink
    moved = await LinkStateRepository(db.sessions, only_new).peek(issued.state)
    assert not isinstance(moved, StateProblem) and moved.code_verifier == "verifier-1"
    assert await count_unreadable(db.sessions, only_new) == Unreadable(
        linked_users=1, linked_users_total=4, sign_ins=0, sign_ins_total=1
    )


async def test_a_row_written_meanwhile_is_not_overwritten(db: Database) -> None:
    """Rotation rewrites a row only if it still holds what was read (a token refreshed in the
    meantime must not be replaced by the older one)."""
    cipher = TokenCipher([key()])
    await link(db, cipher, "U1")
    async with db.sessions() as session:
        row = (await session.execute(select(LinkedUser.id, *LINKED_USERS.columns))).one()
    refreshed = cipher.encrypt("refreshed-access")
    async with db.sessions.begin() as session:
        await session.execute(update(LinkedUser).values(access_token_enc=refreshed))
    async with db.sessions.begin() as session:
        stale = [row[1], row[2]]
        assert not await rewrite(session, LINKED_USERS, row[0], stale, ["x", "y"])
    read = await LinkRepository(db.sessions, cipher).get("T1", "U1")
    assert read is not None and read.access_token == "refreshed-access"


async def test_an_unreadable_link_reads_as_link_again_and_can_be_replaced(db: Database) -> None:
    await link(db, TokenCipher([key()]), "U1")
    links = LinkRepository(db.sessions, TokenCipher([key()]))
    read = await links.get("T1", "U1")
    assert read is not None
    assert read.tokens_unreadable and read.needs_relink
    assert (read.access_token, read.refresh_token) == ("", None)
    assert read.autoshares_login == "u1"  # what is not secret is still there
    await link(db, TokenCipher([key(), key()]), "U1")  # any key: save never reads the old tokens
    assert await links.delete("T1", "U1")


async def test_an_unreadable_sign_in_is_a_problem_not_an_error(db: Database) -> None:
    issued = await LinkStateRepository(db.sessions, TokenCipher([key()])).issue("T1", "U1", "v", "n")
    states = LinkStateRepository(db.sessions, TokenCipher([key()]))
    assert await states.peek(issued.state) is StateProblem.UNREADABLE
    assert await states.bind_browser(issued.state, "browser") is StateProblem.UNREADABLE


async def test_spent_and_expired_sign_ins_are_not_counted(db: Database) -> None:
    states = LinkStateRepository(db.sessions, TokenCipher([key()]))
    used, late, _live = [await states.issue("T1", user, "v", "n") for user in ("U1", "U2", "U3")]
    await states.burn(used.state)
    async with db.sessions.begin() as session:
        await session.execute(
            update(LinkState)
            .where(LinkState.slack_user_id == late.slack_user_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    found = await count_unreadable(db.sessions, TokenCipher([key()]))
    assert (found.sign_ins, found.sign_ins_total) == (1, 1)


def test_the_count_in_words_names_the_setting_and_the_way_out() -> None:
    words = describe(Unreadable(linked_users=1, linked_users_total=1, sign_ins=0, sign_ins_total=3))
    assert words.startswith("1 of 1 linked user cannot be decrypted with TOKEN_ENCRYPTION_KEY:")
    assert "rotate-key" in words and "/autoshares link" in words


async def test_readyz_count_is_cached_and_counted_once_at_a_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = []
    entered, release = asyncio.Event(), asyncio.Event()

    async def fake_count(*_args: object, **_kwargs: object) -> Unreadable:
        counted.append(1)
        entered.set()
        await release.wait()
        return Unreadable(linked_users=2, linked_users_total=5)

    monkeypatch.setattr(stored_keys, "count_unreadable", fake_count)
    now = [1000.0]
    metrics = Metrics()
    keys = StoredKeys(db.sessions, TokenCipher([key()]), metrics, max_age=60, clock=lambda: now[0])
    assert keys.stale and keys.last is None and keys.problem() is None

    first, second = asyncio.ensure_future(keys.recount()), asyncio.ensure_future(keys.recount())
    await entered.wait()
    assert not keys.stale  # a count is running: /readyz does not start another
    release.set()
    assert await first == await second == Unreadable(linked_users=2, linked_users_total=5)
    assert len(counted) == 1
    assert keys.problem() == describe(Unreadable(linked_users=2, linked_users_total=5))
    assert metrics.value("autoshares_unreadable_secrets", kind="linked_user") == 2

    now[0] += 59
    assert not keys.stale
    now[0] += 2
    assert keys.stale

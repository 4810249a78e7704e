"""Every stored secret under the configured keys: re-encrypt them all, or count the unreadable.

``TOKEN_ENCRYPTION_KEY`` lists Fernet keys, newest first (``storage.crypto``). Rotating means:
put the new key first and keep the old ones, run :func:`rotate_secrets` (``autoshares-bot
rotate-key``) so every row is encrypted with the new key, then drop the old keys.
:func:`count_unreadable` says how many rows no configured key decrypts (``autoshares-bot check``
and ``GET /readyz``): their users must link again.

The secrets are the ``*_enc`` columns of ``linked_users`` and ``link_states`` (``ENCRYPTED``).
Rows are read in batches ordered by primary key, each batch in its own short transaction, so a
running bot keeps working meanwhile. A row is rewritten only if its ciphertext is still what was
read (a conditional UPDATE): a token refreshed in the meantime is never overwritten with an older
one; such rows are counted as ``changed`` and a second run picks them up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from storage.crypto import SecretUnreadable, TokenCipher
from storage.models import Base, LinkedUser, LinkState
from storage.records import utcnow

BATCH_SIZE = 500


@dataclass(frozen=True)
class Encrypted:
    """A table's encrypted columns, and the key to walk it by."""

    model: type[Base]
    key: InstrumentedAttribute[Any]
    columns: tuple[InstrumentedAttribute[Any], ...]


LINKED_USERS = Encrypted(
    LinkedUser, LinkedUser.id, (LinkedUser.access_token_enc, LinkedUser.refresh_token_enc)
)
LINK_STATES = Encrypted(LinkState, LinkState.state, (LinkState.code_verifier_enc,))
#: Every table holding secrets. A new ``*_enc`` column belongs here, or rotation misses it.
ENCRYPTED = (LINKED_USERS, LINK_STATES)


@dataclass(frozen=True)
class Rotation:
    """What ``rotate_secrets`` did, in rows (never values)."""

    rotated: int = 0
    unreadable: int = 0  # no configured key decrypts them: left as they are
    changed: int = 0  # written by the bot while rotating: left for another run


@dataclass(frozen=True)
class Unreadable:
    """Rows no configured key decrypts, out of the rows that still matter."""

    linked_users: int = 0
    sign_ins: int = 0
    linked_users_total: int = 0
    sign_ins_total: int = 0

    @property
    def total(self) -> int:
        return self.linked_users + self.sign_ins


async def _batches(
    sessions: async_sessionmaker[AsyncSession],
    table: Encrypted,
    where: Sequence[ColumnElement[bool]] = (),
    batch_size: int = BATCH_SIZE,
) -> AsyncIterator[Sequence[Row[Any]]]:
    """(key, *ciphertexts) rows in key order, one short read per batch (keyset pagination)."""
    last: Any = None
    while True:
        query = select(table.key, *table.columns).where(*where).order_by(table.key).limit(batch_size)
        if last is not None:
            query = query.where(table.key > last)
        async with sessions() as session:
            rows = (await session.execute(query)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _split(row: Row[Any]) -> tuple[Any, list[str | None]]:
    """A batch row as (primary key, ciphertexts)."""
    return row[0], list(row[1:])


def _readable(cipher: TokenCipher, ciphertexts: Sequence[str | None]) -> bool:
    return all(cipher.readable(value) for value in ciphertexts if value)


def _same(column: InstrumentedAttribute[Any], value: str | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


async def rewrite(
    session: AsyncSession, table: Encrypted, key: Any, old: Sequence[str | None], new: Sequence[str | None]
) -> bool:
    """Replace one row's ciphertexts ``old`` by ``new``, only if they are still ``old``."""
    result = await session.execute(
        update(table.model)
        .where(table.key == key, *(_same(c, v) for c, v in zip(table.columns, old, strict=True)))
        .values({c.key: v for c, v in zip(table.columns, new, strict=True)})
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def rotate_secrets(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher, *, batch_size: int = BATCH_SIZE
) -> Rotation:
    """Encrypt every stored secret again with the newest key; count what could not be read."""
    rotated = unreadable = changed = 0
    for table in ENCRYPTED:
        async for rows in _batches(sessions, table, batch_size=batch_size):
            rewrites = []
            for key, old in map(_split, rows):
                try:
                    new = [cipher.rotate(value) if value else value for value in old]
                except SecretUnreadable:
                    unreadable += 1
                    continue
                rewrites.append((key, old, new))
            async with sessions.begin() as session:
                for key, old, new in rewrites:
                    if await rewrite(session, table, key, old, new):
                        rotated += 1
                    else:
                        changed += 1
    return Rotation(rotated, unreadable, changed)


async def count_unreadable(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher, *, batch_size: int = BATCH_SIZE
) -> Unreadable:
    """Try every linked user's tokens and every live sign-in's verifier with the configured keys.

    Sign-ins already used or expired are left out: nobody will ever decrypt them again, and they
    are swept a day after they expire."""
    counts = []
    live = [LinkState.used_at.is_(None), LinkState.expires_at > utcnow()]
    for table, where in ((LINKED_USERS, []), (LINK_STATES, live)):
        total = bad = 0
        async for rows in _batches(sessions, table, where, batch_size):
            total += len(rows)
            bad += sum(not _readable(cipher, _split(row)[1]) for row in rows)
        counts += [bad, total]
    return Unreadable(
        linked_users=counts[0], linked_users_total=counts[1], sign_ins=counts[2], sign_ins_total=counts[3]
    )

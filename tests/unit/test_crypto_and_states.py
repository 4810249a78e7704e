from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from bot.autoshares.tokens import TokenSet
from storage.crypto import SecretUnreadable, TokenCipher
from storage.db import Database
from storage.link_states import IssuedState, LinkStateRepository, StateProblem
from storage.links import LinkRepository


def test_cipher_round_trip_and_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenCipher([old])
    ciphertext = before.encrypt("access-token-value")
    assert "access-token-value" not in ciphertext
    after = TokenCipher([new, old])
    assert after.decrypt(ciphertext) == "access-token-value"
    rotated = after.rotate(ciphertext)
    assert TokenCipher([new]).decrypt(rotated) == "access-token-value"
    with pytest.raises(SecretUnreadable, match="TOKEN_ENCRYPTION_KEY"):
        TokenCipher([new]).decrypt(ciphertext)


async def test_state_is_consumed_once_even_when_raced(db: Database) -> None:
    states = LinkStateRepository(db.sessions, TokenCipher([Fernet.generate_key().decode()]))
    issued = await states.issue("T1", "U1", "verifier-abc", "nonce-1")
    results = await asyncio.gather(*(states.consume(issued.state) for _ in range(10)))
    winners = [r for r in results if isinstance(r, IssuedState)]
    assert len(winners) == 1
    assert winners[0].code_verifier == "verifier-abc" and winners[0].team_id == "T1"
    assert all(r is StateProblem.USED for r in results if not isinstance(r, IssuedState))


async def test_state_problems(db: Database) -> None:
    states = LinkStateRepository(db.sessions, TokenCipher([Fernet.generate_key().decode()]), ttl_seconds=600)
    assert await states.consume(None) is StateProblem.MISSING
    assert await states.consume("nope") is StateProblem.UNKNOWN
    issued = await states.issue("T1", "U1", "v", "n")
    later = datetime.now(UTC) + timedelta(minutes=11)
    assert await states.consume(issued.state, now=later) is StateProblem.EXPIRED


async def test_link_repository_encrypts_and_relinks(db: Database) -> None:
    cipher = TokenCipher([Fernet.generate_key().decode()])
    links = LinkRepository(db.sessions, cipher)
    tokens = TokenSet("acc-1", "ref-1", datetime.now(UTC) + timedelta(hours=1), "openid")
    await links.save(
        team_id="T",
        slack_user_id="U",
        autoshares_user_id=7,
        autoshares_login="al",
        email=None,
        display_name=None,
        tokens=tokens,
        agreements_outstanding=0,
    )
    await links.set_default_account("T", "U", 55)
    await links.update_tokens("T", "U", TokenSet("acc-2", None, datetime.now(UTC) + timedelta(hours=2)))
    link = await links.get("T", "U")
    assert link is not None
    assert (link.access_token, link.refresh_token, link.default_account_id) == ("acc-2", "ref-1", 55)
    assert "acc-2" not in repr(link)
    assert await links.delete("T", "U") is True
    assert await links.get("T", "U") is None

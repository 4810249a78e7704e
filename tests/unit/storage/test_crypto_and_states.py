from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text, update

from bot.autoshares.tokens import TokenSet
from storage.crypto import SecretUnreadable, TokenCipher
from storage.db import Database
from storage.link_states import IssuedState, LinkStateRepository, StateProblem, digest
from storage.links import LinkRepository
from storage.models import LinkState


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


async def verified_state(states: LinkStateRepository, browser: str = "browser-1") -> IssuedState:
    """A sign-in bound to ``browser`` that passed Sign in with Slack."""
    issued = await states.issue("T1", "U1", "verifier-abc", "nonce-1", slack_nonce="slack-nonce")
    assert isinstance(await states.bind_browser(issued.state, browser), IssuedState)
    verified = await states.verify_slack(issued.state, browser)
    assert isinstance(verified, IssuedState) and verified.slack_verified
    return issued


async def test_state_is_consumed_once_even_when_raced(db: Database) -> None:
    states = LinkStateRepository(db.sessions, TokenCipher([Fernet.generate_key().decode()]))
    issued = await verified_state(states)
    results = await asyncio.gather(*(states.consume(issued.state, "browser-1") for _ in range(10)))
    winners = [r for r in results if isinstance(r, IssuedState)]
    assert len(winners) == 1
    assert winners[0].code_verifier == "verifier-abc" and winners[0].team_id == "T1"
    assert all(r is StateProblem.USED for r in results if not isinstance(r, IssuedState))


async def test_state_problems(db: Database) -> None:
    states = LinkStateRepository(db.sessions, TokenCipher([Fernet.generate_key().decode()]), ttl_seconds=600)
    assert await states.consume(None) is StateProblem.MISSING
    assert await states.consume("nope", "browser-1") is StateProblem.UNKNOWN
    issued = await states.issue("T1", "U1", "v", "n", slack_nonce="s")
    # The Slack step cannot be skipped, and only the bound browser gets anywhere.
    await states.bind_browser(issued.state, "browser-1")
    assert await states.consume(issued.state, "browser-1") is StateProblem.NOT_VERIFIED
    assert await states.verify_slack(issued.state, "browser-2") is StateProblem.OTHER_BROWSER
    assert isinstance(await states.verify_slack(issued.state, "browser-1"), IssuedState)
    # Once verified, another browser can neither take the sign-in over nor finish it.
    assert not isinstance(await states.bind_browser(issued.state, "browser-2"), IssuedState)
    assert await states.consume(issued.state, "browser-2") is StateProblem.OTHER_BROWSER
    assert await states.consume(issued.state, None) is StateProblem.OTHER_BROWSER
    # A burnt sign-in is used up.
    burnt = await states.issue("T1", "U1", "v", "n", slack_nonce="s")
    await states.burn(burnt.state)
    assert await states.peek(burnt.state) is StateProblem.USED
    # Expiry.
    late = await verified_state(states)
    async with db.sessions.begin() as session:
        await session.execute(update(LinkState).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert await states.consume(late.state, "browser-1") is StateProblem.EXPIRED


async def test_states_are_stored_hashed(db: Database) -> None:
    states = LinkStateRepository(db.sessions, TokenCipher([Fernet.generate_key().decode()]))
    issued = await verified_state(states)
    async with db.engine.connect() as conn:
        rows = repr((await conn.execute(text("SELECT * FROM link_states"))).all())
    assert issued.state not in rows and "browser-1" not in rows
    assert digest(issued.state) in rows and "verifier-abc" not in rows
    assert await states.exists(issued.state)


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

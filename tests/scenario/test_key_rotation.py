"""Changing TOKEN_ENCRYPTION_KEY: link under key A, restart with "B,A", `rotate-key`, restart
with "B" alone, and finally with a key that reads nothing stored ("C"): users are asked to link
again and can, unlink works, and `check` and /readyz count what cannot be decrypted."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.app.check import run_checks
from bot.cli import main
from bot.devkit.driver import browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack
from storage.crypto import TokenCipher
from storage.models import LinkedUser, LinkState
from tests.bothost import BotHost
from tests.conftest import RunningBot, running_bot
from tests.scenario.steps import command

ALICE, BOB = "U0ALICE", "U0BOB"


async def sign_in_url(bot: RunningBot, user: str) -> str:
    """Run `/autoshares link` and return the sign-in link, leaving the sign-in in progress."""
    reply = await command(bot, "link", user)
    return next(b["url"] for b in buttons(reply["blocks"]) if b.get("url"))


def on(bot: RunningBot, url: str) -> str:
    """``url`` (issued by an earlier process, on another port) pointed at this one."""
    parts = urlsplit(url)
    return f"{bot.url}{parts.path.lstrip('/')}?{parts.query}"


async def status(bot: RunningBot, user: str) -> str:
    return str((await command(bot, "status", user))["blocks"])


async def ciphertexts(bot: RunningBot) -> list[str]:
    """Every stored secret, as stored."""
    async with bot.services.db.sessions() as session:
        links = (
            await session.execute(select(LinkedUser.access_token_enc, LinkedUser.refresh_token_enc))
        ).all()
        states = await session.scalars(select(LinkState.code_verifier_enc))
        return [value for row in links for value in row if value] + list(states)


async def rotate_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], keys: str
) -> tuple[int, str]:
    """`autoshares-bot rotate-key` with ``keys``; returns its exit status and what it printed."""
    monkeypatch.setenv("DATABASE_URL", env["DATABASE_URL"])
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", keys)
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["rotate-key", "--batch-size", "2"])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out


async def test_keys_rotate_with_two_keys_then_one_and_a_lost_key_asks_users_to_link_again(
    bot_env: dict[str, str],
    local_slack: LocalSlack,
    sandbox: Any,
    bot_host: BotHost,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b, c = (Fernet.generate_key().decode() for _ in range(3))

    async with running_bot({**bot_env, "TOKEN_ENCRYPTION_KEY": a}, local_slack, sandbox, bot_host) as bot:
        assert (await bot.link(ALICE, "alice")).status_code == 200
        started_under_a = await sign_in_url(bot, BOB)  # a sign-in still in progress at the rotation
        linked_under_a = await bot.services.links.get(bot.slack.team_id, ALICE)
        assert linked_under_a is not None

    # The new key first, the old one kept: everything still reads.
    async with running_bot(
        {**bot_env, "TOKEN_ENCRYPTION_KEY": f"{b},{a}"}, local_slack, sandbox, bot_host
    ) as bot:
        assert "Active" in await status(bot, ALICE)
        stored = await ciphertexts(bot)
    assert len(stored) == 4  # alice's two tokens, the verifiers of two sign-ins (one used)

    code, printed = await rotate_key(monkeypatch, capsys, bot_env, f"{b},{a}")
    assert code == 0, printed
    assert "Re-encrypted 3 rows with the first key of TOKEN_ENCRYPTION_KEY." in printed
    assert "0 rows could not be decrypted" in printed
    for secret in (a, b, linked_under_a.access_token, linked_under_a.refresh_token or "-"):
        assert secret not in printed

    # The old key dropped: the rotated rows read with the new key alone.
    async with running_bot({**bot_env, "TOKEN_ENCRYPTION_KEY": b}, local_slack, sandbox, bot_host) as bot:
        assert all(TokenCipher([b]).readable(value) for value in await ciphertexts(bot))
        assert "Active" in await status(bot, ALICE)
        assert "agreement" in (await command(bot, "agreements", ALICE))["text"].lower()  # tokens work
        bot.slack.sign_in_as(BOB)
        finished = await browser_sign_in(
            bot.http, on(bot, started_under_a), username="bob", password="sandbox"
        )
        assert finished.status_code == 200 and "linked to AutoShares as bob" in finished.text
        started_under_b = await sign_in_url(bot, ALICE)

    # A key that reads nothing stored: nobody meets "something went wrong".
    env_c = {**bot_env, "TOKEN_ENCRYPTION_KEY": c}
    async with running_bot(env_c, local_slack, sandbox, bot_host) as bot:
        said = await status(bot, ALICE)
        assert "run `/autoshares link`" in said and "Something went wrong" not in said
        agreements = await command(bot, "agreements", ALICE)
        assert "Run `/autoshares link` to sign in again" in agreements["text"]

        await bot.services.drain()  # the count the web app starts with
        ready = await bot.http.get(bot.url + "readyz")
        assert ready.status_code == 200  # those users can only recover by linking again here
        counted = ready.json()["degraded"]["token_encryption_key"]
        assert counted.startswith("2 of 2 linked users and 1 of 1 sign-in in progress cannot be decrypted")
        assert "TOKEN_ENCRYPTION_KEY" in counted
        assert bot.services.metrics.value("autoshares_unreadable_secrets", kind="linked_user") == 2

        findings = await run_checks({**env_c, "PUBLIC_URL": "http://127.0.0.1:3000"})
        keys = [f for f in findings if f.area == "keys"]
        assert len(keys) == 1 and keys[0].is_problem
        assert keys[0].message.startswith("2 of 2 linked users and 1 of 1 sign-in in progress cannot be")
        assert "TOKEN_ENCRYPTION_KEY" in keys[0].message

        code, printed = await rotate_key(monkeypatch, capsys, bot_env, c)
        assert code == 1
        # two linked users and three sign-ins (two used, one in progress): all left as they are
        assert "Re-encrypted 0 rows" in printed and "5 rows could not be decrypted" in printed

        # A sign-in issued under the old key: a plain page, not an error.
        page = await bot.http.get(on(bot, started_under_b))
        assert page.status_code == 400 and "no longer works" in page.text

        # Unlink deletes what it cannot revoke.
        unlinked = await command(bot, "unlink", BOB)
        assert "unlinked" in unlinked["text"] and "signed out" not in unlinked["text"]
        assert await bot.services.links.get(bot.slack.team_id, BOB) is None

        # Linking again issues a new sign-in and overwrites the unreadable row.
        relinked = await bot.link(ALICE, "alice")
        assert relinked.status_code == 200, relinked.text
        assert "Active" in await status(bot, ALICE)
        link = await bot.services.links.get(bot.slack.team_id, ALICE)
        assert link is not None and not link.tokens_unreadable and link.access_token

        findings = await run_checks({**env_c, "PUBLIC_URL": "http://127.0.0.1:3000"})
        assert [f.level for f in findings if f.area == "keys"] == ["ok"]

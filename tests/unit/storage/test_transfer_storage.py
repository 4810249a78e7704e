"""Transfers a member follows (``storage.transfers``): what had ended when they started
following is never told; each later outcome is owed one DM, whichever replica sees it first."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.db import Database
from storage.outbox import OutboxRepository
from storage.records import utcnow
from storage.transfers import TRANSFER_SETTLED, TransferRepository, WatchedAccount

BOB = WatchedAccount("T1", "U1", 5001)


async def test_each_outcome_is_owed_once_and_the_past_never(db: Database) -> None:
    repo = TransferRepository(db.sessions)
    assert await repo.watch("T1", "U1", 5001, [("old", "completed")]) is True
    assert await repo.watch("T1", "U1", 5001, [("older", "completed")]) is False  # followed already

    told = await asyncio.gather(*(repo.tell(BOB, tid, "completed", {"n": 1}) for tid in ("old", "new", "new")))
    assert sorted(told) == [False, False, True]
    assert await repo.tell(BOB, "older", "completed", {}) is True  # not noted: it was no watch's past
    assert await repo.tell(BOB, "new", "failed", {}) is True  # another outcome, another key
    owed = [i for i in await OutboxRepository(db.sessions).listed() if i.kind == TRANSFER_SETTLED]
    assert sorted((i.channel, i.data.get("account_id")) for i in owed) == [("U1", 5001)] * 3


async def test_a_pass_leases_each_watch_once_until_it_is_due_again(db: Database) -> None:
    repo = TransferRepository(db.sessions)
    await repo.watch("T1", "U1", 5001, [])
    await repo.watch("T1", "U2", 5001, [])
    now = utcnow() + timedelta(minutes=2)
    first, second = await asyncio.gather(
        repo.claim_due(timedelta(minutes=1), now=now), repo.claim_due(timedelta(minutes=1), now=now)
    )
    assert sorted(w.slack_user_id for w in first + second) == ["U1", "U2"]
    assert await repo.claim_due(timedelta(minutes=1), now=now) == []
    await repo.forget("T1", "U1")
    assert [w.slack_user_id for w in await repo.claim_due(timedelta(0), now=now + timedelta(seconds=1))] == ["U2"]
    await repo.forget_members("T1")  # the workspace left
    assert await repo.claim_due(timedelta(0), now=now + timedelta(seconds=2)) == []

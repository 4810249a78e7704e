"""Corporate actions told to holders: a split, a dividend (its amount and dates) or a merger of
something a linked member holds reaches them once, by DM, through the outbox.

Each pass (``run_once``) enrols every linked member, then leases the members whose check is due
(``storage.corporate_actions``: replicas split them) and, for each, reads what their accounts
hold and each held symbol's corporate actions (``GET /news/corporate-actions?symbol=``). An action
is worth telling when it is not a cancellation and is not older than ``RECENT``; telling it
inserts a notice keyed by member and action and owes the DM in the same transaction, so however
many replicas find it, the member is told once. The DM itself is composed from what the notice
kept (:class:`ActionNotice`) when the outbox delivers it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from bot.autoshares.errors import AutoSharesError
from bot.autoshares.resources import CorporateAction
from bot.core.errors import NotLinkedError
from bot.core.notices import ActionNotice
from bot.core.users import ActingUser, LinkedUsers
from storage.corporate_actions import CorporateActionRepository, Member

log = logging.getLogger(__name__)

#: An action effective longer ago than this is old news: not told.
RECENT = timedelta(days=30)
#: How often each member's holdings are looked at.
CHECK_EVERY = timedelta(minutes=30)
#: Members leased at a time, and looked at concurrently.
CHUNK = 50
CONCURRENCY = 5
#: Holdings read per account.
HOLDINGS_READ = 50


def action_key(action: CorporateAction) -> str:
    """The action's identity for telling it once: its ``Id``."""
    return f"id:{action.id}"


def worth_telling(action: CorporateAction, now: datetime) -> bool:
    """Not a cancellation, and not effective longer ago than ``RECENT``."""
    if action.is_cancel:
        return False
    effective = action.effective
    return effective is None or effective >= now - RECENT


class CorporateActionService:
    def __init__(self, users: LinkedUsers, repo: CorporateActionRepository) -> None:
        self._users = users
        self.repo = repo

    async def run_once(self, now: datetime | None = None) -> int:
        """One pass over every member due; returns how many DMs it owed."""
        now = now or datetime.now(UTC)
        await self.repo.enrol_linked(now)
        limit = asyncio.Semaphore(CONCURRENCY)

        async def bounded(member: Member) -> int:
            async with limit:
                return await self.check(member, now)

        told = 0
        while members := await self.repo.lease_due(now, CHECK_EVERY, CHUNK):
            told += sum(await asyncio.gather(*(bounded(m) for m in members)))
        return told

    async def check(self, member: Member, now: datetime) -> int:
        """Tell ``member`` of the actions on what they hold that they were not told of."""
        try:
            user = await self._users.acting(member.team_id, member.slack_user_id)
        except NotLinkedError:
            await self.repo.forget(member)
            return 0
        told = 0
        try:
            for symbol in await self.held(user):
                for action in await user.api.corporate_actions(symbol):
                    if not worth_telling(action, now):
                        continue
                    notice = ActionNotice.of(symbol, action)
                    if await self.repo.tell(
                        member, action_key(action), symbol, action.type, notice.as_data()
                    ):
                        told += 1
        except AutoSharesError as exc:  # the next check tries again
            log.info("corporate actions of a member's holdings unavailable: %s", exc.code)
        return told

    @staticmethod
    async def held(user: ActingUser) -> list[str]:
        """The symbols the member's accounts hold (first ``HOLDINGS_READ`` of each), sorted."""
        accounts = await user.api.accounts()
        pages = await asyncio.gather(
            *(
                user.api.positions(a.id, page=0, page_size=HOLDINGS_READ, sort_field="Symbol")
                for a in accounts
            )
        )
        return sorted({p.symbol for page in pages for p in page.items if p.symbol and p.quantity})

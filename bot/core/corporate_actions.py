"""Corporate actions told to holders: a split, a dividend (its amount and dates) or a merger of
something a linked member holds reaches them once, by DM, through the outbox.

Each pass (``run_once``) enrols every linked member, then leases the members whose check is due
(``storage.corporate_actions``: replicas split them) and, for each, reads what their accounts
hold and each held symbol's corporate actions (``GET /news/corporate-actions?symbol=``). An action
is worth telling when it is not a cancellation and is not older than ``RECENT``; telling it
inserts a notice keyed by member and action and owes the DM in the same transaction, so however
many replicas find it, the member is told once. The calls are spent from the member's allowance
of background calls (``bot.core.pacing``): a member whose allowance is spent, or whom AutoShares
rate-limited, is looked at again a little later. The DM itself is composed from what the notice
kept (:class:`ActionNotice`) when the outbox delivers it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from bot.autoshares.errors import AutoSharesError, AutoSharesRateLimited
from bot.autoshares.resources import CorporateAction
from bot.core.errors import NotLinkedError
from bot.core.notices import ActionNotice
from bot.core.pacing import UserPacing
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
#: A member whose allowance is spent (or who is backed off) is looked at again after this.
RETRY_AFTER = timedelta(minutes=1)


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
    def __init__(self, users: LinkedUsers, repo: CorporateActionRepository, pacing: UserPacing) -> None:
        self._users = users
        self.repo = repo
        self.pacing = pacing

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
        key = (member.team_id, member.slack_user_id)
        if not await self.pacing.ready(key):  # within the member's allowance of background calls
            await self.repo.check_again(member, now + RETRY_AFTER)
            return 0
        told = calls = 0
        try:
            symbols, calls = await self.held(user)
            for symbol in symbols:
                calls += 1
                told += await self._tell(member, symbol, await user.api.corporate_actions(symbol), now)
        except AutoSharesRateLimited as exc:
            await self.pacing.back_off(key, exc.retry_after)
            await self.repo.check_again(member, now + timedelta(seconds=exc.retry_after) + RETRY_AFTER)
        except AutoSharesError as exc:  # the next check tries again
            log.info("corporate actions of a member's holdings unavailable: %s", exc.code)
        finally:
            await self.pacing.spend(key, max(calls, 1))
        return told

    async def _tell(self, member: Member, symbol: str, actions: list[CorporateAction], now: datetime) -> int:
        told = 0
        for action in actions:
            if worth_telling(action, now):
                notice = ActionNotice.of(symbol, action)
                told += await self.repo.tell(
                    member, action_key(action), symbol, action.type, notice.as_data()
                )
        return told

    @staticmethod
    async def held(user: ActingUser) -> tuple[list[str], int]:
        """The symbols the member's accounts hold (first ``HOLDINGS_READ`` of each), sorted, and
        how many AutoShares calls that took."""
        accounts = await user.api.accounts()
        pages = await asyncio.gather(
            *(
                user.api.positions(a.id, page=0, page_size=HOLDINGS_READ, sort_field="Symbol")
                for a in accounts
            )
        )
        held = sorted({p.symbol for page in pages for p in page.items if p.symbol and p.quantity})
        return held, 1 + len(accounts)

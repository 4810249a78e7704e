"""Transfers, read only: an account's deposits and withdrawals, and a DM to the member when one
completes or fails.

Money is never moved from Slack: a chat message is the wrong place to authorize moving money
out of a brokerage account, so the bot only reads ``GET /accounts/{accountId}/transfers``.

Running `/autoshares transfers` on an account makes the member follow it (the transfers that
had ended by then are known, not told). The transfer pass (``bot.app.pollers``) leases the
followed accounts that are due, reads each one's newest transfers and, for each that completed
or failed, owes the member one DM: ``storage.transfers`` keys it by member, transfer and
outcome in the database, so replicas sharing it tell each outcome once. Each read is spent from
the member's allowance of background calls (``bot.core.pacing``): a member whose allowance is
spent, or whom AutoShares rate-limited, is read again on a later pass.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.autoshares import errors as e
from bot.autoshares.resources import Transfer
from bot.core.accounts import AccountService
from bot.core.errors import BotError, NotLinkedError
from bot.core.pacing import UserPacing
from bot.core.users import ActingUser, LinkedUsers
from bot.core.views import TransfersView
from storage.records import utcnow
from storage.transfers import TransferRepository, WatchedAccount

log = logging.getLogger(__name__)

#: Transfers shown by `/autoshares transfers`, and a page of each check of a followed account.
TRANSFERS_PAGE_SIZE = 20
#: The pages a check reads at most (the newest 100 transfers): a transfer still pending behind
#: twenty newer ones is read, and told, when it ends.
MAX_TRANSFER_PAGES = 5


class TransferService:
    """`/autoshares transfers` and the pass that tells members of finished transfers."""

    def __init__(
        self,
        *,
        users: LinkedUsers,
        accounts: AccountService,
        repo: TransferRepository,
        pacing: UserPacing,
        concurrency: int = 8,
    ) -> None:
        self._users = users
        self._accounts = accounts
        self.repo = repo
        self.pacing = pacing
        self._calls = asyncio.Semaphore(max(1, concurrency))

    async def recent(self, team_id: str, slack_user_id: str, account_id: int | None) -> TransfersView:
        """The account's newest deposits and withdrawals; the member follows it from now on.
        Every transfer the checks will read that has already ended is known from now, so it is
        not told (the pages after the first are read only when there are more)."""
        user = await self._users.acting(team_id, slack_user_id)
        account, found = await self._accounts.resolve(user, account_id)
        page = await user.api.transfers(account, page_size=TRANSFERS_PAGE_SIZE)
        known, more, number = list(page.items), page.has_next, 1
        while more and number < MAX_TRANSFER_PAGES:
            later = await user.api.transfers(account, page=number, page_size=TRANSFERS_PAGE_SIZE)
            known, more, number = known + later.items, later.has_next, number + 1
        ended = [(t.id, t.outcome.value) for t in known if t.outcome is not None]
        await self.repo.watch(team_id, slack_user_id, account, ended)
        return TransfersView(account, found, page.items, page.has_next)

    async def check_once(self, every: timedelta, *, now: datetime | None = None) -> int:
        """One pass: every followed account due, read once (``concurrency`` AutoShares calls at a
        time); returns the DMs newly owed."""
        now, owed = now or utcnow(), 0
        while due := await self.repo.claim_due(every, now=now):  # one ``now``: what it leased is not due
            owed += sum(await asyncio.gather(*(self._check(watched) for watched in due)))
        return owed

    async def check_account(self, account_id: int) -> int:
        """A transfer webhook for the account: its followers' transfers read now (the unique
        key still tells each outcome once, whoever reads it first)."""
        owed = 0
        for watched in await self.repo.watchers_of(account_id):
            owed += await self._check(watched)
        return owed

    async def _check(self, watched: WatchedAccount) -> int:
        key = (watched.team_id, watched.slack_user_id)
        try:
            user = await self._users.acting(*key)
        except NotLinkedError:  # unlinked since: nobody to tell
            await self.repo.forget(*key)
            return 0
        except BotError as exc:
            log.info("transfers of account %s not read: %s", watched.account_id, exc)
            return 0
        owed = 0
        for transfer in await self._read(user, watched):
            if transfer.outcome is not None and await self.repo.tell(
                watched, transfer.id, transfer.outcome.value, {"transfer": stored(transfer)}
            ):
                owed += 1
        return owed


    async def _read(self, user: ActingUser, watched: WatchedAccount) -> list[Transfer]:
        """The account's transfers, newest first, page by page (up to ``MAX_TRANSFER_PAGES``)
        while the member's allowance lasts; what was read before a refusal still counts."""
        key = (watched.team_id, watched.slack_user_id)
        transfers: list[Transfer] = []
        for number in range(MAX_TRANSFER_PAGES):
            if not await self.pacing.ready(key):  # the allowance is spent: a later pass reads on
                break
            try:
                async with self._calls:
                    page = await user.api.transfers(watched.account_id, page=number, page_size=TRANSFERS_PAGE_SIZE)
            except e.AutoSharesRateLimited as exc:
                await self.pacing.back_off(key, exc.retry_after)
                break
            except (BotError, e.AutoSharesError) as exc:
                log.info("transfers of account %s not read: %s", watched.account_id, getattr(exc, "code", exc))
                break
            finally:
                await self.pacing.spend(key)
            transfers += page.items
            if not page.has_next:
                break
        return transfers


def stored(transfer: Transfer) -> dict[str, object]:
    """The transfer as the outbox keeps it for the DM (read back with ``Transfer``)."""
    return transfer.model_dump(mode="json", exclude_none=True)

"""Trading accounts: which one to act on, balances, positions, adding one, the default.

Viewing accounts and holdings is not trading, so the agreements gate does not apply here.
The rule for the account a command acts on is written once, in :meth:`AccountService.resolve`:
the one asked for (if it is the user's), else the user's default, else the first account, which
then becomes the default.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.autoshares import errors as e
from bot.autoshares.resources import Account, Balance
from bot.core.errors import AccountBindRefused, NoTradingAccount, NotYourAccount, SignupNotConfigured
from bot.core.users import ActingUser, LinkedUsers
from bot.core.views import AccountView, PositionsPage

log = logging.getLogger(__name__)

#: Balances fetched at once for one user (AutoShares limits calls per token).
BALANCE_CONCURRENCY = 5
POSITIONS_PAGE_SIZE = 20


class AccountService:
    def __init__(self, users: LinkedUsers, *, signup_url: str | None) -> None:
        self._users = users
        self._signup_url = signup_url

    async def resolve(self, user: ActingUser, requested: int | None) -> tuple[int, Account]:
        """The account to act on and its UserAccountModel (see the module docstring)."""
        accounts = await user.api.accounts()
        return await self.choose(user, accounts, requested)

    async def choose(
        self, user: ActingUser, accounts: list[Account], requested: int | None
    ) -> tuple[int, Account]:
        """:meth:`resolve` over an account list already read from AutoShares."""
        by_id = {a.id: a for a in accounts}
        if not by_id:
            raise NoTradingAccount("user has no trading accounts")
        if requested is not None:
            if requested not in by_id:
                raise NotYourAccount(requested)
            return requested, by_id[requested]
        default = user.link.default_account_id
        if default is not None and default in by_id:
            return default, by_id[default]
        chosen = next(iter(by_id))
        await self._users.links.set_default_account(user.link.team_id, user.link.slack_user_id, chosen)
        return chosen, by_id[chosen]

    async def overview(self, team_id: str, slack_user_id: str) -> tuple[ActingUser, list[AccountView]]:
        """The user's accounts with their balances (None where balances failed)."""
        user = await self._users.acting(team_id, slack_user_id)
        return user, await self._views(user, user.link.default_account_id)

    async def _views(self, user: ActingUser, default_id: int | None) -> list[AccountView]:
        accounts = await user.api.accounts()
        limit = asyncio.Semaphore(BALANCE_CONCURRENCY)

        async def balances_of(account_id: int) -> Balance | None:
            async with limit:
                try:
                    return await user.api.balances(account_id)
                except e.AutoSharesError as exc:
                    log.info("balances of an account unavailable: %s", exc.code)
                    return None

        balances = await asyncio.gather(*(balances_of(a.id) for a in accounts))
        return [
            AccountView(account, figures, is_default=default_id is not None and account.id == default_id)
            for account, figures in zip(accounts, balances, strict=True)
        ]

    async def make_default(
        self, team_id: str, slack_user_id: str, account_id: int
    ) -> tuple[ActingUser, list[AccountView]]:
        """Select ``account_id`` at AutoShares and as the default for trades from Slack."""
        user = await self._users.acting(team_id, slack_user_id)
        await user.api.select_account(account_id)
        await self._users.links.set_default_account(team_id, slack_user_id, account_id)
        return user, await self._views(user, account_id)

    async def positions(
        self, team_id: str, slack_user_id: str, requested: int | None, page: int
    ) -> PositionsPage:
        """One page (zero-based) of the holdings of the requested, default or first account.
        With the account known ahead, the account list and the page are asked for at once."""
        user = await self._users.acting(team_id, slack_user_id)
        size = POSITIONS_PAGE_SIZE
        guess = requested if requested is not None else user.link.default_account_id
        early: Any = None
        if guess is None:
            accounts = await user.api.accounts()
        else:
            listed, early = await asyncio.gather(
                user.api.accounts(),
                user.api.positions(guess, page=page, page_size=size, sort_field="Symbol"),
                return_exceptions=True,
            )
            if isinstance(listed, BaseException):
                raise listed
            accounts = listed
        account_id, account = await self.choose(user, accounts, requested)
        if guess is not None and account_id == guess:
            if isinstance(early, BaseException):
                raise early
            found = early
        else:
            found = await user.api.positions(account_id, page=page, page_size=size, sort_field="Symbol")
        return PositionsPage(account_id, account, found.items, page, size, found.total, found.has_next)

    async def add(self, team_id: str, slack_user_id: str, account_id: int) -> str | None:
        """Bind an existing account to the user's login; returns the access type granted."""
        user = await self._users.acting(team_id, slack_user_id)
        try:
            bound = await user.api.bind_account(account_id, "Full")
        except e.AutoSharesAppKeyRejected:
            raise  # the operator's problem, not the account's
        except (
            e.AutoSharesForbidden,
            e.AutoSharesNotFound,
            e.AutoSharesInvalid,
            e.AutoSharesConflict,
        ) as exc:
            raise AccountBindRefused(account_id, exc.description, exc.code) from None
        return bound.account_access_type.value if bound.account_access_type else None

    def signup_url(self) -> str:
        if not self._signup_url:
            raise SignupNotConfigured()
        return self._signup_url

"""Rules shared by every trading feature: which account to act on, and the agreements gate.

AutoShares' documentation: agreements are checked at every login, and trading with unsigned
agreements is not permitted. ``require_agreements_signed`` asks AutoShares (never a cache) and
raises ``AgreementsOutstandingError`` carrying the list, which handlers render with Sign buttons.
"""

from __future__ import annotations

from typing import Any

from bot.autoshares.client import UserApi
from bot.core.errors import AgreementsOutstandingError, BotError
from storage.links import LinkRepository


class AccountChoiceError(BotError):
    code = "account_choice"


async def require_agreements_signed(api: UserApi, links: LinkRepository) -> None:
    """Raise AgreementsOutstandingError while the user has agreements to sign."""
    agreements = await api.agreements()
    if len(agreements) != api.link.agreements_outstanding:
        await links.set_agreements_outstanding(api.link.team_id, api.link.slack_user_id, len(agreements))
    if agreements:
        raise AgreementsOutstandingError(agreements)


async def resolve_account(
    api: UserApi, links: LinkRepository, requested: int | None
) -> tuple[int, dict[str, Any]]:
    """The account to act on: the one asked for (if it is the user's), else the default, else the
    only or first account. Returns (account id, the account's UserAccountModel)."""
    accounts = await api.accounts()
    by_id = {int(a["Id"]): a for a in accounts if a.get("Id") is not None}
    if not by_id:
        raise AccountChoiceError(
            "user has no trading accounts",
            user_message="Your AutoShares login has no trading account yet. Run `/autoshares signup` to open one, or `/autoshares accounts add &lt;accountId&gt;` to add an existing one.",
        )
    if requested is not None:
        if requested not in by_id:
            raise AccountChoiceError(
                f"account {requested} not among the user's accounts",
                user_message=f"Account {requested} is not one of your AutoShares accounts. Run `/autoshares account` to see yours.",
            )
        return requested, by_id[requested]
    default = api.link.default_account_id
    if default in by_id:
        return int(default), by_id[int(default)]  # type: ignore[arg-type]
    chosen = next(iter(by_id))
    await links.set_default_account(api.link.team_id, api.link.slack_user_id, chosen)
    return chosen, by_id[chosen]

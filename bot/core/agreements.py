"""AutoShares access agreements: list, sign, and the trading gate.

AutoShares' documentation: agreements are checked at every sign-in, and trading with unsigned
agreements is not permitted. The gate (:meth:`AgreementService.require_signed`) always asks
AutoShares, never a cache, and raises ``AgreementsOutstandingError`` carrying the list, which
the Slack surface shows with Sign buttons. The count kept on the link (for status lines) is
updated by ``LinkedUsers.agreements`` whenever a list is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.autoshares.resources import Agreement
from bot.core.errors import AgreementsOutstandingError
from bot.core.users import ActingUser, LinkedUsers


@dataclass(frozen=True)
class Signing:
    """What a Sign click did: the agreements signed now, and those still outstanding."""

    signed: list[Agreement]
    remaining: list[Agreement]


def is_required(agreement: Agreement) -> bool:
    return not agreement.can_skip


class AgreementService:
    def __init__(self, users: LinkedUsers) -> None:
        self._users = users

    async def outstanding(self, team_id: str, slack_user_id: str) -> list[Agreement]:
        user = await self._users.acting(team_id, slack_user_id)
        return await self._users.agreements(user)

    async def require_signed(self, user: ActingUser) -> None:
        """Raise AgreementsOutstandingError while the user has agreements to sign."""
        agreements = await self._users.agreements(user)
        if agreements:
            raise AgreementsOutstandingError(agreements)

    async def sign(self, team_id: str, slack_user_id: str, wanted: set[str] | None) -> Signing:
        """Sign the user's outstanding agreements whose ids are in ``wanted`` (None: every
        required one). Ids that are not among the user's outstanding agreements are ignored,
        so a stale button signs nothing unexpected."""
        user = await self._users.acting(team_id, slack_user_id)
        before = await user.api.agreements()
        signed: list[Agreement] = []
        for agreement in before:
            chosen = is_required(agreement) if wanted is None else str(agreement.id) in wanted
            if chosen:
                await user.api.sign_agreement(agreement.id)
                signed.append(agreement)
        remaining = await self._users.agreements(user, None if signed else before)
        return Signing(signed, remaining)

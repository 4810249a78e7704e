"""When a workspace uninstalls the app or revokes its tokens, the bot lets go of it.

For the whole workspace (``app_uninstalled``, or the bot token revoked) or for the users whose
tokens were revoked: their AutoShares tokens are revoked at the issuer where it offers
revocation and the links deleted, their alert routes retired (nothing more is announced), and
their confirmations still waiting expired (nothing can be placed from them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.linking import LinkService
from storage.alerts import AlertRouteRepository
from storage.digests import DigestRepository
from storage.links import LinkRepository
from storage.orders import PendingOrderRepository
from storage.transfers import TransferRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offboarded:
    links: int
    revoked: int
    alerts: int
    orders: int
    digests: int = 0


class Offboarding:
    def __init__(
        self,
        *,
        links: LinkRepository,
        linking: LinkService,
        routes: AlertRouteRepository,
        orders: PendingOrderRepository,
        digests: DigestRepository,
        transfers: TransferRepository,
    ) -> None:
        self._digests = digests
        self._transfers = transfers
        self._links = links
        self._linking = linking
        self._routes = routes
        self._orders = orders

    async def remove(self, team_id: str, slack_user_ids: Sequence[str] | None = None) -> Offboarded:
        """Let go of a workspace (``slack_user_ids`` None) or of those users in it."""
        links = revoked = 0
        for link in await self._links.in_team(team_id, slack_user_ids):
            was_linked, was_revoked = await self._linking.unlink(link.team_id, link.slack_user_id)
            links += was_linked
            revoked += was_revoked
        alerts = await self._routes.retire(team_id, slack_user_ids)
        orders = len(await self._orders.expire_for(team_id, slack_user_ids))
        digests = await self._digests.remove(team_id, slack_user_ids)
        await self._transfers.forget_members(team_id, slack_user_ids)
        done = Offboarded(links, revoked, alerts, orders, digests)
        who = "workspace" if slack_user_ids is None else f"{len(slack_user_ids)} user(s) of workspace"
        log.info(
            "offboarded %s %s: %d links deleted (%d revoked at AutoShares), %d alert routes retired, "
            "%d confirmations expired, %d digests stopped",
            who,
            team_id,
            done.links,
            done.revoked,
            done.alerts,
            done.orders,
            done.digests,
        )
        return done

"""Who is a Slack workspace owner or admin: ``bot.core.ports.SlackDirectory`` over ``users.info``.

Slack's owners and admins are always the bot's admins. The answer is kept for a minute per
member (a demoted Slack admin loses the bot's admin rights within that minute), and when Slack
cannot say (an error, a missing ``users:read`` scope) the member is not taken for an admin: the
rules fail closed and the operator is told which scope or error is at fault.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.core.errors import ConfigError
from handlers.notify import SlackClients, slack_error

log = logging.getLogger(__name__)

#: Seconds an answer from ``users.info`` is trusted.
ADMIN_CACHE_SECONDS = 60.0
MAX_CACHED = 10_000


class SlackUsersDirectory:
    def __init__(
        self,
        clients: SlackClients,
        *,
        ttl: float = ADMIN_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = clients
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[bool, float]] = {}

    async def is_workspace_admin(self, team_id: str, slack_user_id: str) -> bool:
        key = (team_id, slack_user_id)
        now = self._clock()
        known = self._known.get(key)
        if known is not None and known[1] > now:
            return known[0]
        try:
            client = await self._clients.for_team(team_id)
            answer = await client.users_info(user=slack_user_id)
        except SlackApiError as exc:
            log.warning(
                "users.info failed (%s): Slack workspace admins are not recognised as the bot's "
                "admins until it works (the app needs the users:read scope)",
                slack_error(exc),
            )
            return False
        except ConfigError as exc:
            log.warning("cannot ask Slack who administers team %s: %s", team_id, exc)
            return False
        user = answer.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if len(self._known) >= MAX_CACHED:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[key] = (admin, now + self._ttl)
        return admin

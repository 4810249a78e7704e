"""Who a Slack member is: ``bot.core.ports.SlackDirectory`` over ``users.info`` (workspace owner
or admin, and time zone).

Slack's owners and admins are always the bot's admins. The answer is kept for a minute per
member (a demoted Slack admin loses the bot's admin rights within that minute), and when Slack
cannot say (an error, a missing ``users:read`` scope) the member is not taken for an admin: the
rules fail closed and the operator is told which scope or error is at fault.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

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
        self._known: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}

    async def is_workspace_admin(self, team_id: str, slack_user_id: str) -> bool:
        user = await self._user(team_id, slack_user_id)
        return bool(user and (user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")))

    async def time_zone(self, team_id: str, slack_user_id: str) -> str | None:
        user = await self._user(team_id, slack_user_id)
        zone = (user or {}).get("tz")
        return str(zone) if zone else None

    async def _user(self, team_id: str, slack_user_id: str) -> dict[str, Any] | None:
        """The member's ``users.info`` answer, kept for the cache's time; None when Slack
        cannot say (not kept, so the next question asks again)."""
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
                "admins, and time zones are taken as New York's, until it works (the app needs "
                "the users:read scope)",
                slack_error(exc),
            )
            return None
        except ConfigError as exc:
            log.warning("cannot ask Slack about members of team %s: %s", team_id, exc)
            return None
        user = dict(answer.get("user") or {})
        if len(self._known) >= MAX_CACHED:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[key] = (user, now + self._ttl)
        return user

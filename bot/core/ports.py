"""What the use cases need from the outside world, as protocols the composition root fills.

``Notifier`` is how the bot speaks on its own (not in answer to a request): the DM after
linking, the one message of a triggered alert, an order's message updated as it fills. Those
messages are owed in the outbox first; the delivery worker (``bot.core.delivery``) calls the
notifier, which returns when Slack took the message and raises :class:`DeliveryFailed` when it
did not. The Slack implementation is ``handlers.notify.SlackNotifier``.

``SlackDirectory`` tells who is a Slack workspace owner or admin (they are always the bot's
admins there); ``handlers.directory.SlackUsersDirectory`` asks ``users.info``.

``SlackIdentity`` is Sign in with Slack: it proves which Slack user a browser belongs to, so a
sign-in link links only the person who asked for it (``handlers.identity.SlackOpenIdConnect``).
The use cases never import Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.autoshares.resources import Agreement, Transfer
from bot.core.notices import ActionNotice
from storage.records import Link, Pending, Route, RouteGroup


class DeliveryFailed(Exception):
    """Slack did not take a message. ``retry_after``: Slack said when to try again;
    ``permanent``: trying again cannot help (the workspace is gone, nowhere to post)."""

    def __init__(self, error: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class Posted:
    """A message Slack took: where it was asked to go (``to``: a channel, or a user id for
    their DM), the conversation Slack put it in, and its ts."""

    to: str
    channel: str
    ts: str


class Notifier(Protocol):
    async def linked(self, link: Link, agreements: Sequence[Agreement]) -> None:
        """Tell a user their link is made (and which agreements wait for them)."""

    async def alert_triggered(
        self,
        route: Route,
        price: float | None,
        *,
        to: str | None = None,
        thread: tuple[str, str] | None = None,
        group: RouteGroup | None = None,
    ) -> Posted | None:
        """Post the one message of a fired alert to ``to`` (the route's channel unless given;
        else, when the bot cannot post there, the user's DM), as a reply under ``thread``
        (channel, ts) when given; what Slack took, when it says."""

    async def order_changed(self, pending: Pending, *, dm_fallback: bool = True) -> None:
        """Show an order's latest state on its message (or in a DM when that is gone)."""

    async def link_refused(self, team_id: str, slack_user_id: str) -> None:
        """Tell a user that someone else opened their sign-in link and nothing was linked."""

    async def approval_requested(self, pending: Pending) -> str | None:
        """Post an order's approval request to its approvers' channel; the message's ts."""

    async def approval_changed(self, pending: Pending) -> None:
        """Show an order's latest state on its approval request (once that is posted)."""

    async def transfer_settled(
        self, team_id: str, slack_user_id: str, account_id: int, transfer: Transfer
    ) -> None:
        """Tell a member in a DM that a deposit or withdrawal of theirs completed or failed."""

    async def digest(self, team_id: str, channel: str, slack_user_id: str, summary: Any) -> None:
        """Post a portfolio digest (``bot.core.digests.DigestSummary``) in its channel, else the
        member's DM."""

    async def corporate_action(self, team_id: str, slack_user_id: str, notice: ActionNotice) -> None:
        """Tell a holder, by DM, of a corporate action on something they hold."""


class SlackIdentity(Protocol):
    @property
    def configured(self) -> bool:
        """Whether the Slack app's client id and secret are set (no fallback without them)."""

    async def authorization_url(self, *, state: str, nonce: str, team_id: str) -> str:
        """Where to send the browser to sign in with Slack."""

    async def verify(self, code: str, nonce: str) -> tuple[str, str]:
        """Redeem the code and verify the ID token; the signed-in (team id, user id)."""


class SlackDirectory(Protocol):
    async def is_workspace_admin(self, team_id: str, slack_user_id: str) -> bool:
        """Whether Slack says the member is an owner or admin of the workspace (False when
        Slack cannot say: the bot's rules then fail closed)."""

    async def time_zone(self, team_id: str, slack_user_id: str) -> str | None:
        """The member's time zone as set in Slack (an IANA name), or None when Slack cannot say."""

"""Linking a Slack user to their AutoShares login (OAuth 2.0 code flow + PKCE + OIDC).

``/autoshares link`` → ``start`` stores a single-use state (bound to team and user, 10 minute
expiry, PKCE verifier encrypted) and returns our ``/autoshares/login?state=…`` URL.
``login_redirect`` turns that into the issuer's authorization URL. ``complete`` handles the
callback: consume the state, exchange the code, validate the ID token, read who the user is at
AutoShares, count outstanding agreements, store the link, and DM the user. Every failure ends on
an outcome with a plain message, and stores nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.autoshares.oidc import OAuthError, new_code_verifier, new_nonce, token_set
from bot.core.errors import BotError
from bot.wiring import Services
from storage.link_states import IssuedState, StateProblem
from storage.links import Link

log = logging.getLogger(__name__)

STATE_PROBLEMS = {
    StateProblem.MISSING: "This sign-in link is incomplete. Run /autoshares link in Slack to get a new one.",
    StateProblem.UNKNOWN: "This sign-in link is not one we issued. Run /autoshares link in Slack to get a new one.",
    StateProblem.USED: "This sign-in link was already used. Run /autoshares link in Slack if you need a new one.",
    StateProblem.EXPIRED: "This sign-in link expired after 10 minutes. Run /autoshares link in Slack to get a new one.",
}

IDP_ERRORS = {
    "access_denied": "You declined to connect AutoShares, so nothing was linked. Run /autoshares link in Slack whenever you want to try again.",
    "login_required": "AutoShares needs you to sign in. Run /autoshares link in Slack to try again.",
}


@dataclass(frozen=True)
class CallbackOutcome:
    ok: bool
    title: str
    message: str
    status: int = 200
    link: Link | None = None


def failure(message: str, status: int = 400, title: str = "Linking failed") -> CallbackOutcome:
    return CallbackOutcome(False, title, message, status)


class LinkService:
    def __init__(self, services: Services) -> None:
        self._s = services

    async def start(self, team_id: str, slack_user_id: str) -> str:
        """Issue a state and return the URL of our login redirect for the Slack button."""
        issued = await self._s.link_states.issue(team_id, slack_user_id, new_code_verifier(), new_nonce())
        return f"{self._s.settings.public_url}autoshares/login?{urlencode({'state': issued.state})}"

    async def login_redirect(self, state: str | None) -> str | CallbackOutcome:
        checked = await self._s.link_states.peek(state)
        if isinstance(checked, StateProblem):
            return failure(STATE_PROBLEMS[checked])
        oidc = await self._s.oidc()
        return await oidc.authorization_url(
            state=checked.state, code_verifier=checked.code_verifier, nonce=checked.nonce
        )

    async def complete(self, params: Mapping[str, str]) -> CallbackOutcome:
        state = params.get("state")
        consumed = await self._s.link_states.consume(state)
        if isinstance(consumed, StateProblem):
            return failure(STATE_PROBLEMS[consumed])
        if params.get("error"):
            error = params["error"]
            log.info("identity provider returned error=%s", error[:64])
            message = IDP_ERRORS.get(
                error,
                "AutoShares sign-in did not complete, so nothing was linked. Run /autoshares link in Slack to try again.",
            )
            return failure(message, title="Not linked")
        code = params.get("code")
        if not code:
            return failure(
                "The sign-in answer carried no authorization code. Run /autoshares link in Slack to try again."
            )
        try:
            return await self._finish(consumed, code)
        except OAuthError as exc:
            log.warning("link callback failed: %s", exc)
            return failure(
                "AutoShares did not accept this sign-in, so nothing was linked. Run /autoshares link in Slack to try again.",
                status=502 if not exc.rejected else 400,
            )
        except BotError as exc:
            log.warning("link callback failed: %s", exc)
            return failure(f"{exc.user_message} Nothing was linked.", status=502)

    async def _finish(self, issued: IssuedState, code: str) -> CallbackOutcome:
        oidc = await self._s.oidc()
        answer = await oidc.exchange_code(code, issued.code_verifier)
        claims = await oidc.validate_id_token(answer, issued.nonce)
        tokens = token_set(answer)
        # Ask AutoShares who this is, with the new token, before storing anything.
        probe = Link.unsaved(issued.team_id, issued.slack_user_id, tokens)
        api = self._s.autoshares.for_link(probe)
        me = await api.me()
        user_id = int(me["UserId"]) if "UserId" in me else int(me["Id"])
        api.user_id = user_id
        agreements = await api.agreements()
        name = " ".join(p for p in (me.get("FirstName"), me.get("LastName")) if p) or claims.name
        link = await self._s.links.save(
            team_id=issued.team_id,
            slack_user_id=issued.slack_user_id,
            autoshares_user_id=user_id,
            autoshares_login=str(me.get("Login") or claims.nickname or claims.email or claims.subject),
            email=me.get("Email") or claims.email,
            display_name=name,
            tokens=tokens,
            agreements_outstanding=len(agreements),
        )
        log.info("linked slack user to autoshares user %s", user_id)
        await self._notify(link, agreements)
        return CallbackOutcome(
            True,
            "Linked",
            f"Your Slack account is now linked to AutoShares as {link.autoshares_login}. You can close this tab and return to Slack.",
            link=link,
        )

    async def _notify(self, link: Link, agreements: list[dict[str, object]]) -> None:
        from handlers import blocks  # local import: blocks is presentation, linking is a service

        try:
            client = await self._s.slack.for_team(link.team_id)
            message = blocks.linked_dm(link, agreements)
            await client.chat_postMessage(channel=link.slack_user_id, **message)
        except Exception:
            # The link is stored; a failed DM must not turn the user's success page into an error.
            log.exception("could not DM the user after linking")

    async def unlink(self, team_id: str, slack_user_id: str) -> tuple[bool, bool]:
        """Revoke at the issuer where it offers revocation, then delete. Returns (was_linked, revoked)."""
        link = await self._s.links.get(team_id, slack_user_id)
        if link is None:
            return False, False
        revoked = False
        try:
            oidc = await self._s.oidc()
            if link.refresh_token:
                revoked = await oidc.revoke(link.refresh_token, "refresh_token")
            else:
                revoked = await oidc.revoke(link.access_token, "access_token")
        except BotError as exc:
            log.warning("revocation skipped: %s", exc)
        await self._s.links.delete(team_id, slack_user_id)
        return True, revoked

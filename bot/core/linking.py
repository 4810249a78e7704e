"""Linking a Slack user to their AutoShares login (OAuth 2.0 code flow + PKCE + OIDC).

``/autoshares link`` → ``start`` stores a single-use state (bound to team and user, 10 minute
expiry, PKCE verifier encrypted) and returns our ``/autoshares/login?state=…`` URL.
``login_redirect`` turns that into the issuer's authorization URL. ``complete`` handles the
callback: consume the state, exchange the code, validate the ID token, ask AutoShares who the
user is (with the fresh token, before anything is stored), count outstanding agreements, store
the link, and tell the user in Slack. Every failure ends on an outcome naming the problem, and
stores nothing; the web layer words the page.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.autoshares import errors as e
from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from bot.autoshares.oidc import OidcClient, new_code_verifier, new_nonce
from bot.autoshares.tokens import token_set
from bot.core.ports import Notifier
from storage.link_states import IssuedState, LinkStateRepository, StateProblem
from storage.links import LinkRepository
from storage.records import Link

log = logging.getLogger(__name__)


class LinkProblem(enum.Enum):
    """Why a sign-in did not link anybody."""

    STATE_MISSING = "state_missing"
    STATE_UNKNOWN = "state_unknown"
    STATE_USED = "state_used"
    STATE_EXPIRED = "state_expired"
    DECLINED = "declined"  # the user said no at the identity provider
    LOGIN_REQUIRED = "login_required"
    PROVIDER_ERROR = "provider_error"  # any other error the identity provider sent back
    NO_CODE = "no_code"
    REFUSED = "refused"  # the issuer refused the code or the ID token did not verify
    UNAVAILABLE = "unavailable"  # the issuer or AutoShares failed


STATE_PROBLEMS = {
    StateProblem.MISSING: LinkProblem.STATE_MISSING,
    StateProblem.UNKNOWN: LinkProblem.STATE_UNKNOWN,
    StateProblem.USED: LinkProblem.STATE_USED,
    StateProblem.EXPIRED: LinkProblem.STATE_EXPIRED,
}
PROVIDER_ERRORS = {"access_denied": LinkProblem.DECLINED, "login_required": LinkProblem.LOGIN_REQUIRED}


@dataclass(frozen=True)
class LinkOutcome:
    """The end of a sign-in: the link made, or the problem that stopped it."""

    link: Link | None = None
    problem: LinkProblem | None = None
    error: Exception | None = None  # the failure behind UNAVAILABLE, for its wording

    @property
    def ok(self) -> bool:
        return self.link is not None


class LinkService:
    def __init__(
        self,
        *,
        links: LinkRepository,
        states: LinkStateRepository,
        oidc: OidcClient,
        client: AutoSharesClient,
        notifier: Notifier,
        public_url: str,
    ) -> None:
        self._links = links
        self._states = states
        self._oidc = oidc
        self._client = client
        self._notifier = notifier
        self._public_url = public_url

    async def start(self, team_id: str, slack_user_id: str) -> str:
        """Issue a state and return the URL of our login redirect for the Slack button."""
        issued = await self._states.issue(team_id, slack_user_id, new_code_verifier(), new_nonce())
        return f"{self._public_url}autoshares/login?{urlencode({'state': issued.state})}"

    async def login_redirect(self, state: str | None) -> str | LinkOutcome:
        """The issuer's authorization URL for a state we issued (the state is not used up)."""
        checked = await self._states.peek(state)
        if isinstance(checked, StateProblem):
            return LinkOutcome(problem=STATE_PROBLEMS[checked])
        try:
            return await self._oidc.authorization_url(
                state=checked.state, code_verifier=checked.code_verifier, nonce=checked.nonce
            )
        except e.AutoSharesError as exc:
            log.error("login redirect failed: %s", exc)
            return LinkOutcome(problem=LinkProblem.UNAVAILABLE, error=exc)

    async def complete(self, params: Mapping[str, str]) -> LinkOutcome:
        """The identity provider's callback."""
        consumed = await self._states.consume(params.get("state"))
        if isinstance(consumed, StateProblem):
            return LinkOutcome(problem=STATE_PROBLEMS[consumed])
        if params.get("error"):
            error = params["error"]
            log.info("identity provider returned error=%s", error[:64])
            return LinkOutcome(problem=PROVIDER_ERRORS.get(error, LinkProblem.PROVIDER_ERROR))
        code = params.get("code")
        if not code:
            return LinkOutcome(problem=LinkProblem.NO_CODE)
        try:
            return await self._finish(consumed, code)
        except e.OAuthError as exc:
            log.warning("link callback failed: %s", exc)
            return LinkOutcome(
                problem=LinkProblem.REFUSED if exc.rejected else LinkProblem.UNAVAILABLE, error=exc
            )
        except e.AutoSharesError as exc:
            log.warning("link callback failed: %s", exc)
            return LinkOutcome(problem=LinkProblem.UNAVAILABLE, error=exc)

    async def _finish(self, issued: IssuedState, code: str) -> LinkOutcome:
        answer = await self._oidc.exchange_code(code, issued.code_verifier)
        claims = await self._oidc.validate_id_token(answer, issued.nonce)
        tokens = token_set(answer)
        # Ask AutoShares who this is, with the new token, before storing anything.
        api = self._client.for_user(BearerToken(tokens.access_token), None)
        me = await api.me()
        user_id = int(me["UserId"]) if "UserId" in me else int(me["Id"])
        api.user_id = user_id
        agreements = await api.agreements()
        name = " ".join(p for p in (me.get("FirstName"), me.get("LastName")) if p) or claims.name
        link = await self._links.save(
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
        try:
            await self._notifier.linked(link, agreements)
        except Exception:
            # The link is stored; a failed DM must not turn the user's success page into an error.
            log.exception("could not tell the user in Slack after linking")
        return LinkOutcome(link=link)

    async def unlink(self, team_id: str, slack_user_id: str) -> tuple[bool, bool]:
        """Revoke at the issuer where it offers revocation, then delete. Returns (was_linked, revoked)."""
        link = await self._links.get(team_id, slack_user_id)
        if link is None:
            return False, False
        revoked = False
        try:
            if link.refresh_token:
                revoked = await self._oidc.revoke(link.refresh_token, "refresh_token")
            else:
                revoked = await self._oidc.revoke(link.access_token, "access_token")
        except e.AutoSharesError as exc:
            log.warning("revocation skipped: %s", exc)
        await self._links.delete(team_id, slack_user_id)
        return True, revoked

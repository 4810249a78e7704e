"""Linking a Slack user to their AutoShares login, and only the Slack user who asked.

1. ``/autoshares link`` → :meth:`LinkService.start` stores a single-use sign-in (bound to the
   Slack team and user, 10 minute expiry, PKCE verifier encrypted, state stored hashed) and
   returns our ``/autoshares/login?state=…`` URL.
2. ``/autoshares/login`` → :meth:`login_redirect` ties the sign-in to this browser (a cookie)
   and sends it to Sign in with Slack.
3. ``/slack/identity`` → :meth:`slack_returned` verifies Slack's ID token: the Slack user who
   signed in must be the one who asked, in the same browser. If not, nothing is linked, the
   sign-in is spent and the requester is told in Slack (a forwarded link links nobody). If so,
   the browser goes on to the AutoShares identity provider (code flow + PKCE).
4. ``/autoshares/callback`` → :meth:`complete`: consume the sign-in (same browser, Slack step
   done), exchange the code, validate the ID token, ask AutoShares who the user is (with the
   fresh token, before anything is stored), count outstanding agreements, store the link, and
   tell the user in Slack.

Two token modes (``AUTOSHARES_TOKEN_MODE``). ``access-token`` (the seed quick start): the code
is exchanged at the issuer's token endpoint (PKCE verifier, client secret), the ID token is
validated, and the access token is the trading API's bearer, refreshed with the refresh token.
``exchange`` (the SSO page): the code goes to the trading API's ``POST /token`` instead, with
the callback URL as ``RedirectUri``; the ``Token`` it returns is stored (encrypted) with the
expiry the deployment trusts it for, and there is nothing to refresh: once it ends the user is
asked to link again. The code can be redeemed once, so in that mode there is no ID token to
check; who the user is comes from AutoShares (``/users/@me/info``) with the new token.

Every failure ends on an outcome naming the problem, and stores nothing; the web layer words
the page.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bot.autoshares import errors as e
from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from bot.autoshares.oidc import IdentityClaims, OidcClient, new_code_verifier, new_nonce
from bot.autoshares.tokens import TokenSet, token_set
from bot.autoshares.trading_token import TRADING_TOKEN_SCOPE, TradingTokenClient, trading_token_set
from bot.core.errors import SlackIdentityFailed, SlackIdentityNotConfigured
from bot.core.ports import SlackIdentity
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
    WRONG_PERSON = "wrong_person"  # someone other than the requester signed in to Slack
    OTHER_BROWSER = "other_browser"  # not the browser that opened the sign-in link
    NOT_VERIFIED = "not_verified"  # the Slack step was skipped
    STATE_UNREADABLE = "state_unreadable"  # issued under an encryption key no longer configured
    SLACK_DECLINED = "slack_declined"  # the user said no at Sign in with Slack
    SLACK_FAILED = "slack_failed"  # Slack did not confirm who signed in


STATE_PROBLEMS = {
    StateProblem.MISSING: LinkProblem.STATE_MISSING,
    StateProblem.UNKNOWN: LinkProblem.STATE_UNKNOWN,
    StateProblem.USED: LinkProblem.STATE_USED,
    StateProblem.EXPIRED: LinkProblem.STATE_EXPIRED,
    StateProblem.OTHER_BROWSER: LinkProblem.OTHER_BROWSER,
    StateProblem.NOT_VERIFIED: LinkProblem.NOT_VERIFIED,
    StateProblem.UNREADABLE: LinkProblem.STATE_UNREADABLE,
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


@dataclass(frozen=True)
class LoginStart:
    """Where the browser goes first (Sign in with Slack), and the cookie that ties the sign-in
    to this browser."""

    url: str
    browser: str = field(repr=False)


class LinkService:
    def __init__(
        self,
        *,
        links: LinkRepository,
        states: LinkStateRepository,
        oidc: OidcClient,
        identity: SlackIdentity,
        client: AutoSharesClient,
        public_url: str,
        trading_tokens: TradingTokenClient | None = None,
        exchange: bool = False,
        trading_token_seconds: int = 3600,
    ) -> None:
        self._links = links
        self._states = states
        self._oidc = oidc
        self._identity = identity
        self._client = client
        self._public_url = public_url
        self._trading_tokens = trading_tokens
        #: exchange mode: the code is redeemed at the trading API's /token
        self.exchange = exchange and trading_tokens is not None
        self._trading_token_seconds = trading_token_seconds

    async def _refused(self, problem: StateProblem, state: str | None) -> LinkOutcome:
        """The outcome for a sign-in the repository refused. One issued under an encryption key
        no longer configured can never finish: it is spent, so it stops counting as in progress."""
        if problem is StateProblem.UNREADABLE and state:
            log.warning(
                "a sign-in in progress cannot be decrypted with TOKEN_ENCRYPTION_KEY (the key changed "
                "without keeping the old one); the user must run /autoshares link again"
            )
            await self._states.burn(state)
        return LinkOutcome(problem=STATE_PROBLEMS[problem])

    async def start(self, team_id: str, slack_user_id: str) -> str:
        """Issue a sign-in and return the URL of our login redirect for the Slack button."""
        if not self._identity.configured:
            raise SlackIdentityNotConfigured()
        issued = await self._states.issue(
            team_id, slack_user_id, new_code_verifier(), new_nonce(), slack_nonce=new_nonce()
        )
        return f"{self._public_url}autoshares/login?{urlencode({'state': issued.state})}"

    async def login_redirect(self, state: str | None) -> LoginStart | LinkOutcome:
        """Tie the sign-in to this browser and send it to Sign in with Slack."""
        checked = await self._states.peek(state)
        if isinstance(checked, StateProblem):
            return await self._refused(checked, state)
        browser = secrets.token_urlsafe(32)
        bound = await self._states.bind_browser(checked.state, browser)
        if isinstance(bound, StateProblem):
            return await self._refused(bound, checked.state)
        try:
            url = await self._identity.authorization_url(
                state=bound.state, nonce=bound.slack_nonce, team_id=bound.team_id
            )
        except SlackIdentityFailed as exc:
            log.error("Sign in with Slack is unavailable: %s", exc)
            return LinkOutcome(problem=LinkProblem.SLACK_FAILED, error=exc)
        return LoginStart(url, browser)

    async def slack_returned(self, params: Mapping[str, str], browser: str | None) -> str | LinkOutcome:
        """Back from Sign in with Slack: the requester, in the same browser, goes on to
        AutoShares; anyone else links nothing, and the requester is told."""
        state = params.get("state")
        checked = await self._states.peek(state)
        if isinstance(checked, StateProblem):
            return await self._refused(checked, state)
        if params.get("error"):
            log.info("Sign in with Slack returned error=%s", params["error"][:64])
            await self._states.burn(checked.state)
            return LinkOutcome(problem=LinkProblem.SLACK_DECLINED)
        code = params.get("code")
        if not code:
            return LinkOutcome(problem=LinkProblem.NO_CODE)
        try:
            team_id, slack_user_id = await self._identity.verify(code, checked.slack_nonce)
        except SlackIdentityFailed as exc:
            log.warning("Sign in with Slack failed: %s", exc)
            return LinkOutcome(problem=LinkProblem.SLACK_FAILED, error=exc)
        if (team_id, slack_user_id) != (checked.team_id, checked.slack_user_id):
            log.warning("a sign-in link was opened by another Slack user; nothing linked")
            await self._states.burn(checked.state, tell_requester=True)
            return LinkOutcome(problem=LinkProblem.WRONG_PERSON)
        verified = await self._states.verify_slack(checked.state, browser)
        if isinstance(verified, StateProblem):
            return await self._refused(verified, checked.state)
        try:
            return await self._oidc.authorization_url(
                state=verified.state, code_verifier=verified.code_verifier, nonce=verified.nonce
            )
        except e.AutoSharesError as exc:
            log.error("login redirect failed: %s", exc)
            return LinkOutcome(problem=LinkProblem.UNAVAILABLE, error=exc)

    async def complete(self, params: Mapping[str, str], browser: str | None) -> LinkOutcome:
        """The AutoShares identity provider's callback."""
        consumed = await self._states.consume(params.get("state"), browser)
        if isinstance(consumed, StateProblem):
            return await self._refused(consumed, params.get("state"))
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

    async def _tokens_for(self, issued: IssuedState, code: str) -> tuple[TokenSet, IdentityClaims | None]:
        """Redeem the code: at the trading API's /token in exchange mode, else at the issuer."""
        if self.exchange and self._trading_tokens is not None:
            token = await self._trading_tokens.exchange_code(code, self._oidc.redirect_uri)
            return trading_token_set(token, self._trading_token_seconds), None
        answer = await self._oidc.exchange_code(code, issued.code_verifier)
        claims = await self._oidc.validate_id_token(answer, issued.nonce)
        return token_set(answer), claims

    async def _finish(self, issued: IssuedState, code: str) -> LinkOutcome:
        tokens, claims = await self._tokens_for(issued, code)
        # Ask AutoShares who this is, with the new token, before storing anything.
        api = self._client.for_user(BearerToken(tokens.access_token), None)
        me = await api.me()
        user_id = me.user_id
        api.user_id = user_id
        agreements = await api.agreements()
        # In exchange mode there are no ID token claims: AutoShares' own answer says it all.
        claimed_name = claims.name if claims else None
        claimed_login = (claims.nickname or claims.email or claims.subject) if claims else None
        name = me.full_name or claimed_name
        link = await self._links.save(
            team_id=issued.team_id,
            slack_user_id=issued.slack_user_id,
            autoshares_user_id=user_id,
            autoshares_login=str(me.login or claimed_login or user_id),
            email=me.email or (claims.email if claims else None),
            display_name=name,
            tokens=tokens,
            agreements_outstanding=len(agreements),
            # the user is owed a DM saying so (outbox)
            agreements=[a.model_dump(mode="json") for a in agreements],
        )
        log.info("linked slack user to autoshares user %s", user_id)
        return LinkOutcome(link=link)

    async def unlink(self, team_id: str, slack_user_id: str) -> tuple[bool, bool]:
        """Revoke at the issuer where it offers revocation, then delete. Returns (was_linked, revoked).

        Tokens no configured key decrypts cannot be revoked; the row is deleted all the same."""
        link = await self._links.get(team_id, slack_user_id)
        if link is None:
            return False, False
        revoked = False
        try:
            if link.tokens_unreadable:
                log.warning(
                    "revocation skipped: the stored tokens cannot be decrypted with TOKEN_ENCRYPTION_KEY"
                )
            elif link.scopes == TRADING_TOKEN_SCOPE:
                revoked = await self._trading_logout(link.access_token)
            elif link.refresh_token:
                revoked = await self._oidc.revoke(link.refresh_token, "refresh_token")
            else:
                revoked = await self._oidc.revoke(link.access_token, "access_token")
        except e.AutoSharesError as exc:
            log.warning("revocation skipped: %s", exc)
        await self._links.delete(team_id, slack_user_id)
        return True, revoked

    async def _trading_logout(self, token: str) -> bool:
        """End a trading token at ``POST /logout`` (whatever mode is in force now)."""
        if self._trading_tokens is None:
            return False
        return await self._trading_tokens.logout(token)

"""Everything a handler needs, built once per process from the settings and passed in.

Nothing here is global: ``Services.create(settings)`` builds the database, the one pooled
httpx client, the OIDC client, the AutoShares client and the Slack client factory; tests build
their own with their own settings.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.oidc import OidcClient
from bot.autoshares.streamer import QuoteStreamer
from bot.autoshares.tokens import TokenManager
from bot.core.errors import ConfigError, NotLinkedError
from bot.core.securities import SecurityCache
from bot.ops.metrics import Metrics
from bot.settings import Settings
from storage.crypto import TokenCipher
from storage.db import Database
from storage.link_states import LinkStateRepository
from storage.links import Link, LinkRepository

log = logging.getLogger(__name__)


class SlackClients:
    """Web API clients with the right bot token for a team (one workspace or many)."""

    def __init__(
        self, settings: Settings, installation_store: AsyncSQLAlchemyInstallationStore | None
    ) -> None:
        self._settings = settings
        self.installation_store = installation_store

    def anonymous(self) -> AsyncWebClient:
        return AsyncWebClient(base_url=self._settings.slack_api_url)

    async def for_team(self, team_id: str | None, enterprise_id: str | None = None) -> AsyncWebClient:
        if self._settings.slack_bot_token:
            return AsyncWebClient(token=self._settings.slack_bot_token, base_url=self._settings.slack_api_url)
        if self.installation_store is None:
            raise ConfigError("No SLACK_BOT_TOKEN and no installation store configured")
        bot = await self.installation_store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise ConfigError(
                f"The app is not installed in Slack team {team_id}; install it at /slack/install"
            )
        return AsyncWebClient(token=bot.bot_token, base_url=self._settings.slack_api_url)


@dataclass
class Services:
    settings: Settings
    db: Database
    cipher: TokenCipher
    http: httpx.AsyncClient
    links: LinkRepository
    link_states: LinkStateRepository
    tokens: TokenManager
    autoshares: AutoSharesClient
    slack: SlackClients
    oauth_state_store: AsyncSQLAlchemyOAuthStateStore | None
    extras: dict[str, Any] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    _oidc: OidcClient | None = None
    _background: set[asyncio.Task[Any]] = field(default_factory=set)
    _securities: SecurityCache | None = None
    _quotes: QuoteStreamer | None = None

    @classmethod
    async def create(cls, settings: Settings, *, migrate: bool = True) -> Services:
        if settings.uses_embedded_sandbox:
            raise ConfigError("AUTH0_DOMAIN and AUTOSHARES_API_URL are not set and no sandbox was started")
        db = Database(settings.async_database_url)
        if migrate:
            await db.upgrade()
        cipher = TokenCipher(settings.token_encryption_keys)
        http = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.autoshares_timeout_seconds, connect=5.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )
        links = LinkRepository(db.sessions, cipher)
        installation_store = state_store = None
        if settings.multi_workspace:
            installation_store = AsyncSQLAlchemyInstallationStore(
                client_id=settings.slack_client_id or "", engine=db.engine
            )
            state_store = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=db.engine)
        services: Services
        tokens = TokenManager(links, lambda: services.oidc())
        autoshares = AutoSharesClient(
            http,
            base_url=settings.autoshares_api_url or "",
            app_key=settings.autoshares_app_key or "",
            tokens=tokens,
        )
        services = cls(
            settings=settings,
            db=db,
            cipher=cipher,
            http=http,
            links=links,
            link_states=LinkStateRepository(db.sessions, cipher, settings.link_state_ttl_seconds),
            tokens=tokens,
            autoshares=autoshares,
            slack=SlackClients(settings, installation_store),
            oauth_state_store=state_store,
        )
        autoshares.observe = services.metrics.observe_autoshares
        tokens.after_refresh.append(services._count_refresh)
        return services

    async def _count_refresh(self, _link: Link) -> None:
        self.metrics.token_refreshes.inc()

    async def oidc(self) -> OidcClient:
        """The issuer client; discovery is fetched on first use, not at start-up."""
        if self._oidc is None:
            s = self.settings
            self._oidc = OidcClient(
                self.http,
                issuer=s.auth0_issuer or "",
                client_id=s.auth0_client_id or "",
                client_secret=s.auth0_client_secret or "",
                redirect_uri=s.autoshares_callback_url,
                audience=s.auth0_audience,
            )
        await self._oidc.metadata()
        return self._oidc

    async def user_api(self, team_id: str, slack_user_id: str) -> UserApi:
        """The AutoShares API acting for this Slack user; NotLinkedError when unlinked."""
        link = await self.links.get(team_id, slack_user_id)
        if link is None:
            raise NotLinkedError()
        return self.autoshares.for_link(link)

    def api_for(self, link: Link) -> UserApi:
        return self.autoshares.for_link(link)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run background work that shutdown waits for (see ``drain``)."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def drain(self, timeout: float = 10.0) -> None:
        if self._background:
            await asyncio.wait(list(self._background), timeout=timeout)

    @property
    def securities(self) -> SecurityCache:
        """Symbol → EquityResource, cached for the process (created on first use)."""
        if self._securities is None:
            self._securities = SecurityCache()
        return self._securities

    @property
    def quotes(self) -> QuoteStreamer:
        """The process's one quote-streamer session (opened on first use, closed by aclose)."""
        if self._quotes is None:
            self._quotes = QuoteStreamer()
        return self._quotes

    async def aclose(self) -> None:
        await self.drain()
        if self._quotes is not None:
            await self._quotes.aclose()
        await self.http.aclose()
        await self.db.dispose()

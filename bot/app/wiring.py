"""The composition root's container: everything built once per process from the settings.

Nothing is global and nothing is wired after construction: ``Services.create(settings)`` builds
the database, the one pooled httpx client, the identity provider client, the AutoShares client,
the Slack clients and notifier, and every use case, in dependency order, and hands back one
typed object. Tests build their own from their own settings.
"""

from __future__ import annotations

import functools
import logging
import ssl
from dataclasses import dataclass
from datetime import timedelta

import httpx
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.app.settings import MAX_POLL_CONCURRENCY, Settings
from bot.app.stored_keys import StoredKeys
from bot.autoshares.client import AutoSharesClient
from bot.autoshares.oidc import OidcClient
from bot.autoshares.streamer import QuoteStreamer
from bot.autoshares.tokens import TokenManager
from bot.autoshares.trading_token import TradingTokenClient
from bot.core.accounts import AccountService
from bot.core.activity import ActivityService
from bot.core.agreements import AgreementService
from bot.core.alerts import AlertService
from bot.core.chart_images import ChartImages, ChartUrlSigner, chart_url_keys
from bot.core.corporate_actions import CorporateActionService
from bot.core.delivery import Delivery
from bot.core.digests import DigestService
from bot.core.errors import ConfigError
from bot.core.followup import OrderFollowUp
from bot.core.funds import FundService
from bot.core.holdings import HoldingsService
from bot.core.home import HomeService
from bot.core.linking import LinkService
from bot.core.market import MarketService
from bot.core.news import NewsService
from bot.core.offboarding import Offboarding
from bot.core.offerings import OfferingService
from bot.core.options import OptionService
from bot.core.orders import OrderPolicy, OrderService
from bot.core.pacing import UserPacing
from bot.core.passes import PollPolicy
from bot.core.performance import PerformanceService
from bot.core.securities import SecurityCache
from bot.core.tasks import BackgroundTasks
from bot.core.team import Role, TeamRules, TeamService
from bot.core.transfers import TransferService
from bot.core.usecases import UseCases
from bot.core.users import LinkedUsers
from bot.core.watchlists import WatchlistService
from bot.telemetry.metrics import Metrics
from handlers.directory import SlackUsersDirectory
from handlers.identity import SlackOpenIdConnect
from handlers.installations import CachedInstallations
from handlers.notify import SlackClients, SlackNotifier, SlackSession
from storage.alert_groups import AlertGroupRepository
from storage.alert_preferences import AlertPreferences
from storage.alerts import AlertRouteRepository
from storage.audit import AuditLog
from storage.charts import ChartImageRepository
from storage.corporate_actions import CorporateActionRepository
from storage.crypto import TokenCipher
from storage.db import Database
from storage.digests import DigestRepository
from storage.intents import ClickIntents
from storage.link_states import LinkStateRepository
from storage.links import LinkRepository
from storage.orders import PendingOrderRepository
from storage.outbox import OutboxRepository
from storage.pacing import AllowanceRepository, ChannelPaceRepository
from storage.replays import SlackRequestLog
from storage.team import TeamRepository
from storage.transfers import TransferRepository

log = logging.getLogger(__name__)


def oidc_client(settings: Settings, http: httpx.AsyncClient) -> OidcClient:
    """The AutoShares sign-in client these settings describe."""
    return OidcClient(
        http,
        issuer=settings.auth0_issuer or "",
        client_id=settings.auth0_client_id or "",
        client_secret=settings.auth0_client_secret or "",
        redirect_uri=settings.autoshares_callback_url,
        audience=settings.auth0_audience,
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context for AutoShares calls (the system's trust store): loading the
    certificates takes tens of milliseconds, so every client shares it."""
    return ssl.create_default_context()


def autoshares_http(settings: Settings, connections: int = MAX_POLL_CONCURRENCY) -> httpx.AsyncClient:
    """A pooled HTTP client of ``connections`` connections: the process's background one
    (AutoShares for background passes, its sign-in, Slack's OpenID Connect), or the one for
    commands (``COMMAND_CONCURRENCY``), so that neither queues behind the other."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.autoshares_timeout_seconds, connect=5.0),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=min(connections, 20)),
        follow_redirects=False,
        verify=tls_context(),
    )


def slack_clients(
    settings: Settings, db: Database
) -> tuple[SlackClients, AsyncSQLAlchemyOAuthStateStore | None]:
    """The Slack clients, and the OAuth state store (both stores only for multi-workspace installs)."""
    installation_store = state_store = None
    if settings.multi_workspace:
        installation_store = CachedInstallations(
            AsyncSQLAlchemyInstallationStore(client_id=settings.slack_client_id or "", engine=db.engine)
        )
        state_store = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=db.engine)
    slack = SlackClients(
        api_url=settings.slack_api_url,
        bot_token=settings.slack_bot_token,
        installation_store=installation_store,
        session=SlackSession(),
    )
    return slack, state_store


def linking_service(
    settings: Settings,
    db: Database,
    cipher: TokenCipher,
    http: httpx.AsyncClient,
    *,
    links: LinkRepository,
    oidc: OidcClient,
    client: AutoSharesClient,
) -> LinkService:
    """Linking a Slack user to their AutoShares login (and Sign in with Slack, when set)."""
    identity = SlackOpenIdConnect(
        http,
        api_url=settings.slack_api_url,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        redirect_uri=settings.slack_identity_callback_url,
    )
    return LinkService(
        links=links,
        states=LinkStateRepository(db.sessions, cipher, settings.link_state_ttl_seconds),
        oidc=oidc,
        identity=identity,
        client=client,
        public_url=settings.public_url,
        trading_tokens=TradingTokenClient(
            http, base_url=settings.autoshares_api_url or "", app_key=settings.autoshares_app_key or ""
        ),
        exchange=settings.exchanges_for_trading_token,
        trading_token_seconds=settings.autoshares_trading_token_seconds,
    )


def alert_service(
    settings: Settings,
    db: Database,
    *,
    team: TeamService,
    users: LinkedUsers,
    streamer: QuoteStreamer,
    audit: AuditLog,
    pacing: UserPacing,
    polling: PollPolicy,
) -> AlertService:
    """Price alerts, their groups and where their triggers go."""
    return AlertService(
        team=team,
        users=users,
        routes=AlertRouteRepository(db.sessions),
        groups=AlertGroupRepository(db.sessions),
        preferences=AlertPreferences(db.sessions),
        streamer=streamer,
        audit=audit,
        default_expiry=timedelta(days=settings.alert_default_expiry_days),
        pacing=pacing,
        policy=polling,
    )


def chart_images(settings: Settings, db: Database) -> ChartImages:
    """Chart images kept for ``CHART_URL_SECONDS`` behind URLs only the bot can sign."""
    return ChartImages(
        ChartImageRepository(db.sessions),
        ChartUrlSigner(chart_url_keys(settings.token_encryption_keys)),
        public_url=settings.public_url,
        lifetime_seconds=settings.chart_url_seconds,
    )


def autoshares_client(
    settings: Settings, http: httpx.AsyncClient, command_http: httpx.AsyncClient, metrics: Metrics
) -> AutoSharesClient:
    """The AutoShares API client over its two pools, its calls measured."""
    return AutoSharesClient(
        http,
        command_http=command_http,
        base_url=settings.autoshares_api_url or "",
        app_key=settings.autoshares_app_key or "",
        observe=metrics.observe_autoshares,
    )


def team_service(settings: Settings, db: Database, directory: SlackUsersDirectory) -> TeamService:
    """Roles, the workspace's trading policy and two-person approval."""
    rules = TeamRules(default_role=Role(settings.default_role), approval_seconds=settings.approval_seconds)
    return TeamService(TeamRepository(db.sessions), directory, rules)


def order_policy(settings: Settings) -> OrderPolicy:
    """How long a preview waits for Confirm, what a large order is, when an order is settled."""
    return OrderPolicy(
        confirm_seconds=settings.order_confirm_seconds,
        large_order_notional=settings.large_order_notional,
        settle_after_seconds=settings.settle_after_seconds,
    )


def use_cases(
    settings: Settings,
    db: Database,
    cipher: TokenCipher,
    http: httpx.AsyncClient,
    *,
    command_http: httpx.AsyncClient,
    metrics: Metrics,
    tasks: BackgroundTasks,
    slack: SlackClients,
    oidc: OidcClient,
    streamer: QuoteStreamer,
) -> UseCases:
    """Every use case of ``bot.core``, built over one AutoShares client and one database."""
    client = autoshares_client(settings, http, command_http, metrics)
    links = LinkRepository(db.sessions, cipher)
    audit = AuditLog(db.sessions)
    users = LinkedUsers(links, client, oidc, tasks=tasks, metrics=metrics)
    linking = linking_service(settings, db, cipher, http, links=links, oidc=oidc, client=client)
    agreements = AgreementService(users)
    accounts = AccountService(users, signup_url=settings.autoshares_signup_url)
    # One allowance per user shared by every background pass (alerts, orders, corporate actions, transfers).
    pacing = UserPacing(AllowanceRepository(db.sessions), settings.poll_user_calls_per_minute)
    polling = PollPolicy(concurrency=settings.poll_concurrency, chunk=settings.poll_chunk_size)
    directory = SlackUsersDirectory(slack)
    team = team_service(settings, db, directory)
    alerts = alert_service(
        settings, db, team=team, users=users, streamer=streamer, audit=audit, pacing=pacing, polling=polling
    )
    pending = PendingOrderRepository(db.sessions)
    orders = OrderService(
        team=team,
        users=users,
        accounts=accounts,
        agreements=agreements,
        repo=pending,
        audit=audit,
        metrics=metrics,
        policy=order_policy(settings),
    )
    market = MarketService(users, SecurityCache(), streamer)
    watchlists = WatchlistService(users, market)
    digests = DigestService(
        repo=DigestRepository(db.sessions), users=users, alerts=alerts, market=market, team=team, directory=directory
    )
    offerings, transfers = new_issues_and_transfers(users, accounts, agreements, orders, audit, db, polling, pacing)
    return UseCases(
        users=users,
        linking=linking,
        agreements=agreements,
        accounts=accounts,
        market=market,
        orders=orders,
        funds=FundService(orders=orders, users=users, accounts=accounts, agreements=agreements, audit=audit),
        followup=OrderFollowUp(users=users, orders=orders, pacing=pacing, policy=polling),
        alerts=alerts,
        team=team,
        digests=digests,
        home=HomeService(users, linking, accounts, alerts, watchlists),
        offboarding=Offboarding(
            links=links,
            linking=linking,
            routes=alerts.routes,
            orders=pending,
            digests=digests.repo,
            transfers=transfers.repo,
        ),
        tasks=tasks,
        charts=chart_images(settings, db),
        watchlists=watchlists,
        options=OptionService(users, market.securities, streamer),
        performance=PerformanceService(users, accounts, market.securities),
        news=NewsService(users, market.securities),
        corporate_actions=CorporateActionService(users, CorporateActionRepository(db.sessions), pacing),
        activity=ActivityService(users, accounts),
        holdings=HoldingsService(users, accounts),
        offerings=offerings,
        transfers=transfers,
    )


def new_issues_and_transfers(
    users: LinkedUsers,
    accounts: AccountService,
    agreements: AgreementService,
    orders: OrderService,
    audit: AuditLog,
    db: Database,
    polling: PollPolicy,
    pacing: UserPacing,
) -> tuple[OfferingService, TransferService]:
    """`/autoshares ipo` (subscriptions go through ``orders``) and `/autoshares transfers`."""
    offerings = OfferingService(users=users, accounts=accounts, agreements=agreements, orders=orders, audit=audit)
    transfers = TransferRepository(db.sessions)
    return offerings, TransferService(
        users=users, accounts=accounts, repo=transfers, pacing=pacing, concurrency=polling.concurrency
    )


def delivery(
    settings: Settings, db: Database, notifier: SlackNotifier, core: UseCases, metrics: Metrics
) -> Delivery:
    """The outbox: what the bot owes Slack, delivered with retries and per-channel pacing."""
    return Delivery(
        OutboxRepository(db.sessions),
        notifier,
        links=core.users.links,
        routes=core.alerts.routes,
        groups=core.alerts.groups,
        orders=core.orders.repo,
        digests=core.digests,
        metrics=metrics,
        retry_base_seconds=settings.outbox_retry_seconds,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        paces=ChannelPaceRepository(db.sessions),
        pace_seconds=settings.channel_pace_seconds,
    )


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    http: httpx.AsyncClient
    command_http: httpx.AsyncClient
    metrics: Metrics
    tasks: BackgroundTasks
    slack: SlackClients
    oauth_state_store: AsyncSQLAlchemyOAuthStateStore | None
    oidc: OidcClient
    streamer: QuoteStreamer
    core: UseCases
    delivery: Delivery
    stored_keys: StoredKeys
    replays: SlackRequestLog
    intents: ClickIntents

    @property
    def links(self) -> LinkRepository:
        return self.core.users.links

    @property
    def tokens(self) -> TokenManager:
        return self.core.users.tokens

    @classmethod
    async def create(cls, settings: Settings, *, migrate: bool = True) -> Services:
        """Build every service of the process from ``settings``, in dependency order (the
        database is migrated first unless ``migrate`` is False)."""
        if settings.uses_embedded_sandbox:
            raise ConfigError("AUTH0_DOMAIN and AUTOSHARES_API_URL are not set and no sandbox was started")
        db = Database(settings.async_database_url, ack_seconds=settings.ack_database_seconds)
        if migrate:
            await db.upgrade()
        cipher = TokenCipher(settings.token_encryption_keys)
        http = autoshares_http(settings)
        command_http = autoshares_http(settings, settings.command_concurrency)
        metrics = Metrics()
        tasks = BackgroundTasks()
        slack, state_store = slack_clients(settings, db)
        oidc = oidc_client(settings, http)
        streamer = QuoteStreamer()
        core = use_cases(
            settings,
            db,
            cipher,
            http,
            command_http=command_http,
            metrics=metrics,
            tasks=tasks,
            slack=slack,
            oidc=oidc,
            streamer=streamer,
        )
        notifier = SlackNotifier(
            slack,
            metrics,
            confirm_seconds=core.orders.policy.confirm_seconds,
            environment=settings.autoshares_environment,
        )
        return cls(
            settings=settings,
            delivery=delivery(settings, db, notifier, core, metrics),
            db=db,
            http=http,
            command_http=command_http,
            metrics=metrics,
            tasks=tasks,
            slack=slack,
            oauth_state_store=state_store,
            oidc=oidc,
            streamer=streamer,
            core=core,
            stored_keys=StoredKeys(db.sessions, cipher, metrics),
            replays=SlackRequestLog(
                db.engine, ack_engine=db.ack_engine, timeout_seconds=settings.ack_database_seconds
            ),
            intents=ClickIntents(db.engine),
        )

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background work (lazy listeners) to finish and for the messages they owed
        Slack to be delivered (or left for a later retry)."""
        await self.tasks.drain(timeout)
        await self.delivery.settle(timeout)

    async def aclose(self) -> None:
        await self.drain()
        await self.streamer.aclose()
        await self.slack.session.aclose()
        await self.http.aclose()
        await self.command_http.aclose()
        await self.db.dispose()

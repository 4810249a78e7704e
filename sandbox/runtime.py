"""One sandbox instance: every part, built from one config, shared by the route handlers.

``create_app`` builds a ``Sandbox`` and keeps it on ``app.state.sandbox``; nothing is global, so
two sandboxes in one process (two tests, a test and a benchmark) never share state.

``reset`` puts a running sandbox back as it started (seed users, prices, no tokens, orders,
alerts, faults, rate-limit windows, webhook target or deliveries, clock offset), optionally with
other settings, so one served sandbox can stand in for a fresh one (POST /_sandbox/reset).
Route handlers reach the parts through the ``Sandbox`` on every call, so they see the new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from sandbox.clock import MarketClock
from sandbox.config import SandboxConfig
from sandbox.engine import Engine
from sandbox.faults import Faults
from sandbox.market import Market
from sandbox.oauth_server import IdentityStore, SandboxAuthorizationServer
from sandbox.options import OptionBook, market_date
from sandbox.ratelimit import RateLimiter
from sandbox.seed import seed_demo_users
from sandbox.signing import SigningKey
from sandbox.state import SandboxState
from sandbox.streamer import StreamerHub
from sandbox.webhooks import WebhookDispatcher

log = logging.getLogger(__name__)


def normalize_base_url(url: str) -> str:
    """The base URL with exactly one trailing slash (the issuer form Auth0 uses)."""
    return url.rstrip("/") + "/"


class Sandbox:
    """Holds the parts of a running sandbox and starts/stops its background work."""

    def __init__(self, config: SandboxConfig, base_url: str | None = None) -> None:
        #: The settings it was created with; ``reset`` starts from these.
        self.initial_config = config
        chosen = base_url or config.base_url
        self.base_url = normalize_base_url(chosen) if chosen else None
        # One key for the life of the process: it is identity, not state, and costly to make.
        self.signing = SigningKey()
        self._ticker: asyncio.Task[None] | None = None
        self._running = False
        self._build(config)

    def _build(self, config: SandboxConfig) -> None:
        """Every stateful part, fresh, from ``config``."""
        self.config = config
        self.state = SandboxState()
        if config.seed_users:
            seed_demo_users(self.state, config)
        self.clock = MarketClock(config.market_hours)
        self.market = Market(self.state.securities.values(), config.seed)
        self.options = OptionBook(
            self.state.securities, self.state.securities_by_symbol, lambda: market_date(self.clock.now())
        )
        self.state.contracts = self.options.contract
        self.market.options = self.state.option_terms = self.options.terms
        self.market.now = self.clock.now
        self.identity = IdentityStore(self.state, config, self.signing)
        self.oauth = SandboxAuthorizationServer(self.identity)
        self.faults = Faults(
            latency_ms=config.latency_ms, error_rate=config.error_rate, drop_rate=config.drop_rate
        )
        self.limiter = RateLimiter(enabled=config.rate_limits)
        self.webhooks = WebhookDispatcher(
            config.webhook_url,
            config.webhook_secret,
            retry_scale=config.webhook_retry_scale,
            timeout=config.webhook_timeout,
        )
        self.hub = StreamerHub(self.state, self.market)
        self.engine = Engine(
            self.state, self.market, self.clock, config, webhooks=self.webhooks, hub=self.hub
        )

    # -- URLs ----------------------------------------------------------------------------------
    def issuer(self, connection: HTTPConnection) -> str:
        """Issuer = API base URL, with trailing slash: configured, bound, or from the request."""
        if self.base_url:
            return self.base_url
        return normalize_base_url(str(connection.base_url))

    # -- rate limit of the auth endpoints ------------------------------------------------------
    def auth_subject(self, login: str) -> str:
        """The auth rate-limit key of a login name: the user when it exists."""
        user = self.state.user_by_login(login) if login else None
        return f"user:{user.id}" if user else (f"login:{login.lower()}" if login else "")

    def limit_auth(self, connection: HTTPConnection, subject: str) -> Response | None:
        """Apply the 'auth' limit (10/min per user) to a sign-in or token grant; ``subject`` is
        ``user:<id>`` when known (see ``auth_subject``), else the client address is used."""
        key = subject or f"ip:{connection.client.host if connection.client else '?'}"
        decision = self.limiter.check("auth", key)
        if decision is None or decision.allowed:
            return None
        self.state.stats.rate_limited += 1
        return JSONResponse(
            {"error": "too_many_requests", "error_description": "Rate limit exceeded."},
            status_code=429,
            headers=decision.headers(),
        )

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._running = True
        await self.webhooks.start()
        if self.config.tick_seconds > 0:
            self._ticker = asyncio.create_task(self._tick_forever(), name="sandbox-ticker")

    async def stop(self) -> None:
        self._running = False
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        self.faults.hold(False)
        await self.hub.close()
        await self.webhooks.stop()

    async def reset(self, config: SandboxConfig | None = None) -> None:
        """Back to a fresh start with ``config`` (default: the initial settings).

        Background work (ticker, webhook deliveries and retries) is stopped and started again,
        held requests are let go, streamer sockets are closed; the URLs and the signing key stay.
        """
        config = config or self.initial_config
        if config.base_url is not None and normalize_base_url(config.base_url) != self.base_url:
            raise ValueError("a reset cannot move the sandbox to another base URL")
        running = self._running
        if running:
            await self.stop()
        else:
            self.faults.hold(False)
        self._build(config)
        if running:
            await self.start()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick_seconds)
            try:
                await self.engine.tick()
            except Exception:  # keep the market alive; the failure is logged, not lost
                log.exception("market tick failed")

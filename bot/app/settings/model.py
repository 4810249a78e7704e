"""One typed, frozen settings object, read from a mapping (the environment and ``.env``).

Every setting is declared once, below, as a field of :class:`Settings` (see
``bot.app.settings.declare``). ``Settings.from_env(os.environ)`` reads them all in one pass, then
applies the rules between settings, and raises one :class:`SettingsError` listing every
problem, each a sentence naming the setting; secrets never appear in ``repr``. ``load_dotenv``
is called only by the CLI entry point, never here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from bot.app.settings.declare import Need, Reading, SettingsError, declared, read_declared, setting
from bot.app.settings.values import (
    Choice,
    DatabaseUrl,
    Domain,
    FernetKeys,
    Issuer,
    Number,
    Prefixed,
    Text,
    Url,
    Whole,
    async_database_url,
    http_url,
)
from bot.core.views import TradingEnvironment
from bot.vocabulary.roles import Role

DEFAULT_DATABASE_URL = "sqlite:///autoshares-bot.db"
#: AUTOSHARES_TOKEN_MODE: what the trading API is called with (see ``Settings.autoshares_token_mode``).
ACCESS_TOKEN_MODE = "access-token"
EXCHANGE_MODE = "exchange"
TOKEN_MODES = (ACCESS_TOKEN_MODE, EXCHANGE_MODE)
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
#: Request bodies above this are refused with 413 while being read (Slack's and AutoShares'
#: requests are a few KB; a view submission carrying a whole modal, some tens of KB).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: AUTOSHARES_QUOTE_DOMAIN: where AutoShares' public quote pages live (``https://<domain>/quote/AAPL``);
#: links to them unfurl into quote cards. The manifest's ``unfurl_domains`` must list it.
DEFAULT_QUOTE_DOMAIN = "autoshares.com"
#: The AutoShares client's connection pool (``bot.app.wiring``): more concurrent polls would queue.
MAX_POLL_CONCURRENCY = 100
#: What DEFAULT_ROLE may be: any role below admin (a default of admin would make every member one).
ROLES = tuple(role.value for role in Role if role < Role.ADMIN)

SLACK = "Slack"
AUTOSHARES = "AutoShares"
SERVING = "Serving and storage"
RULES = "Product rules"
BACKGROUND = "Background work"
LOGS = "Logs"


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment. Build with :meth:`from_env`.

    A declarative table: each ``setting(...)`` is the one declaration of an environment variable.
    """

    # -- Slack ------------------------------------------------------------------------------------
    slack_signing_secret: str = setting(
        "SLACK_SIGNING_SECRET", "", Text(), group=SLACK, secret=True, need=Need.TO_SERVE,
        missing=" (Slack app > Basic Information > Signing Secret)",
        help="verifies every request from Slack (Basic Information > App Credentials > Signing Secret)",
    )
    slack_bot_token: str | None = setting(
        "SLACK_BOT_TOKEN", None, Prefixed("xoxb-", "a bot token"), group=SLACK, secret=True,
        help="the Bot User OAuth Token (OAuth & Permissions) for one workspace; without it, "
        "`SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` install the app in many workspaces",
    )
    slack_client_id: str | None = setting(
        "SLACK_CLIENT_ID", None, Text(), group=SLACK, need=Need.TO_LINK,
        help="Basic Information > App Credentials > Client ID: Sign in with Slack proves the person "
        "finishing a sign-in link is the one who asked; without `SLACK_BOT_TOKEN`, multi-workspace install",
    )
    slack_client_secret: str | None = setting(
        "SLACK_CLIENT_SECRET", None, Text(), group=SLACK, secret=True, need=Need.TO_LINK,
        help="Basic Information > App Credentials > Client Secret (with `SLACK_CLIENT_ID`)",
    )
    slack_app_token: str | None = setting(
        "SLACK_APP_TOKEN", None, Prefixed("xapp-", "an app-level token"), group=SLACK, secret=True,
        help="app-level token with connections:write (Basic Information > App-Level Tokens): also "
        "serve over Socket Mode, for development without a public URL",
    )
    slack_api_url: str = setting(
        "SLACK_API_URL", DEFAULT_SLACK_API_URL, Url(), group=SLACK,
        help="where Web API calls go (tests and the demo point it at a local stand-in); Sign in with "
        "Slack is discovered at its origin",
    )
    # -- AutoShares; issuer/api None means "use the embedded sandbox" ----------------------------
    autoshares_api_url: str | None = setting(
        "AUTOSHARES_API_URL", None, Url(), group=AUTOSHARES, shown_default="embedded sandbox",
        help="trading API base URL (https://api.autoshares.dev for AutoShares' sandbox, "
        "https://api.autoshares.com); leave it and `AUTH0_DOMAIN` empty to run the embedded sandbox",
    )
    auth0_issuer: str | None = setting(
        "AUTH0_DOMAIN", None, Issuer(), group=AUTOSHARES, shown_default="embedded sandbox",
        help="the identity provider: a bare Auth0 domain (`tenant.auth0.com` means "
        "`https://tenant.auth0.com/`) or a full OIDC issuer URL",
    )
    auth0_client_id: str | None = setting(
        "AUTH0_CLIENT_ID", None, Text(), group=AUTOSHARES, need=Need.WITH_AUTOSHARES,
        help="the confidential client AutoShares issued: its id",
    )
    auth0_client_secret: str | None = setting(
        "AUTH0_CLIENT_SECRET", None, Text(), group=AUTOSHARES, secret=True, need=Need.WITH_AUTOSHARES,
        help="the confidential client AutoShares issued: its secret",
    )
    autoshares_app_key: str | None = setting(
        "AUTOSHARES_APP_KEY", None, Text(), group=AUTOSHARES, secret=True, need=Need.WITH_AUTOSHARES,
        help="application key, sent as `Et-App-Key` on every call",
    )
    auth0_audience: str | None = setting(
        "AUTH0_AUDIENCE", None, Text(), group=AUTOSHARES,
        help="API audience requested at sign-in, if AutoShares' tenant wants one",
    )
    autoshares_webhook_secret: str | None = setting(
        "AUTOSHARES_WEBHOOK_SECRET", None, Text(), group=AUTOSHARES, secret=True,
        help="HMAC secret of `X-AutoShares-Signature`; without it alerts and orders are found by "
        "polling alone, with it polling goes on as a backstop (`BACKSTOP_POLL_SECONDS`)",
    )
    autoshares_signup_url: str | None = setting(
        "AUTOSHARES_SIGNUP_URL", None, Url(base=False), group=AUTOSHARES,
        help="where `/autoshares signup` sends people to open an account",
    )
    #: Paper or live: the badge on every order message, alert post and App Home. Resolved by
    #: ``from_env`` (``with_sandbox`` later points the URLs at the embedded sandbox, still paper);
    #: live by default, because calling paper live costs nothing and the reverse might.
    autoshares_environment: TradingEnvironment = setting(
        "AUTOSHARES_ENVIRONMENT", TradingEnvironment.LIVE,
        Choice(("paper", "live"), empty="paper with the embedded sandbox, live otherwise"),
        group=AUTOSHARES, shown_default="automatic",
        help="the badge on order messages, App Home and alert posts (see Paper or live); say paper "
        "for a paper account at a real AutoShares; live with the embedded sandbox is refused",
    )
    #: the public quote pages' domain: links to ``https://<domain>/quote/<SYMBOL>`` unfurl
    autoshares_quote_domain: str = setting(
        "AUTOSHARES_QUOTE_DOMAIN", DEFAULT_QUOTE_DOMAIN, Domain(), group=AUTOSHARES,
        help="domain of AutoShares' public quote pages: links to `https://<domain>/quote/<SYMBOL>` (or "
        "`www.<domain>`) unfurl into quote cards. The Slack app's unfurl domains must list it "
        "(`autoshares-bot manifest` does)",
    )
    #: ``access-token``: the access token of the OIDC code exchange is the API's bearer (the seed
    #: quick start), refreshed with the refresh token. ``exchange``: the authorization code is
    #: exchanged at the API's ``POST /token`` (OAuthCode + RedirectUri headers) for a trading
    #: ``Token`` (the SSO page), which lasts ``autoshares_trading_token_seconds`` and cannot be
    #: refreshed: the user links again when it ends.
    autoshares_token_mode: str = setting(
        "AUTOSHARES_TOKEN_MODE", ACCESS_TOKEN_MODE, Choice(TOKEN_MODES), group=AUTOSHARES,
        help="what trading calls carry: `access-token` sends the access token of the sign-in's code "
        "exchange at the issuer (refreshed with the refresh token); `exchange` sends the authorization "
        "code to the trading API's `POST /token` instead (`OAuthCode` + `RedirectUri` headers) and uses "
        "the `Token` it returns, which cannot be refreshed: the user is asked to link again when it ends",
    )
    autoshares_trading_token_seconds: int = setting(
        "AUTOSHARES_TRADING_TOKEN_SECONDS", 3600, Whole(300, unit="seconds"), group=AUTOSHARES,
        help="`exchange` mode: how long a trading token is trusted (its answer states no lifetime; the "
        "SSO page says 60 minutes, the Requesting Tokens page 24 hours)",
    )
    autoshares_timeout_seconds: float = setting(
        "AUTOSHARES_TIMEOUT_SECONDS", 10.0, Number(above=0), group=AUTOSHARES,
        help="how long one AutoShares call may take before it times out",
    )
    command_deadline_seconds: float = setting(
        "COMMAND_DEADLINE_SECONDS", 10.0, Number(above=0), group=AUTOSHARES,
        help="one deadline for everything a command or a click asks of AutoShares, retries included; "
        "a 429 is waited out only if its `Retry-After` fits",
    )
    command_concurrency: int = setting(
        "COMMAND_CONCURRENCY", 100, Whole(1, 1000), group=AUTOSHARES,
        help="AutoShares connections kept for commands and clicks, apart from background work's "
        f"{MAX_POLL_CONCURRENCY}; a command still waiting for one at its deadline is told the bot is busy",
    )
    working_message_seconds: float = setting(
        "WORKING_MESSAGE_SECONDS", 0.5, Number(), group=AUTOSHARES,
        help='a command (or a button that takes AutoShares\' time) not answered by then shows "working '
        'on it", which the answer replaces',
    )
    # -- serving and storage ----------------------------------------------------------------------
    public_url: str = setting(
        "PUBLIC_URL", "http://127.0.0.1:3000/", Url(), group=SERVING,
        shown_default="`http://127.0.0.1:PORT`",
        help="the https URL Slack and browsers reach the bot at",
    )
    port: int = setting("PORT", 3000, Whole(1, 65535), group=SERVING, help="the HTTP port")
    max_body_bytes: int = setting(
        "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, Whole(1024, 100 * 1024 * 1024, "100 MiB", "bytes"),
        group=SERVING,
        help="largest request body accepted on any route (1 MiB by default); larger ones "
        "get 413 while being read",
    )
    database_url: str = setting(
        "DATABASE_URL", DEFAULT_DATABASE_URL, DatabaseUrl(), group=SERVING,
        help="SQLite (one process) or PostgreSQL (replicas); the async drivers are chosen for you",
    )
    ack_database_seconds: float = setting(
        "ACK_DATABASE_SECONDS", 1.5, Number(above=0, maximum=2.0), group=SERVING,
        help="how long the database write before every Slack ack (the replay check) may wait; past "
        "it Slack gets, within its 3 s, a plain answer that nothing was changed, and nothing is recorded",
    )
    token_encryption_keys: tuple[str, ...] = setting(
        "TOKEN_ENCRYPTION_KEY", (), FernetKeys(), group=SERVING, secret=True, need=Need.TO_SERVE,
        missing="; make one with `autoshares-bot keygen`",
        help="the first key encrypts, all decrypt; to rotate, put a new key first, restart, run "
        "`autoshares-bot rotate-key`, then drop the old key",
    )
    # -- product rules ----------------------------------------------------------------------------
    link_state_ttl_seconds: int = 600
    order_confirm_seconds: int = setting(
        "ORDER_CONFIRM_SECONDS", 120, Whole(10, unit="seconds"), group=RULES,
        help="how long an order's Confirm button stays valid",
    )
    large_order_notional: int = setting(
        "LARGE_ORDER_NOTIONAL", 25_000, Whole(0, unit="US dollars"), group=RULES,
        help="orders above this notional (USD) need the symbol typed to confirm",
    )
    default_role: str = setting(
        "DEFAULT_ROLE", "trader", Choice(ROLES), group=RULES,
        help="role of members no admin has given one (see Team trading); Slack workspace owners and "
        "admins are always admins",
    )
    approval_seconds: int = setting(
        "APPROVAL_SECONDS", 900, Whole(60, unit="seconds"), group=RULES,
        help="how long an order sent for two-person approval waits for an approver before it expires",
    )
    alert_default_expiry_days: int = setting(
        "ALERT_DEFAULT_EXPIRY_DAYS", 30, Whole(1, unit="days"), group=RULES,
        help="default lifetime of a price alert",
    )
    #: How long a private chart's signed URL (and the stored image) lasts. Slack fetches the image
    #: when the answer is posted, so a minute is enough to show it; the rest is how long the Share
    #: button can still post it. A day at most: the URL is a bearer of the image.
    chart_url_seconds: int = setting(
        "CHART_URL_SECONDS", 3600, Whole(60, 86_400, "a day", "seconds"), group=RULES,
        help="how long a private chart lasts: its signed image URL works and its Share button can post "
        "it for this long; then the hourly housekeeping deletes the image",
    )
    # -- background work --------------------------------------------------------------------------
    alert_poll_seconds: float = setting(
        "ALERT_POLL_SECONDS", 30.0, Number(above=0), group=BACKGROUND,
        help="how often every active alert is checked at AutoShares where no webhook secret is set",
    )
    order_poll_seconds: float = setting(
        "ORDER_POLL_SECONDS", 15.0, Number(above=0), group=BACKGROUND,
        help="how often every open order is checked at AutoShares where no webhook secret is set; the "
        "order loop also expires confirmations and settles lost placements at this pace",
    )
    transfer_poll_seconds: float = setting(
        "TRANSFER_POLL_SECONDS", 60.0, Number(above=0), group=BACKGROUND,
        help="how often the accounts whose transfers members follow are read at AutoShares, so a member "
        "hears of a deposit or withdrawal that completed or failed within this",
    )
    backstop_poll_seconds: float = setting(
        "BACKSTOP_POLL_SECONDS", 300.0, Number(above=0), group=BACKGROUND,
        help="with a webhook secret: how often every active alert and open order is still checked, so "
        "a webhook AutoShares never sent is caught within minutes (announced once all the same)",
    )
    poll_concurrency: int = setting(
        "POLL_CONCURRENCY", 8, Whole(1, MAX_POLL_CONCURRENCY, "the AutoShares connection pool"),
        group=BACKGROUND,
        help="AutoShares calls a background pass makes at once; a pass must fit in its interval, about "
        "users x AutoShares latency / this",
    )
    poll_chunk_size: int = setting(
        "POLL_CHUNK_SIZE", 500, Whole(1), group=BACKGROUND,
        help="alert routes or orders a pass leases per database round trip (every due one is checked "
        "each pass, chunk after chunk)",
    )
    poll_user_calls_per_minute: int = setting(
        "POLL_USER_CALLS_PER_MINUTE", 20, Whole(1), group=BACKGROUND,
        help="the most AutoShares calls background work makes for one user a minute, on average, "
        "across every replica; the rest of their quota (AutoShares allows 60 price-alert and 120 order queries a "
        "minute) stays for their commands. A 429 stops background calls for that user until its "
        "`Retry-After`",
    )
    outbox_poll_seconds: float = setting(
        "OUTBOX_POLL_SECONDS", 0.5, Number(above=0), group=BACKGROUND,
        help="how often the outbox (every message the bot posts on its own) is checked for messages due: "
        "retries, and messages another replica wrote (a message this process writes wakes it at once; "
        "it goes on at once while there are more)",
    )
    outbox_retry_seconds: float = setting(
        "OUTBOX_RETRY_SECONDS", 1.0, Number(), group=BACKGROUND,
        help="first wait before a message Slack refused is tried again (doubling, at most 10 minutes; "
        "Slack's `Retry-After` wins)",
    )
    outbox_lease_seconds: float = setting(
        "OUTBOX_LEASE_SECONDS", 60.0, Number(minimum=1), group=BACKGROUND,
        help="how long a message being posted stays leased to its replica; if that replica dies, "
        "another posts it after this",
    )
    channel_pace_seconds: float = setting(
        "CHANNEL_PACE_SECONDS", 1.0, Number(maximum=10), group=BACKGROUND,
        help="the time between two posts the bot makes on its own in one channel (Slack takes about one "
        "message a second per channel; a later one waits its turn without using an attempt; replicas share "
        "each channel's pace)",
    )
    order_settle_seconds: float = setting(
        "ORDER_SETTLE_SECONDS", 60.0, Number(minimum=1), group=BACKGROUND,
        help="a confirmed order with no answer for this long (a crash, a lost AutoShares response) is "
        "looked up by ClientId and its requester told; never less than 3 x `AUTOSHARES_TIMEOUT_SECONDS`",
    )
    socket_mode_retry_seconds: float = setting(
        "SOCKET_MODE_RETRY_SECONDS", 1.0, Number(above=0), group=BACKGROUND,
        help="first wait before Socket Mode tries to connect again (doubling, at most a minute; Slack's "
        "`Retry-After` wins)",
    )
    # -- logs -------------------------------------------------------------------------------------
    log_level: str = setting(
        "LOG_LEVEL", "INFO", Choice(("DEBUG", "INFO", "WARNING", "ERROR"), normalise=str.upper),
        group=LOGS, help="the least important log lines written",
    )
    log_format: str = setting(
        "LOG_FORMAT", "auto", Choice(("auto", "json", "text")), group=LOGS,
        help="`auto` writes JSON lines unless on a terminal",
    )

    def __repr__(self) -> str:  # pragma: no cover - dataclass repr with masking
        fields = dataclasses.fields(self)
        shown = {f.name: getattr(self, f.name) for f in fields if f.repr}
        masked = {f.name: "**********" if getattr(self, f.name) else "" for f in fields if not f.repr}
        return f"Settings({shown | masked})"

    # -- derived ---------------------------------------------------------------------------
    @property
    def settle_after_seconds(self) -> float:
        """How long a confirmed order may go without an answer before it is looked up by
        ClientId and its message updated: ORDER_SETTLE_SECONDS, never less than three
        AutoShares timeouts (a placement still under way is not second-guessed)."""
        return max(self.order_settle_seconds, 3 * self.autoshares_timeout_seconds)

    @property
    def multi_workspace(self) -> bool:
        return self.slack_bot_token is None

    @property
    def exchanges_for_trading_token(self) -> bool:
        return self.autoshares_token_mode == EXCHANGE_MODE

    @property
    def uses_embedded_sandbox(self) -> bool:
        return self.auth0_issuer is None

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)

    @property
    def alert_check_seconds(self) -> float:
        """How often each active alert is checked at AutoShares: every ``ALERT_POLL_SECONDS``
        without a webhook secret; with one, every ``BACKSTOP_POLL_SECONDS`` in case a webhook
        never comes."""
        return self.backstop_poll_seconds if self.autoshares_webhook_secret else self.alert_poll_seconds

    @property
    def open_order_check_seconds(self) -> float:
        """How often each open order is checked at AutoShares (the same rule as alerts)."""
        return self.backstop_poll_seconds if self.autoshares_webhook_secret else self.order_poll_seconds

    @property
    def autoshares_callback_url(self) -> str:
        return self.public_url + "autoshares/callback"

    @property
    def slack_identity_callback_url(self) -> str:
        """Where Sign in with Slack returns (listed in the manifest's redirect URLs)."""
        return self.public_url + "slack/identity"

    @property
    def slack_identity_configured(self) -> bool:
        """Sign in with Slack needs the app's client id and secret; nobody can link without it."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def with_sandbox(self, base_url: str, *, app_key: str, client_id: str, client_secret: str) -> Settings:
        """Point the AutoShares settings at an in-process sandbox at ``base_url`` (always paper)."""
        return dataclasses.replace(
            self,
            autoshares_api_url=base_url,
            auth0_issuer=base_url,
            autoshares_app_key=app_key,
            auth0_client_id=client_id,
            auth0_client_secret=client_secret,
            autoshares_environment=TradingEnvironment.PAPER,
        )

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_env(cls, env: Mapping[str, str], *, require_slack: bool = True) -> Settings:
        """Read and validate every setting; raise one :class:`SettingsError` naming each bad one.

        ``require_slack=False`` (commands that only touch the database) lets the Slack
        credentials and TOKEN_ENCRYPTION_KEY be empty."""
        settings, reading = read_settings(env, require_slack=require_slack)
        if reading.problems:
            raise SettingsError(tuple(reading.problems))
        return settings


def read_settings(env: Mapping[str, str], *, require_slack: bool = True) -> tuple[Settings, Reading]:
    """Every setting and every problem in one pass. The settings are usable even when there
    are problems: a bad value is replaced by its default (``check`` probes with them and skips
    what depends on the settings that failed)."""
    reading = read_declared(Settings, env, require_slack=require_slack)
    _slack_rules(reading, require_slack=require_slack)
    _autoshares_rules(reading)
    order = {d.spec.env: i for i, d in enumerate(declared(Settings))}
    reading.problems.sort(key=lambda p: order.get(p.names[0], len(order)))  # in the docs' order
    values = reading.values
    port = values.get("port", 3000)
    if "PUBLIC_URL" not in reading.given:
        values["public_url"] = http_url(f"http://127.0.0.1:{port}", "PUBLIC_URL")
    return Settings(**values), reading


def _slack_rules(reading: Reading, *, require_slack: bool) -> None:
    """Serving needs a way to talk to Slack: one workspace's bot token, or the client
    credentials to install in many."""
    given = reading.given
    if require_slack and "SLACK_BOT_TOKEN" not in given and not {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"} <= given:
        reading.fail(
            ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"),
            "Set SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "for multi-workspace install",
        )


def _autoshares_rules(reading: Reading) -> None:
    """A real AutoShares needs both its URLs and its client credentials; without either URL the
    embedded sandbox runs, which is always paper. AUTOSHARES_ENVIRONMENT is judged against the
    AutoShares the environment names, even one that is incomplete."""
    given, values = reading.given, reading.values
    named = {"AUTH0_DOMAIN", "AUTOSHARES_API_URL"} & given
    if len(named) == 1:
        missing = "AUTOSHARES_API_URL" if "AUTH0_DOMAIN" in named else "AUTH0_DOMAIN"
        reading.fail(
            ("AUTH0_DOMAIN", "AUTOSHARES_API_URL"),
            f"{missing} is missing: set both AUTH0_DOMAIN and AUTOSHARES_API_URL, "
            "or neither to use the embedded sandbox",
        )
    if "AUTH0_DOMAIN" in given:
        absent = [
            d.spec.env for d in declared(Settings) if d.spec.need is Need.WITH_AUTOSHARES and d.spec.env not in given
        ]
        if absent:
            names = ", ".join(absent[:-1]) + (" and " if len(absent) > 1 else "") + absent[-1]
            verb = "are" if len(absent) > 1 else "is"
            reading.fail(
                (*absent, "AUTH0_DOMAIN", "AUTOSHARES_API_URL"), f"{names} {verb} missing (needed with AUTH0_DOMAIN)"
            )
    chosen = values.get("autoshares_environment")
    if chosen is None:
        values["autoshares_environment"] = TradingEnvironment.LIVE if named else TradingEnvironment.PAPER
    elif chosen == TradingEnvironment.LIVE and not named:
        reading.fail(
            "AUTOSHARES_ENVIRONMENT",
            "AUTOSHARES_ENVIRONMENT is live, but AUTH0_DOMAIN and AUTOSHARES_API_URL are not set: the "
            "embedded sandbox is always paper. Set them to a real AutoShares, or set "
            "AUTOSHARES_ENVIRONMENT to paper or leave it empty",
        )
        values["autoshares_environment"] = TradingEnvironment.PAPER
    else:
        values["autoshares_environment"] = TradingEnvironment(chosen)

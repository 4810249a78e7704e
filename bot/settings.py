"""One typed, frozen settings object, read from a mapping (the environment and ``.env``).

``Settings.from_env(os.environ)`` fails fast with a :class:`ConfigError` whose message names
the setting at fault; secrets never appear in ``repr``. ``load_dotenv`` is called only by the
CLI entry point, never here.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from bot.core.errors import ConfigError
from bot.core.views import TradingEnvironment

DEFAULT_DATABASE_URL = "sqlite:///autoshares-bot.db"
#: AUTOSHARES_TOKEN_MODE: what the trading API is called with (see ``Settings.autoshares_token_mode``).
ACCESS_TOKEN_MODE = "access-token"
EXCHANGE_MODE = "exchange"
TOKEN_MODES = (ACCESS_TOKEN_MODE, EXCHANGE_MODE)
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
#: Request bodies above this are refused with 413 while being read (Slack's and AutoShares'
#: requests are a few KB; a view submission carrying a whole modal, some tens of KB).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
MAX_BODY_BYTES_RANGE = (1024, 100 * 1024 * 1024)

#: AUTOSHARES_QUOTE_DOMAIN: where AutoShares' public quote pages live (``https://<domain>/quote/AAPL``);
#: links to them unfurl into quote cards. The manifest's ``unfurl_domains`` must list it.
DEFAULT_QUOTE_DOMAIN = "autoshares.com"
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")

LOOPBACK_NAMES = {"localhost"}
#: The AutoShares client's connection pool (``bot.wiring``): more concurrent polls would queue.
MAX_POLL_CONCURRENCY = 100
#: CHART_URL_SECONDS: how long a private chart's signed URL (and the stored image) lasts. Slack
#: fetches the image when the answer is posted, so a minute is enough to show it; the rest is
#: how long the Share button can still post it. A day at most: the URL is a bearer of the image.
CHART_URL_SECONDS_RANGE = (60, 86_400)


def is_loopback_host(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: the only hosts where plain http is allowed."""
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret(value: str) -> str:
    return "**********" if value else ""


def issuer_from_domain(value: str, *, name: str = "AUTH0_DOMAIN") -> str:
    """Turn ``tenant.auth0.com`` or a full issuer URL into an issuer URL ending in ``/``.

    Plain ``http`` is accepted only for loopback hosts (the local sandbox).
    """
    value = value.strip()
    if "://" not in value:
        if "/" in value or not value or " " in value:
            raise ConfigError(f"{name} must be a domain such as tenant.auth0.com or an issuer URL")
        value = f"https://{value}/"
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name} must be an https URL or a bare domain, got {value!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(f"{name} must use https unless it points at a loopback host")
    return value if value.endswith("/") else value + "/"


def bare_domain(value: str, name: str) -> str:
    """A bare DNS name (``autoshares.com``), lower-cased: no scheme, port, path or wildcard, at
    least two labels (what Slack's manifest accepts as an unfurl domain)."""
    domain = value.strip().lower().rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise ConfigError(
            f"{name} must be a bare domain such as autoshares.com (no https:// or path), got {value!r}"
        )
    return domain


def http_url(value: str, name: str, *, require_https: bool = True) -> str:
    """Validate an absolute URL; plain http only on loopback when ``require_https``."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name} must be an absolute http(s) URL, got {value!r}")
    if require_https and parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(f"{name} must use https unless it points at a loopback host")
    return value.strip().rstrip("/") + "/"


def async_database_url(url: str) -> str:
    """Map an ordinary SQLAlchemy URL to the async driver the bot uses."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(f"DATABASE_URL must look like sqlite:///bot.db or postgresql://..., got {url!r}")
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in {"postgresql", "postgres"}:
        return f"postgresql+asyncpg://{rest}"
    raise ConfigError(f"DATABASE_URL must use sqlite or postgresql, got scheme {scheme!r}")


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value != value or value < 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a positive number, got {raw!r}")
    return value


def _max_body_bytes(env: Mapping[str, str]) -> int:
    raw = env.get("MAX_BODY_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BODY_BYTES
    low, high = MAX_BODY_BYTES_RANGE
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ConfigError(
            f"MAX_BODY_BYTES must be a whole number of bytes from {low} to {high} (100 MiB), got {raw!r}; "
            f"leave it empty for the default {DEFAULT_MAX_BODY_BYTES} (1 MiB)"
        )
    return int(raw)


def _trading_environment(raw: str | None, *, embedded: bool) -> TradingEnvironment:
    """AUTOSHARES_ENVIRONMENT: empty chooses for itself (paper with the embedded sandbox, live
    with a real AutoShares, since only the operator knows a real one to be a paper account);
    the embedded sandbox is never live, so saying it is would make every badge lie."""
    if not raw:
        return TradingEnvironment.PAPER if embedded else TradingEnvironment.LIVE
    try:
        chosen = TradingEnvironment(raw.lower())
    except ValueError:
        raise ConfigError(
            f"AUTOSHARES_ENVIRONMENT must be paper or live (or empty: paper with the embedded sandbox, "
            f"live otherwise), got {raw!r}"
        ) from None
    if embedded and chosen is TradingEnvironment.LIVE:
        raise ConfigError(
            "AUTOSHARES_ENVIRONMENT is live, but AUTH0_DOMAIN and AUTOSHARES_API_URL are not set: the "
            "embedded sandbox is always paper. Set them to a real AutoShares, or set "
            "AUTOSHARES_ENVIRONMENT to paper or leave it empty"
        )
    return chosen


def _encryption_keys(raw: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    for key in keys:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigError(
                "TOKEN_ENCRYPTION_KEY must be Fernet keys (comma separated, newest first); "
                "make one with `autoshares-bot keygen`"
            ) from None
    return keys


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment. Build with :meth:`from_env`."""

    # Slack
    slack_signing_secret: str = field(repr=False)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # AutoShares; issuer/api None means "use the embedded sandbox"
    autoshares_api_url: str | None = None
    autoshares_app_key: str | None = field(default=None, repr=False)
    auth0_issuer: str | None = None
    auth0_client_id: str | None = None
    auth0_client_secret: str | None = field(default=None, repr=False)
    auth0_audience: str | None = None
    autoshares_webhook_secret: str | None = field(default=None, repr=False)
    autoshares_signup_url: str | None = None
    #: the public quote pages' domain: links to ``https://<domain>/quote/<SYMBOL>`` unfurl
    autoshares_quote_domain: str = DEFAULT_QUOTE_DOMAIN
    #: ``access-token``: the access token of the OIDC code exchange is the API's bearer (the seed
    #: quick start), refreshed with the refresh token. ``exchange``: the authorization code is
    #: exchanged at the API's ``POST /token`` (OAuthCode + RedirectUri headers) for a trading
    #: ``Token`` (the SSO page), which lasts ``autoshares_trading_token_seconds`` and cannot be
    #: refreshed: the user links again when it ends.
    autoshares_token_mode: str = ACCESS_TOKEN_MODE
    autoshares_trading_token_seconds: int = 3600
    #: Paper or live: the badge on every order message, alert post and App Home. Resolved by
    #: ``from_env`` (``with_sandbox`` later points the URLs at the embedded sandbox, still paper);
    #: live by default, because calling paper live costs nothing and the reverse might.
    autoshares_environment: TradingEnvironment = TradingEnvironment.LIVE
    # serving and storage
    public_url: str = "http://127.0.0.1:3000/"
    port: int = 3000
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    database_url: str = DEFAULT_DATABASE_URL
    token_encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    # product rules
    link_state_ttl_seconds: int = 600
    order_confirm_seconds: int = 120
    large_order_notional: int = 25_000
    default_role: str = "trader"
    approval_seconds: int = 900
    alert_default_expiry_days: int = 30
    alert_poll_seconds: float = 30.0
    order_poll_seconds: float = 15.0
    backstop_poll_seconds: float = 300.0
    poll_concurrency: int = 8
    poll_chunk_size: int = 500
    poll_user_calls_per_minute: int = 20
    outbox_poll_seconds: float = 0.5
    outbox_retry_seconds: float = 1.0
    outbox_lease_seconds: float = 60.0
    channel_pace_seconds: float = 1.0
    order_settle_seconds: float = 60.0
    socket_mode_retry_seconds: float = 1.0
    autoshares_timeout_seconds: float = 10.0
    command_deadline_seconds: float = 10.0
    working_message_seconds: float = 0.5
    chart_url_seconds: int = 3600
    log_level: str = "INFO"
    log_format: str = "auto"

    def __repr__(self) -> str:  # pragma: no cover - dataclass repr with masking
        shown = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.repr}
        masked = {
            f.name: _secret(str(getattr(self, f.name) or "")) for f in dataclasses.fields(self) if not f.repr
        }
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
        """Read and validate every setting; raise ConfigError naming the first bad one."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        signing_secret = get("SLACK_SIGNING_SECRET")
        bot_token = get("SLACK_BOT_TOKEN")
        client_id = get("SLACK_CLIENT_ID")
        client_secret = get("SLACK_CLIENT_SECRET")
        if require_slack:
            if not signing_secret:
                raise ConfigError(
                    "SLACK_SIGNING_SECRET is missing (Slack app > Basic Information > Signing Secret)"
                )
            if not bot_token and not (client_id and client_secret):
                raise ConfigError(
                    "Set SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                    "for multi-workspace install"
                )
        if bot_token and not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")

        domain = get("AUTH0_DOMAIN")
        api_url = get("AUTOSHARES_API_URL")
        issuer = issuer_from_domain(domain) if domain else None
        if bool(domain) != bool(api_url):
            missing = "AUTOSHARES_API_URL" if domain else "AUTH0_DOMAIN"
            raise ConfigError(
                f"{missing} is missing: set both AUTH0_DOMAIN and AUTOSHARES_API_URL, "
                "or neither to use the embedded sandbox"
            )
        if issuer:
            absent = [
                n for n in ("AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTOSHARES_APP_KEY") if not get(n)
            ]
            if absent:
                names = ", ".join(absent[:-1]) + (" and " if len(absent) > 1 else "") + absent[-1]
                verb = "are" if len(absent) > 1 else "is"
                raise ConfigError(f"{names} {verb} missing (needed with AUTH0_DOMAIN)")
        environment = _trading_environment(get("AUTOSHARES_ENVIRONMENT"), embedded=issuer is None)

        port = _int(env, "PORT", 3000, minimum=1)
        if port > 65535:
            raise ConfigError(f"PORT must be at most 65535, got {port}")
        public_url = http_url(get("PUBLIC_URL") or f"http://127.0.0.1:{port}", "PUBLIC_URL")
        keys_raw = get("TOKEN_ENCRYPTION_KEY")
        keys = _encryption_keys(keys_raw) if keys_raw else ()
        if require_slack and not keys:
            raise ConfigError("TOKEN_ENCRYPTION_KEY is missing; make one with `autoshares-bot keygen`")
        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        async_database_url(database_url)  # validates
        log_format = (get("LOG_FORMAT") or "auto").lower()
        if log_format not in {"auto", "json", "text"}:
            raise ConfigError(f"LOG_FORMAT must be auto, json or text, got {log_format!r}")
        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
        signup = get("AUTOSHARES_SIGNUP_URL")
        token_mode = (get("AUTOSHARES_TOKEN_MODE") or ACCESS_TOKEN_MODE).lower()
        if token_mode not in TOKEN_MODES:
            raise ConfigError(f"AUTOSHARES_TOKEN_MODE must be access-token or exchange, got {token_mode!r}")
        backstop = _float(env, "BACKSTOP_POLL_SECONDS", 300.0)
        if backstop <= 0:
            raise ConfigError(f"BACKSTOP_POLL_SECONDS must be more than 0, got {backstop:g}")
        concurrency = _int(env, "POLL_CONCURRENCY", 8, minimum=1)
        if concurrency > MAX_POLL_CONCURRENCY:
            raise ConfigError(
                f"POLL_CONCURRENCY must be at most {MAX_POLL_CONCURRENCY} (the AutoShares connection "
                f"pool), got {concurrency}"
            )

        default_role = (get("DEFAULT_ROLE") or "trader").lower()
        if default_role not in ("viewer", "trader", "approver"):
            raise ConfigError(f"DEFAULT_ROLE must be viewer, trader or approver, got {default_role!r}")
        chart_url_seconds = _int(env, "CHART_URL_SECONDS", 3600, minimum=CHART_URL_SECONDS_RANGE[0])
        if chart_url_seconds > CHART_URL_SECONDS_RANGE[1]:
            raise ConfigError(
                f"CHART_URL_SECONDS must be at most {CHART_URL_SECONDS_RANGE[1]} (a day), got {chart_url_seconds}"
            )

        return cls(
            slack_signing_secret=signing_secret or "",
            slack_bot_token=bot_token,
            slack_client_id=client_id,
            slack_client_secret=client_secret,
            slack_app_token=app_token,
            slack_api_url=http_url(get("SLACK_API_URL") or DEFAULT_SLACK_API_URL, "SLACK_API_URL"),
            autoshares_api_url=http_url(api_url, "AUTOSHARES_API_URL") if api_url else None,
            autoshares_app_key=get("AUTOSHARES_APP_KEY"),
            auth0_issuer=issuer,
            auth0_client_id=get("AUTH0_CLIENT_ID"),
            auth0_client_secret=get("AUTH0_CLIENT_SECRET"),
            auth0_audience=get("AUTH0_AUDIENCE"),
            autoshares_webhook_secret=get("AUTOSHARES_WEBHOOK_SECRET"),
            autoshares_signup_url=http_url(signup, "AUTOSHARES_SIGNUP_URL").rstrip("/") if signup else None,
            autoshares_quote_domain=bare_domain(
                get("AUTOSHARES_QUOTE_DOMAIN") or DEFAULT_QUOTE_DOMAIN, "AUTOSHARES_QUOTE_DOMAIN"
            ),
            autoshares_token_mode=token_mode,
            autoshares_trading_token_seconds=_int(env, "AUTOSHARES_TRADING_TOKEN_SECONDS", 3600, minimum=300),
            autoshares_environment=environment,
            public_url=public_url,
            port=port,
            max_body_bytes=_max_body_bytes(env),
            database_url=database_url,
            token_encryption_keys=keys,
            link_state_ttl_seconds=600,
            order_confirm_seconds=_int(env, "ORDER_CONFIRM_SECONDS", 120, minimum=10),
            large_order_notional=_int(env, "LARGE_ORDER_NOTIONAL", 25_000, minimum=0),
            default_role=default_role,
            approval_seconds=_int(env, "APPROVAL_SECONDS", 900, minimum=60),
            alert_default_expiry_days=_int(env, "ALERT_DEFAULT_EXPIRY_DAYS", 30, minimum=1),
            alert_poll_seconds=_float(env, "ALERT_POLL_SECONDS", 30.0),
            order_poll_seconds=_float(env, "ORDER_POLL_SECONDS", 15.0),
            backstop_poll_seconds=backstop,
            poll_concurrency=concurrency,
            poll_chunk_size=_int(env, "POLL_CHUNK_SIZE", 500, minimum=1),
            poll_user_calls_per_minute=_int(env, "POLL_USER_CALLS_PER_MINUTE", 20, minimum=1),
            outbox_poll_seconds=_float(env, "OUTBOX_POLL_SECONDS", 0.5),
            outbox_retry_seconds=_float(env, "OUTBOX_RETRY_SECONDS", 1.0),
            outbox_lease_seconds=max(_float(env, "OUTBOX_LEASE_SECONDS", 60.0), 1.0),
            channel_pace_seconds=min(_float(env, "CHANNEL_PACE_SECONDS", 1.0), 10.0),
            order_settle_seconds=max(_float(env, "ORDER_SETTLE_SECONDS", 60.0), 1.0),
            socket_mode_retry_seconds=_float(env, "SOCKET_MODE_RETRY_SECONDS", 1.0),
            autoshares_timeout_seconds=_float(env, "AUTOSHARES_TIMEOUT_SECONDS", 10.0) or 10.0,
            command_deadline_seconds=_float(env, "COMMAND_DEADLINE_SECONDS", 10.0) or 10.0,
            working_message_seconds=_float(env, "WORKING_MESSAGE_SECONDS", 0.5),
            chart_url_seconds=chart_url_seconds,
            log_level=log_level,
            log_format=log_format,
        )


def generate_encryption_key() -> str:
    """A fresh Fernet key for TOKEN_ENCRYPTION_KEY."""
    return Fernet.generate_key().decode()


REPO_ROOT = Path(__file__).resolve().parent.parent

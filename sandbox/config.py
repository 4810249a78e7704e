"""Settings of one sandbox instance.

One frozen object, built in code (``SandboxConfig(tick_seconds=0)``) or from a mapping
(``SandboxConfig.from_env(os.environ)``). Defaults suit the demo: a market that moves every
second, rate limits on, the seeded demo users. Tests usually pass ``tick_seconds=0`` (prices only
move when the admin endpoint sets them) and a small ``webhook_retry_scale``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

MARKET_HOURS_MODES = ("always", "nyse")


class SandboxConfigError(ValueError):
    """A setting has a value the sandbox cannot use; the message names the setting."""


@dataclass(frozen=True)
class SandboxConfig:
    """Every knob of the sandbox. Secrets are masked in ``repr``."""

    app_key: str = "sandbox-app-key"
    client_id: str = "sandbox-client"
    client_secret: str = field(default="sandbox-secret", repr=False)
    #: Issuer and API base ("http://host:port/"); None = from the bound address or the request.
    base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    #: Multiplies the retry schedule (1 min, 5 min, 30 min, 2 h, 12 h); 0.001 makes it 60 ms...
    webhook_retry_scale: float = 1.0
    webhook_timeout: float = 5.0
    rate_limits: bool = True
    #: Seconds between simulated market ticks; 0 = prices move only through the admin API.
    tick_seconds: float = 1.0
    access_token_ttl: int = 86400
    #: Lifetime of the trading tokens POST /token issues: 60 minutes, as the SSO page and the
    #: quick start say (the Requesting Tokens page says 24 hours).
    trading_token_ttl: int = 3600
    authorization_code_ttl: int = 600
    seed: int = 42
    #: "always" (market always open) or "nyse" (09:30-16:00 America/New_York, Mon-Fri).
    market_hours: str = "always"
    #: Flat commission per order, in account currency.
    commission: float = 0.0
    #: Largest quantity one order fills per price move; bigger orders fill partially.
    fill_liquidity: float = 5000.0
    #: Seed alice (1001) and bob (1002) with their accounts.
    seed_users: bool = True
    starting_cash: float = 100_000.0
    # Fault injection at start-up (also settable through POST /_sandbox/faults).
    latency_ms: int = 0
    error_rate: float = 0.0
    drop_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.market_hours not in MARKET_HOURS_MODES:
            raise SandboxConfigError(
                f"market_hours must be one of {', '.join(MARKET_HOURS_MODES)}, not {self.market_hours!r}"
            )
        for name in ("error_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise SandboxConfigError(f"{name} must be between 0 and 1, not {value}")
        for name in ("webhook_retry_scale", "tick_seconds", "latency_ms", "commission"):
            if getattr(self, name) < 0:
                raise SandboxConfigError(f"{name} must not be negative")
        if self.access_token_ttl <= 0 or self.authorization_code_ttl <= 0 or self.trading_token_ttl <= 0:
            raise SandboxConfigError("token lifetimes must be positive")
        if self.fill_liquidity <= 0:
            raise SandboxConfigError("fill_liquidity must be positive")

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> SandboxConfig:
        """Build from ``SANDBOX_*`` variables (e.g. ``os.environ``); unset names keep defaults.

        Read: SANDBOX_WEBHOOK_URL, SANDBOX_WEBHOOK_SECRET, SANDBOX_WEBHOOK_RETRY_SCALE,
        SANDBOX_RATE_LIMITS, SANDBOX_TICK_SECONDS, SANDBOX_ACCESS_TOKEN_TTL,
        SANDBOX_TRADING_TOKEN_TTL, SANDBOX_SEED,
        SANDBOX_MARKET_HOURS, SANDBOX_BASE_URL, SANDBOX_APP_KEY, SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET, SANDBOX_COMMISSION, SANDBOX_STARTING_CASH, SANDBOX_LATENCY_MS,
        SANDBOX_ERROR_RATE, SANDBOX_DROP_RATE.
        """
        types = {f.name: f.type for f in fields(cls)}
        names = (
            "webhook_url",
            "webhook_secret",
            "webhook_retry_scale",
            "rate_limits",
            "tick_seconds",
            "access_token_ttl",
            "trading_token_ttl",
            "seed",
            "market_hours",
            "base_url",
            "app_key",
            "client_id",
            "client_secret",
            "commission",
            "starting_cash",
            "latency_ms",
            "error_rate",
            "drop_rate",
        )
        values: dict[str, Any] = {}
        for name in names:
            variable = f"SANDBOX_{name.upper()}"
            raw = env.get(variable)
            if raw is None or raw == "":
                continue
            values[name] = _parse(variable, str(types[name]), raw)
        values.update(overrides)
        return cls(**values)


def _parse(variable: str, type_name: str, raw: str) -> Any:
    """Convert one environment string to the field's type, naming the variable on failure."""
    try:
        if type_name.startswith("bool"):
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if type_name.startswith("int"):
            return int(raw)
        if type_name.startswith("float"):
            return float(raw)
    except ValueError:
        raise SandboxConfigError(f"{variable} has an invalid value") from None
    return raw

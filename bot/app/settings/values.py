"""The kinds of value a setting can hold: each parses the text of one environment variable and
says, in words, what it accepts (the same words in the error, ``.env.example`` and the README).

A kind raises :class:`ConfigError` with one sentence naming the variable; the reader
(``bot.app.settings.declare``) collects those sentences instead of stopping at the first.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from bot.core.errors import ConfigError

LOOPBACK_NAMES = {"localhost"}
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_WHOLE = re.compile(r"-?[0-9]+")


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


def generate_encryption_key() -> str:
    """A fresh Fernet key for TOKEN_ENCRYPTION_KEY."""
    return Fernet.generate_key().decode()


def _words(values: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


# -- kinds ----------------------------------------------------------------------------------------
class Kind:
    """How one setting's text becomes its value. ``accepts`` completes "NAME must be ..." and
    fills the README's *accepted* column."""

    ACCEPTS: ClassVar[str] = "text"

    @property
    def accepts(self) -> str:
        return self.ACCEPTS

    def parse(self, raw: str, name: str) -> Any:
        """The value of ``raw`` (stripped, never empty); :class:`ConfigError` naming ``name``
        when it is not one this kind accepts."""
        return raw


@dataclass(frozen=True)
class Text(Kind):
    """Any text (identifiers, secrets, keys issued elsewhere)."""


@dataclass(frozen=True)
class Prefixed(Kind):
    """A Slack token recognisable by its prefix (``xoxb-``, ``xapp-``)."""

    prefix: str
    what: str

    @property
    def accepts(self) -> str:
        return f"{self.what} starting with {self.prefix}"

    def parse(self, raw: str, name: str) -> str:
        if not raw.startswith(self.prefix):
            raise ConfigError(f"{name} must be {self.accepts}")
        return raw


@dataclass(frozen=True)
class Whole(Kind):
    """A whole number of ``unit`` within bounds; ``why`` explains the upper bound."""

    minimum: int | None = None
    maximum: int | None = None
    why: str = ""
    unit: str = ""

    @property
    def bounds(self) -> str:
        why = f" ({self.why})" if self.why else ""
        if self.minimum is not None and self.maximum is not None:
            return f"from {self.minimum} to {self.maximum}{why}"
        if self.maximum is not None:
            return f"at most {self.maximum}{why}"
        return f"at least {self.minimum}" if self.minimum is not None else ""

    @property
    def accepts(self) -> str:
        bounds, unit = self.bounds, f" of {self.unit}" if self.unit else ""
        return f"a whole number{unit}" + (f", {bounds}" if bounds.startswith("at ") else f" {bounds}".rstrip())

    def parse(self, raw: str, name: str) -> int:
        if not (raw.isascii() and _WHOLE.fullmatch(raw)):
            raise ConfigError(f"{name} must be {self.accepts}, got {raw!r}")
        value = int(raw)
        low = self.minimum if self.minimum is not None else value
        high = self.maximum if self.maximum is not None else value
        if not low <= value <= high:
            raise ConfigError(f"{name} must be {self.bounds}, got {value}")
        return value


@dataclass(frozen=True)
class Number(Kind):
    """A finite number of ``unit``: at least ``minimum``, more than ``above``, at most ``maximum``."""

    minimum: float | None = 0.0
    above: float | None = None
    maximum: float | None = None
    unit: str = "seconds"

    @property
    def bounds(self) -> str:
        low = (
            f"more than {self.above:g}"
            if self.above is not None
            else (f"at least {self.minimum:g}" if self.minimum is not None else "")
        )
        high = f"at most {self.maximum:g}" if self.maximum is not None else ""
        return " and ".join(part for part in (low, high) if part)

    @property
    def accepts(self) -> str:
        return f"a number of {self.unit}" + (f", {self.bounds}" if self.bounds else "")

    def parse(self, raw: str, name: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")) or "_" in raw:
            raise ConfigError(f"{name} must be {self.accepts}, got {raw!r}")
        too_low = (self.above is not None and value <= self.above) or (
            self.minimum is not None and value < self.minimum
        )
        if too_low or (self.maximum is not None and value > self.maximum):
            raise ConfigError(f"{name} must be {self.bounds}, got {value:g}")
        return value


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few words, compared after ``normalise`` (lower- or upper-casing); ``empty``
    says what leaving it empty means when that is not simply the default."""

    values: tuple[str, ...]
    normalise: Callable[[str], str] = str.lower
    empty: str = ""

    @property
    def accepts(self) -> str:
        return _words(self.values) + (f" (or empty: {self.empty})" if self.empty else "")

    def parse(self, raw: str, name: str) -> str:
        value = self.normalise(raw)
        if value not in self.values:
            raise ConfigError(f"{name} must be {self.accepts}, got {value!r}")
        return value


@dataclass(frozen=True)
class Url(Kind):
    """An absolute http(s) URL, https unless it points at a loopback host; kept with a trailing
    ``/`` (a base to join paths to) unless ``base`` is false."""

    base: bool = True

    ACCEPTS: ClassVar[str] = "an https URL (http only for a loopback host)"

    def parse(self, raw: str, name: str) -> str:
        url = http_url(raw, name)
        return url if self.base else url.rstrip("/")


@dataclass(frozen=True)
class Issuer(Kind):
    """An OIDC issuer given as a bare domain or a URL (see :func:`issuer_from_domain`)."""

    ACCEPTS: ClassVar[str] = "a bare domain (tenant.auth0.com) or an https issuer URL (http only for a loopback host)"

    def parse(self, raw: str, name: str) -> str:
        return issuer_from_domain(raw, name=name)


@dataclass(frozen=True)
class Domain(Kind):
    """A bare domain, as Slack's manifest lists unfurl domains."""

    ACCEPTS: ClassVar[str] = "a bare domain such as autoshares.com (no https:// or path)"

    def parse(self, raw: str, name: str) -> str:
        return bare_domain(raw, name)


@dataclass(frozen=True)
class DatabaseUrl(Kind):
    """A SQLAlchemy URL on SQLite or PostgreSQL (the async driver is chosen for it)."""

    ACCEPTS: ClassVar[str] = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"

    def parse(self, raw: str, name: str) -> str:
        async_database_url(raw)
        return raw


@dataclass(frozen=True)
class FernetKeys(Kind):
    """Fernet keys, comma separated, newest first."""

    ACCEPTS: ClassVar[str] = "Fernet keys, comma separated, newest first (`autoshares-bot keygen` makes one)"

    def parse(self, raw: str, name: str) -> tuple[str, ...]:
        keys = tuple(k.strip() for k in raw.split(",") if k.strip())
        for key in keys:
            try:
                Fernet(key.encode())
            except (ValueError, TypeError):
                raise ConfigError(
                    f"{name} must be Fernet keys (comma separated, newest first); "
                    "make one with `autoshares-bot keygen`"
                ) from None
        return keys

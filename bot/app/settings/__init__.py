"""The bot's settings: each declared once (``bot.app.settings.model``), read in one pass.

``Settings.from_env(env)`` is the entry point; ``read_settings`` gives the problems as well
(``autoshares-bot check``); ``bot.app.settings.docs`` writes ``.env.example`` and the README's table
from the same declarations (``python -m bot.app.settings --write``).
"""

from __future__ import annotations

from bot.app.settings.declare import Need, Problem, SettingsError, Spec, declared
from bot.app.settings.model import (
    ACCESS_TOKEN_MODE,
    DEFAULT_DATABASE_URL,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_QUOTE_DOMAIN,
    DEFAULT_SLACK_API_URL,
    EXCHANGE_MODE,
    MAX_POLL_CONCURRENCY,
    TOKEN_MODES,
    Settings,
    read_settings,
)
from bot.app.settings.values import (
    async_database_url,
    bare_domain,
    generate_encryption_key,
    http_url,
    is_loopback_host,
    issuer_from_domain,
)

__all__ = [
    "ACCESS_TOKEN_MODE",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_QUOTE_DOMAIN",
    "DEFAULT_SLACK_API_URL",
    "EXCHANGE_MODE",
    "MAX_POLL_CONCURRENCY",
    "TOKEN_MODES",
    "Need",
    "Problem",
    "Settings",
    "SettingsError",
    "Spec",
    "async_database_url",
    "bare_domain",
    "declared",
    "generate_encryption_key",
    "http_url",
    "is_loopback_host",
    "issuer_from_domain",
    "read_settings",
]

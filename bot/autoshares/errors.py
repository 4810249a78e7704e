"""AutoShares failures as typed exceptions carrying codes and data, never user-facing text.

    AutoSharesError               any failure talking to AutoShares (its identity provider or API)
    ├── IssuerMisconfigured       discovery unreadable or inconsistent (names AUTH0_DOMAIN)
    ├── OAuthError                the identity provider refused or failed a token request
    ├── RelinkRequired            the user's sign-in no longer works: link again
    ├── QuotesUnavailable         the quote streamer could not be reached
    ├── AutoSharesUnauthorized    401 after a refresh
    ├── AutoSharesForbidden       403: not this user's resource
    │   └── AutoSharesAppKeyRejected  403 for the application key (operator)
    ├── AutoSharesNotFound        404
    ├── AutoSharesConflict        409, e.g. cancelling a filled order
    ├── AutoSharesInvalid         400 / 422, carries ErrorDescription
    ├── AutoSharesRateLimited     429, carries retry_after seconds
    ├── AutoSharesServerError     5xx
    ├── AutoSharesMalformed       a 2xx answer the bot cannot read (names the endpoint and property)
    └── AutoSharesUnavailable     timeout or connection failure
        └── AutoSharesBusy        the deadline ran out waiting for the bot's own connection pool:
                                  the call never reached AutoShares

``str(exc)`` is the operator's message: it names the endpoint (and the setting, where one is at
fault) for logs. What a Slack user reads is chosen by ``handlers.errors`` from the class and its
data (``status``, ``description``, ``retry_after``).
"""

from __future__ import annotations


class AutoSharesError(Exception):
    code = "autoshares_error"

    def __init__(
        self,
        operator_message: str,
        *,
        status: int | None = None,
        endpoint: str = "",
        description: str | None = None,
    ) -> None:
        super().__init__(operator_message)
        self.status = status
        self.endpoint = endpoint
        self.description = description
        self.operator_message = operator_message


class IssuerMisconfigured(AutoSharesError):
    code = "issuer_config"


class OAuthError(AutoSharesError):
    """The identity provider refused or failed a request."""

    code = "oauth_error"

    def __init__(self, operator_message: str, *, error: str | None = None, rejected: bool = False) -> None:
        super().__init__(operator_message)
        self.error = error
        self.rejected = rejected  # the issuer said no (as opposed to being unreachable)


class RelinkRequired(AutoSharesError):
    """The stored sign-in was refused or cannot be refreshed: the user must link again."""

    code = "relink_required"


class QuotesUnavailable(AutoSharesError):
    code = "quotes_unavailable"


class AutoSharesUnauthorized(AutoSharesError):
    code = "autoshares_unauthorized"


class AutoSharesForbidden(AutoSharesError):
    code = "autoshares_forbidden"


class AutoSharesAppKeyRejected(AutoSharesForbidden):
    code = "autoshares_app_key"


class AutoSharesNotFound(AutoSharesError):
    code = "autoshares_not_found"


class AutoSharesConflict(AutoSharesError):
    code = "autoshares_conflict"


class AutoSharesInvalid(AutoSharesError):
    code = "autoshares_invalid"


class AutoSharesRateLimited(AutoSharesError):
    code = "autoshares_rate_limited"

    def __init__(self, operator_message: str, *, retry_after: float, **kwargs: object) -> None:
        super().__init__(operator_message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class AutoSharesServerError(AutoSharesError):
    code = "autoshares_server_error"


class AutoSharesUnavailable(AutoSharesError):
    code = "autoshares_unavailable"


class AutoSharesBusy(AutoSharesUnavailable):
    """No connection of the bot's own pool came free in time, so the call was never sent: the
    bot is busy, AutoShares is not at fault (and nothing was placed or changed there)."""

    code = "bot_busy"


class AutoSharesMalformed(AutoSharesError):
    """AutoShares answered, but not in a shape the bot can read: a property the bot needs is
    missing, or a number is NaN, infinite or not a number. Not a 5xx: whatever the call asked
    for (an order placement) may have happened."""

    code = "autoshares_malformed"

    def __init__(self, operator_message: str, *, endpoint: str, field: str) -> None:
        super().__init__(operator_message, endpoint=endpoint)
        self.field = field

"""AutoShares failures as typed exceptions, each with a sentence fit to show a Slack user.

    AutoSharesError (BotError)
    ├── AutoSharesUnauthorized   401 after a refresh: the link must be renewed
    ├── AutoSharesForbidden      403: wrong app key (operator) or not this user's resource
    ├── AutoSharesNotFound       404
    ├── AutoSharesConflict       409, e.g. cancelling a filled order
    ├── AutoSharesInvalid        400 / 422, carries ErrorDescription
    ├── AutoSharesRateLimited    429, carries retry_after seconds
    ├── AutoSharesServerError    5xx
    └── AutoSharesUnavailable    timeout or connection failure

``operator_message`` names the endpoint (and the setting, where one is at fault) for logs.
"""

from __future__ import annotations

from bot.core.errors import BotError


class AutoSharesError(BotError):
    code = "autoshares_error"
    user_message = "AutoShares could not complete that request. Please try again in a minute."

    def __init__(
        self,
        operator_message: str,
        *,
        status: int | None = None,
        endpoint: str = "",
        description: str | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(operator_message, user_message=user_message)
        self.status = status
        self.endpoint = endpoint
        self.description = description
        self.operator_message = operator_message


class AutoSharesUnauthorized(AutoSharesError):
    code = "autoshares_unauthorized"
    user_message = (
        "Your AutoShares sign-in has expired or was revoked. Run `/autoshares link` to sign in again."
    )


class AutoSharesForbidden(AutoSharesError):
    code = "autoshares_forbidden"
    user_message = "AutoShares refused that request for your login. Check the account id, or ask your AutoShares administrator for access."


class AutoSharesAppKeyRejected(AutoSharesForbidden):
    code = "autoshares_app_key"
    user_message = (
        "The bot's AutoShares application key was refused. Please ask the person who runs this bot "
        "to check its AutoShares settings."
    )


class AutoSharesNotFound(AutoSharesError):
    code = "autoshares_not_found"
    user_message = "AutoShares could not find that. Check the id or symbol and try again."


class AutoSharesConflict(AutoSharesError):
    code = "autoshares_conflict"
    user_message = (
        "AutoShares says that has already changed (for example, the order is already filled or cancelled)."
    )


class AutoSharesInvalid(AutoSharesError):
    code = "autoshares_invalid"
    user_message = "AutoShares did not accept that request. Check the values and try again."


class AutoSharesRateLimited(AutoSharesError):
    code = "autoshares_rate_limited"

    def __init__(self, operator_message: str, *, retry_after: float, **kwargs: object) -> None:
        seconds = max(1, round(retry_after))
        super().__init__(
            operator_message,
            user_message=f"AutoShares is limiting how often you can do that. Try again in {seconds} seconds.",
            **kwargs,  # type: ignore[arg-type]
        )
        self.retry_after = retry_after


class AutoSharesServerError(AutoSharesError):
    code = "autoshares_server_error"
    user_message = "AutoShares is having trouble right now. Please try again in a minute."


class AutoSharesUnavailable(AutoSharesError):
    code = "autoshares_unavailable"
    user_message = "AutoShares did not answer in time. Please try again in a minute."

"""The bot's exception tree.

    BotError                      anything the bot raises on purpose; carries a user sentence
    ├── ConfigError               a setting is missing or malformed (operator-facing, names it)
    ├── NotLinkedError            the Slack user has not linked AutoShares yet
    ├── RelinkRequiredError       the stored link no longer works (refresh refused)
    ├── AgreementsOutstandingError  trading is refused until agreements are signed
    └── AutoSharesError           an AutoShares call failed (see bot.autoshares.errors)

Every ``BotError`` has ``code`` (short, stable, for logs and metrics) and ``user_message``
(one plain sentence plus the next step, safe to show in Slack).
"""

from __future__ import annotations


class BotError(Exception):
    """Base class: an error the bot knows how to explain to a user."""

    code = "bot_error"
    user_message = "Something went wrong on our side. Please try again in a minute."

    def __init__(self, detail: str | None = None, *, user_message: str | None = None) -> None:
        super().__init__(detail or self.user_message)
        if user_message is not None:
            self.user_message = user_message


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the setting."""

    code = "config"


class NotLinkedError(BotError):
    code = "not_linked"
    user_message = "Your Slack account is not linked to AutoShares yet. Run `/autoshares link` to connect it."


class RelinkRequiredError(BotError):
    code = "relink_required"
    user_message = (
        "Your AutoShares sign-in has expired or was revoked. Run `/autoshares link` to sign in again."
    )


class AgreementsOutstandingError(BotError):
    """Raised by trading services while the user has agreements to sign."""

    code = "agreements_outstanding"
    user_message = (
        "You have AutoShares agreements to sign before you can trade. "
        "Run `/autoshares agreements` to review and sign them."
    )

    def __init__(self, agreements: list[dict[str, object]]) -> None:
        super().__init__(f"{len(agreements)} agreement(s) outstanding")
        self.agreements = agreements

"""The typed async AutoShares client: headers, errors, token refresh, retries, rate limits."""

from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.errors import AutoSharesError
from bot.autoshares.tokens import TokenManager

__all__ = ["AutoSharesClient", "AutoSharesError", "TokenManager", "UserApi"]

"""The AutoShares client: the trading API over httpx, the OIDC identity provider, single-flight
token refresh over a store protocol, auth flows, the quote streamer and typed errors.

It imports no storage and no other bot code; the bot hands it tokens through ``TokenStore``.
"""

"""The RS256 key that signs ID tokens, and its public JWKS.

A fresh 2048-bit key per sandbox instance (generation takes a few tens of milliseconds), so no
private key is ever written to disk or committed.
"""

from __future__ import annotations

import secrets
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey


class SigningKey:
    """Signs JWTs with RS256 and publishes the matching public key set."""

    algorithm = "RS256"

    def __init__(self) -> None:
        self.kid = secrets.token_hex(8)
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": self.kid, "use": "sig", "alg": self.algorithm}
        )

    def jwks(self) -> dict[str, Any]:
        """The public JSON Web Key Set served at /.well-known/jwks.json."""
        return {"keys": [self.key.as_dict(private=False)]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode({"alg": self.algorithm, "kid": self.kid, "typ": "JWT"}, claims, self.key)

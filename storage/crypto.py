"""Token encryption at rest: Fernet, with MultiFernet so keys can be rotated.

``TOKEN_ENCRYPTION_KEY`` holds one or more keys, newest first. New values are encrypted with
the first; any listed key decrypts. ``rotate`` re-encrypts an old ciphertext with the newest key
(``storage.keys`` does it for every stored row: ``autoshares-bot rotate-key``).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts (the message names the setting)."""

    code = "secret_unreadable"


class TokenCipher:
    """Encrypts and decrypts secrets (OAuth tokens, PKCE verifiers) for storage."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("TOKEN_ENCRYPTION_KEY is missing; make one with `autoshares-bot keygen`")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise _unreadable() from None

    def readable(self, ciphertext: str) -> bool:
        """Whether one of the configured keys decrypts ``ciphertext``."""
        try:
            self._fernet.decrypt(ciphertext.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: str) -> str:
        """``ciphertext`` encrypted again with the newest key (SecretUnreadable if no key reads it)."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise _unreadable() from None


def _unreadable() -> SecretUnreadable:
    return SecretUnreadable(
        "A stored token cannot be decrypted with TOKEN_ENCRYPTION_KEY; "
        "keep the old key in the list (newest first) when rotating"
    )

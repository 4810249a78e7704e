"""Roles in a workspace, least to most: each may do what the ones before it may.

* **viewer**: quotes, their watchlist, accounts and positions, price alerts;
* **trader**: orders (preview, confirm, cancel);
* **approver**: approves or rejects other members' orders that need approval;
* **admin**: grants roles and limits and sets the workspace's policy.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role; compared by rank (``Role.VIEWER < Role.ADMIN``), not alphabetically."""

    VIEWER = "viewer"
    TRADER = "trader"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def __lt__(self, other: object) -> bool:
        return self.rank < Role(other).rank if isinstance(other, str) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.rank <= Role(other).rank if isinstance(other, str) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.rank > Role(other).rank if isinstance(other, str) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.rank >= Role(other).rank if isinstance(other, str) else NotImplemented

    @classmethod
    def named(cls, word: str) -> Role | None:
        """The role a word names (any case), or None."""
        try:
            return cls(word.strip().lower())
        except ValueError:
            return None

    @classmethod
    def stored(cls, text: str | None) -> Role | None:
        """A role read back from storage: None (the default) stays None; a word no role has
        (written by hand, or by a newer release) is the least role, so an unknown grant never
        lets anyone do more."""
        if text is None:
            return None
        return cls.named(text) or cls.VIEWER


_RANKS = {role: rank for rank, role in enumerate(Role)}
#: Every role, least to most.
ROLES: tuple[Role, ...] = tuple(Role)
#: What an admin may give as the deployment's default role (``DEFAULT_ROLE``): not admin.
DEFAULT_ROLE_CHOICES: tuple[Role, ...] = (Role.VIEWER, Role.TRADER, Role.APPROVER)

"""A pending order's states: the bot's own, from preview to its end (``storage.orders`` makes
the moves between them with conditional writes).

pending → submitting → placed | failed; pending → cancelled | expired; with two-person approval,
pending → awaiting_approval → submitting (Approve) | rejected (Reject) | expired | cancelled.
A change to a placed order is a pending order of its own; once AutoShares replaced the order,
the order's earlier row moves placed → replaced and the change's row follows the order.
"""

from __future__ import annotations

from enum import StrEnum


class PendingState(StrEnum):
    PENDING = "pending"
    SUBMITTING = "submitting"
    PLACED = "placed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    AWAITING_APPROVAL = "awaiting_approval"
    REJECTED = "rejected"
    #: A placed order whose later change AutoShares took: the change's row follows it now.
    REPLACED = "replaced"

    @property
    def waiting(self) -> bool:
        """Waiting for a person (the requester's Confirm, or an approver)."""
        return self in WAITING_STATES

    @property
    def settled(self) -> bool:
        """Past the confirmation step: no longer waiting or on its way to AutoShares."""
        return self not in UNSETTLED_STATES


#: Waiting for a person: these expire when nobody acts in time.
WAITING_STATES = frozenset({PendingState.PENDING, PendingState.AWAITING_APPROVAL})
#: Not yet at an end: waiting, or being sent to AutoShares.
UNSETTLED_STATES = WAITING_STATES | {PendingState.SUBMITTING}
#: What a failed row keeps (``error``) when AutoShares gave no answer to a placement that has no
#: ClientId to look it up by (a mutual fund order): whether the order stands is unknown, and the
#: member is told to check their open orders before sending it again.
UNCONFIRMED = "unconfirmed"

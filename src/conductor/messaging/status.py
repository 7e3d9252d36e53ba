"""Message statuses and the transitions a person or a program may make between them."""

from __future__ import annotations

from typing import Final

INBOUND: Final = "inbound"
OUTBOUND: Final = "outbound"

UNREAD, READ, NEEDS_HUMAN = "unread", "read", "needs_human"
SUGGESTED, APPROVED, QUEUED, SCHEDULED = "suggested", "approved", "queued", "scheduled"
SENDING, SENT, DELIVERED, FAILED, CANCELLED = "sending", "sent", "delivered", "failed", "cancelled"

INBOUND_STATUSES: Final = (UNREAD, READ, NEEDS_HUMAN)
OUTBOUND_STATUSES: Final = (
    SUGGESTED, APPROVED, QUEUED, SCHEDULED, SENDING, SENT, DELIVERED, FAILED, CANCELLED,
)  # fmt: skip

# What a person (console, API, CLI) may do by hand. The gateway's own moves (claim -> sending,
# sending -> sent/failed/queued, sent -> delivered) go through gateway.outbound, not this table.
MANUAL_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    UNREAD: frozenset({READ, NEEDS_HUMAN}),
    READ: frozenset({UNREAD, NEEDS_HUMAN}),
    NEEDS_HUMAN: frozenset({READ, UNREAD}),
    SUGGESTED: frozenset({APPROVED, QUEUED, SCHEDULED, CANCELLED}),
    APPROVED: frozenset({QUEUED, SCHEDULED, CANCELLED}),
    QUEUED: frozenset({SCHEDULED, CANCELLED}),
    SCHEDULED: frozenset({QUEUED, CANCELLED}),
    FAILED: frozenset({QUEUED, CANCELLED}),
    SENDING: frozenset(),
    SENT: frozenset(),
    DELIVERED: frozenset(),
    CANCELLED: frozenset({QUEUED}),
}

"""The states a request moves through (``shared/domain.md``, "Requests: lifecycle").

Only the names, and the facts the rules judge a request by, live here: which transitions
are allowed is ``desk.rules.lifecycle``; what each does to the quota is
``desk.rules.counting``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from desk.errors import DeskError


class RequestState(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"  # eligibility approved
    REJECTED = "rejected"  # eligibility rejected, with reason
    SUPPLIER_CONTACTED = "supplier_contacted"
    BOOKED = "booked"  # booked or arranged, with date and place
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    BOOKING_FAILED = "booking_failed"
    USED = "used"  # real-time services: a single logged use


FINAL_STATES = frozenset(
    {
        RequestState.REJECTED,
        RequestState.DONE,
        RequestState.CANCELLED,
        RequestState.NO_SHOW,
        RequestState.BOOKING_FAILED,
        RequestState.USED,
    }
)


class Channel(StrEnum):
    HOTLINE = "hotline"
    WECHAT = "wechat"  # the insurer's WeChat service account (申请路径)
    IMPORT = "import"


class LedgerKind(StrEnum):
    COUNTED = "counted"
    REFUNDED = "refunded"
    # A real-time service's use (domain.md: "record who used it"): logged, never a count
    # against a quota.
    USED = "used"


class TransitionRefused(DeskError):
    """The transition is not allowed; the message says why, in words for the agent."""


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the rules need to know about a request to judge a transition."""

    service_code: str
    state: RequestState
    submitted_at: datetime
    visit_at: datetime | None = None  # the agreed visit or meeting time, once booked
    counted: bool = False  # the ledger already holds an unrefunded use for it
    arrangement_due: datetime | None = None  # admission: when the arrangement was due

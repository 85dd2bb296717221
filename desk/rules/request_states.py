"""The states a request moves through (``shared/domain.md``, "Requests: lifecycle").

Only the names live here; which transitions are allowed, and what each does to the usage
ledger, is the lifecycle's business.
"""

from __future__ import annotations

from enum import StrEnum


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

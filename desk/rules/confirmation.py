"""A quota-limited request filed at a branch office while it cannot see head office.

The branch decides with the uses it knows of; head office, which sees every office's
filings, confirms or finds the quota already used elsewhere in the same service year.
Nothing is dropped: a request in conflict keeps its use (the ledger merges by union) and
waits for a supervisor, and the customer-facing status says so.
"""

from __future__ import annotations

from enum import StrEnum

from desk.rules.catalogue import Benefit


class Confirmation(StrEnum):
    NONE = ""  # filed where every use is seen: head office
    PROVISIONAL = "provisional"
    CONFIRMED = "confirmed"
    CONFLICT = "conflict"


def on_filing(entry: Benefit, *, at_branch: bool) -> Confirmation:
    """Only a use that can run out needs head office's word; unlimited services do not."""
    if at_branch and entry.quota_per_year is not None:
        return Confirmation.PROVISIONAL
    return Confirmation.NONE


def on_count(entry: Benefit, uses_in_year: int) -> Confirmation:
    """Head office's verdict, ``uses_in_year`` counting this request and every other
    office's uses of the same service in the same service year."""
    if entry.quota_per_year is not None and uses_in_year > entry.quota_per_year:
        return Confirmation.CONFLICT
    return Confirmation.CONFIRMED

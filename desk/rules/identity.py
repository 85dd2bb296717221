"""The identity check (核身): which facts the caller confirmed, and whether that is enough.

Details are shown only after the caller confirms at least two of: full name, last 4 ID
digits, birth date, registered mobile. Before that the agent sees the name only.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

REQUIRED_FACTS = 2


class IdentityFact(StrEnum):
    FULL_NAME = "full_name"
    ID_LAST4 = "id_last4"
    BIRTH_DATE = "birth_date"
    MOBILE = "mobile"


def identity_verified(confirmed: Collection[str]) -> bool:
    known = {fact.value for fact in IdentityFact}
    return len(known.intersection(confirmed)) >= REQUIRED_FACTS

"""Wall-clock time as desk stores it.

Every timestamp is China Standard Time (UTC+8, no daylight saving) without a zone: the
SLA clock, the hotline hours and the agents all live on Beijing time, and SQLite has no
zone-aware type, so one convention on both databases keeps comparisons exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def china_now() -> datetime:
    return datetime.now(CHINA_TZ).replace(tzinfo=None, microsecond=0)

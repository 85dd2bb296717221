"""The wall clock, for the entry points to hand to the use cases.

Rules never read it (they take the time as an argument); stored times are China
Standard Time without a zone, as ``db.timestamps`` explains.
"""

from __future__ import annotations

from db.timestamps import CHINA_TZ, china_now

__all__ = ["CHINA_TZ", "china_now"]

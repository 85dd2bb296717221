"""The service period (权益有效期): when a policy's services are open.

Services open when the cooling-off period ends (effective date + 15 days) and last one
year from that day, ``[effective + 15 d, effective + 15 d + 1 y)``; they end on the day
the policy lapses, is surrendered or otherwise terminates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

COOLING_OFF = timedelta(days=15)
SERVICE_YEAR = relativedelta(years=1)


class PolicyStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"
    SURRENDERED = "surrendered"
    TERMINATED = "terminated"


@dataclass(frozen=True, slots=True)
class Window:
    """``[starts_on, ends_on)``: ``ends_on`` is the first day services are closed."""

    starts_on: date
    ends_on: date

    def contains(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on


def initial_window(effective_date: date) -> Window:
    # relativedelta keeps a window opening on 29 February to 28 February next year.
    starts_on = effective_date + COOLING_OFF
    return Window(starts_on, starts_on + SERVICE_YEAR)


def renewal_window(previous: Window) -> Window:
    """The service year after ``previous``, granted by a supervisor; quotas start fresh."""
    return Window(previous.ends_on, previous.ends_on + SERVICE_YEAR)

"""Times of day for demo events: agents, suppliers and customers act by day (8:00-21:00)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta


def daytime_at(day: date, rng: random.Random, first_hour: int = 9, last_hour: int = 19) -> datetime:
    return datetime.combine(day, time(rng.randint(first_hour, last_hour), rng.randrange(60)))


def daytime_minutes(rng: random.Random, low: float, high: float) -> int:
    """A delay between ``low`` and ``high`` daytime hours, in minutes (see ``shift_daytime``)."""
    return rng.randint(int(low * 60), int(high * 60))


DAY_OPENS, DAY_CLOSES = time(8), time(21)


def into_day(at: datetime, *, forward: bool) -> datetime:
    if DAY_OPENS <= at.time() <= DAY_CLOSES:
        return at
    day = at.date()
    if forward:
        return datetime.combine(day if at.time() < DAY_OPENS else day + timedelta(days=1), DAY_OPENS)
    return datetime.combine(day if at.time() > DAY_CLOSES else day - timedelta(days=1), DAY_CLOSES)


def shift_daytime(at: datetime, minutes: int) -> datetime:
    """``at`` moved by ``minutes`` of daytime (8:00-21:00), forward or back.

    Agents, suppliers and customers act by day: a delay of ten hours that starts in the
    evening ends the next afternoon, not at 3 a.m.
    """
    forward = minutes >= 0
    at, left = into_day(at, forward=forward), abs(minutes)
    while left > 0:
        if forward:
            room = int((datetime.combine(at.date(), DAY_CLOSES) - at).total_seconds() // 60)
        else:
            room = int((at - datetime.combine(at.date(), DAY_OPENS)).total_seconds() // 60)
        if room <= 0:
            step = timedelta(days=1) if forward else -timedelta(days=1)
            at = datetime.combine(at.date() + step, DAY_OPENS if forward else DAY_CLOSES)
            continue
        take = min(left, room)
        at += timedelta(minutes=take if forward else -take)
        left -= take
    return at


def later(at: datetime, delay: int | timedelta) -> datetime:
    # Calendar-day delays (claims) keep the time of day; others count daytime minutes.
    return at + delay if isinstance(delay, timedelta) else shift_daytime(at, delay)


def earlier(at: datetime, delay: int | timedelta) -> datetime:
    return at - delay if isinstance(delay, timedelta) else shift_daytime(at, -delay)

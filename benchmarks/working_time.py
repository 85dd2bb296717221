"""What a queue row's "working hours left" costs, by how overdue the row is.

The queue shows each row's hotline time left (or since, when overdue) and recomputes a
page on every refresh. Counted day by day, a row three years overdue walked ~1,000 days;
counted from the calendar's running totals it costs what a row due today costs. This
times both ways on the shipped calendar, in one run, as microseconds per row.

    .venv/bin/python benchmarks/working_time.py
"""

from __future__ import annotations

import csv
import sys
import timeit
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from desk.rules.sla_status import working_time_left
from desk.rules.working_calendar import WorkingCalendar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' reference definition
from tests.test_working_time_counting import walked_time  # noqa: E402

NOW = datetime(2026, 11, 24, 10, 0)


def walked_left(due: datetime, now: datetime, calendar: WorkingCalendar) -> timedelta:
    """The day-by-day count the queue used before (the tests' reference definition)."""
    return -walked_time(due, now, calendar) if now > due else walked_time(now, due, calendar)


def per_row_us(count, due: datetime, calendar: WorkingCalendar, number: int) -> float:
    return min(timeit.repeat(lambda: count(due, NOW, calendar), number=number, repeat=5)) / number * 1e6


def main() -> None:
    # The shipped 2025-2026 arrangement (earlier years count Monday-Friday): the cost
    # depends on how many days are counted, not on which.
    text = resources.files("desk.data").joinpath("cn_workdays_2025_2026.csv").read_text("utf-8")
    calendar = WorkingCalendar.from_days(
        (date.fromisoformat(row["date"]), row["kind"]) for row in csv.DictReader(text.splitlines()))
    print(f"{'row due':>18}  {'day by day':>12}  {'running totals':>15}  ratio")
    for days in (0, 30, 365, 990, 3 * 365):
        due = NOW - timedelta(days=days, hours=1)
        assert working_time_left(due, NOW, calendar) == walked_left(due, NOW, calendar)
        number = 200 if days > 300 else 2000
        walked = per_row_us(walked_left, due, calendar, number)
        totals = per_row_us(working_time_left, due, calendar, 2000)
        print(f"{days:>8} days ago  {walked:>9.1f} us  {totals:>12.1f} us  {walked / totals:>5.1f}x")


if __name__ == "__main__":
    main()

"""The reference data shipped in the package, loaded into the database on upgrade.

Copies of ``shared/data``: the official working-day arrangement, the industry-standard
critical-illness list and the sample smoking-cessation clinic list.

The working calendar comes first from the shipped CSV, which wins for its years, then
from the ``chinesecalendar`` package for the years it knows that the CSV does not. A year
the database already holds any day of is left as it is: a supervisor's edits there,
removals included, outlive every upgrade.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Protocol

from desk.rules.working_calendar import HOLIDAY, WORKDAY
from desk.texts.labels import t

if TYPE_CHECKING:
    from db.unit_of_work import UnitOfWork

INDUSTRY_ILLNESS_LIST = "industry_2020"


@dataclass(frozen=True)
class LoadReport:
    calendar_days: int
    illnesses: int
    hospitals: int


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("desk.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def calendar_rows(
    holidays: Mapping[date, str],
    workdays: Mapping[date, str],
    chinese_names: Mapping[str, str],
    *,
    skip_years: Iterable[int] = (),
) -> list[tuple[date, str, str]]:
    """(day, kind, name) rows of the package's holiday and make-up-day tables, by day.

    The package names each day's holiday in English; the name is stored in Chinese where
    ``chinese_names`` knows it, else as the package spells it.
    """
    skipped = set(skip_years)
    rows = [
        (day, kind, chinese_names.get(name, name))
        for kind, table in ((HOLIDAY, holidays), (WORKDAY, workdays))
        for day, name in table.items()
        if day.year not in skipped
    ]
    return sorted(rows)


def _load_calendar(uow: UnitOfWork) -> int:
    # Imported here: only an upgrade needs the package's tables, never a start-up.
    import chinese_calendar

    names = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    # The shipped file names holidays as the package does, in English: shown in Chinese.
    shipped = [
        (date.fromisoformat(row["date"]), row["kind"], names.get(row["name"], row["name"]))
        for row in _rows("cn_workdays_2025_2026.csv")
    ]
    shipped_years = {day.year for day, _kind, _name in shipped}
    package = calendar_rows(
        chinese_calendar.holidays, chinese_calendar.workdays, names, skip_years=shipped_years
    )
    held = uow.calendar.years()
    return uow.calendar.add_days(row for row in shipped + package if row[0].year not in held)


class OpensUnitOfWork(Protocol):
    """Anything that opens a unit of work (a ``Database``): named here so this module
    needs nothing from the one that opens databases, which calls it."""

    def unit_of_work(self) -> UnitOfWork: ...


def load_reference_data(database: OpensUnitOfWork) -> LoadReport:
    """Add what is missing; rows already there (perhaps edited) are left as they are."""
    with database.unit_of_work() as uow:
        days = _load_calendar(uow)
        illnesses = sum(
            uow.illnesses.add_if_missing(
                INDUSTRY_ILLNESS_LIST, row["code"], row["name_zh"], row["name_en"], row["severity"]
            )
            for row in _rows("critical_illnesses.csv")
        )
        hospitals = sum(
            uow.hospitals.add_if_missing(row["city"], row["hospital"], smoking_clinic=True)
            for row in _rows("smoking_clinics_sample.csv")
        )
        uow.commit()
    return LoadReport(days, illnesses, hospitals)


@cache
def _shipped() -> tuple[frozenset[int], frozenset[str]]:
    """The calendar years and illness codes the package ships: read once per process."""
    years = frozenset(date.fromisoformat(row["date"]).year for row in _rows("cn_workdays_2025_2026.csv"))
    return years, frozenset(row["code"] for row in _rows("critical_illnesses.csv"))


def reference_data_missing(database: OpensUnitOfWork) -> list[str]:
    """What the rules depend on and the database lacks, named for the user; [] if whole.

    A few small queries, run on every start: without the calendar due times silently skip
    holidays, and without the illness list every green-channel request is refused.
    """
    shipped_years, shipped_codes = _shipped()
    with database.unit_of_work() as uow:
        missing = []
        if not shipped_years <= uow.calendar.years():
            missing.append(t("reference.calendar"))
        if not shipped_codes <= uow.illnesses.codes_of_list(INDUSTRY_ILLNESS_LIST):
            missing.append(t("reference.illnesses"))
        if not uow.hospitals.smoking_clinics():
            missing.append(t("reference.clinics"))
    return missing

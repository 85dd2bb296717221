"""The reference data shipped in the package, loaded into the database on upgrade.

Copies of ``shared/data``: the official working-day arrangement, the industry-standard
critical-illness list and the sample smoking-cessation clinic list.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk.database import Database

INDUSTRY_ILLNESS_LIST = "industry_2020"


@dataclass(frozen=True)
class LoadReport:
    calendar_days: int
    illnesses: int
    hospitals: int


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("desk.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_reference_data(database: Database) -> LoadReport:
    """Add what is missing; rows already there (perhaps edited) are left as they are."""
    with database.unit_of_work() as uow:
        days = sum(
            uow.calendar.add_if_missing(date.fromisoformat(row["date"]), row["kind"], row["name"])
            for row in _rows("cn_workdays_2025_2026.csv")
        )
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

"""Reference data: the working-day calendar, critical-illness lists, hospitals and clinics.

Shipped data is added where missing, keyed on each table's natural key, and never
overwrites a row: a supervisor's edit to the calendar outlives every upgrade.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import delete, extract, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from db.repositories.base import Repository
from db.tables import CalendarDay, CriticalIllness, Hospital
from db.timestamps import china_now


class CalendarRepository(Repository[CalendarDay]):
    table = CalendarDay

    def all_days(self) -> list[CalendarDay]:
        return list(self.session.exec(select(CalendarDay).order_by(CalendarDay.day)).all())  # type: ignore[arg-type]

    def kinds(self) -> list[tuple[date, str]]:
        """(day, kind) of every exception: what the working calendar is built from."""
        return [(day, kind) for day, kind in self.session.execute(sa_select(CalendarDay.day, CalendarDay.kind))]

    def add_if_missing(self, day: date, kind: str, name: str) -> bool:
        if self.session.exec(select(CalendarDay.id).where(CalendarDay.day == day)).first():
            return False
        self.session.add(CalendarDay(day=day, kind=kind, name=name))
        return True

    def years(self) -> set[int]:
        """The years of which the calendar holds at least one day."""
        statement = select(extract("year", CalendarDay.day)).distinct()
        return {int(year) for year in self.session.exec(statement).all()}

    def of_year(self, year: int) -> list[CalendarDay]:
        statement = (
            select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())

    def last_day(self) -> date | None:
        statement = select(CalendarDay.day).order_by(col(CalendarDay.day).desc()).limit(1)
        return self.session.exec(statement).first()

    def by_days(self, days: Collection[date]) -> dict[date, CalendarDay]:
        found: dict[date, CalendarDay] = {}
        wanted = sorted(days)
        for start in range(0, len(wanted), 500):
            statement = select(CalendarDay).where(col(CalendarDay.day).in_(wanted[start : start + 500]))
            found.update((row.day, row) for row in self.session.exec(statement).all())
        return found

    def add_days(self, rows: Iterable[tuple[date, str, str]]) -> int:
        """Insert (day, kind, name) rows known to be missing, in one executemany."""
        return self.bulk_insert({"day": day, "kind": kind, "name": name} for day, kind, name in rows)

    def change_days(self, rows: Iterable[tuple[date, str, str]]) -> int:
        """Set kind and name of days already held, keyed on the day.

        One statement a day: an edit is a year's arrangement at most, a few dozen days.
        """
        changed = 0
        now = china_now()
        for day, kind, name in rows:
            self.session.execute(
                update(CalendarDay)
                .where(col(CalendarDay.day) == day)
                .values(kind=kind, name=name, updated_at=now)
            )
            changed += 1
        return changed

    def remove_days(self, days: Collection[date]) -> int:
        removed = 0
        wanted = sorted(days)
        for start in range(0, len(wanted), 500):
            result = self.session.execute(
                delete(CalendarDay).where(col(CalendarDay.day).in_(wanted[start : start + 500]))
            )
            removed += result.rowcount  # type: ignore[attr-defined]
        return removed


class IllnessRepository(Repository[CriticalIllness]):
    table = CriticalIllness

    def of_list(self, list_code: str) -> list[CriticalIllness]:
        statement = (
            select(CriticalIllness)
            .where(CriticalIllness.list_code == list_code)
            .order_by(CriticalIllness.code)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())

    def codes_of_list(self, list_code: str) -> set[str]:
        statement = select(CriticalIllness.code).where(CriticalIllness.list_code == list_code)
        return set(self.session.exec(statement).all())

    def add_if_missing(
        self, list_code: str, code: str, name_zh: str, name_en: str, severity: str
    ) -> bool:
        row = self.session.exec(
            select(CriticalIllness.id).where(
                CriticalIllness.list_code == list_code, CriticalIllness.code == code
            )
        ).first()
        if row is None:
            self.session.add(
                CriticalIllness(
                    list_code=list_code, code=code, name_zh=name_zh, name_en=name_en,
                    severity=severity,
                )
            )
            return True
        return False


class HospitalRepository(Repository[Hospital]):
    table = Hospital

    def smoking_clinics(self, city: str | None = None) -> list[Hospital]:
        statement = select(Hospital).where(Hospital.smoking_clinic == True)  # noqa: E712
        if city:
            statement = statement.where(Hospital.city == city)
        return list(self.session.exec(statement.order_by(Hospital.city, Hospital.name)).all())  # type: ignore[arg-type]

    def add_if_missing(self, city: str, name: str, *, smoking_clinic: bool, grade: str = "") -> bool:
        row = self.session.exec(
            select(Hospital.id).where(Hospital.city == city, Hospital.name == name)
        ).first()
        if row is not None:
            return False
        self.session.add(Hospital(city=city, name=name, grade=grade, smoking_clinic=smoking_clinic))
        return True

"""Reference data: the working-day calendar, critical-illness lists, hospitals and clinics.

Shipped data is added where missing, keyed on each table's natural key, and never
overwrites a row: a supervisor's edit to the calendar outlives every upgrade.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db.repositories.base import Repository
from db.tables import CalendarDay, CriticalIllness, Hospital


class CalendarRepository(Repository[CalendarDay]):
    table = CalendarDay

    def all_days(self) -> list[CalendarDay]:
        return list(self.session.exec(select(CalendarDay).order_by(CalendarDay.day)).all())  # type: ignore[arg-type]

    def add_if_missing(self, day: date, kind: str, name: str) -> bool:
        if self.session.exec(select(CalendarDay.id).where(CalendarDay.day == day)).first():
            return False
        self.session.add(CalendarDay(day=day, kind=kind, name=name))
        return True


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

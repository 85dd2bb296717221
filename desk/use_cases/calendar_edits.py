"""Supervisors' edits to the working-day calendar, and the deadlines they move.

The State Council announces each year's arrangement in late autumn; a supervisor enters
it here (``desk calendar import FILE.csv`` or the calendar screen, F3). A calendar edit
moves deadlines already promised, so every edit recomputes the open steps it touches and
is written to the audit log, all in one transaction.

File format: ``date,kind,name``
* Read by ``desk.use_cases.csv_rows`` like every import: UTF-8 with or without Excel's byte-order
  mark, else GB18030; header names matched without regard to case, the Chinese labels
  日期, 类型, 名称 accepted too; the header is line 1.
* date: ``2026-10-08``, ``2026/10/8`` or ``20261008``.
* kind: ``holiday`` (also 放假, 休息, 节假日): a day off, even on a weekday;
  ``workday`` (also 上班, 补班, 调休上班): a make-up working day, even on a weekend;
  ``weekday`` (also 平日): remove the exception, the day follows Monday-Friday again.
  An empty kind is a bad row: a blank cell must never quietly delete a holiday.
* name: optional, at most 64 characters (国庆节). Empty keeps the name a day already has.
* The same date twice in one file is a bad row. Any bad row and nothing is stored.

Only supervisors and admins may edit; anyone may read the calendar.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from db.tables import Agent, AuditEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.catalogue import BENEFITS, SlaStep, SlaUnit
from desk.rules.roles import Action, may
from desk.rules.sla_clock import due_for_step
from desk.rules.validation import parse_date
from desk.rules.working_calendar import HOLIDAY, WORKDAY, WorkingCalendar
from desk.texts.labels import ZH, t
from desk.use_cases.calendar_data import load_working_calendar
from desk.use_cases.csv_rows import FileProblem, Record, RowProblem, read_table

__all__ = [
    "CALENDAR_COLUMNS",
    "CALENDAR_LABELS",
    "WEEKDAY",
    "CalendarEditRefused",
    "CalendarFile",
    "CalendarReport",
    "DayEdit",
    "apply_edits",
    "check_day",
    "check_records",
    "import_calendar",
    "read_calendar_file",
    "remove_day",
    "set_day",
]

# A row of this kind removes the day's exception: it follows Monday-Friday again.
WEEKDAY = "weekday"

CALENDAR_COLUMNS: dict[str, bool] = {"date": True, "kind": True, "name": False}
# The Chinese headers a file may use whatever language the screens use (calendar.field.*).
CALENDAR_LABELS: dict[str, str] = {name: ZH[f"calendar.field.{name}"] for name in CALENDAR_COLUMNS}

# What supervisors write in the kind column, in English or as the notices say it.
KIND_WORDS: dict[str, str] = {
    HOLIDAY: HOLIDAY, "放假": HOLIDAY, "休息": HOLIDAY, "节假日": HOLIDAY, "假日": HOLIDAY,
    WORKDAY: WORKDAY, "上班": WORKDAY, "补班": WORKDAY, "调休上班": WORKDAY,
    WEEKDAY: WEEKDAY, "平日": WEEKDAY,
}
NAME_WIDTH = 64


class CalendarEditRefused(DeskError):
    """The agent may not edit the calendar."""


@dataclass(frozen=True, slots=True)
class DayEdit:
    day: date
    kind: str  # holiday | workday | weekday (remove the exception)
    name: str = ""


def check_day(date_text: str, kind_text: str, name: str) -> tuple[DayEdit | None, dict[str, str]]:
    """The edit one row or form asks for, or why each field is wrong (field -> reason)."""
    reasons: dict[str, str] = {}
    day: date | None = None
    if not date_text.strip():
        reasons["date"] = t("calendar.need_date")
    else:
        try:
            day = parse_date(date_text)
        except ValueError as error:
            reasons["date"] = str(error)
    kind = KIND_WORDS.get(kind_text.strip().lower())
    if not kind_text.strip():
        reasons["kind"] = t("calendar.need_kind")
    elif kind is None:
        reasons["kind"] = t("calendar.unknown_kind", kind=kind_text.strip())
    name = name.strip()
    if len(name) > NAME_WIDTH:
        reasons["name"] = t("import.too_long", width=NAME_WIDTH)
    if reasons or day is None or kind is None:
        return None, reasons
    return DayEdit(day, kind, name), {}


def check_records(records: Sequence[Record]) -> tuple[list[DayEdit], list[RowProblem]]:
    """The edits of a file's rows, and every problem, in file order."""
    edits: list[DayEdit] = []
    problems: list[RowProblem] = []
    first_line: dict[date, int] = {}
    for record in records:
        values = record.values
        edit, reasons = check_day(values.get("date", ""), values.get("kind", ""), values.get("name", ""))
        if edit is None:
            problems += [_problem(record.line, name, reason) for name, reason in reasons.items()]
            continue
        if edit.day in first_line:
            problems.append(_problem(record.line, "date", t("import.duplicate_row", first=first_line[edit.day])))
            continue
        first_line[edit.day] = record.line
        edits.append(edit)
    return edits, problems


def _problem(line: int, name: str, reason: str) -> RowProblem:
    return RowProblem(line, name, reason, t(f"calendar.field.{name}") if name in CALENDAR_LABELS else "")


@dataclass(frozen=True)
class CalendarFile:
    edits: list[DayEdit]
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def read_calendar_file(path: Path) -> CalendarFile:
    try:
        records = read_table(path, CALENDAR_COLUMNS, CALENDAR_LABELS).records
    except FileProblem as problem:
        return CalendarFile([], problem.problems)
    edits, problems = check_records(records)
    return CalendarFile(edits, problems)


# --- Applying edits ----------------------------------------------------------------------


@dataclass
class CalendarReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    # Open working-day steps whose due time was computed again, and of those, the ones
    # whose due time moved (a change of the "calendar unknown" flag alone is not a move).
    recomputed: int = 0
    moved: int = 0
    known_until: date | None = None
    days: list[DayEdit] = field(default_factory=list)

    def summary(self) -> str:
        return t("calendar.updated", added=self.added, changed=self.changed, removed=self.removed,
                 unchanged=self.unchanged, recomputed=self.recomputed, moved=self.moved)


def apply_edits(
    uow: UnitOfWork,
    edits: Sequence[DayEdit],
    *,
    agent_id: uuid.UUID | None,
    at: datetime,
    source: str,
) -> CalendarReport:
    """Store the edits, recompute the deadlines they move, audit; commits.

    Refused (CalendarEditRefused) unless ``agent_id`` is a supervisor's or an admin's.
    """
    agent = check_editor(uow, agent_id)
    before = load_working_calendar(uow)
    held = uow.calendar.by_days([edit.day for edit in edits])
    report = CalendarReport()
    adds: list[tuple[date, str, str]] = []
    changes: list[tuple[date, str, str]] = []
    removals: list[date] = []
    moving: list[date] = []  # days whose working status changes
    for edit in edits:
        row = held.get(edit.day)
        if edit.kind == WEEKDAY:
            if row is None:
                report.unchanged += 1
                continue
            removals.append(edit.day)
        elif row is None:
            adds.append((edit.day, edit.kind, edit.name))
        else:
            name = edit.name or row.name
            if (row.kind, row.name) == (edit.kind, name):
                report.unchanged += 1
                continue
            changes.append((edit.day, edit.kind, name))
        if before.is_working_day(edit.day) != _would_work(edit):
            moving.append(edit.day)
        report.days.append(edit)
    report.added = uow.calendar.add_days(adds)
    report.changed = uow.calendar.change_days(changes)
    report.removed = uow.calendar.remove_days(removals)
    after = edited_calendar(before, report.days)
    report.known_until = after.known_until
    report.recomputed, report.moved = recompute_deadlines(uow, before, after, moving)
    if report.days:
        uow.audit.add(
            AuditEvent(
                at=at, agent_id=agent.id, action="calendar_edit", subject_type="calendar",
                reason=source,
                detail={
                    "days": [
                        {"day": e.day.isoformat(), "kind": e.kind, "name": e.name}
                        for e in report.days
                    ],
                    "added": report.added, "changed": report.changed,
                    "removed": report.removed, "recomputed": report.recomputed,
                    "moved": report.moved,
                },
            )
        )
    uow.commit()
    return report


def set_day(
    uow: UnitOfWork, day: date, kind: str, name: str, *, agent_id: uuid.UUID | None, at: datetime
) -> CalendarReport:
    """Make ``day`` a holiday or a make-up working day (add or change it); commits."""
    if kind not in (HOLIDAY, WORKDAY):
        raise DeskError(t("error.calendar_kind", kind=kind))
    return apply_edits(uow, [DayEdit(day, kind, name.strip())], agent_id=agent_id, at=at,
                       source="calendar screen")


def remove_day(
    uow: UnitOfWork, day: date, *, agent_id: uuid.UUID | None, at: datetime
) -> CalendarReport:
    """Let ``day`` follow Monday-Friday again; commits."""
    return apply_edits(uow, [DayEdit(day, WEEKDAY)], agent_id=agent_id, at=at,
                       source="calendar screen")


def import_calendar(
    uow: UnitOfWork, path: Path, *, agent_id: uuid.UUID | None, at: datetime
) -> tuple[CalendarFile, CalendarReport | None]:
    """Read and check the file; store it only if every row is good (then commits)."""
    check_editor(uow, agent_id)
    read = read_calendar_file(path)
    if not read.ok:
        return read, None
    report = apply_edits(uow, read.edits, agent_id=agent_id, at=at,
                         source=f"desk calendar import {path.name}")
    return read, report


def check_editor(uow: UnitOfWork, agent_id: uuid.UUID | None) -> Agent:
    agent = uow.agents.get(agent_id) if agent_id is not None else None
    if agent is None or not may(agent.role, Action.EDIT_CALENDAR):
        raise CalendarEditRefused(t("error.calendar_supervisor"))
    return agent


def _would_work(edit: DayEdit) -> bool:
    if edit.kind == WEEKDAY:
        return edit.day.weekday() < 5
    return edit.kind == WORKDAY


def edited_calendar(calendar: WorkingCalendar, edits: Iterable[DayEdit]) -> WorkingCalendar:
    """The calendar with these edits made: what the database holds after them."""
    exceptions = dict(calendar.exceptions)
    for edit in edits:
        if edit.kind == WEEKDAY:
            exceptions.pop(edit.day, None)
        else:
            exceptions[edit.day] = edit.kind
    return WorkingCalendar.from_days(exceptions.items())


# --- Recomputing deadlines ---------------------------------------------------------------


def working_day_steps() -> dict[tuple[str, str], SlaStep]:
    """(service code, step code) -> step, of every step counted in working days."""
    return {
        (entry.code, step.code): step
        for entry in BENEFITS
        for step in entry.sla_steps
        if step.unit is SlaUnit.WORKING_DAYS
    }


def recompute_deadlines(
    uow: UnitOfWork,
    before: WorkingCalendar,
    after: WorkingCalendar,
    moving: Sequence[date],
) -> tuple[int, int]:
    """Recompute the open working-day steps the edit can touch; (recomputed, moved).

    A step's count reads the days from its start to its due day, so only steps that
    started on or before the last changed day and are due on or after the first one can
    move. When the known end of the calendar moves, every step due past the earlier end
    is looked at again too: its "calendar unknown" flag may come or go.
    """
    span = _span(before, after, moving)
    if span is None:
        return 0, 0
    first, last = span
    steps = working_day_steps()
    clocks = uow.request_steps.open_clocks(
        {code for _service, code in steps},
        due_from=datetime.combine(first, time(0)) if first is not None else None,
        started_before=datetime.combine(last + timedelta(days=1), time(0)) if last is not None else None,
    )
    updates: list[Mapping[str, object]] = []
    recomputed = moved = 0
    for clock in clocks:
        step = steps.get((clock.service_code, clock.step_code))
        if step is None:
            continue
        due = due_for_step(step, clock.started_at, after)
        if due is None:
            continue
        recomputed += 1
        if (due.at, due.calendar_unknown_after) == (clock.due_at, clock.calendar_unknown_after):
            continue
        moved += due.at != clock.due_at
        updates.append(
            {"id": clock.step_id, "due_at": due.at, "calendar_unknown_after": due.calendar_unknown_after}
        )
    uow.request_steps.set_due_times(updates)
    return recomputed, moved


def _span(
    before: WorkingCalendar, after: WorkingCalendar, moving: Sequence[date]
) -> tuple[date | None, date | None] | None:
    """The days an edit changes, as (first, last); None bounds are open; None: nothing."""
    if before.known_until == after.known_until:
        if not moving:
            return None
        return min(moving), max(moving)
    ends = [end for end in (before.known_until, after.known_until) if end is not None]
    if len(ends) < 2:
        return None, None
    first = min(ends) + timedelta(days=1)
    return (min([first, *moving]), None)

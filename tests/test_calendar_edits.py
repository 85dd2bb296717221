"""The working calendar as data: reading a supervisor's file, seeding, and the deadlines an
edit moves, on real databases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from db.tables import Agent, AuditEvent, CalendarDay, RequestStep
from desk.rules.request_states import RequestState
from desk.rules.working_calendar import WorkingCalendar
from desk.texts.due import due_text
from desk.use_cases.calendar_data import load_calendar_year
from desk.use_cases.calendar_edits import (
    WEEKDAY,
    CalendarEditRefused,
    DayEdit,
    check_day,
    edited_calendar,
    import_calendar,
    read_calendar_file,
    remove_day,
    set_day,
)
from desk.use_cases.csv_rows import RowProblem
from desk.use_cases.reference_data import calendar_rows
from desk.use_cases.request_view import load_request_view
from desk.use_cases.requests import NewRequest, file_request, move_request
from tests.callers import rows

S = RequestState
ZHANG = "XK202601100001"  # active, window 2026-01-25 .. 2027-01-24
EDIT_AT = datetime(2026, 11, 24, 10, 0)


# --- Reading a file (rules) ------------------------------------------------------------------


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "calendar.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_good_file_gives_one_edit_a_row(tmp_path):
    path = write(tmp_path, "date,kind,name\n2026-10-08,holiday,国庆节\n2027/2/7,上班,春节\n20270101,weekday,\n")
    read = read_calendar_file(path)
    assert read.ok
    assert read.edits == [
        DayEdit(date(2026, 10, 8), "holiday", "国庆节"),
        DayEdit(date(2027, 2, 7), "workday", "春节"),
        DayEdit(date(2027, 1, 1), WEEKDAY, ""),
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_excel_files_with_chinese_headers_are_read(tmp_path, encoding):
    path = write(tmp_path, "日期,类型,名称\r\n2027-10-01,放假,国庆节\r\n", encoding)
    assert read_calendar_file(path).edits == [DayEdit(date(2027, 10, 1), "holiday", "国庆节")]


def test_every_bad_row_is_reported_by_line_field_and_reason(tmp_path):
    path = write(
        tmp_path,
        "date,kind,name\n"
        "2026-13-01,holiday,x\n"  # line 2: no such day
        "2026-10-09,rest,\n"  # line 3: unknown kind
        "2026-10-10,workday,国庆节\n"  # line 4: good
        "2026/10/10,holiday,\n"  # line 5: the same day again
        "2026-10-11,,\n"  # line 6: an empty kind never deletes
        "tomorrow,holiday," + "长" * 65 + "\n",  # line 7: two problems
    )
    read = read_calendar_file(path)
    assert [(p.line, p.field) for p in read.problems] == [
        (2, "date"), (3, "kind"), (5, "date"), (6, "kind"), (7, "date"), (7, "name"),
    ]
    described = [p.describe() for p in read.problems]
    assert described[0] == "第 2 行 日期 (date)：2026-13-01 不是有效日期"
    assert described[1].startswith("第 3 行 类型 (kind)：无法识别的类型 rest")
    assert described[2] == "第 5 行 日期 (date)：与第 4 行重复"
    assert "请填写类型" in described[3]
    assert described[4] == "第 7 行 日期 (date)：日期格式应为 YYYY-MM-DD"
    assert described[5] == "第 7 行 名称 (name)：内容过长，最多 64 个字符"


def test_a_missing_column_is_one_problem_on_the_header(tmp_path):
    read = read_calendar_file(write(tmp_path, "date,name\n2026-10-08,国庆节\n"))
    assert read.problems == [RowProblem(1, "kind", "缺少必需的列", "类型")]


def test_the_form_check_names_each_bad_field():
    assert check_day("2026-10-08", "holiday", " 国庆节 ") == (DayEdit(date(2026, 10, 8), "holiday", "国庆节"), {})
    edit, reasons = check_day("", "x", "")
    assert edit is None and set(reasons) == {"date", "kind"}


def test_an_edited_calendar_knows_the_year_it_names():
    before = WorkingCalendar.from_days([(date(2026, 10, 1), "holiday")])
    after = edited_calendar(before, [DayEdit(date(2027, 1, 1), "holiday"), DayEdit(date(2026, 10, 1), WEEKDAY)])
    assert after.exceptions == {date(2027, 1, 1): "holiday"}
    assert after.known_until == date(2027, 12, 31)


def test_a_flagged_due_time_says_so():
    assert due_text(datetime(2027, 1, 5, 10)) == "2027-01-05 10:00"
    assert due_text(datetime(2027, 1, 5, 10), date(2026, 12, 31)) == "2027-01-05 10:00 日历未知（2026-12-31之后）"


# --- Seeding from the chinesecalendar package ----------------------------------------------------


def test_the_packages_tables_become_rows_named_in_chinese():
    holidays = {date(2024, 10, 1): "National Day", date(2025, 1, 1): "New Year's Day"}
    workdays = {date(2024, 9, 29): "National Day", date(2024, 10, 12): "Someday"}
    names = {"National Day": "国庆节", "New Year's Day": "元旦"}
    assert calendar_rows(holidays, workdays, names, skip_years={2025}) == [
        (date(2024, 9, 29), "workday", "国庆节"),
        (date(2024, 10, 1), "holiday", "国庆节"),
        (date(2024, 10, 12), "workday", "Someday"),  # a name the enum does not know stays as it is
    ]


def test_years_before_the_shipped_file_come_from_the_package_and_the_file_wins_its_own(database):
    with database.unit_of_work() as uow:
        held = {row.day: row for row in uow.calendar.all_days()}
    # 2024's National Day and its make-up Sunday: from the package, in Chinese.
    assert (held[date(2024, 10, 1)].kind, held[date(2024, 10, 1)].name) == ("holiday", "国庆节")
    assert held[date(2024, 9, 29)].kind == "workday"
    # 2025 and 2026 are the shipped file's: exactly its 72 days.
    shipped = [d for d in held if d.year in (2025, 2026)]
    assert len(shipped) == 72
    assert held[date(2026, 2, 14)].kind == "workday"


def test_a_year_a_supervisor_edited_is_left_alone_by_the_next_upgrade(database):
    from desk.use_cases.reference_data import load_reference_data

    supervisor = add_supervisor(database)
    with database.unit_of_work() as uow:
        remove_day(uow, date(2024, 10, 1), agent_id=supervisor, at=EDIT_AT)
    assert load_reference_data(database).calendar_days == 0
    with database.unit_of_work() as uow:
        assert uow.calendar.by_days([date(2024, 10, 1)]) == {}


# --- Edits on the database, and the deadlines they move -------------------------------------------


def add_supervisor(database, role: str = "supervisor"):
    with database.unit_of_work() as uow:
        agent = uow.agents.add(Agent(login=f"{role}01", name=role, role=role))
        uow.commit()
    return agent.id



def policy_id(database, number: str = ZHANG):
    with database.unit_of_work() as uow:
        return uow.policies.by_number(number).id


def escort_booking_started(database, at: datetime) -> RequestStep:
    """An escort request at the supplier's call: its booking result is due in 2 working days."""
    with database.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_id(database), "escort", suspected_illness="S01"),
                             agent_id=None, at=datetime(2026, 9, 28, 9, 0))
    with database.unit_of_work() as uow:
        move_request(uow, filed.request_id, S.APPROVED, agent_id=None, at=datetime(2026, 9, 28, 9, 30))
    with database.unit_of_work() as uow:
        move_request(uow, filed.request_id, S.SUPPLIER_CONTACTED, agent_id=None, at=at)
    return step_of(database, filed.request_id, "booking")


def step_of(database, request_id, code: str) -> RequestStep:
    with database.unit_of_work() as uow:
        (step,) = [s for s in uow.request_steps.of_request(request_id) if s.step_code == code]
        return step


def test_a_new_holiday_moves_an_open_deadline_by_one_working_day(cast, tmp_path):
    step = escort_booking_started(cast, datetime(2026, 9, 30, 11, 0))
    assert step.due_at == datetime(2026, 10, 9, 11, 0)  # domain.md's worked case
    supervisor = add_supervisor(cast)
    path = write(tmp_path, "date,kind,name\n2026-10-08,holiday,国庆节\n")
    with cast.unit_of_work() as uow:
        read, report = import_calendar(uow, path, agent_id=supervisor, at=EDIT_AT)
    assert read.ok and report is not None
    assert (report.added, report.changed, report.removed) == (1, 0, 0)
    assert report.moved == 1 and report.recomputed >= 1
    # Oct 8 is off now: Oct 9 is the first working day, Sat Oct 10 (make-up) the second.
    moved = step_of(cast, step.request_id, "booking")
    assert moved.due_at == datetime(2026, 10, 10, 11, 0) and moved.calendar_unknown_after is None
    # Steps already done keep the deadline they had.
    assert step_of(cast, step.request_id, "eligibility").due_at == datetime(2026, 9, 29, 9, 0)
    (audit,) = [a for a in rows(cast, AuditEvent) if a.action == "calendar_edit"]
    assert audit.agent_id == supervisor and audit.detail["moved"] == 1
    assert audit.detail["days"] == [{"day": "2026-10-08", "kind": "holiday", "name": "国庆节"}]


def test_a_deadline_past_the_known_calendar_is_flagged_until_next_year_comes(cast, tmp_path):
    with cast.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_id(cast), "smoking", details={"city": "北京"}),
                             agent_id=None, at=datetime(2026, 12, 31, 11, 0))
    step = step_of(cast, filed.request_id, "booking")
    assert step.due_at == datetime(2027, 1, 1, 11, 0)
    assert step.calendar_unknown_after == date(2026, 12, 31)
    with cast.unit_of_work() as uow:
        (line,) = load_request_view(uow, filed.request_id).steps
    assert line.calendar_unknown_after == date(2026, 12, 31)

    supervisor = add_supervisor(cast, "admin")
    path = write(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n2027-10-01,holiday,国庆节\n")
    with cast.unit_of_work() as uow:
        _read, report = import_calendar(uow, path, agent_id=supervisor, at=EDIT_AT)
    assert report is not None and report.known_until == date(2027, 12, 31) and report.moved == 1
    step = step_of(cast, filed.request_id, "booking")
    assert step.due_at == datetime(2027, 1, 4, 11, 0)  # New Year's Day off, then the weekend
    assert step.calendar_unknown_after is None

    # Taking the year out again flags the deadline again.
    with cast.unit_of_work() as uow:
        remove_day(uow, date(2027, 1, 1), agent_id=supervisor, at=EDIT_AT)
    with cast.unit_of_work() as uow:
        remove_day(uow, date(2027, 10, 1), agent_id=supervisor, at=EDIT_AT)
    step = step_of(cast, filed.request_id, "booking")
    assert (step.due_at, step.calendar_unknown_after) == (datetime(2027, 1, 1, 11, 0), date(2026, 12, 31))


def test_an_edit_outside_a_steps_count_leaves_it_alone(cast):
    step = escort_booking_started(cast, datetime(2026, 9, 30, 11, 0))
    supervisor = add_supervisor(cast)
    with cast.unit_of_work() as uow:
        report = set_day(uow, date(2026, 12, 7), "holiday", "test", agent_id=supervisor, at=EDIT_AT)
    assert (report.added, report.recomputed, report.moved) == (1, 0, 0)
    assert step_of(cast, step.request_id, "booking").due_at == datetime(2026, 10, 9, 11, 0)


def test_changing_a_name_only_moves_nothing_and_keeps_the_kind(database):
    supervisor = add_supervisor(database)
    with database.unit_of_work() as uow:
        report = set_day(uow, date(2026, 10, 1), "holiday", "国庆", agent_id=supervisor, at=EDIT_AT)
    assert (report.changed, report.recomputed) == (1, 0)
    with database.unit_of_work() as uow:
        (day,) = uow.calendar.by_days([date(2026, 10, 1)]).values()
        assert (day.kind, day.name) == ("holiday", "国庆")
        year = load_calendar_year(uow, 2026, date(2026, 11, 24))
    assert year.known_until == date(2026, 12, 31) and year.missing_year == 2027
    assert len(year.days) == 39


def test_only_a_supervisor_may_edit_and_a_refusal_stores_nothing(database, tmp_path):
    with database.unit_of_work() as uow:
        agent = uow.agents.add(Agent(login="agent01", name="agent"))
        uow.commit()
    before = len(rows(database, CalendarDay))
    with database.unit_of_work() as uow, pytest.raises(CalendarEditRefused, match="只有主管"):
        set_day(uow, date(2026, 12, 7), "holiday", "", agent_id=agent.id, at=EDIT_AT)
    path = write(tmp_path, "date,kind,name\n2026-12-07,holiday,\n")
    with database.unit_of_work() as uow, pytest.raises(CalendarEditRefused):
        import_calendar(uow, path, agent_id=None, at=EDIT_AT)
    assert len(rows(database, CalendarDay)) == before
    assert not [a for a in rows(database, AuditEvent) if a.action == "calendar_edit"]


def test_a_file_with_a_bad_row_stores_nothing(database, tmp_path):
    supervisor = add_supervisor(database)
    path = write(tmp_path, "date,kind,name\n2026-12-07,holiday,\n2026-12-08,maybe,\n")
    with database.unit_of_work() as uow:
        read, report = import_calendar(uow, path, agent_id=supervisor, at=EDIT_AT)
    assert report is None and [p.line for p in read.problems] == [3]
    with database.unit_of_work() as uow:
        assert uow.calendar.by_days([date(2026, 12, 7)]) == {}


def test_thousands_of_open_steps_are_recomputed_in_bulk(cast):
    """Open steps written as the demo does (bulk), then one holiday moves them all."""
    with cast.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_id(cast), "smoking", details={"city": "北京"}),
                             agent_id=None, at=datetime(2026, 9, 30, 11, 0))
        uow.request_steps.bulk_insert(
            {"request_id": filed.request_id, "step_code": "booking",
             "started_at": datetime(2026, 9, 30, 11, 0), "due_at": datetime(2026, 10, 8, 11, 0)}
            for _ in range(6000)
        )
        uow.commit()
    supervisor = add_supervisor(cast)
    with cast.unit_of_work() as uow:
        report = set_day(uow, date(2026, 10, 8), "holiday", "国庆节", agent_id=supervisor, at=EDIT_AT)
    assert report.recomputed == report.moved == 6001
    steps = [s for s in rows(cast, RequestStep) if s.step_code == "booking"]
    assert {s.due_at for s in steps} == {datetime(2026, 10, 9, 11, 0)}

"""``desk calendar import`` and ``desk calendar list``, and the flag on listed due times."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from db.tables import Agent, CalendarDay
from desk.use_cases.requests import NewRequest, file_request
from tests.callers import add_callers, resident_id, rows
from tests.cli import PASSWORD, run, sign_in_as, with_password


@pytest.fixture
def staffed(database, database_url, monkeypatch):
    """A supervisor and an agent, both with passwords; the commands sign in with it."""
    with database.unit_of_work() as uow:
        uow.agents.add(Agent(login="supervisor01", name="主管", role="supervisor"))
        uow.agents.add(Agent(login="agent01", name="坐席"))
        uow.commit()
    for login in ("supervisor01", "agent01"):
        with_password(database, login)
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    return database_url


def csv_file(tmp_path, text: str):
    path = tmp_path / "2027.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_a_supervisor_imports_next_years_arrangement(staffed, tmp_path, capsys):
    path = csv_file(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-07,workday,春节\n")
    code, out, err = run(capsys, "--db", staffed, "--agent", "supervisor01", "calendar", "import", str(path))
    assert (code, err) == (0, "")
    assert "新增 2" in out and "重算时限 0" in out
    assert "日历已知至 2027-12-31" in out


def test_a_bad_row_is_listed_and_nothing_is_stored(staffed, database, tmp_path, capsys):
    before = len(rows(database, CalendarDay))
    path = csv_file(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,workday,春节\n")
    code, out, err = run(capsys, "--db", staffed, "--agent", "supervisor01", "calendar", "import", str(path))
    assert code == 1
    assert err.strip() == "第 3 行 日期 (date)：2027-02-30 不是有效日期"
    assert "未导入" in out
    assert len(rows(database, CalendarDay)) == before


def test_an_agent_is_refused(staffed, database, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DESK_AGENT", "agent01")
    path = csv_file(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n")
    before = len(rows(database, CalendarDay))
    code, _out, err = run(capsys, "--db", staffed, "calendar", "import", str(path))
    # The refusal names the role needed (主管, supervisor).
    assert code == 2 and "只有主管可以修改工作日历" in err
    assert len(rows(database, CalendarDay)) == before
    # An unknown login is refused at sign-in.
    code, _out, err = run(capsys, "--db", staffed, "--agent", "nobody", "calendar", "import", str(path))
    assert code == 2 and "登录名或密码错误" in err


def test_calendar_import_has_no_agent_option_of_its_own(staffed, tmp_path, capsys):
    path = csv_file(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n")
    with pytest.raises(SystemExit) as exited:
        run(capsys, "--db", staffed, "calendar", "import", str(path), "--agent", "supervisor01")
    assert exited.value.code == 2


def test_a_year_is_listed_with_weekdays_and_the_known_end(database_url, capsys):
    code, out, _err = run(capsys, "--db", database_url, "calendar", "list", "--year", "2026")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "日历已知至 2026-12-31"
    assert lines[1].split() == ["日期", "星期", "类型", "名称"]
    assert lines[2].split() == ["2026-01-01", "周四", "放假", "元旦"]
    assert "2026-02-14  周六  调休上班  春节" in out
    assert len(lines) == 2 + 39


def test_a_listed_deadline_past_the_known_calendar_says_so(database, database_url, capsys, monkeypatch):
    add_callers(database)
    sign_in_as(monkeypatch, database, "supervisor01")
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202601100001")
        file_request(uow, NewRequest(policy.id, "smoking", details={"city": "北京"}),
                     agent_id=None, at=datetime(2026, 12, 31, 11, 0))
    customer = resident_id("110105", date(1990, 3, 7), "123")
    code, out, _ = run(capsys, "--db", database_url, "requests", "--customer", customer)
    assert code == 0 and "反馈预约结果 2027-01-01 11:00 日历未知（2026-12-31之后）" in out
    code, out, _ = run(capsys, "--db", database_url, "requests", "--customer", customer, "--format", "json")
    (step,) = json.loads(out)["requests"][0]["open_steps"]
    assert step["due_at"] == "2027-01-01 11:00" and step["calendar_unknown_after"] == "2026-12-31"

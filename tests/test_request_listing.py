"""``desk requests --customer``: a caller's requests, newest first, on real databases."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from rich.cells import cell_len

import desk.use_cases.request_listing
from db.tables import AuditEvent
from desk.cli.main import main as cli_main
from desk.rules.request_states import RequestState
from desk.use_cases.requests import NewRequest, file_request, move_request
from tests.callers import add_callers, resident_id, rows
from tests.cli import run, sign_in_as

S = RequestState
ZHANG_ID = resident_id("110105", date(1990, 3, 7), "123")
ZHANG_MASKED = "110105********" + ZHANG_ID[-4:]
ZHANG_POLICY = "XK202601100001"


@pytest.fixture
def history(database, monkeypatch):
    """张三's year so far: a booked smoking visit, one withdrawn in time, an escort
    waiting for its eligibility decision and an AI consultation. A supervisor signs in."""
    add_callers(database)
    sign_in_as(monkeypatch, database, "supervisor01")
    with database.unit_of_work() as uow:
        policy_id = uow.policies.by_number(ZHANG_POLICY).id

    def file(code: str, at: datetime, **kwargs) -> object:
        with database.unit_of_work() as uow:
            return file_request(uow, NewRequest(policy_id, code, **kwargs), agent_id=None, at=at)

    def move(request_id, to: RequestState, at: datetime, **kwargs) -> None:
        with database.unit_of_work() as uow:
            move_request(uow, request_id, to, agent_id=None, at=at, **kwargs)

    booked = file("smoking", datetime(2026, 9, 28, 10, 0))
    move(booked.request_id, S.BOOKED, datetime(2026, 9, 28, 16, 0), data={"visit_at": "2026-10-20T09:00"})
    withdrawn = file("smoking", datetime(2026, 9, 29, 9, 0), beneficiary_name="张三")
    move(withdrawn.request_id, S.BOOKED, datetime(2026, 9, 29, 11, 0), data={"visit_at": "2026-10-20T09:00"})
    move(withdrawn.request_id, S.CANCELLED, datetime(2026, 9, 30, 10, 0), reason="客户出差", data={"by": "customer"})
    file("escort", datetime(2026, 9, 30, 11, 0), suspected_illness="S01")
    file("ai_consult", datetime(2026, 10, 9, 8, 30))
    return database


def listing(database_url: str, capsys, *args: str) -> tuple[int, str, str]:
    code = cli_main(["--db", database_url, "requests", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_states_counted_uses_and_due_times_newest_first(database_url, history, capsys):
    code, out, err = listing(database_url, capsys, "--customer", ZHANG_ID, "--format", "json")

    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["customer"] == {"name": "张三", "id_number_masked": ZHANG_MASKED}
    assert data["total"] == 4
    shown = [
        (r["service_code"], r["state"], r["counted_uses"], r["submitted_at"], r["open_steps"])
        for r in data["requests"]
    ]
    assert shown == [
        ("ai_consult", "used", 0, "2026-10-09 08:30", []),
        ("escort", "submitted", 0, "2026-09-30 11:00",
         [{"step": "eligibility", "name": "资格审核", "due_at": "2026-10-08 11:00",
           "calendar_unknown_after": None}]),
        ("smoking", "cancelled", 0, "2026-09-29 09:00", []),  # withdrawn in time: refunded
        ("smoking", "booked", 1, "2026-09-28 10:00", []),
    ]
    first = data["requests"][0]
    assert (first["service_name"], first["channel"], first["policy_number"]) == ("智能AI问诊", "hotline", ZHANG_POLICY)
    assert first["number"].startswith("R261009")
    assert ZHANG_ID not in out


def test_a_policy_number_finds_its_insured(database_url, history, capsys):
    code, out, _ = listing(database_url, capsys, "--customer", ZHANG_POLICY, "--format", "json")
    assert code == 0
    assert json.loads(out)["customer"]["name"] == "张三"


def test_the_table_is_aligned_by_cell_width_and_shows_the_masked_id_only(database_url, history, capsys):
    code, out, _ = listing(database_url, capsys, "--customer", ZHANG_ID)

    assert code == 0
    assert ZHANG_MASKED in out and ZHANG_ID not in out
    title, header, *lines = out.splitlines()
    assert title == f"客户：张三  证件号码：{ZHANG_MASKED}  共 4 条申请"
    assert len(lines) == 4
    assert "资格审核 2026-10-08 11:00" in lines[1]
    # Every submitted time starts in the same terminal column, Chinese cells or not.
    starts = {cell_len(line[: line.index("2026-")]) for line in lines}
    assert starts == {cell_len(header[: header.index("提交时间")])}


def test_only_the_latest_are_shown_unless_all_is_asked_for(database_url, history, capsys, monkeypatch):
    monkeypatch.setattr(desk.use_cases.request_listing, "RECENT", 2)

    _, out, _ = listing(database_url, capsys, "--customer", ZHANG_ID, "--format", "json")
    assert [r["service_code"] for r in json.loads(out)["requests"]] == ["ai_consult", "escort"]
    _, out, _ = listing(database_url, capsys, "--customer", ZHANG_ID)
    assert out.splitlines()[0].endswith("共 4 条申请，显示最近 2 条（--all 显示全部）")

    _, out, _ = listing(database_url, capsys, "--customer", ZHANG_ID, "--format", "json", "--all")
    assert len(json.loads(out)["requests"]) == 4


def test_an_unknown_customer_is_one_line_on_stderr_and_exit_1(database_url, history, capsys):
    stranger = resident_id("110105", date(1970, 1, 1), "011")

    code, out, err = listing(database_url, capsys, "--customer", stranger)

    assert (code, out) == (1, "")
    assert err == f"desk: 未找到客户：110105********{stranger[-4:]}（请输入证件号码或保单号）\n"


def test_a_customer_without_requests_says_so(database_url, history, capsys):
    code, out, _ = listing(database_url, capsys, "--customer", "XK202611200002")
    assert code == 0
    assert out.splitlines()[1] == "暂无申请"


# --- who may list, and the full number ---------------------------------------------------


def test_an_agent_may_not_list_and_the_attempt_is_recorded(database_url, history, capsys, monkeypatch):
    sign_in_as(monkeypatch, history, "agent01", role="agent")
    code, out, err = run(capsys, "--db", database_url, "requests", "--customer", ZHANG_ID)
    assert (code, out, err.strip()) == (2, "", "desk: 导出数据需要主管权限")
    (attempt,) = [e for e in rows(history, AuditEvent) if e.action.startswith("export_requests")]
    assert attempt.action == "export_requests_refused" and attempt.subject_id is None
    # The typed ID number is not kept in the event of a refusal.
    assert ZHANG_ID not in str(attempt.detail)


def test_full_numbers_without_a_reason_are_refused(database_url, history, capsys):
    code, out, err = run(capsys, "--db", database_url, "requests", "--customer", ZHANG_ID, "--full-numbers")
    assert (code, out) == (2, "") and "--full-numbers 须用 --reason" in err
    assert [e for e in rows(history, AuditEvent) if e.action == "export_requests"] == []


def test_a_reason_without_full_numbers_is_refused_not_logged_for_nothing(database_url, history, capsys):
    code, out, err = run(capsys, "--db", database_url, "requests", "--customer", ZHANG_ID, "--reason", "核对")
    assert (code, out) == (2, "") and "--reason 只与 --full-numbers 一起使用" in err
    assert [e for e in rows(history, AuditEvent) if e.action == "export_requests"] == []


def test_full_numbers_with_a_reason_show_the_id_and_audit_the_reason(database_url, history, capsys):
    code, out, err = run(capsys, "--db", database_url, "requests", "--customer", ZHANG_ID, "--full-numbers",
                         "--reason", "客户来电核对身份")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"客户：张三  证件号码：{ZHANG_ID}  共 4 条申请"
    code, out, _ = run(capsys, "--db", database_url, "requests", "--customer", ZHANG_ID, "--format", "json",
                       "--full-numbers", "--reason", "客户来电核对身份")
    customer = json.loads(out)["customer"]
    assert (customer["id_number"], customer["id_number_masked"]) == (ZHANG_ID, ZHANG_MASKED)
    exports = [e for e in rows(history, AuditEvent) if e.action == "export_requests"]
    assert [(e.reason, e.detail["full_numbers"]) for e in exports] == [("客户来电核对身份", True)] * 2

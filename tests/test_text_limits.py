"""Issue #11: nothing lost, nothing doubled, no traceback, whatever text arrives.

Each named fault of the issue, on both backends: text longer than its column, control
characters, details that could never be moved on, and import rows that used to raise
(deep JSON, times past year 9999, NaN) or sink a whole ``--skip-bad`` import. Each is a
field or row problem now, in the words of the catalogue, never a database failure.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

import pytest

from db.tables import (
    Agent,
    AuditEvent,
    CallNote,
    Complaint,
    Customer,
    FamilyMember,
    Request,
    RequestEvent,
)
from desk.errors import DatabaseFailure, DeskError
from desk.forms.request_forms import read_form
from desk.rules.request_states import RequestState
from desk.use_cases.agents import agent_for
from desk.use_cases.calls import end_call, open_call
from desk.use_cases.complaints import file_complaint
from desk.use_cases.csv_rows import RowProblem
from desk.use_cases.family import FamilyMemberRefused, add_family_member
from desk.use_cases.form_context import load_form_context
from desk.use_cases.importing import import_customers
from desk.use_cases.request_import import import_requests
from desk.use_cases.requests import NewRequest, Override, file_request, move_request
from tests.callers import policy_of, resident_id, rows

ZHANG_POLICY = "XK202601100001"
ZHANG_ID = resident_id("110105", date(1990, 3, 7), "123")
AT = datetime(2026, 9, 28, 10, 0)  # inside 张三's service year
REQUEST_HEADER = "id_number,policy_number,service_code,beneficiary,suspected_illness,details,submitted_at"
CUSTOMER_HEADER = "name,id_type,id_number,birth_date,sex,mobile,email,region,address"


def _not_a_database_failure(error: pytest.ExceptionInfo[DeskError]) -> None:
    # A DatabaseFailure is the last line of defence: the rules must have refused first.
    assert not isinstance(error.value, DatabaseFailure), str(error.value)


def _zhang(database) -> Customer:
    (customer,) = [c for c in rows(database, Customer) if c.name == "张三"]
    return customer


def _supervisor(database) -> uuid.UUID:
    with database.unit_of_work() as uow:
        supervisor = uow.agents.add(Agent(login="sup01", name="主管", role="supervisor")).id
        uow.commit()
    return supervisor


# --- Text longer than its column ------------------------------------------------------------


def test_a_user_name_of_65_characters_is_a_field_problem_on_the_form_and_at_filing(cast):
    policy_id = policy_of(cast, ZHANG_POLICY)
    with cast.unit_of_work() as uow:
        context = load_form_context(uow, policy_id, AT.date())
    read = read_form("news", {"user_name": "甲" * 65}, context)
    assert isinstance(read, list) and [p.field for p in read] == ["user_name"]
    assert "64" in read[0].message

    with cast.unit_of_work() as uow, pytest.raises(DeskError) as refused:
        file_request(uow, NewRequest(policy_id, "news", beneficiary_name="甲" * 65), agent_id=None, at=AT)
    _not_a_database_failure(refused)
    assert rows(cast, Request) == []


def test_an_agent_login_of_65_characters_is_refused_in_words(database):
    with database.unit_of_work() as uow, pytest.raises(DeskError) as refused:
        agent_for(uow, "a" * 65)
        uow.commit()
    _not_a_database_failure(refused)
    assert rows(database, Agent) == []


def test_an_override_reason_of_513_characters_is_refused_and_nothing_is_filed(cast):
    supervisor = _supervisor(cast)
    new = NewRequest(policy_of(cast, "XK202602010005"), "escort", suspected_illness="S01")  # escort used
    with cast.unit_of_work() as uow, pytest.raises(DeskError) as refused:
        file_request(uow, new, agent_id=supervisor, at=AT, override=Override(supervisor, "因" * 513))
    _not_a_database_failure(refused)
    assert "512" in str(refused.value)
    assert rows(cast, Request) == [] and rows(cast, AuditEvent) == []


def test_a_cancellation_reason_of_513_characters_is_refused_and_nothing_moves(cast):
    with cast.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_of(cast, ZHANG_POLICY), "smoking"), agent_id=None, at=AT)
    with cast.unit_of_work() as uow, pytest.raises(DeskError) as refused:
        move_request(uow, filed.request_id, RequestState.CANCELLED, agent_id=None, at=AT,
                     reason="因" * 513, data={"by": "customer"})
    _not_a_database_failure(refused)
    assert [e.to_state for e in rows(cast, RequestEvent)] == ["submitted"]


def test_a_complaint_longer_than_its_column_is_refused_in_words(cast):
    with cast.unit_of_work() as uow, pytest.raises(DeskError) as refused:
        file_complaint(uow, _zhang(cast).id, "诉" * 4001, request_id=None, agent_id=None, at=AT)
    _not_a_database_failure(refused)
    assert rows(cast, Complaint) == []


# --- Control characters -------------------------------------------------------------------


def test_free_text_with_nul_and_escapes_is_stored_without_them(cast):
    policy_id = policy_of(cast, ZHANG_POLICY)
    with cast.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_id, "smoking", details={"note": "早上\x00\x1b[31m联系"}),
                             agent_id=None, at=AT)
    with cast.unit_of_work() as uow:
        move_request(uow, filed.request_id, RequestState.CANCELLED, agent_id=None, at=AT,
                     reason="客户\x00改期\x1b]0;title\x07", data={"by": "customer"})
    with cast.unit_of_work() as uow:
        call_id = open_call(uow, customer_id=_zhang(cast).id, agent_id=None, at=AT)
    with cast.unit_of_work() as uow:
        end_call(uow, call_id, wrap_up_code="inquiry", note="第一行\x00\n第二行\x9b", agent_id=None, at=AT)
    with cast.unit_of_work() as uow:
        file_complaint(uow, _zhang(cast).id, "态度\x00差\n请回电", request_id=None, agent_id=None, at=AT)

    (request,) = rows(cast, Request)
    assert request.details["note"] == "早上联系"
    assert [e.reason for e in rows(cast, RequestEvent) if e.to_state == "cancelled"] == ["客户改期"]
    assert [n.text for n in rows(cast, CallNote)] == ["第一行\n第二行"]
    assert [c.summary for c in rows(cast, Complaint)] == ["态度差\n请回电"]


def test_a_family_member_name_with_nul_is_a_field_problem(cast):
    member = {"name": "陈\x00刚", "relation": "spouse", "id_type": "resident_id",
              "id_number": resident_id("510104", date(1993, 6, 18), "031")}
    with cast.unit_of_work() as uow, pytest.raises(FamilyMemberRefused) as refused:
        add_family_member(uow, _zhang(cast).id, member, agent_id=None, at=AT)
    assert [p.field for p in refused.value.problems] == ["name"]
    assert len([m for m in rows(cast, FamilyMember) if m.name.startswith("陈")]) == 0


def test_a_customer_row_with_nul_in_the_name_is_a_bad_row_and_skip_bad_keeps_the_rest(database, tmp_path):
    good = resident_id("110101", date(1980, 5, 17), "011")
    bad = resident_id("110101", date(1992, 11, 3), "022")
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([
        CUSTOMER_HEADER,
        f"张三,resident_id,{good},1980-05-17,M,13812345678,,,",
        f"李\x00四,resident_id,{bad},1992-11-03,F,13987654321,,,",
        f"王五,resident_id,{resident_id('110101', date(1975, 1, 30), '033')},1975-01-30,M,13700001234,,,北京\x00东城",
    ]) + "\n", encoding="utf-8")

    report = import_customers(database, path, skip_bad=True)

    assert [(p.line, p.field) for p in report.problems] == [(3, "name")]
    assert (report.written, report.inserted) == (True, 2)
    assert sorted(c.address for c in rows(database, Customer)) == ["", "北京东城"]


# --- Details that could never move on -----------------------------------------------------


def _request_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "wechat.csv"
    path.write_text("\n".join([REQUEST_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_visit_at_of_next_tuesday_is_a_bad_row(cast, tmp_path):
    path = _request_file(tmp_path, [f'{ZHANG_ID},,smoking,,,"{{""visit_at"": ""next tuesday""}}",2026-09-28 10:00'])
    report = import_requests(cast, path, skip_bad=True)
    assert [(p.line, p.field) for p in report.problems] == [(2, "details")]
    assert rows(cast, Request) == []


def test_a_stored_request_with_unreadable_details_refuses_a_move_in_words(cast):
    # Written by an older desk, before check_details read every time: it must still be movable
    # or refused in words, never raise ValueError.
    with cast.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_of(cast, ZHANG_POLICY), "smoking"), agent_id=None, at=AT)
        request = uow.requests.get(filed.request_id)
        request.details = {**request.details, "visit_at": "next tuesday"}
        uow.requests.add(request)
        uow.commit()
    for to, data in ((RequestState.CANCELLED, {"by": "customer"}),
                     (RequestState.BOOKED, {"visit_at": "next tuesday", "hospital": "中日友好医院"})):
        with cast.unit_of_work() as uow:
            try:
                move_request(uow, filed.request_id, to, agent_id=None, at=AT, reason="客户改期", data=data)
            except DeskError as refused:
                assert not isinstance(refused, DatabaseFailure)


# --- Import rows that used to raise -------------------------------------------------------


def test_deeply_nested_json_details_is_a_bad_row(cast, tmp_path):
    deep = "[" * 20_000 + "]" * 20_000
    path = _request_file(tmp_path, [f'{ZHANG_ID},,smoking,,,"{deep}",2026-09-28 10:00'])
    report = import_requests(cast, path, skip_bad=True)
    assert [(p.line, p.field) for p in report.problems] == [(2, "details")]


def test_a_time_past_year_9999_is_a_bad_row(cast, tmp_path):
    path = _request_file(tmp_path, [f"{ZHANG_ID},,smoking,,,,9999-12-31T23:59-12:00"])
    report = import_requests(cast, path, skip_bad=True)
    assert [(p.line, p.field) for p in report.problems] == [(2, "submitted_at")]


def test_nan_infinity_and_nul_rows_are_bad_rows_and_skip_bad_files_the_good_one(cast, tmp_path):
    path = _request_file(tmp_path, [
        f'{ZHANG_ID},,smoking,,,"{{""x"": NaN}}",2026-09-28 10:00',
        f'{ZHANG_ID},,smoking,,,"{{""x"": 1e999}}",2026-09-28 10:01',
        f'{ZHANG_ID},,ai_consult,李\x00丽,,,2026-09-28 10:02',
        f'{ZHANG_ID},,ai_consult,,,"{{""note"": ""头痛\\u0000咨询""}}",2026-09-28 10:03',
        f"{ZHANG_ID},,smoking,,,,2026-09-28 10:04",
    ])

    report = import_requests(cast, path, skip_bad=True)

    assert [(p.line, p.field) for p in report.problems] == [(2, "details"), (3, "details"), (4, "beneficiary")]
    assert (report.written, report.inserted) == (True, 2)
    notes = sorted(r.details.get("note", "") for r in rows(cast, Request))
    assert notes == ["", "头痛咨询"]


# --- Encodings ----------------------------------------------------------------------------


def test_a_shift_jis_customers_file_is_refused_not_imported_as_mojibake(database, tmp_path):
    path = tmp_path / "customers.csv"
    number = resident_id("110101", date(1980, 5, 17), "011")
    path.write_bytes("\r\n".join([
        CUSTOMER_HEADER,
        f"山田太郎,resident_id,{number},1980-05-17,M,13812345678,,東京,やまだ",
    ]).encode("shift_jis") + b"\r\n")

    report = import_customers(database, path, skip_bad=True)

    assert report.problems == [RowProblem(0, "file", "无法识别文件编码，应为 UTF-8 或 GB18030")]
    assert rows(database, Customer) == []


def test_a_shift_jis_file_of_kanji_only_is_refused_too(database, tmp_path):
    path = tmp_path / "customers.csv"
    number = resident_id("110101", date(1980, 5, 17), "011")
    path.write_bytes("\r\n".join([
        CUSTOMER_HEADER, f"佐藤花子,resident_id,{number},1980-05-17,M,13812345678,,,",
    ]).encode("shift_jis") + b"\r\n")

    report = import_customers(database, path, skip_bad=True)

    assert [p.line for p in report.problems] == [0]
    assert rows(database, Customer) == []

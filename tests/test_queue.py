"""The pending-SLA queue on real databases: order, states, paging, filters, acting, export."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import pytest

from db.tables import AuditEvent, RequestStep
from desk.cli.main import main
from desk.rules.sla_status import SlaState
from desk.use_cases.queue import (
    QueueFilter,
    assign_to_me,
    format_working_left,
    load_queue,
    whole_queue,
)
from desk.use_cases.requests import NewRequest, file_request
from tests.callers import NOW, resident_id, rows
from tests.cli import run, sign_in_as
from tests.queue_cast import ZHANG, add_open_work

S = SlaState


@pytest.fixture
def work(database):
    add_open_work(database)
    return database


def test_the_queue_is_sorted_by_due_time_and_marked_by_the_fixed_clock(work):
    with work.unit_of_work() as uow:
        page = load_queue(uow, NOW)
    assert [(i.request_number, i.due_at, i.state) for i in page.items] == [
        ("R261120A00001", datetime(2026, 11, 23, 15, 0), S.OVERDUE),
        ("R261123A00002", datetime(2026, 11, 24, 16, 0), S.DUE_SOON),
        ("R261123A00003", datetime(2026, 11, 24, 20, 30), S.DUE_SOON),
        ("R261124A00004", datetime(2026, 11, 25, 9, 0), S.ON_TRACK),
        ("", datetime(2026, 11, 25, 11, 0), S.ON_TRACK),  # the complaint, linked to no request
    ]
    assert page.counts == {S.OVERDUE: 1, S.DUE_SOON: 2, S.ON_TRACK: 2}
    first, complaint = page.items[0], page.items[-1]
    # Overdue since Mon 15:00: 5 h that day, 1.5 h this morning.
    assert format_working_left(first.working_left) == "-6h30"
    assert (first.service_code, first.step_code, first.customer, first.next_state) == ("smoking", "booking", "张*", "booked")
    assert (complaint.kind, complaint.step_code, complaint.next_state) == ("complaint", "decision", None)
    assert page.missing_year == 2027  # on 24 Nov the 2027 arrangement is not in


def test_filters_narrow_the_queue_and_the_counts(work):
    with work.unit_of_work() as uow:
        overdue = load_queue(uow, NOW, QueueFilter(state=S.OVERDUE))
        soon = load_queue(uow, NOW, QueueFilter(state=S.DUE_SOON))
        escort = load_queue(uow, NOW, QueueFilter(service="escort"))
        complaints = load_queue(uow, NOW, QueueFilter(service="complaint"))
        decisions = load_queue(uow, NOW, QueueFilter(step="decision"))
        unassigned = load_queue(uow, NOW, QueueFilter(agent="unassigned"))
        mine = load_queue(uow, NOW, QueueFilter(agent="mine"), agent_id=uuid.uuid4())
    assert [i.request_number for i in overdue.items] == ["R261120A00001"]
    assert [i.request_number for i in soon.items] == ["R261123A00002", "R261123A00003"]
    assert [i.step_code for i in escort.items] == ["eligibility"]
    assert escort.counts == {S.OVERDUE: 0, S.DUE_SOON: 0, S.ON_TRACK: 1}
    assert [i.kind for i in complaints.items] == [i.kind for i in decisions.items] == ["complaint"]
    assert len(unassigned.items) == 5 and mine.items == []


def test_windows_page_by_key_forwards_and_backwards(work):
    with work.unit_of_work() as uow:
        first = load_queue(uow, NOW, size=2)
        second = load_queue(uow, NOW, size=2, direction="after", key=first.items[-1].key)
        third = load_queue(uow, NOW, size=2, direction="after", key=second.items[-1].key)
        back = load_queue(uow, NOW, size=2, direction="before", key=third.items[0].key)
        last = load_queue(uow, NOW, size=2, direction="last")
    numbers = [[i.request_number for i in p.items] for p in (first, second, third, back, last)]
    assert numbers == [
        ["R261120A00001", "R261123A00002"],
        ["R261123A00003", "R261124A00004"],
        [""],
        ["R261123A00003", "R261124A00004"],
        ["R261124A00004", ""],
    ]
    assert (first.at_end, second.at_end, third.at_end) == (False, False, True)
    assert (back.at_end, last.at_end) == (False, True)  # a page back always has rows after it


def test_assigning_and_moving_change_the_queue(work):
    with work.unit_of_work() as uow:
        agent = uow.agents.add(__import__("db.tables", fromlist=["Agent"]).Agent(login="a9", name="坐席九"))
        uow.commit()
        item = load_queue(uow, NOW).items[0]
        assign_to_me(uow, item, agent.id, at=NOW)
        mine = load_queue(uow, NOW, QueueFilter(agent="mine"), agent_id=agent.id)
    assert [(i.request_number, i.agent) for i in mine.items] == [("R261120A00001", "坐席九")]
    step = next(s for s in rows(work, RequestStep) if s.id == item.id)
    assert step.assigned_to == agent.id


def test_a_request_filed_later_takes_its_place_by_due_time(work):
    with work.unit_of_work() as uow:
        policy = uow.policies.by_number(ZHANG)
        file_request(uow, NewRequest(policy.id, "smoking"), agent_id=None, at=datetime(2026, 11, 23, 18, 0))
        page = load_queue(uow, NOW)
    assert [i.due_at for i in page.items][:3] == [
        datetime(2026, 11, 23, 15, 0), datetime(2026, 11, 24, 16, 0), datetime(2026, 11, 24, 18, 0)
    ]


def test_whole_queue_reads_every_page(work):
    with work.unit_of_work() as uow:
        policy = uow.policies.by_number(ZHANG)
        for hour in range(9, 12):
            file_request(uow, NewRequest(policy.id, "smoking"), agent_id=None, at=datetime(2026, 11, 24, hour, 5))
        page, items = whole_queue(uow, NOW)
    assert len(items) == 8 == page.total
    assert [i.due_at for i in items] == sorted(i.due_at for i in items)


def test_desk_queue_prints_the_queue_and_audits_the_export(work, capsys, monkeypatch):
    url = str(work.engine.url.render_as_string(hide_password=False))
    sign_in_as(monkeypatch, work, "night01", role="supervisor")
    assert main(["--db", url, "queue", "--format", "json", "--now", "2026-11-24 10:30"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["counts"] == {"overdue": 1, "due_soon": 2, "on_track": 2}
    assert [i["request"] for i in document["items"]][:2] == ["R261120A00001", "R261123A00002"]
    assert document["items"][0] | {"left": "-6h30"} == document["items"][0]
    assert main(["--db", url, "queue", "--format", "csv", "--overdue", "--now", "2026-11-24 10:30"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines == [
        "state,due,calendar_unknown_after,left,service,step,customer,agent,request",
        "overdue,2026-11-23 15:00,,-6h30,smoking,booking,张*,,R261120A00001",
    ]
    assert main(["--db", url, "queue", "--now", "2026-11-24 10:30"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("待办队列  2026-11-24 10:30  超时 1  临期 2  正常 2")
    assert "2027年节假日安排尚未录入" in table[1]
    exports = [e for e in rows(work, AuditEvent) if e.action == "export_queue"]
    assert sorted(e.detail["format"] for e in exports) == ["csv", "json", "table"]
    with work.unit_of_work() as uow:
        night01 = uow.agents.by_login("night01").id
    assert {(e.agent_id, e.reason, e.detail["full_numbers"]) for e in exports} == {(night01, "", False)}


def test_an_agent_may_not_export_the_queue_and_the_attempt_is_recorded(work, capsys, monkeypatch):
    url = str(work.engine.url.render_as_string(hide_password=False))
    sign_in_as(monkeypatch, work, "agent01", role="agent")
    code, out, err = run(capsys, "--db", url, "queue", "--format", "csv")
    assert (code, out, err.strip()) == (2, "", "desk: 导出数据需要主管权限")
    (attempt,) = [e for e in rows(work, AuditEvent) if e.action.startswith("export_queue")]
    assert attempt.action == "export_queue_refused" and attempt.detail["format"] == "csv"


def test_full_numbers_need_a_reason(work, capsys, monkeypatch):
    url = str(work.engine.url.render_as_string(hide_password=False))
    sign_in_as(monkeypatch, work, "supervisor01")
    for reason in ([], ["--reason", "  "]):
        code, out, err = run(capsys, "--db", url, "queue", "--full-numbers", *reason)
        assert (code, out) == (2, "") and "--full-numbers 须用 --reason" in err
    assert [e for e in rows(work, AuditEvent) if e.action == "export_queue"] == []


def test_full_numbers_with_a_reason_are_shown_and_the_reason_audited(work, capsys, monkeypatch):
    url = str(work.engine.url.render_as_string(hide_password=False))
    sign_in_as(monkeypatch, work, "supervisor01")
    zhang = resident_id("110105", date(1990, 3, 7), "123")
    code, out, err = run(capsys, "--db", url, "queue", "--format", "csv", "--overdue", "--now", "2026-11-24 10:30",
                         "--full-numbers", "--reason", "超时回访客户")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "state,due,calendar_unknown_after,left,service,step,customer,agent,request,id_number,mobile",
        f"overdue,2026-11-23 15:00,,-6h30,smoking,booking,张*,,R261120A00001,{zhang},13812345678",
    ]
    # The complaint row (no request) carries its customer's numbers too.
    code, out, _ = run(capsys, "--db", url, "queue", "--format", "json", "--now", "2026-11-24 10:30",
                       "--full-numbers", "--reason", "超时回访客户")
    assert code == 0 and {item["id_number"] for item in json.loads(out)["items"]} >= {zhang}
    assert all(item["id_number"] and item["mobile"] for item in json.loads(out)["items"])
    exports = [e for e in rows(work, AuditEvent) if e.action == "export_queue"]
    assert [(e.reason, e.detail["full_numbers"]) for e in exports] == [("超时回访客户", True)] * 2
    # Without the option, the usual masked export: no number columns.
    code, out, _ = run(capsys, "--db", url, "queue", "--format", "csv", "--now", "2026-11-24 10:30")
    assert code == 0 and zhang not in out and "13812345678" not in out


def test_desk_queue_refuses_an_unknown_service(work, capsys):
    url = str(work.engine.url.render_as_string(hide_password=False))
    assert main(["--db", url, "queue", "--service", "massage"]) == 2
    assert "unknown service 'massage'" in capsys.readouterr().err


def test_format_working_left():
    assert format_working_left(timedelta(hours=4, minutes=5)) == "4h05"
    assert format_working_left(-timedelta(hours=2, minutes=30)) == "-2h30"
    assert format_working_left(timedelta(hours=130, minutes=10)) == "130h"

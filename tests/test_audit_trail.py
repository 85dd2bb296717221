"""An audit trail no one can rewrite (#12): the audit log and the usage ledger only grow,
the log can be read by supervisors, and reading it or exporting a customer's requests
is itself on record."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import exc, text

from db.tables import Agent, AuditEvent, UsageEvent
from desk.cli.main import main
from tests.callers import resident_id, rows
from tests.cli import PASSWORD, run, sign_in_as, with_password

APPEND_ONLY = ("audit_event", "usage_event")


@pytest.fixture
def trail(cast):
    """The cast (one used escort in the ledger) and one audit event."""
    with cast.unit_of_work() as uow:
        uow.audit.add(AuditEvent(at=datetime(2026, 11, 24, 9, 10), action="reveal_id", subject_type="customer",
                                 subject_id=uuid.uuid4(), reason="客户要求核对"))
        uow.commit()
    return cast


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET reason = 'rewritten'",
        "UPDATE {table} SET updated_at = created_at",
        "DELETE FROM {table}",
    ],
)
def test_the_audit_log_and_the_ledger_refuse_to_be_rewritten(trail, table, statement):
    before = sorted((r.id, r.reason) for r in rows(trail, _row_type(table)))
    assert before
    with pytest.raises(exc.DBAPIError, match="append-only"), trail.engine.begin() as connection:
        connection.execute(text(statement.format(table=table)))
    assert sorted((r.id, r.reason) for r in rows(trail, _row_type(table))) == before


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_new_rows_are_still_added(trail, table):
    before = rows(trail, _row_type(table))
    existing = before[0]
    names = [f'"{c.name}"' for c in _row_type(table).__table__.columns]
    copied = [":new_id" if name == '"id"' else name for name in names]
    with trail.engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(copied)} FROM {table} WHERE id = :id"),
            {"id": _stored_id(trail, existing.id), "new_id": _stored_id(trail, uuid.uuid4())},
        )
    assert len(rows(trail, _row_type(table))) == len(before) + 1


def _row_type(table: str) -> type:
    return {"audit_event": AuditEvent, "usage_event": UsageEvent}[table]


def _stored_id(database, row_id: uuid.UUID) -> object:
    # SQLite keeps a UUID as 32 hex digits, PostgreSQL as its own type.
    return row_id.hex if database.is_embedded else row_id


# --- desk audit: supervisors read the log, and the reading is on record ---------------


@pytest.fixture
def logged(database, database_url, monkeypatch):
    """Three agents and a short log: an agent showed a full ID, a supervisor overrode a
    refusal (with a reason that starts like a formula) and exported the queue, and a
    scripted import ran with no agent. Each has a password; supervisor01 signs in."""
    monkeypatch.setenv("DESK_AGENT", "supervisor01")
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    with database.unit_of_work() as uow:
        supervisor = uow.agents.add(Agent(login="supervisor01", name="主管", role="supervisor"))
        uow.agents.add(Agent(login="admin01", name="管理员", role="admin"))
        agent = uow.agents.add(Agent(login="agent01", name="坐席"))
        customer = uuid.UUID("00000000-0000-4000-8000-000000000001")
        for at, by, action, reason, detail in [
            (datetime(2026, 11, 20, 9, 0), agent.id, "reveal_id", "客户要求核对", {}),
            (datetime(2026, 11, 23, 18, 0), supervisor.id, "override_refusal", "=1+2 客户投诉升级", {"service": "escort"}),
            (datetime(2026, 11, 24, 8, 0), None, "import", "desk import customers", {"inserted": 3}),
            (datetime(2026, 11, 24, 10, 30), supervisor.id, "export_queue", "", {"format": "csv", "rows": 5}),
        ]:
            uow.audit.add(AuditEvent(at=at, agent_id=by, action=action, subject_type="customer" if by == agent.id
                                     else "", subject_id=customer if by == agent.id else None, reason=reason,
                                     detail=detail))
        uow.commit()
    for login in ("supervisor01", "admin01", "agent01"):
        with_password(database, login)
    return database_url


def read_json(capsys, url: str, *args: str) -> list[dict]:
    """The events read, but for the sign-ins each reading makes first (at the real time)."""
    code, out, err = run(capsys, "--db", url, "audit", "--format", "json", *args)
    assert (code, err) == (0, "")
    return [event for event in json.loads(out)["events"] if event["action"] != "sign_in"]


def test_a_supervisor_reads_the_whole_log_oldest_first(logged, capsys):
    events = read_json(capsys, logged)
    assert [(e["at"], e["agent"], e["action"]) for e in events] == [
        ("2026-11-20 09:00:00", "agent01", "reveal_id"),
        ("2026-11-23 18:00:00", "supervisor01", "override_refusal"),
        ("2026-11-24 08:00:00", "", "import"),
        ("2026-11-24 10:30:00", "supervisor01", "export_queue"),
    ]
    assert events[0] | {"subject_type": "customer", "subject_id": "00000000-0000-4000-8000-000000000001",
                        "reason": "客户要求核对", "detail": {}} == events[0]


@pytest.mark.parametrize(
    ("filters", "actions"),
    [
        (["--since", "2026-11-23"], ["override_refusal", "import", "export_queue"]),
        (["--since", "2026-11-24 08:00"], ["import", "export_queue"]),
        (["--agent", "agent01"], ["reveal_id"]),
        (["--agent", "supervisor01", "--since", "2026-11-24"], ["export_queue"]),
        (["--action", "override_refusal"], ["override_refusal"]),
        (["--action", "reveal_id", "--since", "2026-11-21"], []),
    ],
)
def test_the_filters_narrow_the_log(logged, capsys, filters, actions):
    assert [e["action"] for e in read_json(capsys, logged, *filters)] == actions


def test_reading_the_log_is_itself_recorded(logged, database, capsys):
    read_json(capsys, logged, "--agent", "agent01")
    (reading,) = [e for e in rows(database, AuditEvent) if e.action == "read_audit"]
    assert reading.detail == {"since": None, "agent": "agent01", "action": None, "format": "json", "rows": 1}
    assert reading.agent_id == _agent_id(database, "supervisor01")
    # The next reading sees the first one.
    assert read_json(capsys, logged, "--action", "read_audit")[0]["detail"]["agent"] == "agent01"
    # And each reading began with a sign-in, on record too.
    code, out, _ = run(capsys, "--db", logged, "audit", "--format", "json", "--action", "sign_in")
    assert code == 0 and [e["agent"] for e in json.loads(out)["events"]] == ["supervisor01"] * 3


def test_csv_escapes_a_cell_that_starts_like_a_formula(logged, capsys):
    code, out, err = run(capsys, "--db", logged, "audit", "--format", "csv", "--since", "2026-11-23")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "at,agent,action,subject_type,subject_id,reason,detail"
    assert lines[1] == "2026-11-23 18:00:00,supervisor01,override_refusal,,,'=1+2 客户投诉升级,\"{\"\"service\"\":\"\"escort\"\"}\""
    assert lines[2] == "2026-11-24 08:00:00,,import,,,desk import customers,\"{\"\"inserted\"\":3}\""
    assert lines[3].startswith("2026-11-24 10:30:00,supervisor01,export_queue,")
    # Then this reading's own sign-in.
    assert [line.split(",")[1:3] for line in lines[4:]] == [["supervisor01", "sign_in"]]


def test_the_table_is_for_reading(logged, capsys):
    code, out, err = run(capsys, "--db", logged, "audit", "--action", "reveal_id")
    assert (code, err) == (0, "")
    title, header, row = out.splitlines()
    assert title == "审计日志  共 1 条"
    assert header.split() == ["时间", "坐席", "操作", "对象", "原因", "详情"]
    assert row.split() == ["2026-11-20", "09:00", "agent01", "reveal_id", "customer",
                           "00000000-0000-4000-8000-000000000001", "客户要求核对", "-"]
    code, out, _ = run(capsys, "--db", logged, "audit", "--action", "no_such_action")
    assert out.splitlines() == ["审计日志  共 0 条", "没有符合条件的审计记录"]


def test_an_admin_may_read_the_log(logged, capsys, monkeypatch):
    monkeypatch.setenv("DESK_AGENT", "admin01")
    assert len(read_json(capsys, logged)) == 4


def test_an_agent_is_refused_and_the_attempt_recorded(logged, database, capsys, monkeypatch):
    monkeypatch.setenv("DESK_AGENT", "agent01")
    code, out, err = run(capsys, "--db", logged, "audit", "--format", "csv")
    assert (code, out) == (2, "")
    assert err.strip() == "desk: 查看审计日志需要主管权限"
    (attempt,) = [e for e in rows(database, AuditEvent) if e.action.startswith("read_audit")]
    assert (attempt.action, attempt.agent_id) == ("read_audit_refused", _agent_id(database, "agent01"))
    # No account at all: the sign-in refuses, in the words of a wrong password.
    monkeypatch.setenv("DESK_AGENT", "stranger")
    code, out, err = run(capsys, "--db", logged, "audit")
    assert (code, out, err.strip()) == (2, "", "desk: 登录名或密码错误")


def test_an_unknown_agent_filter_is_said(logged, capsys):
    code, out, err = run(capsys, "--db", logged, "audit", "--agent", "nobody")
    assert (code, out) == (2, "")
    assert "没有名为 nobody 的坐席" in err


def test_a_since_that_is_no_time_is_refused(logged, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--db", logged, "audit", "--since", "24/11/2026"])
    assert exited.value.code == 2
    assert "时间格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM：'24/11/2026'" in capsys.readouterr().err


# --- desk requests: customer data out of the database is an audited export -------------


def test_desk_requests_is_an_audited_export(cast, database_url, capsys, monkeypatch):
    sign_in_as(monkeypatch, cast, "supervisor01")
    zhang = resident_id("110105", date(1990, 3, 7), "123")
    for output in ("table", "json"):
        code, out, err = run(capsys, "--db", database_url, "requests", "--customer", zhang, "--format", output)
        assert (code, err) == (0, "") and "张三" in out
    exports = [e for e in rows(cast, AuditEvent) if e.action == "export_requests"]
    assert sorted(e.detail["format"] for e in exports) == ["json", "table"]
    with cast.unit_of_work() as uow:
        customer_id = uow.policies.by_number("XK202601100001").insured_id
    assert {(e.agent_id, e.subject_type, e.subject_id) for e in exports} == {
        (_agent_id(cast, "supervisor01"), "customer", customer_id)
    }
    assert exports[0].detail | {"rows": 0, "total": 0, "show_all": False, "full_numbers": False} == exports[0].detail


def test_no_customer_no_export(cast, database_url, capsys, monkeypatch):
    sign_in_as(monkeypatch, cast, "supervisor01")
    code, _out, err = run(capsys, "--db", database_url, "requests", "--customer", "XK000000000000")
    assert code == 1 and err
    assert [e for e in rows(cast, AuditEvent) if e.action == "export_requests"] == []


def _agent_id(database, login: str) -> uuid.UUID:
    with database.unit_of_work() as uow:
        return uow.agents.by_login(login).id

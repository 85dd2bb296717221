"""Signing in on both databases: accounts, passwords, the lock, and every attempt on record."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect

from db.tables import Agent, AuditEvent
from desk.cli.main import main
from desk.errors import DeskError
from desk.rules.roles import RoleRefused
from desk.use_cases.passwords import password_matches
from desk.use_cases.sign_in import (
    ADDED,
    FAILED,
    PASSWORD_SET,
    SIGNED_IN,
    SignedIn,
    SignInRefused,
    add_agent,
    set_password,
    sign_in,
)
from tests.callers import rows
from tests.cli import PASSWORD as CLI_PASSWORD
from tests.cli import run, with_password

AT = datetime(2026, 11, 24, 9, 0)
PASSWORD = "correct horse"


@pytest.fixture
def staffed(database):
    """An admin (the bootstrap) and agent01, both with passwords."""
    with database.unit_of_work() as uow:
        add_agent(uow, login="admin01", name="管理员", role="admin", password="admin-pass-1", by="root", at=AT)
    with database.unit_of_work() as uow:
        add_agent(uow, login="agent01", name="王丽娜", role="agent", password=PASSWORD, by="admin01", at=AT)
    return database


def _sign_in(database, login: str, password: str, at: datetime) -> SignedIn:
    with database.unit_of_work() as uow:
        return sign_in(uow, login, password, at)


def _refusal(database, login: str, password: str, at: datetime) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        _sign_in(database, login, password, at)
    return refused.value


def _agent(database, login: str) -> Agent:
    with database.unit_of_work() as uow:
        agent = uow.agents.by_login(login)
        assert agent is not None
        return agent


def _events(database, action: str) -> list[AuditEvent]:
    with database.unit_of_work() as uow:
        return [event for event, _login in uow.audit.events(action=action)]


def test_the_migration_adds_the_sign_in_columns(database):
    columns = {column["name"]: column for column in inspect(database.engine).get_columns("agent")}
    assert columns["password_hash"]["nullable"] and columns["locked_until"]["nullable"]
    assert not columns["failed_sign_ins"]["nullable"]
    # A row written without the new columns (older code, plain SQL) gets a count of 0.
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO agent (id, created_at, updated_at, login, name, role, office, active) "
            "VALUES ('00000000000000000000000000000001', '2026-01-01', '2026-01-01', 'old', 'old', "
            "'agent', '', true)"
            if database.engine.dialect.name == "sqlite"
            else "INSERT INTO agent (id, created_at, updated_at, login, name, role, office, active) "
            "VALUES ('00000000-0000-0000-0000-000000000001', '2026-01-01', '2026-01-01', 'old', 'old', "
            "'agent', '', true)"
        )
    assert _agent(database, "old").failed_sign_ins == 0


def test_an_agent_with_a_password_signs_in(staffed):
    signed = _sign_in(staffed, "agent01", PASSWORD, AT)
    agent = _agent(staffed, "agent01")
    assert signed == SignedIn(agent.id, "agent01", "王丽娜", "agent")


def test_five_wrong_passwords_lock_for_fifteen_minutes(staffed):
    for attempt in range(4):
        refusal = _refusal(staffed, "agent01", "wrong password", AT + timedelta(minutes=attempt))
        assert str(refusal) == "登录名或密码错误" and refusal.locked_until is None
    assert _agent(staffed, "agent01").failed_sign_ins == 4
    refusal = _refusal(staffed, "agent01", "wrong password", AT + timedelta(minutes=4))
    assert str(refusal) == "密码连续输错 5 次，账号已锁定至 09:19，届时可再试，或请管理员重设密码"
    assert refusal.locked_until == datetime(2026, 11, 24, 9, 19)
    # The right password is refused while the lock lasts, and does not extend it.
    refusal = _refusal(staffed, "agent01", PASSWORD, datetime(2026, 11, 24, 9, 18, 59))
    assert refusal.locked_until == datetime(2026, 11, 24, 9, 19) and "09:19" in str(refusal)
    # Fifteen minutes after the fifth wrong password, it opens again and the count is cleared.
    assert _sign_in(staffed, "agent01", PASSWORD, datetime(2026, 11, 24, 9, 19)).login == "agent01"
    agent = _agent(staffed, "agent01")
    assert (agent.failed_sign_ins, agent.locked_until) == (0, None)


def test_a_success_resets_the_count(staffed):
    for attempt in range(4):
        _refusal(staffed, "agent01", "wrong password", AT + timedelta(minutes=attempt))
    _sign_in(staffed, "agent01", PASSWORD, AT + timedelta(minutes=5))
    for attempt in range(4):
        refusal = _refusal(staffed, "agent01", "wrong password", AT + timedelta(minutes=6 + attempt))
        assert refusal.locked_until is None


def test_an_unknown_login_reads_like_a_wrong_password(staffed):
    unknown = _refusal(staffed, "nobody", PASSWORD, AT)
    wrong = _refusal(staffed, "agent01", "wrong password", AT)
    assert str(unknown) == str(wrong) == "登录名或密码错误"
    # Nothing a login could hold is looked up, and nothing about it is said either.
    assert str(_refusal(staffed, "a\x00b", PASSWORD, AT)) == "登录名或密码错误"
    assert str(_refusal(staffed, "x" * 200, PASSWORD, AT)) == "登录名或密码错误"


def test_an_inactive_agent_is_refused(staffed):
    with staffed.unit_of_work() as uow:
        agent = uow.agents.by_login("agent01")
        agent.active = False
        uow.commit()
    assert str(_refusal(staffed, "agent01", PASSWORD, AT)) == "该坐席账号已停用，请联系管理员"
    assert str(_refusal(staffed, "agent01", "wrong password", AT)) == "登录名或密码错误"


def test_sign_ins_and_failures_are_audit_events(staffed):
    agent = _agent(staffed, "agent01")
    _sign_in(staffed, "agent01", PASSWORD, AT)
    _refusal(staffed, "agent01", "wrong password", AT + timedelta(minutes=1))
    _refusal(staffed, "nobody", "wrong password", AT + timedelta(minutes=2))
    [signed] = _events(staffed, SIGNED_IN)
    assert (signed.at, signed.agent_id, signed.subject_type, signed.subject_id) == (AT, agent.id, "agent", agent.id)
    wrong, unknown = _events(staffed, FAILED)
    assert (wrong.at, wrong.agent_id) == (AT + timedelta(minutes=1), agent.id)
    assert wrong.detail == {"reason": "wrong_password", "failed_sign_ins": 1, "attempts_left": 4}
    assert (unknown.at, unknown.agent_id) == (AT + timedelta(minutes=2), None)
    assert unknown.detail == {"reason": "unknown_login", "login": "nobody"}
    # No event holds a password.
    for event in rows(staffed, AuditEvent):
        assert PASSWORD not in str(event) and "wrong password" not in str(event)


def test_the_hash_is_salted_and_never_the_password(staffed):
    with staffed.unit_of_work() as uow:
        add_agent(uow, login="agent02", name="李晓峰", role="agent", password=PASSWORD, by="admin01", at=AT)
    first, second = _agent(staffed, "agent01").password_hash, _agent(staffed, "agent02").password_hash
    assert first and second and first != second
    for stored in (first, second):
        assert stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored
        assert password_matches(PASSWORD, stored) and not password_matches("correct horse ", stored)


def test_adding_agents_checks_the_role_the_fields_and_the_acting_agent(staffed):
    def add(**changes: str) -> None:
        values = {"login": "agent03", "name": "张敏", "role": "agent", "password": PASSWORD, "by": "admin01"}
        with staffed.unit_of_work() as uow:
            add_agent(uow, **{**values, **changes}, at=AT)

    with pytest.raises(DeskError, match="没有角色 boss"):
        add(role="boss")
    with pytest.raises(DeskError, match="密码至少 8 个字符"):
        add(password="short")
    with pytest.raises(DeskError, match="已存在"):
        add(login="agent01")
    with pytest.raises(DeskError, match="坐席登录名"):
        add(login="x" * 65)
    with pytest.raises(DeskError, match="姓名"):
        add(name="名" * 65)
    with pytest.raises(DeskError, match="请填写坐席登录名"):
        add(login="  ")
    # Only an admin manages agents, once there is one: no second bootstrap.
    with pytest.raises(RoleRefused):
        add(by="agent01")
    with pytest.raises(RoleRefused):
        add(by="nobody", role="admin")
    add()
    [added, *_] = [e for e in _events(staffed, ADDED) if e.detail["login"] == "agent03"]
    assert added.agent_id == _agent(staffed, "admin01").id and added.detail["bootstrap"] is False


def test_the_first_admin_may_be_added_by_anyone_but_not_an_agent(database):
    with database.unit_of_work() as uow, pytest.raises(RoleRefused):
        add_agent(uow, login="agent01", name="坐席", role="agent", password=PASSWORD, by="root", at=AT)
    with database.unit_of_work() as uow:
        add_agent(uow, login="admin01", name="管理员", role="admin", password=PASSWORD, by="root", at=AT)
    [added] = _events(database, ADDED)
    assert added.agent_id is None and added.detail == {"login": "admin01", "role": "admin", "by": "root",
                                                       "bootstrap": True}


def test_an_admin_sets_a_password_and_lifts_the_lock(staffed):
    for attempt in range(5):
        _refusal(staffed, "agent01", "wrong password", AT + timedelta(minutes=attempt))
    with staffed.unit_of_work() as uow, pytest.raises(RoleRefused):
        set_password(uow, login="agent01", password="new password", by="agent01", at=AT)
    with staffed.unit_of_work() as uow:
        set_password(uow, login="agent01", password="new password", by="admin01", at=AT + timedelta(minutes=5))
    assert _sign_in(staffed, "agent01", "new password", AT + timedelta(minutes=6)).login == "agent01"
    [event] = _events(staffed, PASSWORD_SET)
    assert event.agent_id == _agent(staffed, "admin01").id and event.detail == {"login": "agent01", "by": "admin01"}


def test_desk_agent_add_reads_the_password_from_stdin(database, database_url, capsys, monkeypatch):
    # The first admin needs no sign-in (there is no one to sign in as): DESK_AGENT only
    # says who did it.
    monkeypatch.setenv("DESK_AGENT", "root")
    monkeypatch.setattr(sys, "stdin", io.StringIO("admin password\n"))
    code = main(["--db", database_url, "agent", "add", "admin01", "--name", "管理员", "--role", "admin",
                 "--password-stdin"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and out.strip() == "已添加坐席 admin01（管理员）"
    assert _sign_in(database, "admin01", "admin password", AT).role == "admin"
    [added] = _events(database, ADDED)
    assert (added.detail["by"], added.detail["bootstrap"]) == ("root", True)

    # Once there is an admin, there is no bootstrap: an unknown login is refused at sign-in...
    monkeypatch.setenv("DESK_PASSWORD", CLI_PASSWORD)
    monkeypatch.setattr(sys, "stdin", io.StringIO("agent password\n"))
    code = main(["--db", database_url, "agent", "add", "agent01", "--name", "坐席", "--password-stdin"])
    assert code == 2 and "登录名或密码错误" in capsys.readouterr().err
    # ... and a signed-in agent who is not an admin by role, and nothing is added.
    with_password(database, "agent00", role="agent")
    monkeypatch.setenv("DESK_AGENT", "agent00")
    monkeypatch.setattr(sys, "stdin", io.StringIO("agent password\n"))
    code = main(["--db", database_url, "agent", "add", "agent01", "--name", "坐席", "--password-stdin"])
    out, err = capsys.readouterr()
    assert code == 2 and "管理坐席账号需要管理员权限" in err
    assert _events(database, ADDED) == [added]

    # The admin signs in with DESK_PASSWORD while stdin carries the new password.
    monkeypatch.setenv("DESK_AGENT", "admin01")
    monkeypatch.setenv("DESK_PASSWORD", "admin password")
    monkeypatch.setattr(sys, "stdin", io.StringIO("agent password\n"))
    code = main(["--db", database_url, "agent", "add", "agent01", "--name", "坐席", "--password-stdin"])
    assert code == 0 and capsys.readouterr().out.strip() == "已添加坐席 agent01（坐席）"
    monkeypatch.setattr(sys, "stdin", io.StringIO("another password\n"))
    code = main(["--db", database_url, "agent", "passwd", "agent01", "--password-stdin"])
    assert code == 0 and capsys.readouterr().out.strip() == "已为坐席 agent01 设置新密码"
    assert _sign_in(database, "agent01", "another password", AT).login == "agent01"

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(["--db", database_url, "agent", "passwd", "agent01", "--password-stdin"])
    assert code == 2 and "未读到密码" in capsys.readouterr().err


def test_desk_agent_add_asks_twice_at_the_terminal(database_url, capsys, monkeypatch):
    monkeypatch.setenv("DESK_AGENT", "root")
    answers = iter(["admin password", "admin passwort"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code = main(["--db", database_url, "agent", "add", "admin01", "--name", "管理员", "--role", "admin"])
    assert code == 2 and "两次输入的密码不一致" in capsys.readouterr().err


# --- the command line signs in ----------------------------------------------------------


class _Terminal(io.StringIO):
    """Standard input as a person at a terminal: the prompt may ask."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def supervised(staffed, monkeypatch):
    """``staffed`` with supervisor01 (password ``CLI_PASSWORD``) named by DESK_AGENT."""
    with_password(staffed, "supervisor01")
    monkeypatch.setenv("DESK_AGENT", "supervisor01")
    return staffed.engine.url.render_as_string(hide_password=False)


def test_a_wrong_desk_password_is_refused_and_on_record(staffed, supervised, capsys, monkeypatch):
    monkeypatch.setenv("DESK_PASSWORD", "not the password")
    code, out, err = run(capsys, "--db", supervised, "queue")
    assert (code, out, err) == (2, "", "desk: 登录名或密码错误\n")
    [failed] = _events(staffed, FAILED)
    assert (failed.agent_id, failed.detail["reason"]) == (_agent(staffed, "supervisor01").id, "wrong_password")
    assert [e for e in rows(staffed, AuditEvent) if e.action == "export_queue"] == []


def test_five_wrong_passwords_lock_the_command_line_even_with_the_right_one(staffed, supervised, capsys,
                                                                           monkeypatch):
    monkeypatch.setenv("DESK_PASSWORD", "not the password")
    for _ in range(4):
        assert run(capsys, "--db", supervised, "audit")[2] == "desk: 登录名或密码错误\n"
    code, _out, err = run(capsys, "--db", supervised, "audit")
    assert code == 2 and "密码连续输错 5 次，账号已锁定至" in err
    monkeypatch.setenv("DESK_PASSWORD", CLI_PASSWORD)
    code, out, err = run(capsys, "--db", supervised, "audit")
    assert (code, out) == (2, "") and "账号已锁定至" in err
    assert sorted(e.detail["reason"] for e in _events(staffed, FAILED)) == ["locked"] * 2 + ["wrong_password"] * 4


def test_no_password_and_no_terminal_is_said_clearly(staffed, supervised, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(capsys, "--db", supervised, "queue")
    assert (code, out) == (2, "")
    assert "需要登录" in err and "DESK_PASSWORD" in err and "终端" in err
    # Nothing was tried, so nothing counts towards the lock.
    assert _events(staffed, FAILED) == [] and _agent(staffed, "supervisor01").failed_sign_ins == 0


def test_the_top_level_agent_signs_in_at_a_prompt_and_audit_agent_still_filters(staffed, supervised, capsys,
                                                                               monkeypatch):
    _sign_in(staffed, "agent01", PASSWORD, AT)  # something agent01 did
    prompts: list[str] = []
    monkeypatch.setenv("DESK_AGENT", "agent01")  # --agent wins over it
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or CLI_PASSWORD)
    code, out, err = run(capsys, "--db", supervised, "--agent", "supervisor01", "audit", "--agent", "agent01",
                         "--format", "json")
    assert (code, err, prompts) == (0, "", ["supervisor01 的密码："])
    events = json.loads(out)["events"]
    assert events and {e["agent"] for e in events} == {"agent01"}
    [reading] = _events(staffed, "read_audit")
    assert reading.agent_id == _agent(staffed, "supervisor01").id and reading.detail["agent"] == "agent01"

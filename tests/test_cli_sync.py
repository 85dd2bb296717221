"""``desk sync`` from the command line: a branch's first sync, its status, the conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.tables import Customer
from tests.callers import rows
from tests.cli import PASSWORD, run, sign_in_as, with_password
from tests.sync_sites import BEIJING, branch_office, file_escort, head_office


@pytest.fixture
def head(empty_pg_url: str):
    database = head_office(empty_pg_url)
    yield database
    database.close()


@pytest.fixture
def branch_url(sqlite_template: Path, tmp_path: Path) -> str:
    branch_office(sqlite_template, tmp_path, "branch").close()
    return f"sqlite:///{tmp_path / 'branch.sqlite3'}"


def test_first_sync_says_how_much_it_copies_then_status_shows_what_waits(
    capsys, monkeypatch, head, branch_url, empty_pg_url
):
    with_password(head, "agent01", role="agent")
    code, out, err = run(capsys, "--db", branch_url, "sync", "--remote", empty_pg_url, "--region", BEIJING)
    assert code == 0, err
    assert "首次同步" in err and "5 位客户" in err
    assert "同步完成" in out

    code, out, _ = run(capsys, "--db", branch_url, "sync", "--status")
    assert code == 0
    assert "分支" in out and "待发出：0 条" in out and "地区 北京市朝阳区" in out
    # Kept without a password, and never shown with one.
    assert "***" not in out or ":***@" not in out

    from desk.use_cases.database import open_database

    branch = open_database(branch_url)
    try:
        file_escort(branch)
    finally:
        branch.close()
    code, out, _ = run(capsys, "--db", branch_url, "sync", "--status")
    assert "待发出：3 条" in out

    monkeypatch.setenv("DESK_AGENT", "agent01")
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    code, out, err = run(capsys, "--db", branch_url, "sync")
    assert code == 0, err
    assert "总部确认 1 件" in out


def test_a_customer_list_scopes_the_branch(capsys, head, branch_url, empty_pg_url, tmp_path):
    zhang = next(c for c in rows(head, Customer) if c.name == "张三")
    listed = tmp_path / "customers.txt"
    listed.write_text(f"{zhang.id_number.lower()}\n\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", branch_url, "sync", "--remote", empty_pg_url, "--customers", str(listed))
    assert code == 0, err
    from desk.use_cases.database import open_database

    branch = open_database(branch_url)
    try:
        assert [c.name for c in rows(branch, Customer)] == ["张三"]
    finally:
        branch.close()


def test_sync_refuses_an_older_head_office_naming_the_side_to_upgrade(
    capsys, monkeypatch, head, branch_url, empty_pg_url
):
    assert run(capsys, "--db", branch_url, "sync", "--remote", empty_pg_url, "--region", BEIJING)[0] == 0
    sign_in_as(monkeypatch, branch_url, "agent01", role="agent")
    with head.engine.begin() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    try:
        code, _, err = run(capsys, "--db", branch_url, "sync")
    finally:
        with head.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
    assert code == 2
    assert "请先升级总部数据库" in err and "Traceback" not in err


def test_the_conflict_list_is_for_supervisors(capsys, monkeypatch, head, empty_pg_url):
    sign_in_as(monkeypatch, empty_pg_url, "agent01", role="agent")
    code, _, err = run(capsys, "--db", empty_pg_url, "sync", "--conflicts")
    assert code == 2 and "主管" in err
    sign_in_as(monkeypatch, empty_pg_url, "supervisor01")
    code, out, err = run(capsys, "--db", empty_pg_url, "sync", "--conflicts")
    assert code == 0, err
    assert "未处理的同步冲突：0 件" in out


def test_an_unreachable_head_office_is_one_line(capsys, branch_url):
    code, _, err = run(capsys, "--db", branch_url, "sync", "--remote",
                       "postgresql://desk:secret@127.0.0.1:1/desk", "--region", BEIJING)
    assert code == 2
    assert "secret" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1

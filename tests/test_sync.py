"""A branch office on SQLite syncing with head office on PostgreSQL: real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.schema import head_revision
from db.tables import Customer, Request, SyncConflict, UsageEvent
from desk.rules.confirmation import Confirmation
from desk.use_cases.database import Database, open_database
from desk.use_cases.requests import uses_in_year
from desk.use_cases.sync import CHECKPOINTS, SyncRefused, branch_status
from tests.callers import rows
from tests.sync_sites import (
    AT,
    BEIJING,
    agent_of,
    branch_office,
    count,
    file_escort,
    fingerprint,
    head_office,
    sent_once,
    sync,
)


@pytest.fixture
def head(empty_pg_url: str) -> Database:
    database = head_office(empty_pg_url)
    yield database
    database.close()


@pytest.fixture
def two_branches(head, sqlite_template: Path, tmp_path: Path, empty_pg_url: str):
    """Two branch offices of the same region, both set up by their first sync."""
    offices = [branch_office(sqlite_template, tmp_path, name) for name in ("first", "second")]
    for office in offices:
        sync(office, empty_pg_url, first=True)
    yield offices
    for office in offices:
        office.close()


@pytest.fixture
def branch(sqlite_template: Path, tmp_path: Path) -> Database:
    database = branch_office(sqlite_template, tmp_path, "branch")
    yield database
    database.close()


def test_the_first_sync_says_what_it_copies_and_copies_only_the_branchs_customers(head, branch, empty_pg_url):
    said: list[str] = []
    report = sync(branch, empty_pg_url, first=True, announce=said.append)
    assert report.first and report.copied["customer"] == 5
    assert said and "5 位客户" in said[0]
    assert sorted(c.region for c in rows(branch, Customer)) == [BEIJING] * 5
    # The agents came too, so the branch's staff can sign in.
    assert agent_of(branch).name == "王坐席"
    status = branch_status(branch)
    assert (status.role, status.waiting, status.scope) == ("branch", 0, {"region": BEIJING})
    assert "@" in status.remote and ":***@" not in status.remote


def test_a_quota_filing_at_a_branch_is_provisional_until_head_office_confirms_it(head, branch, empty_pg_url):
    sync(branch, empty_pg_url, first=True)
    request_id = file_escort(branch)
    assert [r.confirmation for r in rows(branch, Request)] == [Confirmation.PROVISIONAL]
    assert branch_status(branch).waiting > 0

    report = sync(branch)

    assert report.sent > 0 and report.confirmed == 1
    at_head = [r for r in rows(head, Request) if r.id == request_id]
    assert at_head and at_head[0].confirmation == Confirmation.CONFIRMED
    assert [r.confirmation for r in rows(branch, Request)] == [Confirmation.CONFIRMED]
    assert len([u for u in rows(head, UsageEvent) if u.request_id == request_id]) == len(
        [u for u in rows(branch, UsageEvent) if u.request_id == request_id]
    )
    assert branch_status(branch).waiting == 0


def test_two_branches_filing_the_last_use_offline_both_keep_their_use_and_one_is_a_conflict(head, two_branches):
    first, second = two_branches
    one, other = file_escort(first), file_escort(second)

    assert sync(first).confirmed == 1
    report = sync(second)
    assert report.quota_conflicts == 1

    requests = {r.id: r for r in rows(head, Request)}
    assert requests[one].confirmation == Confirmation.CONFIRMED
    assert requests[other].confirmation == Confirmation.CONFLICT
    # Merged by union: both filings hold a use of that service year at head office.
    with head.unit_of_work() as uow:
        period = requests[one].service_period_id
        assert requests[other].service_period_id == period
        assert uses_in_year(uow, period, "escort") == 2
    conflicts = [c for c in rows(head, SyncConflict) if c.kind == "quota"]
    assert len(conflicts) == 1 and conflicts[0].row_id == other
    filed = {f["request_id"] for f in conflicts[0].detail["filings"]}
    assert filed == {str(one), str(other)}
    # The customer-facing status at the second branch says so after its next sync.
    sync(second)
    assert {r.id: r.confirmation for r in rows(second, Request)}[other] == Confirmation.CONFLICT
    # And the first branch learns of the other office's filing.
    sync(first)
    assert {r.id for r in rows(first, Request)} == {one, other}


def _set_mobile(database: Database, mobile: str, at) -> None:
    with database.unit_of_work() as uow:
        customer = next(c for c in uow.customers.session.exec(__import__("sqlmodel").select(Customer)).all()
                        if c.name == "张三")
        customer.mobile = mobile
        customer.updated_at = at
        uow.customers.add(customer)
        uow.commit()


def _mobile(database: Database) -> str:
    return next(c.mobile for c in rows(database, Customer) if c.name == "张三")


@pytest.mark.parametrize("later", ["branch", "head"])
def test_the_later_edit_of_a_field_wins_and_the_other_is_kept_for_review(head, branch, empty_pg_url, later):
    sync(branch, empty_pg_url, first=True)
    early, late = AT.replace(hour=9), AT.replace(hour=11)
    _set_mobile(head, "13811110000", late if later == "head" else early)
    _set_mobile(branch, "13922220000", late if later == "branch" else early)

    report = sync(branch)
    sync(branch)  # the answer head office sent back is received

    winner = "13922220000" if later == "branch" else "13811110000"
    assert _mobile(head) == _mobile(branch) == winner
    assert report.field_conflicts == 1
    conflict = next(c for c in rows(head, SyncConflict) if c.kind == "field")
    assert conflict.detail["field"] == "mobile"
    assert {conflict.detail["kept"], conflict.detail["set_aside"]} == {"13811110000", "13922220000"}
    assert conflict.detail["kept"] == winner


def test_edits_of_different_fields_in_two_places_both_stay(head, branch, empty_pg_url):
    sync(branch, empty_pg_url, first=True)
    with head.unit_of_work() as uow:
        uow.sync.session.execute(text("UPDATE customer SET address = '总部改的地址' WHERE name = '张三'"))
        uow.commit()
    _set_mobile(branch, "13922220000", AT)
    sync(branch)
    for database in (head, branch):
        customer = next(c for c in rows(database, Customer) if c.name == "张三")
        assert (customer.address, customer.mobile) == ("总部改的地址", "13922220000")
    assert not rows(head, SyncConflict)


def test_a_second_sync_changes_nothing(head, branch, empty_pg_url):
    sync(branch, empty_pg_url, first=True)
    file_escort(branch)
    sync(branch)
    before = (fingerprint(head), fingerprint(branch), count(head, UsageEvent))
    report = sync(branch)
    assert (report.sent, report.received, report.confirmed) == (0, 0, 0)
    assert (fingerprint(head), fingerprint(branch), count(head, UsageEvent)) == before
    assert sent_once(head, branch)


class Cut(Exception):
    pass


def _stop_at(point: str):
    def stop(name: str) -> None:
        if name == point:
            raise Cut(name)

    return stop


def _busy_branch(head: Database, branch: Database, url: str) -> None:
    """A branch with offline work to send, and head office with work for it to receive."""
    sync(branch, url, first=True)
    file_escort(branch)
    _set_mobile(branch, "13922220000", AT)
    with head.unit_of_work() as uow:
        uow.sync.session.execute(text("UPDATE customer SET address = '总部改的地址' WHERE name = '李晓梅'"))
        uow.commit()


@pytest.mark.parametrize("point", [p for p in CHECKPOINTS if p != "copied"])
def test_a_sync_cut_short_anywhere_and_run_again_ends_as_one_clean_run(
    head, branch, sqlite_template, tmp_path, empty_pg_url, point
):
    _busy_branch(head, branch, empty_pg_url)
    with pytest.raises(Cut):
        sync(branch, stop=_stop_at(point))
    sync(branch)
    sync(branch)

    assert fingerprint(branch) == _scoped(fingerprint(head))
    assert sent_once(head, branch)
    assert branch_status(branch).waiting == 0
    assert [r.confirmation for r in rows(head, Request)] == [Confirmation.CONFIRMED]
    assert count(head, UsageEvent) == count(branch, UsageEvent)
    assert next(c.address for c in rows(branch, Customer) if c.name == "李晓梅") == "总部改的地址"


def test_a_first_sync_cut_short_leaves_the_branch_empty_and_can_run_again(head, branch, empty_pg_url):
    with pytest.raises(Cut):
        sync(branch, empty_pg_url, first=True, stop=_stop_at("copied"))
    # The copy committed before the cut: the next run is an ordinary sync.
    sync(branch)
    assert fingerprint(branch) == _scoped(fingerprint(head))


def _scoped(state: dict[str, object]) -> dict[str, object]:
    """Head office's state less its one customer outside Beijing (and that customer's rows)."""
    outside = {row for row in state["customer"] if "上海" in "".join(row)}
    outside_ids = {row[0] for row in outside}
    policies = {row for row in state["policy"] if row[3] in outside_ids}
    policy_ids = {row[0] for row in policies}
    scoped = dict(state)
    scoped["customer"] = [row for row in state["customer"] if row not in outside]
    scoped["policy"] = [row for row in state["policy"] if row not in policies]
    scoped["service_period"] = [row for row in state["service_period"] if row[1] not in policy_ids]
    return scoped


def test_a_schema_mismatch_is_refused_naming_the_side_to_upgrade(head, branch, empty_pg_url):
    sync(branch, empty_pg_url, first=True)
    with head.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    try:
        with pytest.raises(SyncRefused, match="请先升级总部"):
            sync(branch)
        with head.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
        with pytest.raises(SyncRefused, match="请先升级本分支"):
            sync(branch)
    finally:
        with head.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"),
                               {"v": head_revision()})


def test_a_branch_with_its_own_customers_is_not_set_up_over_them(head, empty_pg_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
    own = open_database(url)
    try:
        from tests.callers import add_callers

        add_callers(own)
        with pytest.raises(SyncRefused, match="空数据库"):
            sync(own, empty_pg_url, first=True)
    finally:
        own.close()


def test_a_supervisor_lists_and_closes_a_quota_conflict_letting_the_request_stand(head, two_branches):
    from desk.use_cases.sync_conflicts import open_conflict_lines, resolve_conflict

    first, second = two_branches
    file_escort(first)
    other = file_escort(second)
    sync(first)
    sync(second)
    supervisor = agent_of(head, "supervisor01")
    with pytest.raises(Exception, match="主管"):
        open_conflict_lines(head, agent_of(head))
    [line] = open_conflict_lines(head, supervisor)
    assert "额度冲突" in line and "绿色通道" in line
    reference = line.split()[0]
    with pytest.raises(Exception, match="原因|理由"):
        resolve_conflict(head, supervisor, reference, " ", accept=True, at=AT)
    resolve_conflict(head, supervisor, reference, "客户病情紧急，特批", accept=True, at=AT)
    assert open_conflict_lines(head, supervisor) == []
    assert {r.id: r.confirmation for r in rows(head, Request)}[other] == Confirmation.CONFIRMED
    sync(second)
    assert {r.id: r.confirmation for r in rows(second, Request)}[other] == Confirmation.CONFIRMED


def test_a_request_by_an_agent_added_at_head_office_since_the_last_sync_arrives(head, branch, empty_pg_url):
    """The agents were copied after the changes: the new agent's request broke the branch's
    foreign key and every sync after it failed the same way."""
    from db.tables import Agent
    from tests.sync_sites import ZHANG, policy_of

    sync(branch, empty_pg_url, first=True)
    with head.unit_of_work() as uow:
        newcomer = uow.agents.add(Agent(login="agent99", name="新同事", role="agent"))
        uow.commit()
    from desk.use_cases.requests import NewRequest, file_request

    with head.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_of(head, ZHANG), "ai_consult", details={"note": "头痛"}),
                             agent_id=newcomer.id, at=AT)
    assert sync(branch).received > 0
    assert filed.request_id in {r.id for r in rows(branch, Request)}


def test_a_sync_keeps_a_branchs_own_sign_in_lock(head, branch, empty_pg_url):
    from datetime import datetime as moment

    from db.tables import Agent

    sync(branch, empty_pg_url, first=True)
    with branch.unit_of_work() as uow:
        agent = uow.agents.by_login("supervisor01")
        agent.failed_sign_ins, agent.locked_until = 5, moment(2026, 9, 28, 10, 15)
        uow.agents.add(agent)
        uow.commit()
    sync(branch)
    locked = next(a for a in rows(branch, Agent) if a.login == "supervisor01")
    assert (locked.failed_sign_ins, locked.locked_until) == (5, moment(2026, 9, 28, 10, 15))


def test_a_reader_waiting_for_the_change_log_never_holds_up_an_agents_save(head, branch, empty_pg_url, monkeypatch):
    """A cutoff queued for the change log's lock (while another branch's send held it)
    queued every agent's next write behind it: PostgreSQL grants locks in order."""
    import threading
    import time

    import db.repositories.sync as sync_repository

    sync(branch, empty_pg_url, first=True)
    monkeypatch.setattr(sync_repository, "CUTOFF_PATIENCE_S", 1.5)
    holder = head.engine.connect()
    holder.begin()
    holder.execute(text("UPDATE customer SET address = '别处' WHERE name = '李晓梅'"))  # holds the log, shared
    outcome: list[str] = []

    def reader() -> None:
        try:
            sync(branch)
            outcome.append("synced")
        except SyncRefused as error:
            outcome.append(str(error))

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.3)  # the reader is trying for the lock now
    started = time.monotonic()
    with head.unit_of_work() as uow:
        uow.sync.session.execute(text("UPDATE customer SET address = '总部' WHERE name = '王建国'"))
        uow.commit()
    saved_in = time.monotonic() - started
    thread.join()
    holder.rollback()
    holder.close()
    assert saved_in < 1.0
    assert outcome and "正忙" in outcome[0]

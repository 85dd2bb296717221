"""Two agents editing the same record (issue #13): the second is told what changed, by whom
and when, and chooses; nothing is ever silently overwritten. On both backends, and a real
race of two saves at once on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime

import pytest

import desk.use_cases.customer_contact as contact_module
import desk.use_cases.family as family_module
from db.tables import Agent, AuditEvent, Customer, FamilyMember
from desk.use_cases.customer_contact import (
    ContactRefused,
    contact_of,
    edit_customer_contact,
)
from desk.use_cases.database import open_database
from desk.use_cases.edit_conflicts import EditConflict, FieldChange
from desk.use_cases.family import edit_family_member, list_family
from desk.use_cases.importing import import_customers
from desk.use_cases.lookup import find_customers
from tests.callers import CALLERS, NOW, resident_id, rows

FIRST = datetime(2026, 11, 24, 10, 41)  # when the first agent saves
SECOND = datetime(2026, 11, 24, 10, 45)
LILI = {"name": "李丽", "relation": "spouse", "id_type": "resident_id", "id_number": "", "birth_date": "", "sex": ""}


@pytest.fixture
def desk(cast):
    """The cast of callers and two agents."""
    with cast.unit_of_work() as uow:
        uow.agents.add(Agent(login="agent01", name="坐席甲"))
        uow.agents.add(Agent(login="agent02", name="坐席乙"))
        uow.commit()
    return cast


def agent(database, login: str) -> uuid.UUID:
    with database.unit_of_work() as uow:
        return uow.agents.by_login(login).id


def zhang(database) -> Customer:
    (customer,) = [c for c in rows(database, Customer) if c.name == "张三"]
    return customer


def lili_line(database):
    with database.unit_of_work() as uow:
        (line,) = list_family(uow, zhang(database).id)
    return line


def edit_member(database, line, *, version: int, by: uuid.UUID, at: datetime = FIRST, **changes: str):
    with database.unit_of_work() as uow:
        return edit_family_member(uow, line.member_id, LILI | changes, expected_version=version,
                                  agent_id=by, at=at, started_from=line)


def edit_contact(database, line, typed: dict[str, str], *, version: int, by: uuid.UUID | None, at: datetime = FIRST):
    with database.unit_of_work() as uow:
        return edit_customer_contact(uow, line.customer_id, typed, expected_version=version, agent_id=by, at=at,
                                     started_from=line)


def contact_line(database):
    with database.unit_of_work() as uow:
        return contact_of(uow, zhang(database).id)


# --- a family member ------------------------------------------------------------------------


def test_the_second_agent_editing_a_family_member_is_told_who_changed_what(desk):
    first, second = agent(desk, "agent01"), agent(desk, "agent02")
    opened = lili_line(desk)  # both agents open the form on version 1
    assert opened.version == 1
    saved = edit_member(desk, opened, version=opened.version, by=first, name="李莉")
    assert saved.version == 2

    with pytest.raises(EditConflict) as caught:
        edit_member(desk, opened, version=opened.version, by=second, at=SECOND, name="李俪", sex="F")
    conflict = caught.value
    # The first edit also stored the birth date and sex its resident ID number carries.
    assert conflict.changes == (FieldChange("name", "姓名", "李丽", "李莉"),
                                FieldChange("birth_date", "出生日期", "", "1991-04-05"),
                                FieldChange("sex", "性别", "", "女"))
    assert (conflict.changed_by, conflict.changed_at, conflict.version) == ("坐席甲", FIRST, 2)
    assert conflict.current.name == "李莉"
    assert "坐席甲" in str(conflict) and "姓名" in str(conflict)
    # Keep theirs: the second edit wrote nothing.
    (member,) = [m for m in rows(desk, FamilyMember) if m.customer_id == zhang(desk).id]
    assert (member.name, member.version, member.updated_by) == ("李莉", 2, first)
    assert [e.agent_id for e in rows(desk, AuditEvent) if e.action == "family_edit"] == [first]

    # Apply mine over it: the same values again, from the version now stored.
    mine = edit_member(desk, conflict.current, version=conflict.version, by=second, at=SECOND, name="李俪", sex="F")
    assert (mine.name, mine.version) == ("李俪", 3)
    (member,) = [m for m in rows(desk, FamilyMember) if m.customer_id == zhang(desk).id]
    assert (member.name, member.sex, member.version, member.updated_by, member.updated_at) == (
        "李俪", "F", 3, second, SECOND)
    events = [e for e in rows(desk, AuditEvent) if e.action == "family_edit"]
    assert [(e.agent_id, e.detail["changed"]) for e in events] == [
        (first, ["name", "birth_date", "sex"]), (second, ["name"])]


def test_a_conflict_shows_id_numbers_masked(desk):
    first, second = agent(desk, "agent01"), agent(desk, "agent02")
    opened = lili_line(desk)
    new_number = resident_id("110105", date(1991, 4, 5), "146")
    edit_member(desk, opened, version=1, by=first, id_number=new_number)
    with pytest.raises(EditConflict) as caught:
        edit_member(desk, opened, version=1, by=second, name="李莉")
    change = caught.value.changes[0]
    assert (change.field, change.then, change.now) == (
        "id_number", opened.masked_id_number, f"{new_number[:6]}{'*' * 8}{new_number[-4:]}")
    assert new_number not in str(caught.value.changes) and new_number not in str(caught.value)


def test_a_member_saved_by_nobody_known_names_an_unknown_agent(desk):
    opened = lili_line(desk)
    edit_member(desk, opened, version=1, by=None, name="李莉")  # e.g. a script without a sign-in
    with pytest.raises(EditConflict) as caught:
        edit_member(desk, opened, version=1, by=agent(desk, "agent02"), name="李俪")
    assert caught.value.changed_by == "未知坐席"


# --- a customer's contact details ------------------------------------------------------------


def test_the_second_agent_editing_contact_details_is_told_and_may_apply_theirs(desk):
    first, second = agent(desk, "agent01"), agent(desk, "agent02")
    opened = contact_line(desk)
    assert (opened.masked_mobile, opened.address, opened.version) == ("138****5678", "朝阳路1号", 1)
    # The first agent changes the mobile (typed with a full-width prefix, as input methods do).
    saved = edit_contact(desk, opened, {"mobile": "+86 139-0000-4321", "email": "", "address": "朝阳路1号"},
                         version=1, by=first)
    assert (saved.masked_mobile, saved.version) == ("139****4321", 2)
    stored = zhang(desk)
    assert (stored.mobile, stored.mobile_last4, stored.updated_by) == ("13900004321", "4321", first)
    with desk.unit_of_work() as uow:  # found by the new tail at once
        assert "张三" in [hit.name for hit in find_customers(uow, "4321")]

    mine = {"mobile": "", "email": "zs@example.com", "address": "朝阳路2号"}
    with pytest.raises(EditConflict) as caught:
        edit_contact(desk, opened, mine, version=1, by=second, at=SECOND)
    conflict = caught.value
    assert conflict.changes == (FieldChange("mobile", "手机号", "138****5678", "139****4321"),)
    assert (conflict.changed_by, conflict.changed_at, conflict.version) == ("坐席甲", FIRST, 2)
    assert (zhang(desk).email, zhang(desk).address) == ("", "朝阳路1号")  # keep theirs: nothing written

    applied = edit_contact(desk, conflict.current, mine, version=conflict.version, by=second, at=SECOND)
    stored = zhang(desk)
    # An empty mobile keeps the stored one: the first agent's.
    assert (stored.mobile, stored.email, stored.address, stored.version) == (
        "13900004321", "zs@example.com", "朝阳路2号", 3)
    assert applied.version == 3
    events = [e for e in rows(desk, AuditEvent) if e.action == "contact_edit"]
    assert [(e.agent_id, e.subject_id, e.detail) for e in events] == [
        (first, stored.id, {"changed": ["mobile"]}), (second, stored.id, {"changed": ["email", "address"]})]
    assert "13900004321" not in str([e.detail for e in events])


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"mobile": "12345"}, "mobile", "手机号"),
        ({"email": "not-an-address"}, "email", "电子邮箱"),
        ({"address": "路" * 257}, "address", "256"),
    ],
)
def test_contact_details_are_checked_like_an_import(desk, typed, field, message):
    opened = contact_line(desk)
    with pytest.raises(ContactRefused) as refused:
        edit_contact(desk, opened, {"mobile": "", "email": "", "address": ""} | typed, version=1,
                     by=agent(desk, "agent01"))
    problems = {p.field: p.message for p in refused.value.problems}
    assert message in problems[field], problems
    assert zhang(desk).version == 1
    assert [e for e in rows(desk, AuditEvent) if e.action == "contact_edit"] == []


def test_an_edit_that_changes_nothing_writes_nothing(desk):
    opened = contact_line(desk)
    edit_contact(desk, opened, {"mobile": "", "email": "", "address": " 朝阳路1号 "}, version=1, by=None)
    assert zhang(desk).version == 1
    assert [e for e in rows(desk, AuditEvent) if e.action == "contact_edit"] == []


# --- an import meanwhile ----------------------------------------------------------------------


def _zhang_csv(tmp_path, mobile: str):
    name, region, born, sequence = CALLERS[0][:4]
    number = resident_id(region, born, sequence)
    path = tmp_path / f"customers-{mobile}.csv"
    path.write_text("name,id_number,birth_date,sex,mobile,region,address\n"
                    f"{name},{number},{born.isoformat()},M,{mobile},北京市朝阳区,朝阳路1号\n", encoding="utf-8")
    return path


def test_an_import_that_changes_a_customer_moves_its_version_and_an_agent_is_told(desk, tmp_path):
    importer = agent(desk, "agent01")
    with desk.unit_of_work() as uow:
        uow.agents.session.get(Agent, importer).name = "主管导入"
        uow.commit()
    opened = contact_line(desk)
    # The same values again: the customer is not changed, and nobody's edit is stopped.
    assert import_customers(desk, _zhang_csv(tmp_path, "13812345678"), agent_id=importer).updated == 1
    assert (zhang(desk).version, zhang(desk).updated_by) == (1, None)

    assert import_customers(desk, _zhang_csv(tmp_path, "13700001111"), agent_id=importer).updated == 1
    assert (zhang(desk).version, zhang(desk).updated_by, zhang(desk).mobile_last4) == (2, importer, "1111")
    with pytest.raises(EditConflict) as caught:
        edit_contact(desk, opened, {"mobile": "", "email": "", "address": "朝阳路3号"}, version=1,
                     by=agent(desk, "agent02"))
    assert caught.value.changed_by == "主管导入"
    assert caught.value.changes == (FieldChange("mobile", "手机号", "138****5678", "137****1111"),)


# --- two saves at the same instant (PostgreSQL) -----------------------------------------------


def _race(database, monkeypatch, module, save) -> list[object]:
    """Run ``save(db)`` in two threads, each with its own engine, both past the version
    check before either writes; returns what each returned or raised."""
    if database.is_embedded:
        pytest.skip("SQLite has one writer at a time; the race is PostgreSQL's")
    url = database.engine.url.render_as_string(hide_password=False)
    both_read = threading.Barrier(2, timeout=20)
    checked = module._checked

    def slow_check(*args, **kwargs):
        values = checked(*args, **kwargs)
        both_read.wait()  # each has read version 1 and is about to write
        return values

    monkeypatch.setattr(module, "_checked", slow_check)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        own = open_database(url)
        try:
            results[index] = save(own, index)
        except Exception as error:  # noqa: BLE001 - the loser's conflict is the point
            results[index] = error
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_saves_of_one_family_member_at_once_one_wins(desk, monkeypatch):
    agents = [agent(desk, "agent01"), agent(desk, "agent02")]
    opened = lili_line(desk)
    names = ["李莉", "李俪"]
    results = _race(desk, monkeypatch, family_module,
                    lambda db, i: edit_member(db, opened, version=1, by=agents[i], name=names[i]))
    conflicts = [r for r in results if isinstance(r, EditConflict)]
    assert len(conflicts) == 1, results
    winner = next(i for i, r in enumerate(results) if not isinstance(r, BaseException))
    (member,) = [m for m in rows(desk, FamilyMember) if m.customer_id == zhang(desk).id]
    assert (member.name, member.version, member.updated_by) == (names[winner], 2, agents[winner])
    assert conflicts[0].changed_by == ["坐席甲", "坐席乙"][winner]
    assert len([e for e in rows(desk, AuditEvent) if e.action == "family_edit"]) == 1


def test_two_saves_of_one_contact_at_once_one_wins(desk, monkeypatch):
    agents = [agent(desk, "agent01"), agent(desk, "agent02")]
    opened = contact_line(desk)
    addresses = ["朝阳路5号", "朝阳路6号"]
    results = _race(desk, monkeypatch, contact_module,
                    lambda db, i: edit_contact(db, opened, {"mobile": "", "email": "", "address": addresses[i]},
                                               version=1, by=agents[i]))
    assert len([r for r in results if isinstance(r, EditConflict)]) == 1, results
    winner = next(i for i, r in enumerate(results) if not isinstance(r, BaseException))
    stored = zhang(desk)
    assert (stored.address, stored.version, stored.updated_by) == (addresses[winner], 2, agents[winner])


def test_the_screens_time_is_the_edit_time(desk):
    # The conflict's "when" is the edit's own time, as the agent's desk clock said.
    opened = lili_line(desk)
    edit_member(desk, opened, version=1, by=agent(desk, "agent01"), at=NOW, name="李莉")
    (member,) = [m for m in rows(desk, FamilyMember) if m.customer_id == zhang(desk).id]
    assert member.updated_at == NOW

"""Family members on file (服务对象: 直系亲属): added and edited through one use case, checked
like a customer's binding data and audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from db.tables import AuditEvent, Customer, FamilyMember
from desk.use_cases.family import (
    FamilyMemberRefused,
    add_family_member,
    edit_family_member,
    list_family,
)
from desk.use_cases.form_context import load_form_context
from tests.callers import NOW, resident_id, rows

SPOUSE_ID = resident_id("510104", date(1993, 6, 18), "031")  # a man born 1993-06-18
LILI_ID = resident_id("110105", date(1991, 4, 5), "124")  # 张三's spouse in tests/callers.py


def _masked(number: str) -> str:
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def _customer(database, name: str) -> Customer:
    (customer,) = [c for c in rows(database, Customer) if c.name == name]
    return customer


def _typed(**changes: str) -> dict[str, str]:
    typed = {"name": "陈刚", "relation": "spouse", "id_type": "resident_id", "id_number": SPOUSE_ID,
             "birth_date": "", "sex": ""}
    return typed | changes


def _problems(refused: pytest.ExceptionInfo[FamilyMemberRefused]) -> dict[str, str]:
    return {p.field: p.message for p in refused.value.problems}


def test_a_spouse_is_added_with_birth_date_and_sex_read_from_the_id(callers_url):
    from desk.use_cases.database import open_database

    database = open_database(callers_url)
    nana = _customer(database, "欧阳娜娜")
    with database.unit_of_work() as uow:
        added = add_family_member(uow, nana.id, _typed(), agent_id=None, at=NOW)
    assert (added.name, added.relation_label, added.masked_id_number) == ("陈刚", "配偶", _masked(SPOUSE_ID))
    (member,) = [m for m in rows(database, FamilyMember) if m.customer_id == nana.id]
    assert (member.birth_date, member.sex, member.id_number) == (date(1993, 6, 18), "M", SPOUSE_ID)
    (event,) = rows(database, AuditEvent)
    assert (event.action, event.subject_type, event.subject_id, event.at) == (
        "family_add", "family_member", member.id, NOW)
    assert event.detail["customer_id"] == str(nana.id)
    assert SPOUSE_ID not in str(event.detail)  # the audit log holds no full ID number
    # The psych and smoking forms offer them now.
    with database.unit_of_work() as uow:
        policy = uow.policies.of_customer(nana.id)[0]
        context = load_form_context(uow, policy.id, NOW.date())
    assert [(name, relation) for _, name, relation in context.family] == [("陈刚", "配偶")]
    database.close()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "姓名：不能为空"),
        ({"relation": ""}, "relation", "与被保险人关系："),
        ({"relation": "cousin"}, "relation", "应为以下之一：配偶"),
        ({"id_number": SPOUSE_ID[:-1] + "0"}, "id_number", "校验位不正确"),
        ({"id_number": "510104930618031"}, "id_number", "应为18位"),  # 15 digits: a new binding
        ({"birth_date": "1993-06-19"}, "birth_date", "与证件号码中的出生日期 1993-06-18 不一致"),
        ({"sex": "女"}, "sex", "性别：与证件号码不一致"),
        ({"birth_date": "2030-01-01", "id_type": "passport", "id_number": "E12345678"}, "birth_date", "不能晚于今天"),
        ({"id_type": "passport", "id_number": "E 1234"}, "id_number", "应为1-32位字母"),
    ],
)
def test_each_problem_is_named_on_its_field(callers_url, changes, field, message):
    from desk.use_cases.database import open_database

    database = open_database(callers_url)
    nana = _customer(database, "欧阳娜娜")
    with database.unit_of_work() as uow, pytest.raises(FamilyMemberRefused) as refused:
        add_family_member(uow, nana.id, _typed(**changes), agent_id=None, at=NOW)
    problems = _problems(refused)
    assert message in problems[field], problems
    assert rows(database, FamilyMember) == [m for m in rows(database, FamilyMember) if m.name != "陈刚"]
    assert rows(database, AuditEvent) == []
    database.close()


def test_a_second_member_with_the_same_id_number_is_refused(callers_url):
    from desk.use_cases.database import open_database

    database = open_database(callers_url)
    nana = _customer(database, "欧阳娜娜")
    with database.unit_of_work() as uow:
        add_family_member(uow, nana.id, _typed(), agent_id=None, at=NOW)
    with database.unit_of_work() as uow, pytest.raises(FamilyMemberRefused) as refused:
        add_family_member(uow, nana.id, _typed(name="陈小刚", relation="child", id_number=SPOUSE_ID.lower()),
                          agent_id=None, at=NOW)
    assert "已有此证件号码的家庭成员（陈刚）" in _problems(refused)["id_number"]
    with database.unit_of_work() as uow, pytest.raises(FamilyMemberRefused) as refused:
        add_family_member(uow, nana.id, _typed(id_number=nana.id_number), agent_id=None, at=NOW)
    assert "与客户本人的证件号码相同" in _problems(refused)["id_number"]
    # Another customer may have the same person on file (siblings' parents).
    zhang = _customer(database, "张三")
    with database.unit_of_work() as uow:
        add_family_member(uow, zhang.id, _typed(relation="child"), agent_id=None, at=NOW)
    assert len([m for m in rows(database, FamilyMember) if m.id_number == SPOUSE_ID]) == 2
    database.close()


def test_editing_keeps_the_id_number_when_left_empty_and_audits_what_changed(callers_url):
    from desk.use_cases.database import open_database

    database = open_database(callers_url)
    zhang = _customer(database, "张三")
    with database.unit_of_work() as uow:
        (lili,) = list_family(uow, zhang.id)
    assert (lili.name, lili.relation, lili.masked_id_number) == ("李丽", "spouse", _masked(LILI_ID))
    later = datetime(2026, 11, 24, 11, 0)
    with database.unit_of_work() as uow:
        edited = edit_family_member(
            uow, lili.member_id,
            {"name": "李莉", "relation": "配偶", "id_type": "resident_id", "id_number": "", "birth_date": "",
             "sex": "F"},
            expected_version=lili.version, agent_id=None, at=later,
        )
    assert edited.name == "李莉"
    (member,) = [m for m in rows(database, FamilyMember) if m.customer_id == zhang.id]
    assert (member.name, member.id_number, member.sex, member.birth_date) == (
        "李莉", LILI_ID, "F", date(1991, 4, 5))
    (event,) = rows(database, AuditEvent)
    assert (event.action, event.subject_id, event.at) == ("family_edit", member.id, later)
    assert event.detail["changed"] == ["name", "birth_date", "sex"]
    # Editing a member into a duplicate of another is refused like adding one.
    with database.unit_of_work() as uow:
        add_family_member(uow, zhang.id, _typed(relation="parent", name="陈刚"), agent_id=None, at=NOW)
    with database.unit_of_work() as uow, pytest.raises(FamilyMemberRefused) as refused:
        edit_family_member(uow, lili.member_id, _typed(name="李莉", id_number=SPOUSE_ID),
                           expected_version=edited.version, agent_id=None, at=NOW)
    assert "陈刚" in _problems(refused)["id_number"]
    database.close()


def test_an_edit_that_changes_nothing_writes_nothing(callers_url):
    from desk.use_cases.database import open_database

    database = open_database(callers_url)
    nana = _customer(database, "欧阳娜娜")
    with database.unit_of_work() as uow:
        added = add_family_member(uow, nana.id, _typed(), agent_id=None, at=NOW)
    with database.unit_of_work() as uow:
        edit_family_member(uow, added.member_id, _typed(id_number="", birth_date="1993-06-18", sex="男"),
                           expected_version=added.version, agent_id=None, at=NOW)
    assert [e.action for e in rows(database, AuditEvent)] == ["family_add"]
    database.close()

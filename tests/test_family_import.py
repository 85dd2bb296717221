"""`desk import family FILE.csv`: family members from the policy system, checked like the
family screen's, matched on (customer, ID number)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from db.tables import AuditEvent, Customer, FamilyMember
from desk.cli.main import main as cli_main
from desk.use_cases.database import open_database
from desk.use_cases.family_import import import_family
from tests.callers import CALLERS, resident_id, rows
from tests.cli import sign_in_as

HEADER = "insured_id_number,policy_number,name,relation,id_type,id_number,birth_date,sex"
ZHANG = resident_id(*CALLERS[0][1:4])  # 张三, insured of XK202601100001
NANA = resident_id(*CALLERS[4][1:4])  # 欧阳娜娜, insured of XK202602010005
WIFE = resident_id("110105", date(1991, 4, 5), "124")  # 李丽, already on file for 张三
SON = resident_id("110105", date(2018, 9, 1), "015")
MOTHER = resident_id("510104", date(1968, 3, 2), "046")


def write(tmp_path: Path, *lines: str, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "family.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return path


@pytest.fixture
def database(callers_url):
    database = open_database(callers_url)
    yield database
    database.close()


def _members(database, name: str) -> dict[str, FamilyMember]:
    (customer,) = [c for c in rows(database, Customer) if c.name == name]
    return {m.name: m for m in rows(database, FamilyMember) if m.customer_id == customer.id}


def test_members_are_added_by_id_number_or_policy_number_and_updated_on_reimport(database, tmp_path):
    path = write(
        tmp_path,
        f"{ZHANG},,张小明,child,resident_id,{SON},,",
        f",XK202602010005,刘芳,父母,,{MOTHER},1968-03-02,女",
        f"{ZHANG},XK202601100001,李丽,配偶,居民身份证,{WIFE},1991-04-05,F",
    )
    report = import_family(database, path)
    assert report.ok and report.written and (report.inserted, report.updated) == (2, 1)
    zhang = _members(database, "张三")
    assert sorted(zhang) == ["张小明", "李丽"]
    son = zhang["张小明"]
    assert (son.relation, son.birth_date, son.sex) == ("child", date(2018, 9, 1), "M")
    assert zhang["李丽"].birth_date == date(1991, 4, 5)  # the update filled it in
    assert _members(database, "欧阳娜娜")["刘芳"].relation == "parent"
    (event,) = [e for e in rows(database, AuditEvent) if e.action == "import"]
    assert event.subject_type == "family_members"
    assert event.detail | {"inserted": 2, "updated": 1, "file": "family.csv"} == event.detail

    again = import_family(database, write(tmp_path, f"{ZHANG},,张晓明,子女,,{SON},,"))
    assert (again.inserted, again.updated) == (0, 1)
    assert sorted(_members(database, "张三")) == ["张晓明", "李丽"]


def test_chinese_headers_are_accepted(database, tmp_path):
    header = "被保险人证件号码,姓名,与被保险人关系,证件号码"
    report = import_family(database, write(tmp_path, f"{NANA},刘芳,母亲,{MOTHER}", header=header))
    assert [p.describe() for p in report.problems] == [
        "第 2 行 与被保险人关系 (relation)：应为以下之一：配偶、父母、子女、祖父母/外祖父母、孙子女/外孙子女"
    ]
    report = import_family(database, write(tmp_path, f"{NANA},刘芳,父母,{MOTHER}", header=header))
    assert report.ok and report.inserted == 1


def test_every_bad_row_is_reported_and_nothing_is_imported(database, tmp_path):
    path = write(
        tmp_path,
        f"{ZHANG},,张小明,child,,{SON},,",  # good
        f"{SON},,某人,child,,{MOTHER},,",  # no such customer
        f"{NANA},XK202601100001,某人,child,,{MOTHER},,",  # the policy is someone else's
        f",XK999,某人,child,,{MOTHER},,",  # no such policy
        f",,某人,child,,{MOTHER},,",  # neither
        f"{ZHANG},,某人,child,,{SON[:-1]}0,,",  # check digit
        f"{ZHANG},,某人,child,,{MOTHER},1970-01-01,",  # birth date disagrees
        f"{ZHANG},,张小明,child,,{SON},,",  # same member twice in the file
        f"{ZHANG},,张三,spouse,,{ZHANG},,",  # the customer themself
    )
    report = import_family(database, path)
    assert not report.written and report.bad_rows == 8
    assert [p.describe() for p in report.problems] == [
        "第 3 行 被保险人证件号码 (insured_id_number)：未找到该客户，请先导入客户",
        "第 4 行 保单号 (policy_number)：保单号与被保险人证件号码不是同一人",
        "第 5 行 保单号 (policy_number)：未找到该保单",
        "第 6 行 被保险人证件号码 (insured_id_number)：被保险人证件号码和保单号至少填写一项",
        "第 7 行 证件号码 (id_number)：" + report.problems[4].reason,
        "第 8 行 出生日期 (birth_date)：与证件号码中的出生日期 1968-03-02 不一致",
        "第 9 行 证件号码 (id_number)：与第 2 行重复",
        "第 10 行 证件号码 (id_number)：与客户本人的证件号码相同",
    ]
    assert "校验位不正确" in report.problems[4].reason
    assert _members(database, "张三").keys() == {"李丽"}
    assert [e for e in rows(database, AuditEvent) if e.action == "import"] == []

    skipped = import_family(database, path, skip_bad=True)
    assert skipped.written and (skipped.inserted, skipped.bad_rows) == (1, 8)
    assert _members(database, "张三").keys() == {"李丽", "张小明"}


def test_a_file_without_a_customer_column_imports_nothing(database, tmp_path):
    report = import_family(database, write(tmp_path, f"张小明,child,{SON}", header="name,relation,id_number"),
                           skip_bad=True)
    assert [p.describe() for p in report.problems] == [
        "第 1 行 被保险人证件号码 (insured_id_number)：缺少必需的列（或保单号列）"
    ]
    assert not report.written


def test_desk_import_family_on_the_command_line(callers_url, tmp_path, capsys, monkeypatch):
    sign_in_as(monkeypatch, callers_url, "supervisor01")
    good = write(tmp_path, f"{ZHANG},,张小明,child,,{SON},,")
    assert cli_main(["--db", callers_url, "import", "family", str(good)]) == 0
    assert "新增 1" in capsys.readouterr().out
    bad = write(tmp_path, f"{ZHANG},,张小明,cousin,,{SON},,")
    assert cli_main(["--db", callers_url, "import", "family", str(bad), "--skip-bad"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("第 2 行 与被保险人关系 (relation)：")
    assert "未导入" in captured.out

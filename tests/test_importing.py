"""Importing the policy system's exports: good files, bad rows, encodings, re-imports.

Every test runs on a real, migrated database (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlmodel import select

import desk.use_cases.importing
from db.tables import AuditEvent
from desk.cli.main import main as cli_main
from desk.use_cases.importing import ImportFailed, RowProblem, import_customers, import_policies
from tests.callers import rows
from tests.cli import run, sign_in_as

CUSTOMER_HEADER = "name,id_type,id_number,birth_date,sex,mobile,email,region,address"
POLICY_HEADER = (
    "policy_number,product,insured_id_number,holder_id_number,effective_date,status,"
    "termination_date,illness_list"
)
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def check_digit(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2, written out here so the tests do not trust the code."""
    value = (12 - sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def resident_id(birth: str, sequence: int, region: str = "110101") -> str:
    """A valid 18-digit number; an odd sequence is a man, an even one a woman."""
    first17 = f"{region}{birth.replace('-', '')}{sequence:03d}"
    return first17 + check_digit(first17)


ZHANG = resident_id("1980-05-17", 11)  # 张三, M
LI = resident_id("1992-11-03", 22)  # 李四, F
WANG = resident_id("1975-01-30", 33)  # 王五, M


def customer_line(name: str, number: str, birth: str, sex: str, mobile: str, **extra: str) -> str:
    return ",".join(
        [
            name,
            extra.get("id_type", "resident_id"),
            number,
            birth,
            sex,
            mobile,
            extra.get("email", ""),
            extra.get("region", ""),
            extra.get("address", ""),
        ]
    )


GOOD_CUSTOMERS = [
    customer_line(
        "张三", ZHANG, "1980-05-17", "M", "13812345678", email="zs@example.com", region="北京"
    ),
    customer_line("李四", LI, "1992-11-03", "女", "13987654321"),
    customer_line("王五", WANG, "1975/1/30", "男", "+86 137-0000-1234", address="北京市东城区"),
]


def write_csv(
    tmp_path: Path, lines: list[str], *, name: str = "export.csv", encoding: str = "utf-8"
) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def customer_file(tmp_path: Path, rows: list[str], **kwargs: str) -> Path:
    return write_csv(tmp_path, [CUSTOMER_HEADER, *rows], **kwargs)


def policy_file(tmp_path: Path, rows: list[str], name: str = "policies.csv") -> Path:
    return write_csv(tmp_path, [POLICY_HEADER, *rows], name=name)


def customer(database, id_number: str) -> SimpleNamespace | None:
    """The stored customer as plain values, readable after its unit of work is closed."""
    with database.unit_of_work() as uow:
        row = uow.customers.by_id_number(id_number)
        return None if row is None else SimpleNamespace(**row.model_dump())


def policy(database, number: str) -> SimpleNamespace | None:
    """The stored policy as plain values, with its service periods as (kind, starts, ends)."""
    with database.unit_of_work() as uow:
        row = uow.policies.by_number(number)
        if row is None:
            return None
        periods = [(p.kind, p.starts_on, p.ends_on) for p in uow.service_periods.of_policy(row.id)]
        return SimpleNamespace(**row.model_dump(), periods=periods)


def audit_events(database) -> list[tuple[str, str, dict]]:
    with database.unit_of_work() as uow:
        events = uow.audit.session.exec(select(AuditEvent).order_by(AuditEvent.created_at)).all()
        return [(e.action, e.subject_type, e.detail) for e in events]


def customer_count(database) -> int:
    with database.unit_of_work() as uow:
        return uow.customers.count()


# --- Customers --------------------------------------------------------------------------


def test_a_good_file_imports_every_row_with_its_search_keys(database, tmp_path):
    report = import_customers(database, customer_file(tmp_path, GOOD_CUSTOMERS))

    assert (report.inserted, report.updated, report.bad_rows, report.written) == (3, 0, 0, True)
    assert report.ok
    assert (
        report.summary()
        == "导入完成：新增 3，更新 0，错误行 0 (imported: 3 new, 0 updated, 0 bad rows)"
    )
    zhang = customer(database, ZHANG)
    wang = customer(database, WANG)
    assert zhang is not None and wang is not None
    assert (zhang.name, zhang.birth_date, zhang.sex, zhang.mobile) == (
        "张三",
        date(1980, 5, 17),
        "M",
        "13812345678",
    )
    assert (zhang.email, zhang.region, zhang.needs_update) == ("zs@example.com", "北京", False)
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")
    assert (zhang.id_last4, zhang.id_last6, zhang.mobile_last4) == (ZHANG[-4:], ZHANG[-6:], "5678")
    # Sex words, slash dates and a +86 mobile are stored in their one canonical form.
    assert (wang.sex, wang.birth_date, wang.mobile, wang.mobile_last4) == (
        "M",
        date(1975, 1, 30),
        "13700001234",
        "1234",
    )
    assert audit_events(database) == [
        (
            "import",
            "customers",
            {"file": "export.csv", "inserted": 3, "updated": 0, "bad_rows": 0, "skip_bad": False},
        )
    ]


def test_one_bad_check_digit_imports_nothing_and_names_line_and_field(database, tmp_path):
    wrong = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
    rows = [
        GOOD_CUSTOMERS[1],
        customer_line("张三", wrong, "1980-05-17", "M", "13812345678"),
        GOOD_CUSTOMERS[2],
    ]

    report = import_customers(database, customer_file(tmp_path, rows))

    assert report.problems == [RowProblem(3, "id_number", f"校验位不正确，应为 {ZHANG[17]}")]
    assert (
        report.problems[0].describe()
        == f"第 3 行 证件号码 (id_number)：校验位不正确，应为 {ZHANG[17]}"
    )
    assert (report.inserted, report.bad_rows, report.written, report.ok) == (0, 1, False, False)
    assert report.summary() == (
        "未导入：发现 1 行错误，请修正后重试或使用 --skip-bad (nothing imported: 1 bad rows)"
    )
    assert customer_count(database) == 0
    with database.unit_of_work() as uow:
        assert uow.audit.count() == 0


def test_skip_bad_imports_the_good_rows_only(database, tmp_path):
    wrong = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
    rows = [
        GOOD_CUSTOMERS[1],
        customer_line("张三", wrong, "1980-05-17", "M", "13812345678"),
        GOOD_CUSTOMERS[2],
    ]

    report = import_customers(database, customer_file(tmp_path, rows), skip_bad=True)

    assert (report.inserted, report.bad_rows, report.written, report.ok) == (2, 1, True, False)
    assert [p.line for p in report.problems] == [3]
    assert (
        report.summary()
        == "导入完成：新增 2，更新 0，错误行 1 (imported: 2 new, 0 updated, 1 bad rows)"
    )
    with database.unit_of_work() as uow:
        assert uow.customers.count() == 2
        assert uow.customers.by_id_number(LI) is not None
        assert uow.customers.by_id_number(wrong) is None


def test_every_problem_of_a_row_is_reported(database, tmp_path):
    rows = [customer_line("", LI, "1992-11-03", "X", "12345", email="not-an-address")]

    report = import_customers(database, customer_file(tmp_path, rows), skip_bad=True)

    assert {p.field for p in report.problems} == {"name", "sex", "mobile", "email"}
    assert {p.line for p in report.problems} == {2}
    assert report.bad_rows == 1
    assert not report.written
    assert (
        report.summary()
        == "未导入：全部 1 行有错误，请修正后重试 (nothing imported: all 1 rows are bad)"
    )


def test_a_second_row_for_the_same_id_number_is_a_bad_row(database, tmp_path):
    rows = [*GOOD_CUSTOMERS, customer_line("张叁", ZHANG.lower(), "1980-05-17", "M", "13800000000")]

    report = import_customers(database, customer_file(tmp_path, rows))

    assert report.problems == [RowProblem(5, "id_number", "与第 2 行重复")]
    assert customer_count(database) == 0


def test_birth_date_must_agree_with_the_id_number(database, tmp_path):
    rows = [customer_line("张三", ZHANG, "1980-05-18", "M", "13812345678")]

    report = import_customers(database, customer_file(tmp_path, rows))

    assert report.problems == [
        RowProblem(2, "birth_date", "与证件号码中的出生日期 1980-05-17 不一致")
    ]
    assert customer_count(database) == 0


@pytest.mark.parametrize("skip_bad", [False, True])
def test_a_missing_required_column_imports_nothing_even_with_skip_bad(database, tmp_path, skip_bad):
    header = "name,id_number,birth_date,sex,email"
    path = write_csv(tmp_path, [header, f"张三,{ZHANG},1980-05-17,M,zs@example.com"])

    report = import_customers(database, path, skip_bad=skip_bad)

    assert report.problems == [RowProblem(1, "mobile", "缺少必需的列")]
    assert report.problems[0].describe() == "第 1 行 手机号 (mobile)：缺少必需的列"
    assert (report.bad_rows, report.written) == (0, False)
    assert report.summary().startswith("未导入：文件有误")
    assert customer_count(database) == 0


def test_chinese_headers_in_any_order_and_extra_columns_are_accepted(database, tmp_path):
    path = write_csv(
        tmp_path,
        [
            "手机号, 姓名 ,ID_NUMBER,出生日期,性别,客户经理",
            f"13812345678,张三,{ZHANG},1980-05-17,男,赵六",
        ],
    )

    report = import_customers(database, path)

    assert (report.inserted, report.ok) == (1, True)
    zhang = customer(database, ZHANG)
    assert zhang is not None and (zhang.name, zhang.id_type, zhang.mobile) == (
        "张三",
        "resident_id",
        "13812345678",
    )


def test_a_gb18030_file_is_read(database, tmp_path):
    path = customer_file(tmp_path, GOOD_CUSTOMERS, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    report = import_customers(database, path)

    assert (report.inserted, report.ok) == (3, True)
    assert customer(database, LI).name == "李四"
    assert customer(database, WANG).address == "北京市东城区"


def test_a_file_with_the_excel_byte_order_mark_is_read(database, tmp_path):
    path = customer_file(tmp_path, GOOD_CUSTOMERS, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    report = import_customers(database, path)

    assert (report.inserted, report.ok) == (3, True)
    assert customer(database, ZHANG).name == "张三"


def test_a_file_in_no_known_encoding_is_one_problem_on_line_0(database, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"name,id_number\r\n\xff\xfe\xff\xfa\r\n")

    report = import_customers(database, path, skip_bad=True)

    assert report.problems == [RowProblem(0, "file", "无法识别文件编码，应为 UTF-8 或 GB18030")]
    assert report.problems[0].describe() == "文件 (file)：无法识别文件编码，应为 UTF-8 或 GB18030"
    assert not report.written
    assert customer_count(database) == 0


def test_line_numbers_are_physical_lines(database, tmp_path):
    wrong = LI[:17] + ("0" if LI[17] != "0" else "1")
    rows = [
        customer_line("张三", ZHANG, "1980-05-17", "M", "13812345678", address='"北京市\n东城区"'),
        ",,,,,,,,",
        customer_line("李四", wrong, "1992-11-03", "F", "13987654321"),
    ]

    report = import_customers(database, customer_file(tmp_path, rows))

    # Header 1, Zhang 2-3 (a quoted line break), empty line 4, Li 5.
    assert [(p.line, p.field) for p in report.problems] == [(5, "id_number")]


def test_reimport_updates_instead_of_duplicating(database, tmp_path):
    import_customers(database, customer_file(tmp_path, GOOD_CUSTOMERS, name="first.csv"))
    changed = [
        customer_line("张三丰", ZHANG, "1980-05-17", "M", "13600009999", region="上海"),
        customer_line("赵六", resident_id("2001-02-03", 44), "2001-02-03", "F", "13500001111"),
    ]

    report = import_customers(database, customer_file(tmp_path, changed, name="second.csv"))

    assert (report.inserted, report.updated, report.ok) == (1, 1, True)
    assert customer_count(database) == 4
    assert len(audit_events(database)) == 2
    zhang = customer(database, ZHANG)
    assert (zhang.name, zhang.mobile, zhang.region, zhang.email) == (
        "张三丰",
        "13600009999",
        "上海",
        "",
    )
    assert (zhang.name_pinyin, zhang.name_initials, zhang.mobile_last4) == (
        "zhangsanfeng",
        "zsf",
        "9999",
    )


def test_a_legacy_15_digit_number_is_flagged_and_later_replaced_by_18_digits(database, tmp_path):
    legacy = ZHANG[:6] + ZHANG[8:17]  # 15 digits: 2-digit year, no check digit
    first = import_customers(
        database,
        customer_file(
            tmp_path,
            [customer_line("张三", legacy, "1980-05-17", "M", "13812345678")],
            name="old.csv",
        ),
    )
    assert (first.inserted, first.ok) == (1, True)
    old = customer(database, legacy)
    assert old is not None and old.needs_update and old.id_last4 == legacy[-4:]

    second = import_customers(
        database, customer_file(tmp_path, [GOOD_CUSTOMERS[0]], name="new.csv")
    )

    assert (second.inserted, second.updated) == (0, 1)
    assert customer_count(database) == 1
    new = customer(database, ZHANG)
    assert new is not None and new.id == old.id
    assert (new.needs_update, new.id_last4) == (False, ZHANG[-4:])


def test_large_files_are_written_in_chunks_in_one_transaction(database, tmp_path, monkeypatch):
    monkeypatch.setattr(desk.use_cases.importing, "CHUNK_SIZE", 3)
    people = [resident_id(f"1990-01-{day:02d}", 11) for day in range(1, 11)]
    rows = [
        customer_line(
            f"客户{i}", n, n[6:10] + "-" + n[10:12] + "-" + n[12:14], "M", f"138000000{i:02d}"
        )
        for i, n in enumerate(people)
    ]
    import_customers(database, customer_file(tmp_path, rows[:4], name="a.csv"))

    report = import_customers(database, customer_file(tmp_path, rows, name="b.csv"))

    assert (report.inserted, report.updated) == (6, 4)
    assert customer_count(database) == 10
    assert customer(database, people[9]).name == "客户9"


def _refuse_name(database, name: str) -> str:
    """A trigger that makes the database itself refuse one customer: a failure mid-import."""
    with database.engine.begin() as connection:
        if database.is_embedded:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_name BEFORE INSERT ON customer "
                    f"WHEN NEW.name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_name() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.name = '{name}' THEN RAISE EXCEPTION 'refused by test'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_name BEFORE INSERT ON customer FOR EACH ROW EXECUTE FUNCTION refuse_name()"
                )
            )
    return (
        "DROP TRIGGER refuse_name"
        if database.is_embedded
        else "DROP FUNCTION refuse_name() CASCADE"
    )


def test_a_database_failure_after_the_first_chunk_leaves_nothing_written(
    database, tmp_path, monkeypatch
):
    monkeypatch.setattr(desk.use_cases.importing, "CHUNK_SIZE", 1)
    drop = _refuse_name(database, "王五")
    try:
        with pytest.raises(ImportFailed, match="未写入任何数据"):
            import_customers(database, customer_file(tmp_path, GOOD_CUSTOMERS))
    finally:
        with database.engine.begin() as connection:
            connection.execute(text(drop))
    assert customer_count(database) == 0
    with database.unit_of_work() as uow:
        assert uow.audit.count() == 0


# --- Policies ---------------------------------------------------------------------------


@pytest.fixture
def customers(database, tmp_path):
    report = import_customers(
        database, customer_file(tmp_path, GOOD_CUSTOMERS, name="customers.csv")
    )
    assert report.ok
    return database


def test_a_new_policy_gets_its_initial_service_period(customers, tmp_path):
    rows = [
        f"P2026000001,康宁重疾险,{ZHANG},{LI},2026-01-10,active,,",
        f"P2026000002,康宁重疾险,{WANG},{WANG},2025-03-01,terminated,2025-12-31,industry_2020",
    ]

    report = import_policies(customers, policy_file(tmp_path, rows))

    assert (report.inserted, report.updated, report.ok, report.written) == (2, 0, True, True)
    new = policy(customers, "P2026000001")
    ended = policy(customers, "P2026000002")
    assert (new.insured_id, new.holder_id) == (
        customer(customers, ZHANG).id,
        customer(customers, LI).id,
    )
    assert (new.product, new.status, new.illness_list) == (
        "康宁重疾险",
        "active",
        "industry_2020",
    )
    assert new.periods == [("initial", date(2026, 1, 25), date(2027, 1, 25))]
    assert (ended.status, ended.termination_date) == ("terminated", date(2025, 12, 31))
    assert ended.periods == [("initial", date(2025, 3, 16), date(2026, 3, 16))]
    assert [(action, kind) for action, kind, _ in audit_events(customers)] == [
        ("import", "customers"),
        ("import", "policies"),
    ]


def test_a_policy_for_an_unknown_insured_is_a_bad_row(customers, tmp_path):
    stranger = resident_id("1966-06-06", 55)
    rows = [
        f"P2026000001,康宁重疾险,{ZHANG},{ZHANG},2026-01-10,active,,",
        f"P2026000002,康宁重疾险,{stranger},{ZHANG},2026-01-10,active,,",
    ]

    report = import_policies(customers, policy_file(tmp_path, rows))

    assert report.problems == [RowProblem(3, "insured_id_number", "未找到该客户，请先导入客户")]
    assert (
        report.problems[0].describe()
        == "第 3 行 被保险人证件号码 (insured_id_number)：未找到该客户，请先导入客户"
    )
    assert (report.inserted, report.written) == (0, False)
    with customers.unit_of_work() as uow:
        assert uow.policies.count() == 0
        assert uow.service_periods.count() == 0

    skipped = import_policies(customers, policy_file(tmp_path, rows), skip_bad=True)
    assert (skipped.inserted, skipped.bad_rows, skipped.written) == (1, 1, True)


def test_a_terminated_policy_needs_its_termination_date(customers, tmp_path):
    rows = [f"P2026000001,康宁重疾险,{ZHANG},{ZHANG},2026-01-10,终止,,"]

    report = import_policies(customers, policy_file(tmp_path, rows))

    assert report.problems == [RowProblem(2, "termination_date", "保单状态为终止时必须填写")]
    with customers.unit_of_work() as uow:
        assert uow.policies.count() == 0


def test_an_unknown_illness_list_and_a_duplicate_policy_number_are_bad_rows(customers, tmp_path):
    rows = [
        f"P2026000001,康宁重疾险,{ZHANG},{ZHANG},2026-01-10,active,,",
        f"P2026000002,康宁重疾险,{LI},{LI},2026-01-10,active,,no_such_list",
        f"P2026000001,康宁重疾险,{WANG},{WANG},2026-01-10,active,,",
    ]

    report = import_policies(customers, policy_file(tmp_path, rows))

    assert [(p.line, p.field, p.reason) for p in report.problems] == [
        (3, "illness_list", "没有名为 no_such_list 的重疾列表"),
        (4, "policy_number", "与第 2 行重复"),
    ]
    assert report.bad_rows == 2


def test_reimporting_a_policy_updates_it_and_moves_its_service_period(customers, tmp_path):
    import_policies(
        customers,
        policy_file(
            tmp_path, [f"P2026000001,康宁重疾险,{ZHANG},{ZHANG},2026-01-10,active,,"], name="a.csv"
        ),
    )
    rows = [f"P2026000001,康宁重疾险(升级版),{ZHANG},{LI},2026-02-01,lapsed,2026-06-30,"]

    report = import_policies(customers, policy_file(tmp_path, rows, name="b.csv"))

    assert (report.inserted, report.updated, report.ok) == (0, 1, True)
    with customers.unit_of_work() as uow:
        assert uow.policies.count() == 1
    moved = policy(customers, "P2026000001")
    assert (moved.product, moved.holder_id, moved.status) == (
        "康宁重疾险(升级版)",
        customer(customers, LI).id,
        "lapsed",
    )
    assert (moved.effective_date, moved.termination_date) == (date(2026, 2, 1), date(2026, 6, 30))
    assert moved.periods == [("initial", date(2026, 2, 16), date(2027, 2, 16))]


def test_a_policy_finds_a_customer_stored_with_a_legacy_number(database, tmp_path):
    legacy = ZHANG[:6] + ZHANG[8:17]
    import_customers(
        database,
        customer_file(tmp_path, [customer_line("张三", legacy, "1980-05-17", "M", "13812345678")]),
    )

    report = import_policies(
        database,
        policy_file(tmp_path, [f"P2026000001,康宁重疾险,{ZHANG},{legacy},2026-01-10,active,,"]),
    )

    assert (report.inserted, report.ok) == (1, True)


# --- The command line -------------------------------------------------------------------


def test_the_cli_reports_bad_rows_on_stderr_and_fails(database, database_url, tmp_path, capsys, monkeypatch):
    sign_in_as(monkeypatch, database, "supervisor01")
    wrong = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
    path = customer_file(
        tmp_path,
        [GOOD_CUSTOMERS[1], customer_line("张三", wrong, "1980-05-17", "M", "13812345678")],
    )

    assert cli_main(["--db", database_url, "import", "customers", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err == f"第 3 行 证件号码 (id_number)：校验位不正确，应为 {ZHANG[17]}\n"
    assert out.startswith("未导入：发现 1 行错误")

    assert cli_main(["--db", database_url, "import", "customers", str(path), "--skip-bad"]) == 1
    assert capsys.readouterr().out.startswith("导入完成：新增 1，更新 0，错误行 1")

    # One event per run, each naming the agent: the run that wrote nothing too.
    events = [e for e in rows(database, AuditEvent) if e.action == "import"]
    assert [(e.detail["file"], e.detail.get("written", True), e.detail["bad_rows"]) for e in events] == [
        (path.name, False, 1), (path.name, True, 1)
    ]
    assert {e.agent_id for e in events} == {_agent_id(database, "supervisor01")}


@pytest.mark.parametrize("kind", ["customers", "policies", "requests", "family"])
def test_an_agent_may_not_import_and_the_attempt_is_recorded(
    database, database_url, tmp_path, capsys, monkeypatch, kind
):
    sign_in_as(monkeypatch, database, "agent01", role="agent")
    path = customer_file(tmp_path, GOOD_CUSTOMERS)
    code, out, err = run(capsys, "--db", database_url, "import", kind, str(path))
    # The refusal names the role needed, and nothing of the file is imported.
    assert (code, out, err.strip()) == (2, "", "desk: 导入数据需要主管权限")
    assert customer_count(database) == 0
    (attempt,) = [e for e in rows(database, AuditEvent) if e.action.startswith("import")]
    assert (attempt.action, attempt.agent_id, attempt.detail) == (
        "import_refused", _agent_id(database, "agent01"), {"kind": kind, "file": path.name, "skip_bad": False}
    )


def _agent_id(database, login: str):
    with database.unit_of_work() as uow:
        return uow.agents.by_login(login).id

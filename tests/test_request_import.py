"""Importing the WeChat self-service export: every row through the hotline's rules.

Every test runs on a real, migrated database (SQLite and PostgreSQL) with the fixed cast
of tests/callers.py: 张三 (XK202601100001, service year 2026-01-25 .. 2027-01-24, wife
李丽 on file) and 欧阳娜娜 (escort of this service year already used).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from db.tables import AuditEvent, Policy, Request, RequestStep, ServicePeriod
from desk.cli.main import main as cli_main
from desk.rules.service_period import initial_window
from desk.use_cases.importing import RowProblem
from desk.use_cases.request_import import import_requests
from tests.callers import resident_id, rows
from tests.cli import sign_in_as

HEADER = "id_number,policy_number,service_code,beneficiary,suspected_illness,details,submitted_at"
ZHANG_ID = resident_id("110105", date(1990, 3, 7), "123")
ZHANG_POLICY = "XK202601100001"
OUYANG_POLICY = "XK202602010005"
# No later window was granted: the refusal names the year's last day, not a renewal.
QUOTA_USED_UP = "本服务年度 1 次已用完，服务年度于 2027-01-24 结束"



def write_csv(tmp_path: Path, lines: list[str], name: str = "wechat.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def requests_of(database) -> list[Request]:
    return sorted(rows(database, Request), key=lambda r: (r.submitted_at, r.service_code))


def test_a_good_file_files_every_row_on_the_wechat_channel_with_its_sla_steps(cast, tmp_path):
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,smoking,,,\"{{\"\"city\"\": \"\"北京\"\"}}\",2026-09-28 10:00",
        f",{ZHANG_POLICY},escort,,S01,,2026-09-28T11:30",
        f"{ZHANG_ID},{ZHANG_POLICY},精神心理测评,李丽,,,2026/9/28 12:00",
        f"{ZHANG_ID},,ai_consult,路人甲,,,2026-09-28 13:00",
    ])

    report = import_requests(cast, path)

    assert (report.ok, report.written, report.inserted, report.duplicates) == (True, True, 4, [])
    assert report.summary().startswith("导入完成：新增 4，重复跳过 0，错误行 0")
    smoking, escort, psych, consult = requests_of(cast)
    assert {r.channel for r in (smoking, escort, psych, consult)} == {"wechat"}
    assert {r.created_by for r in (smoking, escort, psych, consult)} == {None}
    assert (smoking.service_code, smoking.state, smoking.details) == ("smoking", "submitted", {"city": "北京"})
    assert (escort.details["suspected_illness"], escort.beneficiary_name) == ("S01", "张三")
    assert (psych.state, psych.beneficiary_name) == ("used", "李丽")
    assert psych.beneficiary_member_id is not None
    assert (consult.beneficiary_name, consult.beneficiary_member_id) == ("路人甲", None)
    steps = {(s.request_id, s.step_code): s.due_at for s in rows(cast, RequestStep)}
    assert steps == {
        (smoking.id, "booking"): datetime(2026, 9, 29, 10, 0),
        (escort.id, "eligibility"): datetime(2026, 9, 29, 11, 30),
    }
    (audit,) = rows(cast, AuditEvent)
    assert (audit.action, audit.detail["file"], audit.detail["inserted"]) == ("import_requests", "wechat.csv", 4)


def test_a_row_refused_by_quota_is_reported_and_nothing_in_the_file_is_written(cast, tmp_path):
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,escort,,S01,,2026-09-28 10:00",
        f"{ZHANG_ID},,smoking,,,,2026-09-28 10:05",
        f"{ZHANG_ID},,escort,,S02,,2026-10-09 15:00",  # the year's one escort is held by line 2
        f",{OUYANG_POLICY},escort,,S01,,2026-09-28 10:00",  # already used this year
    ])

    report = import_requests(cast, path)

    assert report.problems == [
        RowProblem(4, "service_code", QUOTA_USED_UP),
        RowProblem(5, "service_code", "本服务年度 1 次已用完，服务年度于 2027-02-15 结束"),
    ]
    assert report.problems[0].describe() == f"第 4 行 服务代码 (service_code)：{QUOTA_USED_UP}"
    assert (report.written, report.inserted, report.bad_rows) == (False, 0, 2)
    assert report.summary().startswith("未导入：发现 2 行错误")
    assert rows(cast, Request) == []
    assert rows(cast, RequestStep) == []
    assert rows(cast, AuditEvent) == []


def test_skip_bad_files_the_good_rows_and_leaves_no_trace_of_the_refused_ones(cast, tmp_path):
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,escort,,S01,,2026-09-28 10:00",
        f"{ZHANG_ID},,escort,,S02,,2026-10-09 15:00",
        f"{ZHANG_ID},,smoking,,,,2026-10-09 15:05",
    ])

    report = import_requests(cast, path, skip_bad=True)

    assert report.problems == [RowProblem(3, "service_code", QUOTA_USED_UP)]
    assert (report.written, report.inserted, report.bad_rows) == (True, 2, 1)
    assert [(r.service_code, r.submitted_at) for r in requests_of(cast)] == [
        ("escort", datetime(2026, 9, 28, 10, 0)),
        ("smoking", datetime(2026, 10, 9, 15, 5)),
    ]
    assert len(rows(cast, RequestStep)) == 2
    (audit,) = rows(cast, AuditEvent)
    assert (audit.detail["inserted"], audit.detail["bad_rows"], audit.detail["skip_bad"]) == (2, 1, True)


def test_a_family_member_on_file_may_use_a_family_service_and_anyone_else_may_not(cast, tmp_path):
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,smoking,李丽,,,2026-09-28 10:00",  # the wife, on file
        f"{ZHANG_ID},,smoking,王小明,,,2026-09-28 10:10",  # not on file
        f"{ZHANG_ID},,escort,李丽,S01,,2026-09-28 10:20",  # insured only
        f"{ZHANG_ID},,smoking,张三,,,2026-09-28 10:30",  # the insured by name
    ])

    report = import_requests(cast, path, skip_bad=True)

    assert report.problems == [
        RowProblem(3, "service_code", "本服务限被保险人本人及其直系亲属使用"),
        RowProblem(4, "service_code", "本服务仅限被保险人本人使用"),
    ]
    wife, insured = requests_of(cast)
    assert (wife.beneficiary_name, insured.beneficiary_name) == ("李丽", "张三")
    assert wife.beneficiary_member_id is not None and insured.beneficiary_member_id is None


def test_rows_that_cannot_be_read_are_reported_by_column_and_block_the_file(cast, tmp_path):
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,smoking,,,,2026-09-28 10:00",
        f"{ZHANG_ID},,smoking,,,{{city: 北京}},2026-09-28 10:05",
        f"{ZHANG_ID},,massage,,,,2026-09-28 10:10",
        f"{ZHANG_ID},,smoking,,,,",
        f"{ZHANG_ID},,smoking,,,[1],2026-09-28",
        ",,smoking,,,,2026-09-28 10:20",
    ])

    report = import_requests(cast, path)

    assert [(p.line, p.field) for p in report.problems] == [
        (3, "details"),
        (4, "service_code"),
        (5, "submitted_at"),
        (6, "details"),
        (6, "submitted_at"),
        (7, "id_number"),
    ]
    reasons = {(p.line, p.field): p.reason for p in report.problems}
    assert reasons[(3, "details")].startswith("不是有效的 JSON")
    assert reasons[(4, "service_code")] == "未知的服务：massage"
    assert reasons[(5, "submitted_at")] == "不能为空"
    assert reasons[(6, "details")] == '应为 JSON 对象，例如 {"city": "北京"}'
    assert reasons[(6, "submitted_at")] == "2026-09-28 不是有效时间，格式应为 YYYY-MM-DD HH:MM"
    assert reasons[(7, "id_number")] == "证件号码和保单号至少填写一项"
    assert (report.written, report.bad_rows) == (False, 5)
    assert rows(cast, Request) == []

    assert import_requests(cast, path, skip_bad=True).inserted == 1
    assert len(rows(cast, Request)) == 1


def test_a_file_without_a_column_naming_the_customer_imports_nothing(cast, tmp_path):
    path = tmp_path / "no_customer.csv"
    path.write_text("service_code,submitted_at\nsmoking,2026-09-28 10:00\n", encoding="utf-8")

    report = import_requests(cast, path, skip_bad=True)

    assert report.problems == [RowProblem(1, "id_number", "缺少必需的列（或保单号列）")]
    assert rows(cast, Request) == []


def test_unknown_customers_and_policies_and_a_mismatch_are_bad_rows(cast, tmp_path):
    stranger = resident_id("110105", date(1970, 1, 1), "011")
    li_id = resident_id("310104", date(1985, 12, 24), "002")
    path = write_csv(tmp_path, [
        f"{stranger},,smoking,,,,2026-09-28 10:00",
        ",XK000000000000,smoking,,,,2026-09-28 10:00",
        f"{li_id},{ZHANG_POLICY},smoking,,,,2026-09-28 10:00",
    ])

    report = import_requests(cast, path)

    assert report.problems == [
        RowProblem(2, "id_number", "未找到该客户"),
        RowProblem(3, "policy_number", "未找到该保单"),
        RowProblem(4, "policy_number", "保单号与证件号码不是同一被保险人"),
    ]
    assert report.summary().startswith("未导入：全部 3 行有错误")


def test_a_customer_with_several_policies_gets_the_one_open_at_the_submitted_time(cast, tmp_path):
    with cast.unit_of_work() as uow:
        zhang = uow.customers.by_id_number(ZHANG_ID)
        later = uow.policies.add(Policy(policy_number="XK202701200009", product="小康康卫士重大疾病保险",
                                        insured_id=zhang.id, holder_id=zhang.id,
                                        effective_date=date(2027, 1, 20)))
        window = initial_window(later.effective_date)
        uow.service_periods.add(ServicePeriod(policy_id=later.id, starts_on=window.starts_on,
                                              ends_on=window.ends_on))
        uow.commit()
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,smoking,,,,2026-09-28 10:00",  # the first policy's year
        f"{ZHANG_ID},,smoking,,,,2027-03-01 10:00",  # the second policy's year
        f"{ZHANG_ID},,smoking,,,,2026-01-01 10:00",  # neither: the agent must ask which
    ])

    report = import_requests(cast, path, skip_bad=True)

    assert report.problems == [RowProblem(4, "policy_number", "该客户有多张保单，请填写保单号")]
    first, second = requests_of(cast)
    assert second.policy_id == later.id and first.policy_id != later.id


def test_reimporting_a_file_skips_what_was_filed_and_a_repeated_row(cast, tmp_path):
    path = write_csv(tmp_path, [
        f"{ZHANG_ID},,smoking,,,,2026-09-28 10:00",
        f",{ZHANG_POLICY},smoking,张三,,,2026-09-28 10:00",  # the same request, said otherwise
        f"{ZHANG_ID},,smoking,李丽,,,2026-09-28 10:00",
    ])

    first = import_requests(cast, path)
    assert (first.ok, first.inserted) == (True, 2)
    assert first.duplicates == [RowProblem(3, "row", "重复的申请（与第 2 行相同），已跳过")]

    again = import_requests(cast, path)

    assert (again.ok, again.written, again.inserted) == (True, True, 0)
    assert [(d.line, d.reason) for d in again.duplicates] == [
        (2, "重复的申请（此前已导入），已跳过"),
        (3, "重复的申请（与第 2 行相同），已跳过"),
        (4, "重复的申请（此前已导入），已跳过"),
    ]
    assert again.summary().startswith("导入完成：新增 0，重复跳过 3，错误行 0")
    assert len(rows(cast, Request)) == 2


def test_the_cli_exits_0_when_all_is_well_and_1_with_problems_on_stderr(
    database_url, cast, tmp_path, capsys, monkeypatch
):
    sign_in_as(monkeypatch, cast, "supervisor01")
    good = write_csv(tmp_path, [f"{ZHANG_ID},,smoking,,,,2026-09-28 10:00"], name="good.csv")
    assert cli_main(["--db", database_url, "import", "requests", str(good)]) == 0
    out, err = capsys.readouterr()
    assert (out.startswith("导入完成：新增 1，重复跳过 0，错误行 0"), err) == (True, "")

    bad = write_csv(tmp_path, [
        f"{ZHANG_ID},,escort,,S01,,2026-09-28 10:00",
        f"{ZHANG_ID},,escort,,S01,,2026-10-09 10:00",
        f"{ZHANG_ID},,smoking,,,,2026-09-28 10:00",
    ], name="bad.csv")
    assert cli_main(["--db", database_url, "import", "requests", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"第 3 行 服务代码 (service_code)：{QUOTA_USED_UP}",
        "第 4 行 整行 (row)：重复的申请（此前已导入），已跳过",
    ]
    assert out.startswith("未导入：发现 1 行错误")

    assert cli_main(["--db", database_url, "import", "requests", str(bad), "--skip-bad"]) == 1
    assert capsys.readouterr().out.startswith("导入完成：新增 1，重复跳过 1，错误行 1")
    assert len(rows(cast, Request)) == 2

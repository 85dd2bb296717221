"""A request's details: one rule, whatever the channel (form, WeChat import, filing itself).

The rule cases are plain worked examples; the channel cases feed the same bad details
through the hotline form and through ``desk import requests`` on a real database, and both
must refuse them on the same field.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from db.tables import Policy, Request
from desk.forms.request_forms import FormContext, read_form
from desk.rules.request_details import check_details
from desk.use_cases.request_import import import_requests
from desk.use_cases.requests import DetailsRefused, NewRequest, file_request
from tests.callers import resident_id, rows

TODAY = date(2026, 9, 28)
ZHANG_ID = resident_id("110105", date(1990, 3, 7), "123")
ZHANG_POLICY = "XK202601100001"  # service year 2026-01-25 .. 2027-01-24

ADMISSION = {"kind": "surgery", "hospital": "北京肿瘤医院", "diagnosis_ref": "ZD-1", "admission_slip_ref": "ZY-2"}
REMINDER = {"drug": "阿司匹林肠溶片", "dose": "每次1片", "times": "08:00", "channel": "sms"}


def fields(problems) -> set[str]:
    return {problem.field for problem in problems}


# --- The rule, on worked cases --------------------------------------------------------------


def test_complete_details_pass():
    assert check_details("admission", ADMISSION, today=TODAY) == []
    assert check_details("med_reminder", REMINDER, today=TODAY) == []
    assert check_details("escort", {"preferred_dates": ["2026-09-28", "2026-10-09"]}, today=TODAY) == []


@pytest.mark.parametrize("kind", [
    ["hospitalisation", "surgery"], "hospitalisation,surgery", "住院和手术", "住院安排、手术安排",
])
def test_admission_is_hospitalisation_or_surgery_never_both(kind):
    [problem] = check_details("admission", {**ADMISSION, "kind": kind}, today=TODAY)
    assert (problem.field, problem.message) == ("kind", "申请项目：住院安排与手术安排只能二选一")


def test_both_flags_set_is_both():
    details = {**ADMISSION, "kind": "", "hospitalisation": True, "surgery": True}
    assert fields(check_details("admission", details, today=TODAY)) == {"kind"}


def test_admission_needs_the_diagnosis_certificate_and_the_admission_slip():
    problems = check_details("admission", {"kind": "surgery"}, today=TODAY)
    assert fields(problems) == {"diagnosis_ref", "admission_slip_ref"}
    assert "诊断证明" in problems[0].message


@pytest.mark.parametrize("channel", [["sms", "voice"], "sms voice", "短信,电话"])
def test_reminders_go_by_sms_or_voice_never_both(channel):
    [problem] = check_details("med_reminder", {**REMINDER, "channel": channel}, today=TODAY)
    assert (problem.field, problem.message) == ("channel", "提醒方式：短信与电话语音只能二选一")


def test_a_reminder_without_a_channel_is_refused():
    assert fields(check_details("med_reminder", {**REMINDER, "channel": ""}, today=TODAY)) == {"channel"}


def test_wanted_dates_are_not_in_the_past_nor_after_the_service_year():
    past = check_details("smoking", {"preferred_date": "2026-09-27"}, today=TODAY)
    assert [p.message for p in past] == ["期望就诊日期：不能早于今天 2026-09-28"]
    late = check_details("escort", {"preferred_dates": "2027-01-25"}, today=TODAY,
                         service_year_ends=date(2027, 1, 24))
    assert [p.message for p in late] == ["期望就诊日期：2027-01-25 晚于服务年度最后一天 2027-01-24"]
    assert check_details("escort", {"preferred_dates": "2027-01-24"}, today=TODAY,
                         service_year_ends=date(2027, 1, 24)) == []


def test_times_inside_details_must_read_as_times():
    assert fields(check_details("escort", {"visit_at": "next tuesday"}, today=TODAY)) == {"visit_at"}
    assert fields(check_details("escort", {"meeting_time": "25:00"}, today=TODAY)) == {"meeting_time"}
    assert check_details("escort", {"visit_at": "2026-10-09 09:30"}, today=TODAY) == []


def test_other_clinic_needs_what_the_customer_wants():
    details = {"city": "北京", "hospital": "other", "other_requirement": ""}
    assert fields(check_details("smoking", details, today=TODAY)) == {"other_requirement"}


# --- Every channel refuses the same details ------------------------------------------------

CONTEXT = FormContext(today=TODAY, insured_name="张三", illnesses=(("S01", "恶性肿瘤——重度"),))
FORM_GOOD = {
    "admission": {**ADMISSION, "suspected_illness": "S01"},
    "med_reminder": {"user_name": "", **REMINDER},
}
# (service, what the customer asked, the field both channels must name)
BAD = [
    ("admission", {"kind": ["hospitalisation", "surgery"]}, "kind"),
    ("admission", {"diagnosis_ref": ""}, "diagnosis_ref"),
    ("admission", {"admission_slip_ref": ""}, "admission_slip_ref"),
    ("med_reminder", {"channel": ["sms", "voice"]}, "channel"),
]


@pytest.mark.parametrize(("code", "bad", "field"), BAD)
def test_the_form_refuses_it(code, bad, field):
    result = read_form(code, {**FORM_GOOD[code], **bad}, CONTEXT)
    assert isinstance(result, list) and field in fields(result)



def _import(database, tmp_path: Path, code: str, details: dict, illness: str = "") -> list:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id_number", "service_code", "suspected_illness", "details", "submitted_at"])
    writer.writerow([ZHANG_ID, code, illness, json.dumps(details, ensure_ascii=False), "2026-09-28 10:00"])
    path = tmp_path / "wechat.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = import_requests(database, path)
    assert not report.written and rows(database, Request) == []
    return report.problems


@pytest.mark.parametrize(("code", "bad", "field"), BAD)
def test_the_wechat_import_refuses_it_too(cast, tmp_path, code, bad, field):
    details = {**(ADMISSION if code == "admission" else REMINDER), **bad}
    problems = _import(cast, tmp_path, code, details, illness="S01" if code == "admission" else "")
    assert [(p.line, p.field) for p in problems] == [(2, "details")]
    # The same rule said it: the import reports the rule's own words for that field.
    expected = {p.message for p in check_details(code, details, today=TODAY) if p.field == field}
    assert problems[0].reason in expected


def test_an_unmovable_visit_time_is_refused_at_import(cast, tmp_path):
    problems = _import(cast, tmp_path, "smoking", {"city": "北京", "visit_at": "next tuesday"})
    assert [p.field for p in problems] == ["details"] and "就诊时间" in problems[0].reason


def test_filing_itself_refuses_it_whatever_called_it(cast):
    with cast.unit_of_work() as uow:
        policy = next(p for p in rows(cast, Policy) if p.policy_number == ZHANG_POLICY)
        new = NewRequest(policy.id, "admission", details={**ADMISSION, "kind": "hospitalisation,surgery"},
                         suspected_illness="S01")
        with pytest.raises(DetailsRefused) as refused:
            file_request(uow, new, agent_id=None, at=datetime(2026, 9, 28, 10))
    assert fields(refused.value.problems) == {"kind"}
    assert rows(cast, Request) == []


def test_the_form_knows_the_service_year_and_refuses_a_date_after_it(cast):
    from dataclasses import replace

    from desk.use_cases.form_context import load_form_context

    with cast.unit_of_work() as uow:
        policy = next(p for p in rows(cast, Policy) if p.policy_number == ZHANG_POLICY)
        context = load_form_context(uow, policy.id, TODAY)
    assert context.service_year_ends == date(2027, 1, 24)
    escort = {"suspected_illness": "S01", "hospital": "北京协和医院", "department": "心内科",
              "preferred_dates": "2027-01-25", "meeting_time": "09:00"}
    result = read_form("escort", escort, replace(CONTEXT, service_year_ends=context.service_year_ends))
    assert isinstance(result, list) and fields(result) == {"preferred_dates"}
    assert "晚于服务年度最后一天 2027-01-24" in result[0].message

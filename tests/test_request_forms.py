"""Each benefit's form: what it asks, what it refuses, what it files."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from desk.forms.request_forms import FORMS, INSURED, FormContext, FormResult, read_form
from desk.rules.catalogue import SERVICE_CODES

SPOUSE = uuid.UUID(int=7)
CONTEXT = FormContext(
    today=date(2026, 11, 24),
    insured_name="张三",
    family=((SPOUSE, "李丽", "配偶"),),
    illnesses=(("S01", "恶性肿瘤——重度"), ("S02", "较重急性心肌梗死")),
    clinics={"北京": ("中日友好医院", "北京大学第一医院"), "上海": ("复旦大学附属中山医院",)},
)

GOOD = {
    "escort": {"suspected_illness": "S02", "hospital": "北京协和医院", "department": "心内科",
               "preferred_dates": "2026-12-01，2026-12-03", "meeting_time": "8:30"},
    "admission": {"kind": "surgery", "suspected_illness": "S01", "hospital": "北京肿瘤医院",
                  "diagnosis_ref": "ZD-2026-001", "admission_slip_ref": "ZY-778"},
    "psych": {"beneficiary": str(SPOUSE), "scales": ["anxiety", "sleep"]},
    "smoking": {"beneficiary": INSURED, "city": "北京", "hospital": "中日友好医院", "other_requirement": "",
                "preferred_date": "2026-12-02"},
    "advance_claim": {"diagnosis": "肺癌", "hospital": "北京肿瘤医院", "materials": ["claim_form", "diagnosis"]},
    "med_reminder": {"user_name": "", "drug": "阿司匹林肠溶片", "dose": "每次1片", "times": "08:00 20:00",
                     "channel": "sms"},
    "pharmacy": {"user_name": "王五", "note": "购买降压药"},
    "news": {"user_name": "", "note": ""},
    "lectures": {"user_name": "", "note": "糖尿病讲座"},
    "ai_consult": {"user_name": "", "note": "头痛"},
}


def test_every_benefit_has_a_form():
    assert set(FORMS) == set(SERVICE_CODES)


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_a_filled_form_reads_into_a_request(code):
    assert isinstance(read_form(code, GOOD[code], CONTEXT), FormResult)


def test_escort_details_and_illness():
    result = read_form("escort", GOOD["escort"], CONTEXT)
    assert result.suspected_illness == "S02"
    assert result.details == {"hospital": "北京协和医院", "department": "心内科",
                              "preferred_dates": ["2026-12-01", "2026-12-03"], "meeting_time": "08:30"}
    assert (result.beneficiary_member_id, result.beneficiary_name) == (None, "张三")


def test_a_family_member_is_the_beneficiary_by_id():
    result = read_form("psych", GOOD["psych"], CONTEXT)
    assert (result.beneficiary_member_id, result.beneficiary_name) == (SPOUSE, "李丽")


def problems(code, **changes):
    result = read_form(code, {**GOOD[code], **changes}, CONTEXT)
    assert isinstance(result, list), result
    return {p.field: p.message for p in result}


@pytest.mark.parametrize(
    ("code", "changes", "field", "words"),
    [
        ("escort", {"hospital": ""}, "hospital", "医院：必填"),
        ("escort", {"meeting_time": "25:00"}, "meeting_time", "HH:MM"),
        ("escort", {"preferred_dates": "2026-11-01"}, "", "不能早于今天"),
        ("escort", {"preferred_dates": "明天"}, "preferred_dates", "YYYY-MM-DD"),
        ("escort", {"suspected_illness": "S99"}, "suspected_illness", "请从列表中选择"),
        ("admission", {"kind": ""}, "kind", "必填"),
        ("admission", {"kind": "both"}, "kind", "请从列表中选择"),
        ("admission", {"admission_slip_ref": ""}, "admission_slip_ref", "住院单编号：必填"),
        ("psych", {"scales": []}, "scales", "测评量表：必填"),
        ("psych", {"beneficiary": str(uuid.UUID(int=9))}, "beneficiary", "请从列表中选择"),
        ("smoking", {"hospital": "other"}, "other_requirement", "必须填写挂号需求"),
        ("smoking", {"city": "上海", "hospital": "中日友好医院"}, "hospital", "请从列表中选择"),
        ("smoking", {"preferred_date": "2026-02-30"}, "preferred_date", "不是有效日期"),
        ("med_reminder", {"channel": "both"}, "channel", "请从列表中选择"),
        ("med_reminder", {"channel": ""}, "channel", "提醒方式（二选一）：必填"),
        ("med_reminder", {"times": "8点"}, "times", "HH:MM"),
        ("advance_claim", {"diagnosis": " "}, "diagnosis", "必填"),
    ],
)
def test_each_validation_error_names_its_field(code, changes, field, words):
    found = problems(code, **changes)
    key = field if field else next(iter(found))
    assert words in found[key], found


def test_other_clinic_with_a_requirement_is_fine():
    result = read_form("smoking", {**GOOD["smoking"], "hospital": "other", "other_requirement": "首选北京医院戒烟门诊"}, CONTEXT)
    assert result.details["hospital"] == "other"

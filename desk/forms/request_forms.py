"""The request form of each benefit: its fields, and the rules that check what was typed.

A form is data (``FORMS``): which fields a service needs, in order, with labels and
kinds; the screens build their widgets from it. ``read_form`` checks the typed values
with a pydantic model per service and returns either the request to file or one
problem per field, each in Chinese and naming the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    field_validator,
)

from desk.rules.request_details import (
    OTHER_CLINIC,
    check_details,
    detail_items,
    parse_detail_date,
    parse_detail_time,
)
from desk.rules.validation import FieldProblem, problems_of

INSURED = "insured"  # the beneficiary choice meaning the insured person


class FieldKind(StrEnum):
    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD
    DATES = "dates"  # one or more dates, comma separated
    TIMES = "times"  # one or more HH:MM, comma separated
    TIME = "time"  # HH:MM
    CHOICE = "choice"  # exactly one of fixed choices
    MULTI = "multi"  # any number of fixed choices
    BENEFICIARY = "beneficiary"  # the insured or a family member on file
    ILLNESS = "illness"  # one illness of the policy's list
    CITY = "city"  # a city of the clinic list
    CLINIC = "clinic"  # a hospital of the clinic list in the chosen city, or "other"


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE and MULTI
    placeholder: str = ""


PSYCH_SCALES = (
    ("anxiety", "焦虑"),
    ("depression", "抑郁"),
    ("stress", "心理压力"),
    ("burnout", "职业倦怠"),
    ("sleep", "睡眠质量"),
    ("coping", "简易应对方式"),
    ("social_support", "社会支持系统"),
    ("ptsd", "创伤后应激障碍"),
)
CLAIM_MATERIALS = (
    ("claim_form", "理赔申请书"),
    ("identity", "身份证明"),
    ("diagnosis", "诊断证明"),
    ("records", "病历资料"),
    ("pathology", "病理/检查报告"),
    ("bank_account", "银行账户信息"),
)
ADMISSION_KINDS = (("hospitalisation", "住院安排"), ("surgery", "手术安排"))
REMINDER_CHANNELS = (("sms", "短信提醒"), ("voice", "电话语音提醒"))

_NOTE = FormField("note", "使用说明", FieldKind.TEXT, required=False, placeholder="客户咨询或使用的内容")
_USER = FormField("user_name", "使用人", FieldKind.TEXT, required=False, placeholder="留空为被保险人本人")

FORMS: dict[str, tuple[FormField, ...]] = {
    "escort": (
        FormField("suspected_illness", "疑似重疾", FieldKind.ILLNESS),
        FormField("hospital", "医院", FieldKind.TEXT, placeholder="三甲医院名称（可指定医院，不可指定专家）"),
        FormField("department", "科室", FieldKind.TEXT),
        FormField("preferred_dates", "期望就诊日期", FieldKind.DATES, placeholder="YYYY-MM-DD, YYYY-MM-DD"),
        FormField("meeting_time", "约定见面时间", FieldKind.TIME, placeholder="HH:MM"),
    ),
    "admission": (
        FormField("kind", "申请项目（二选一）", FieldKind.CHOICE, choices=ADMISSION_KINDS),
        FormField("suspected_illness", "疑似重疾", FieldKind.ILLNESS),
        FormField("hospital", "医院", FieldKind.TEXT),
        FormField("diagnosis_ref", "诊断证明编号", FieldKind.TEXT),
        FormField("admission_slip_ref", "住院单编号", FieldKind.TEXT),
    ),
    "psych": (
        FormField("beneficiary", "使用人", FieldKind.BENEFICIARY),
        FormField("scales", "测评量表", FieldKind.MULTI, choices=PSYCH_SCALES),
    ),
    "smoking": (
        FormField("beneficiary", "就诊人", FieldKind.BENEFICIARY),
        FormField("city", "城市", FieldKind.CITY),
        FormField("hospital", "医院", FieldKind.CLINIC),
        FormField("other_requirement", "其他要求", FieldKind.TEXT, required=False,
                  placeholder="医院不在清单中时，填写真实挂号需求"),
        FormField("preferred_date", "期望就诊日期", FieldKind.DATE, placeholder="YYYY-MM-DD"),
    ),
    "advance_claim": (
        FormField("diagnosis", "确诊疾病", FieldKind.TEXT),
        FormField("hospital", "确诊医院", FieldKind.TEXT),
        FormField("materials", "已收材料", FieldKind.MULTI, required=False, choices=CLAIM_MATERIALS),
    ),
    "med_reminder": (
        _USER,
        FormField("drug", "药品", FieldKind.TEXT),
        FormField("dose", "剂量", FieldKind.TEXT, placeholder="如 每次1片"),
        FormField("times", "提醒时间", FieldKind.TIMES, placeholder="08:00, 20:00"),
        FormField("channel", "提醒方式（二选一）", FieldKind.CHOICE, choices=REMINDER_CHANNELS),
    ),
    "pharmacy": (_USER, _NOTE),
    "news": (_USER, _NOTE),
    "lectures": (_USER, _NOTE),
    "ai_consult": (_USER, _NOTE),
}


@dataclass(frozen=True, slots=True)
class FormContext:
    """The choices a form offers that come from the database."""

    today: date
    insured_name: str
    family: tuple[tuple[uuid.UUID, str, str], ...] = ()  # (member id, name, relation label)
    illnesses: tuple[tuple[str, str], ...] = ()  # (code, name)
    clinics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # city -> hospitals
    service_year_ends: date | None = None  # the last day a customer may ask a visit for


@dataclass(frozen=True, slots=True)
class FormResult:
    details: dict[str, Any]
    suspected_illness: str | None
    beneficiary_member_id: uuid.UUID | None
    beneficiary_name: str


def choices_for(form_field: FormField, context: FormContext, values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The options of a choice field; a clinic list depends on the city already chosen."""
    match form_field.kind:
        case FieldKind.BENEFICIARY:
            insured = (INSURED, f"{context.insured_name}（被保险人本人）")
            return (insured, *((str(m), f"{name}（{relation}）") for m, name, relation in context.family))
        case FieldKind.ILLNESS:
            return tuple((code, f"{code} {name}") for code, name in context.illnesses)
        case FieldKind.CITY:
            return tuple((city, city) for city in context.clinics)
        case FieldKind.CLINIC:
            hospitals = context.clinics.get(str(values.get("city") or ""), ())
            return (*((h, h) for h in hospitals), (OTHER_CLINIC, "其他（在“其他要求”中说明）"))
        case _:
            return form_field.choices


# --- the models -----------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text(value: Any) -> str:
    return str(value or "").strip()


class ServiceForm(BaseModel):
    """What every form shares; each service adds its fields and their checks."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")
    code: ClassVar[str]


class EscortForm(ServiceForm):
    code = "escort"
    suspected_illness: str
    hospital: str
    department: str
    preferred_dates: list[date]
    meeting_time: str
    today: date

    @field_validator("preferred_dates", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return [parse_detail_date("期望就诊日期", item) for item in detail_items(value)] if isinstance(value, str) else value

    @field_validator("meeting_time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str:
        return parse_detail_time("约定见面时间", _text(value))


class AdmissionForm(ServiceForm):
    code = "admission"
    # One of two: the rule (desk.rules.request_details) says so, in every channel.
    kind: str | list[str]
    suspected_illness: str
    hospital: str
    diagnosis_ref: str
    admission_slip_ref: str


class PsychForm(ServiceForm):
    code = "psych"
    beneficiary: str
    scales: list[str]


class SmokingForm(ServiceForm):
    code = "smoking"
    beneficiary: str
    city: str
    hospital: str
    other_requirement: str = ""
    preferred_date: date
    today: date

    @field_validator("preferred_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return parse_detail_date("期望就诊日期", _text(value)) if isinstance(value, str) else value


class ClaimForm(ServiceForm):
    code = "advance_claim"
    diagnosis: str
    hospital: str
    materials: list[str] = []


class ReminderForm(ServiceForm):
    code = "med_reminder"
    user_name: str = ""
    drug: str
    dose: str
    times: list[str]
    channel: str | list[str]  # one of two, as for the admission's kind

    @field_validator("times", mode="before")
    @classmethod
    def _times(cls, value: Any) -> Any:
        return [parse_detail_time("提醒时间", item) for item in detail_items(value)] if isinstance(value, str) else value


class LoggedUseForm(ServiceForm):
    code = "news"
    user_name: str = ""
    note: str = ""


MODELS: dict[str, type[ServiceForm]] = {
    "escort": EscortForm,
    "admission": AdmissionForm,
    "psych": PsychForm,
    "smoking": SmokingForm,
    "advance_claim": ClaimForm,
    "med_reminder": ReminderForm,
}


def _model(code: str) -> type[ServiceForm]:
    if code in MODELS:
        return MODELS[code]
    # The logged-use services share one form; the class only needs its code for the
    # required-field check.
    return type(f"LoggedUse_{code}", (LoggedUseForm,), {"code": code})


def read_form(code: str, values: Mapping[str, Any], context: FormContext) -> FormResult | list[FieldProblem]:
    """The request the form describes, or what is wrong with it, field by field.

    Every field is checked on its own first, so the agent sees all that is wrong at
    once; the rules of a request's details (``check_details``: dates not in the past,
    one of two, "other" needs a requirement) run once each field reads.
    """
    model_class = _model(code)
    raw = {**values, "today": context.today}
    problems = _choice_problems(code, values, context)
    problems += _each_field_problems(model_class, code, raw, {p.field for p in problems})
    if problems:
        return problems
    try:
        model = model_class.model_validate(raw)
    except ValidationError as error:
        return _field_problems(error)
    details = model.model_dump(mode="json", exclude={"today", "beneficiary", "suspected_illness", "user_name"})
    # The rules every channel obeys; the form's own checks above only read what was typed.
    rule_problems = check_details(code, details, today=context.today, service_year_ends=context.service_year_ends)
    if rule_problems:
        return rule_problems
    member_id: uuid.UUID | None = None
    name = context.insured_name
    beneficiary = getattr(model, "beneficiary", INSURED)
    if beneficiary != INSURED:
        member_id = uuid.UUID(beneficiary)
        name = next((n for m, n, _ in context.family if str(m) == beneficiary), "")
    user_name = getattr(model, "user_name", "")
    if user_name:
        name = user_name
    return FormResult(details, getattr(model, "suspected_illness", None), member_id, name)


def _each_field_problems(
    model_class: type[ServiceForm], code: str, raw: Mapping[str, Any], known: set[str]
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    draft = model_class.model_construct()
    for form_field in FORMS[code]:
        if form_field.name in known:
            continue
        value = raw.get(form_field.name)
        if _blank(value):
            if form_field.required:
                problems.append(FieldProblem(form_field.name, f"{form_field.label}：必填"))
            continue
        try:
            model_class.__pydantic_validator__.validate_assignment(
                draft, form_field.name, value
            )
        except ValidationError as error:
            problems.extend(_field_problems(error))
    return problems


def _field_problems(error: ValidationError) -> list[FieldProblem]:
    return problems_of(error)


def _choice_problems(code: str, values: Mapping[str, Any], context: FormContext) -> list[FieldProblem]:
    """A chosen value must be one the form offered (a stale draft may hold an old one)."""
    problems = []
    for form_field in FORMS[code]:
        value = values.get(form_field.name)
        if not value or form_field.kind in (FieldKind.TEXT, FieldKind.DATE, FieldKind.DATES,
                                            FieldKind.TIME, FieldKind.TIMES):
            continue
        offered = {v for v, _ in choices_for(form_field, context, values)}
        chosen = value if isinstance(value, list) else [value]
        if any(str(item) not in offered for item in chosen):
            problems.append(FieldProblem(form_field.name, f"{form_field.label}：请从列表中选择"))
    return problems


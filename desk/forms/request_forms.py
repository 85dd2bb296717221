"""The request form of each benefit: its fields, and the rules that check what was typed.

A form is data (``FORMS``): which fields a service needs, in order, with labels and
kinds; the screens build their widgets from it. ``read_form`` checks the typed values
with a pydantic model per service and returns either the request to file or one
problem per field, each naming the field. Labels, placeholders and choices are text
catalogue keys (desk.texts.labels), read in the screens' language when asked for.
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

from desk.rules.free_text import checked_name, checked_text
from desk.rules.request_details import (
    MULTI_LINE_DETAILS,
    OTHER_CLINIC,
    check_details,
    detail_items,
    parse_detail_date,
    parse_detail_time,
)
from desk.rules.validation import FieldProblem, problems_of
from desk.texts.labels import t

INSURED = "insured"  # the beneficiary choice meaning the insured person
# Fields whose text is a person's name: control characters are refused, not dropped.
NAME_FIELDS = frozenset({"user_name"})


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
    """A field of a form; its words are text catalogue keys, read when the screen asks."""

    name: str
    label_key: str
    kind: FieldKind
    required: bool = True
    choice_keys: tuple[tuple[str, str], ...] = ()  # (value, label key) for CHOICE and MULTI
    placeholder_key: str = ""

    @property
    def label(self) -> str:
        return t(self.label_key)

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """(value, label) for CHOICE and MULTI."""
        return tuple((value, t(key)) for value, key in self.choice_keys)

    @property
    def placeholder(self) -> str:
        return t(self.placeholder_key) if self.placeholder_key else ""


def _choices(*codes: str) -> tuple[tuple[str, str], ...]:
    # The words of a coded detail are the request view's too (detail.choice.<code>).
    return tuple((code, f"detail.choice.{code}") for code in codes)


PSYCH_SCALES = _choices("anxiety", "depression", "stress", "burnout", "sleep", "coping", "social_support", "ptsd")
CLAIM_MATERIALS = _choices("claim_form", "identity", "diagnosis", "records", "pathology", "bank_account")
ADMISSION_KINDS = _choices("hospitalisation", "surgery")
REMINDER_CHANNELS = _choices("sms", "voice")

_NOTE = FormField("note", "detail.label.note", FieldKind.TEXT, required=False,
                  placeholder_key="form.placeholder.note")
_USER = FormField("user_name", "detail.label.user_name", FieldKind.TEXT, required=False,
                  placeholder_key="form.placeholder.user_name")

FORMS: dict[str, tuple[FormField, ...]] = {
    "escort": (
        FormField("suspected_illness", "detail.label.suspected_illness", FieldKind.ILLNESS),
        FormField("hospital", "form.label.hospital", FieldKind.TEXT,
                  placeholder_key="form.placeholder.escort_hospital"),
        FormField("department", "form.label.department", FieldKind.TEXT),
        FormField("preferred_dates", "detail.label.preferred_dates", FieldKind.DATES,
                  placeholder_key="form.placeholder.dates"),
        FormField("meeting_time", "detail.label.meeting_time", FieldKind.TIME,
                  placeholder_key="form.placeholder.time"),
    ),
    "admission": (
        FormField("kind", "detail.admission_kind.label", FieldKind.CHOICE, choice_keys=ADMISSION_KINDS),
        FormField("suspected_illness", "detail.label.suspected_illness", FieldKind.ILLNESS),
        FormField("hospital", "form.label.hospital", FieldKind.TEXT),
        FormField("diagnosis_ref", "detail.label.diagnosis_ref", FieldKind.TEXT),
        FormField("admission_slip_ref", "detail.label.admission_slip_ref", FieldKind.TEXT),
    ),
    "psych": (
        FormField("beneficiary", "form.label.beneficiary", FieldKind.BENEFICIARY),
        FormField("scales", "detail.label.scales", FieldKind.MULTI, choice_keys=PSYCH_SCALES),
    ),
    "smoking": (
        FormField("beneficiary", "form.label.patient", FieldKind.BENEFICIARY),
        FormField("city", "detail.label.city", FieldKind.CITY),
        FormField("hospital", "form.label.hospital", FieldKind.CLINIC),
        FormField("other_requirement", "detail.label.other_requirement", FieldKind.TEXT, required=False,
                  placeholder_key="form.placeholder.other_requirement"),
        FormField("preferred_date", "detail.label.preferred_date", FieldKind.DATE,
                  placeholder_key="form.placeholder.date"),
    ),
    "advance_claim": (
        FormField("diagnosis", "detail.label.diagnosis", FieldKind.TEXT),
        FormField("hospital", "detail.label.advance_claim.hospital", FieldKind.TEXT),
        FormField("materials", "detail.label.materials", FieldKind.MULTI, required=False,
                  choice_keys=CLAIM_MATERIALS),
    ),
    "med_reminder": (
        _USER,
        FormField("drug", "detail.label.drug", FieldKind.TEXT),
        FormField("dose", "detail.label.dose", FieldKind.TEXT, placeholder_key="form.placeholder.dose"),
        FormField("times", "detail.label.times", FieldKind.TIMES, placeholder_key="form.placeholder.times"),
        FormField("channel", "detail.reminder_channel.label", FieldKind.CHOICE, choice_keys=REMINDER_CHANNELS),
    ),
    "pharmacy": (_USER, _NOTE),
    "news": (_USER, _NOTE),
    "lectures": (_USER, _NOTE),
    "ai_consult": (_USER, _NOTE),
}


# The kinds typed into an Input (the others are chosen from lists).
TYPED_KINDS = frozenset({FieldKind.TEXT, FieldKind.DATE, FieldKind.DATES, FieldKind.TIME, FieldKind.TIMES})


@dataclass(frozen=True, slots=True)
class FormContext:
    """The choices a form offers that come from the database."""

    today: date
    insured_name: str
    family: tuple[tuple[uuid.UUID, str, str], ...] = ()  # (member id, name, relation label)
    illnesses: tuple[tuple[str, str], ...] = ()  # (code, name)
    clinics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # city -> hospitals
    service_year_ends: date | None = None  # the last day a customer may ask a visit for
    # The most characters each typed field may hold, by field name: the width of the
    # column it lands in (desk.use_cases.limits); "details" for any other detail text.
    text_limits: Mapping[str, int] = field(default_factory=dict)

    def max_length(self, form_field: FormField) -> int | None:
        """The most characters ``form_field`` takes; None for a choice or an unknown limit."""
        if form_field.kind not in TYPED_KINDS:
            return None
        return self.text_limits.get(form_field.name, self.text_limits.get("details"))


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
            insured = (INSURED, t("form.choice.insured", name=context.insured_name))
            return (insured, *((str(m), t("form.choice.member", name=name, relation=relation))
                               for m, name, relation in context.family))
        case FieldKind.ILLNESS:
            return tuple((code, f"{code} {name}") for code, name in context.illnesses)
        case FieldKind.CITY:
            return tuple((city, city) for city in context.clinics)
        case FieldKind.CLINIC:
            hospitals = context.clinics.get(str(values.get("city") or ""), ())
            return (*((h, h) for h in hospitals), (OTHER_CLINIC, t("form.choice.other_clinic")))
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
        return [parse_detail_date(t("detail.label.preferred_dates"), item) for item in detail_items(value)] if isinstance(value, str) else value

    @field_validator("meeting_time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str:
        return parse_detail_time(t("detail.label.meeting_time"), _text(value))


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
        return parse_detail_date(t("detail.label.preferred_date"), _text(value)) if isinstance(value, str) else value


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
        return [parse_detail_time(t("detail.label.times"), item) for item in detail_items(value)] if isinstance(value, str) else value


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
    values, problems = _typed_texts(code, values, context)
    raw = {**values, "today": context.today}
    problems += _choice_problems(code, values, context)
    problems += _each_field_problems(model_class, code, raw, {p.field for p in problems})
    if problems:
        return problems
    try:
        model = model_class.model_validate(raw)
    except ValidationError as error:
        return _field_problems(error)
    details = model.model_dump(mode="json", exclude={"today", "beneficiary", "suspected_illness", "user_name"})
    # The rules every channel obeys; the form's own checks above only read what was typed.
    rule_problems = check_details(code, details, today=context.today, service_year_ends=context.service_year_ends,
                                  text_limit=context.text_limits.get("details"))
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


def _typed_texts(code: str, values: Mapping[str, Any],
                 context: FormContext) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The typed fields as they will be stored, and the problems of those that cannot be:
    a name with control characters, any text longer than its column. Other texts lose
    their control characters (a paste from a chat window) and keep the rest."""
    cleaned = dict(values)
    problems: list[FieldProblem] = []
    for form_field in FORMS[code]:
        value = values.get(form_field.name)
        if form_field.kind not in TYPED_KINDS or not isinstance(value, str):
            continue
        limit = context.max_length(form_field) or len(value)
        try:
            if form_field.name in NAME_FIELDS:
                cleaned[form_field.name] = checked_name(form_field.label, value, max_length=limit)
            else:
                cleaned[form_field.name] = checked_text(form_field.label, value, max_length=limit,
                                                        multi_line=form_field.name in MULTI_LINE_DETAILS)
        except ValueError as error:
            problems.append(FieldProblem(form_field.name, str(error)))
    return cleaned, problems


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
                problems.append(FieldProblem(form_field.name, t("detail.required", label=form_field.label)))
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
            problems.append(FieldProblem(form_field.name, t("form.choose_from_list", label=form_field.label)))
    return problems


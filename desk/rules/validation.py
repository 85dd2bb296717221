"""Input rules for customers, family members and policies (资料校验).

Pure code: no database and no UI, so the same rules guard the agent's form, the import of
old records and the demo-data generator.

Every message comes from the text catalogue (``validation.*`` in desk.texts.labels) and
starts with the field's label and a colon ("证件号码：校验位不正确，应为 X"). The agent
reads it aloud or fixes the field it names,
so ``problems_of`` passes our own messages through unchanged and only translates
pydantic's built-in errors (missing field, wrong type).

Decisions worth knowing:

* 15-digit (first-generation) resident ID numbers are refused unless the caller asks for
  them: ``CustomerIn(allow_legacy_id=True, ...)`` for the import of old records, which
  then shows ``legacy_id`` as True so the record can be flagged for update. The flag is a
  field rather than a validation context so an importer can pass it with the row; it is
  excluded from dumps and repr. ``PolicyIn`` always accepts 15-digit numbers (policies
  are only ever imported from the policy system). ``FamilyMemberIn`` never does: a family
  member is a new binding.
* The region code must be in python-stdnum's region database, but unlike
  ``stdnum.cn.ric.validate`` (2.2) we do not refuse a code created after the birth year:
  numbers are assigned at registration, not at birth, so someone born in 1970 can hold
  330106 (杭州西湖区, created 1983). A code retired before the birth year is refused,
  as nobody born later could have been given it. stdnum 2.2 also raises ``KeyError``
  (not a validation error) for a known province with an unknown county (119999); we
  treat that as an unknown region.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from stdnum import numdb
from stdnum.iso7064 import mod_11_2

from desk.rules.free_text import has_control_characters, printable
from desk.rules.free_text import problem_text as _problem
from desk.texts.labels import ZH, t

__all__ = [
    "FIELD_LABELS",
    "ID_TYPES",
    "POLICY_STATUSES",
    "RELATIONS",
    "ContactIn",
    "CustomerIn",
    "FamilyMemberIn",
    "FieldProblem",
    "PolicyIn",
    "ResidentId",
    "check_digit",
    "field_label",
    "normalize_mobile",
    "parse_date",
    "parse_resident_id",
    "problems_of",
]

# The Chinese label of every field (``validation.label.<field>`` in the text catalogue):
# an import accepts it as a column header whatever language the screens use. Messages
# name the field in the screens' language (``field_label``).
FIELD_LABELS: dict[str, str] = {
    field: ZH[f"validation.label.{field}"]
    for field in (
        "today", "name", "id_type", "id_number", "birth_date", "sex", "mobile", "email",
        "region", "address", "relation", "policy_number", "product", "effective_date",
        "status", "termination_date", "insured_id_number", "holder_id_number", "illness_list",
    )
}

# Codes with the Chinese name an import or a form may write instead (``id_type.<code>``).
ID_TYPES: dict[str, str] = {
    code: ZH[f"id_type.{code}"]
    for code in ("resident_id", "passport", "hk_macau_permit", "taiwan_permit", "foreign_permanent", "other")
}

# Immediate family (直系亲属) as the manual defines who may share an insured_family quota.
# 直系亲属 (domain.md): the relation codes; an import may also write the Chinese label
# (``relation.<code>`` in the text catalogue), whatever language the screens use.
RELATIONS: dict[str, str] = {
    code: ZH[f"relation.{code}"] for code in ("spouse", "parent", "child", "grandparent", "grandchild")
}

# Codes with the Chinese name an import may write instead (``policy.status.<code>``).
POLICY_STATUSES: dict[str, str] = {
    code: ZH[f"policy.status.{code}"] for code in ("active", "lapsed", "surrendered", "terminated")
}

IdType = Literal[
    "resident_id", "passport", "hk_macau_permit", "taiwan_permit", "foreign_permanent", "other"
]
Relation = Literal["spouse", "parent", "child", "grandparent", "grandchild"]
PolicyStatus = Literal["active", "lapsed", "surrendered", "terminated"]
Sex = Literal["M", "F"]

# The relaxed rule of id_rules.md: carrier prefix lists go stale, so only 1[3-9] is checked.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_OTHER_ID = re.compile(r"[A-Za-z0-9()\-]{1,32}")
_POLICY_NUMBER = re.compile(r"[A-Za-z0-9\-]{2,32}")
_DATE_FORMS = (
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"),
    re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"),
    re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"),
)

# Error type of the cross-field rules, so problems_of knows the message is ours.
_RULE_ERROR = "desk_rule"


def field_label(field: str | None) -> str:
    """The field's label in the screens' language; an unknown field as it is."""
    return t(f"validation.label.{field}") if field in FIELD_LABELS else field or ""


def _halfwidth(text: str) -> str:
    # Chinese input methods often type full-width digits, letters and ＠ (１３８…, ｘ).
    return unicodedata.normalize("NFKC", text)


# --- Turning pydantic errors into messages for the agent -------------------------------


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


# pydantic's own error types, in words an agent understands (text catalogue keys).
_BUILTIN_MESSAGES: dict[str, str] = {
    "missing": "validation.missing",
    "date_type": "validation.date_format",
    "date_parsing": "validation.date_format",
    "date_from_datetime_parsing": "validation.date_format",
    "date_from_datetime_inexact": "validation.date_format",
    "string_type": "validation.text",
    "string_too_short": "validation.empty",
    "string_too_long": "validation.too_long",
    "bool_type": "validation.yes_or_no",
    "bool_parsing": "validation.yes_or_no",
    "literal_error": "validation.invalid_choice",
    "frozen_instance": "validation.frozen",
}


def _message_of(detail: ErrorDetails) -> str:
    kind = detail["type"]
    if kind == "value_error":
        error = detail.get("ctx", {}).get("error")
        return str(error) if error is not None else detail["msg"].removeprefix("Value error, ")
    if kind == _RULE_ERROR:
        return detail["msg"]
    names = [part for part in detail["loc"] if isinstance(part, str)]
    label = field_label(names[-1]) if names else ""
    if kind != "missing" and detail.get("input") in (None, ""):
        text = t("validation.empty")
    elif kind in _BUILTIN_MESSAGES:
        text = t(_BUILTIN_MESSAGES[kind])
    else:
        text = t("validation.invalid", msg=detail["msg"])
    return t("validation.problem", label=label, text=text) if label else text


def problems_of(error: ValidationError) -> list[FieldProblem]:
    """One problem per failing field, in the order of the form.

    ``field`` is the dotted location ("birth_date"; "members.0.birth_date" in a nested
    model); "" for a problem of the record as a whole. A field that fails several checks
    reports only the first, which is the one to fix first.
    """
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"])
        if field in seen:
            continue
        seen.add(field)
        problems.append(FieldProblem(field=field, message=_message_of(detail)))
    return problems


def _rule_violations(title: str, violations: list[tuple[str, str, object]]) -> None:
    """Raise (field, message, input) violations with ``loc`` on the field they concern.

    A plain ValueError in a model validator would land on the model as a whole; the agent
    needs the cursor on the field to fix.
    """
    if not violations:
        return
    raise ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                # The message goes in as context so braces in it are never taken as a template.
                type=PydanticCustomError(_RULE_ERROR, "{message}", {"message": message}),
                loc=(field,),
                input=value,
            )
            for field, message, value in violations
        ],
    )


# --- Resident ID numbers (居民身份证号码, GB 11643-1999) -----------------------------------


@dataclass(frozen=True)
class ResidentId:
    number: str  # compact: no spaces, upper-case X
    birth_date: date
    sex: Sex
    region_code: str
    legacy: bool  # a 15-digit first-generation number, to be replaced by the 18-digit one


def check_digit(first17: str) -> str:
    """The GB 11643 check digit (ISO 7064 MOD 11-2) of the first 17 digits: "0"-"9" or "X"."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(_problem(field_label("id_number"), "validation.check_digit_input"))
    return mod_11_2.calc_check_digit(first17)


# Imports and demo data check the same few thousand region codes over and over. The
# answer is a text catalogue key, so the cache holds no language.
@lru_cache(maxsize=8192)
def _region_problem(code: str, birth_year: int) -> str | None:
    info = {
        key: value
        for _part, props in numdb.get("cn/loc").info(code)
        for key, value in props.items()
    }
    counties = info.get("county")
    if not counties:
        return "validation.region_unknown"
    # Entries look like "东城区" or "[1983-]西湖区" / "[-2010]崇文区" (years in use).
    for county in counties.split(","):
        if not county.startswith("["):
            return None
        years = county[1:].split("]", 1)[0]
        _start, end = years.split("-")
        if not end or birth_year <= int(end):
            return None
    return "validation.region_retired"


def _parse_resident_id(raw: str, allow_legacy: bool, label: str, today: date | None = None) -> ResidentId:
    def problem(key: str, **values: object) -> ValueError:
        return ValueError(_problem(label, key, **values))

    number = "".join(_halfwidth(raw).split()).upper()
    if not number:
        raise problem("validation.empty")

    legacy = len(number) == 15
    if legacy and allow_legacy:
        if not number.isascii() or not number.isdigit():
            raise problem("validation.legacy_digits")
        birth_digits = "19" + number[6:12]  # first-generation numbers only cover the 1900s
        sequence = number[12:15]
    elif len(number) != 18:
        wanted = t("validation.id_length.18_or_15" if allow_legacy else "validation.id_length.18")
        hint = t("validation.id_length.legacy_hint") if legacy else ""
        raise problem("validation.id_length", wanted=wanted, length=len(number), hint=hint)
    else:
        if not number[:17].isascii() or not number[:17].isdigit():
            raise problem("validation.first_17_digits")
        expected = check_digit(number[:17])
        if number[17] != expected:
            raise problem("validation.check_digit", expected=expected)
        birth_digits = number[6:14]
        sequence = number[14:17]
        legacy = False

    try:
        born = date(int(birth_digits[:4]), int(birth_digits[4:6]), int(birth_digits[6:8]))
    except ValueError:
        raise problem("validation.birth_invalid", digits=birth_digits) from None
    if today is not None and born > today:
        raise problem("validation.birth_after_today", born=born.isoformat())

    region = number[:6]
    region_problem = _region_problem(region, born.year)
    if region_problem:
        raise problem(region_problem, code=region, year=born.year)

    return ResidentId(
        number=number,
        birth_date=born,
        sex="M" if int(sequence) % 2 == 1 else "F",
        region_code=region,
        legacy=legacy,
    )


def parse_resident_id(raw: str, *, allow_legacy: bool = False, today: date | None = None) -> ResidentId:
    """Check a resident ID number and read birth date, sex and region from it.

    Checks in python-stdnum's order, so the first thing wrong is the one reported:
    length, digits, check digit, birth date (valid and not in the future), region code.
    Spaces are ignored and a lower-case x is accepted. A 15-digit number is accepted only
    with ``allow_legacy`` (import of old records). Raises ValueError with the agent's message.
    """
    return _parse_resident_id(raw, allow_legacy, field_label("id_number"), today)


# --- Mobile numbers ------------------------------------------------------------


def normalize_mobile(raw: str) -> str:
    """The 11 digits of a mainland mobile, from input like "+86 138-1234-5678"."""
    digits = re.sub(r"[\s\-]", "", _halfwidth(raw))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.fullmatch(digits):
        raise ValueError(_problem(field_label("mobile"), "validation.mobile"))
    return digits


# --- Reusable field types -----------------------------------------------------------------


def parse_date(value: str) -> date:
    """A date as forms and spreadsheets write it (2026-01-10, 2026/1/10, 20260110).

    ``ValueError`` carries the reason without a field label, for the caller to place.
    """
    text = _halfwidth(value).strip()
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                raise ValueError(t("validation.date_invalid", text=text)) from None
    raise ValueError(t("validation.date_format"))


def _date_input(value: object, info: ValidationInfo) -> object:
    # Dates come from forms and spreadsheets as text in a few customary layouts.
    if not isinstance(value, str):
        return value
    if not _halfwidth(value).strip():
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        raise ValueError(t("validation.problem", label=field_label(info.field_name), text=error)) from None


def _not_in_future(value: date | None, info: ValidationInfo) -> date | None:
    # "Today" is the caller's (a field declared before the dates): rules never read the clock.
    today = info.data.get("today")
    if value is not None and today is not None and value > today:
        raise ValueError(_problem(field_label(info.field_name), "validation.not_after_today"))
    return value


DateInput = Annotated[date, BeforeValidator(_date_input)]
OptionalDateInput = Annotated[date | None, BeforeValidator(_date_input)]
BirthDate = Annotated[date, BeforeValidator(_date_input), AfterValidator(_not_in_future)]
OptionalBirthDate = Annotated[
    date | None, BeforeValidator(_date_input), AfterValidator(_not_in_future)
]


def _text(min_length: int, max_length: int) -> AfterValidator:
    # Runs after str_strip_whitespace, so "   " counts as empty.
    def check(value: str, info: ValidationInfo) -> str:
        label = field_label(info.field_name)
        if not value:
            raise ValueError(_problem(label, "validation.empty"))
        # A name or a code is never silently changed: a NUL or an escape in it means the
        # paste went wrong (and PostgreSQL would refuse the NUL).
        if has_control_characters(value):
            raise ValueError(_problem(label, "validation.control_characters"))
        if len(value) < min_length:
            raise ValueError(_problem(label, "validation.at_least", count=min_length))
        if len(value) > max_length:
            raise ValueError(_problem(label, "validation.at_most", count=max_length))
        return value

    return AfterValidator(check)


def _choice(codes: dict[str, str]) -> BeforeValidator:
    """Accept a code ("spouse") or its Chinese label ("配偶"), and store the code."""
    by_label = {label: code for code, label in codes.items()}
    for code, label in codes.items():
        # "祖父母/外祖父母": either half alone means the same relation.
        for part in label.split("/"):
            by_label.setdefault(part, code)

    def pick(value: object, info: ValidationInfo) -> str:
        text = value.strip() if isinstance(value, str) else ""
        if text.lower() in codes:
            return text.lower()
        if text in by_label:
            return by_label[text]
        # The Chinese names are listed whatever the language: they are what is accepted.
        choices = "、".join(codes.values())
        raise ValueError(_problem(field_label(info.field_name), "validation.one_of", choices=choices))

    return BeforeValidator(pick)


_SEX_WORDS = {"M": "M", "F": "F", "男": "M", "女": "F", "男性": "M", "女性": "F"}


def _sex_input(value: object, info: ValidationInfo) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # optional for family members; a required field then reports "不能为空"
    text = value.strip().upper() if isinstance(value, str) else ""
    if text in _SEX_WORDS:
        return _SEX_WORDS[text]
    raise ValueError(_problem(field_label(info.field_name), "validation.male_or_female"))


SexInput = Annotated[Sex, BeforeValidator(_sex_input)]
OptionalSexInput = Annotated[Sex | None, BeforeValidator(_sex_input)]
Name = Annotated[str, _text(1, 64)]
IdTypeInput = Annotated[IdType, _choice(ID_TYPES)]


def _id_number(value: str, id_type: str | None, allow_legacy: bool, label: str,
               today: date | None = None) -> str:
    """Check an ID number for its type and return it as it should be stored."""
    if id_type == "resident_id":
        return _parse_resident_id(value, allow_legacy, label, today).number
    value = _halfwidth(value).strip()
    if not _OTHER_ID.fullmatch(value):
        raise ValueError(_problem(label, "validation.other_id"))
    return value


def _agreement_violations(
    id_type: str,
    id_number: str,
    birth_date: date | None,
    sex: str | None,
    allow_legacy: bool,
) -> list[tuple[str, str, object]]:
    """Birth date and sex on the record must be the ones the resident ID number carries."""
    if id_type != "resident_id":
        return []
    resident = parse_resident_id(id_number, allow_legacy=allow_legacy)
    violations: list[tuple[str, str, object]] = []
    if birth_date is not None and birth_date != resident.birth_date:
        violations.append(
            (
                "birth_date",
                _problem(field_label("birth_date"), "validation.birth_mismatch",
                         born=resident.birth_date.isoformat()),
                birth_date,
            )
        )
    if sex is not None and sex != resident.sex:
        violations.append(
            ("sex", _problem(field_label("sex"), "validation.sex_mismatch", sex=t(f"sex.{resident.sex}")), sex)
        )
    return violations


def _checked_email(value: str) -> str:
    value = _halfwidth(value).strip()
    if has_control_characters(value):
        raise ValueError(_problem(field_label("email"), "validation.control_characters"))
    if value and (len(value) > 254 or not _EMAIL.fullmatch(value)):
        raise ValueError(_problem(field_label("email"), "validation.email"))
    return value


def _free_text(value: str) -> str:
    # Free text: what cannot be shown or stored is dropped, the rest is kept.
    return printable(value).strip()


# Contact details, checked alike wherever they are typed or imported (CustomerIn, ContactIn).
Mobile = Annotated[str, AfterValidator(normalize_mobile)]
Email = Annotated[str, AfterValidator(_checked_email)]
FreeText = Annotated[str, AfterValidator(_free_text)]


# --- Models ------------------------------------------------------------------------------


class CustomerIn(BaseModel):
    """A customer's binding data (客户资料) as entered or imported."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    # The caller's today, for "not in the future" (declared first: later fields read it).
    today: date | None = Field(default=None, exclude=True, repr=False)
    # Declared first so the id_number check can see it (fields validate in order).
    # Only the import of old records sets it; see the module docstring.
    allow_legacy_id: bool = Field(default=False, exclude=True, repr=False)

    name: Name
    id_type: IdTypeInput = "resident_id"
    id_number: str
    birth_date: BirthDate
    sex: SexInput
    mobile: Mobile
    email: Email = ""
    region: FreeText = ""
    address: FreeText = ""

    @field_validator("id_number")
    @classmethod
    def _id_number_fits_type(cls, value: str, info: ValidationInfo) -> str:
        return _id_number(
            value,
            info.data.get("id_type"),
            bool(info.data.get("allow_legacy_id")),
            field_label(info.field_name),
            info.data.get("today"),
        )

    @model_validator(mode="after")
    def _agrees_with_id_number(self) -> CustomerIn:
        _rule_violations(
            type(self).__name__,
            _agreement_violations(
                self.id_type, self.id_number, self.birth_date, self.sex, self.allow_legacy_id
            ),
        )
        return self

    @property
    def legacy_id(self) -> bool:
        """A 15-digit resident ID number: the record should be updated to the 18-digit one."""
        return self.id_type == "resident_id" and len(self.id_number) == 15


class ContactIn(BaseModel):
    """A customer's contact details as an agent edits them: checked like an import's."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    mobile: Mobile
    email: Email = ""
    address: FreeText = ""


class FamilyMemberIn(BaseModel):
    """A family member of the insured, on file before a request is filed for them."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    # The caller's today, for "not in the future" (declared first: later fields read it).
    today: date | None = Field(default=None, exclude=True, repr=False)
    name: Name
    relation: Annotated[Relation, _choice(RELATIONS)]
    id_type: IdTypeInput = "resident_id"
    id_number: str
    birth_date: OptionalBirthDate = None
    sex: OptionalSexInput = None

    @field_validator("id_number")
    @classmethod
    def _id_number_fits_type(cls, value: str, info: ValidationInfo) -> str:
        # A family member is a new binding: 18-digit numbers only.
        return _id_number(value, info.data.get("id_type"), False, field_label(info.field_name),
                          info.data.get("today"))

    @model_validator(mode="after")
    def _agrees_with_id_number(self) -> FamilyMemberIn:
        _rule_violations(
            type(self).__name__,
            _agreement_violations(self.id_type, self.id_number, self.birth_date, self.sex, False),
        )
        return self


class PolicyIn(BaseModel):
    """A critical-illness policy as imported from the policy system."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    # The caller's today, for "not in the future" (declared first: later fields read it).
    today: date | None = Field(default=None, exclude=True, repr=False)
    policy_number: str
    product: Annotated[str, _text(1, 64)]
    insured_id_number: str
    holder_id_number: str
    effective_date: DateInput
    status: Annotated[PolicyStatus, _choice(POLICY_STATUSES)]
    termination_date: OptionalDateInput = None
    # Which critical-illness list the green channel checks against; most policies
    # carry the industry-standard one.
    illness_list: Annotated[str, _text(1, 64)] = "industry_2020"

    @field_validator("policy_number")
    @classmethod
    def _policy_number_format(cls, value: str) -> str:
        if not _POLICY_NUMBER.fullmatch(value):
            raise ValueError(_problem(field_label("policy_number"), "validation.policy_number"))
        return value

    @field_validator("insured_id_number", "holder_id_number")
    @classmethod
    def _resident_id_number(cls, value: str, info: ValidationInfo) -> str:
        # Old policies still carry 15-digit numbers; they are data we must take as is.
        return _parse_resident_id(value, True, field_label(info.field_name), info.data.get("today")).number

    @model_validator(mode="after")
    def _termination_matches_status(self) -> PolicyIn:
        # Every service ends the day the policy ends, so that day must be known exactly
        # when the policy is no longer in force, and absent while it is.
        violations: list[tuple[str, str, object]] = []
        ended = self.termination_date
        if self.status != "active" and ended is None:
            violations.append(
                (
                    "termination_date",
                    _problem(field_label("termination_date"), "validation.termination_required",
                             status=t(f"policy.status.{self.status}")),
                    ended,
                )
            )
        elif self.status == "active" and ended is not None:
            violations.append(
                ("termination_date", _problem(field_label("termination_date"), "validation.termination_on_active"), ended)
            )
        elif ended is not None and ended < self.effective_date:
            violations.append(
                (
                    "termination_date",
                    _problem(field_label("termination_date"), "validation.termination_before_effective",
                             effective=self.effective_date.isoformat()),
                    ended,
                )
            )
        _rule_violations(type(self).__name__, violations)
        return self

"""The checks of a request's details: one function every channel files through.

The hotline form, the WeChat import and any later channel (a branch's sync) hand the
details they collected to ``check_details`` before a request is filed; the filing use case
calls it again, so nothing reaches the database that this refuses. The form adds
friendlier field-by-field messages on top (a field left empty, a date typed wrongly), never
a rule of its own.

What is checked (domain.md, the catalogue and the manual):
* admission: hospitalisation OR surgery, never both; the diagnosis certificate (诊断证明)
  and the admission slip (住院单) are required;
* medication reminders: by SMS OR by voice call, exactly one channel;
* dates the customer asks for are not before the day of filing, and not after the
  service year ends when that is known; a smoking-clinic booking at a hospital not on
  the list says what the customer needs;
* every date and time inside the details reads as one, so a stored request can always
  be moved on (a ``visit_at`` of "next tuesday" would make it unmovable);
* every text fits ``text_limit`` (the caller reads it off the database's columns) and
  holds no control character (``printable_details`` drops them first: a channel cleans,
  then checks), every number is a real one (no NaN or infinity, which a JSON column on
  PostgreSQL refuses), and nothing is nested deeper than ``MAX_DEPTH``.

Details may hold values as typed (``"2026-12-01, 2026-12-03"``) or as stored (lists of
ISO dates); both read the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from desk.rules.free_text import has_control_characters, printable
from desk.rules.validation import FieldProblem
from desk.texts.labels import ZH, t

ADMISSION_KINDS = ("hospitalisation", "surgery")
REMINDER_CHANNELS = ("sms", "voice")
OTHER_CLINIC = "other"
ADMISSION_DOCUMENTS = ("diagnosis_ref", "admission_slip_ref")
# A detail is a value or a list of values; an export may nest a little more, never a tree.
MAX_DEPTH = 4
# Texts an agent or a customer writes in several lines; every other detail is one line.
MULTI_LINE_DETAILS = frozenset({"note", "other_requirement"})

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_TIME = re.compile(r"(\d{1,2})[:：](\d{2})")
_SEPARATORS = re.compile(r"[,，;；、+\s]+|和|及")
# What a self-service export may say instead of a code: enough to see that both were asked.
_ALIASES = {
    "住院": "hospitalisation", "住院安排": "hospitalisation", "手术": "surgery", "手术安排": "surgery",
    "短信": "sms", "短信提醒": "sms", "电话": "voice", "语音": "voice", "电话语音提醒": "voice",
}


def parse_detail_date(label: str, value: Any) -> date:
    """A date as typed or stored: ``2026-12-01``, ``2026/12/1``, ``2026年12月1日``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(t("detail.date_format", label=label))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(t("detail.date_invalid", label=label, text=text)) from None


def parse_detail_time(label: str, value: Any) -> str:
    """A time of day as ``HH:MM``, from ``8:30`` or ``08：30``."""
    match = _TIME.fullmatch(str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(t("detail.time_format", label=label))
    return f"{int(match[1]):02d}:{match[2]}"


def parse_detail_moment(label: str, value: Any) -> datetime:
    """A date and time (a visit): ``2026-12-01 09:30`` or ISO ``2026-12-01T09:30``."""
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(t("detail.moment_format", label=label)) from None
    if moment.tzinfo is not None:
        raise ValueError(t("detail.moment_format", label=label))
    return moment


def detail_items(value: Any) -> list[str]:
    """The parts of a list field: a list as stored, or text separated as people type."""
    if isinstance(value, list | tuple | set):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in _SEPARATORS.split(str(value or "")) if part.strip()]


def printable_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` with control characters and escape sequences dropped from every text,
    keys included (line breaks kept in ``MULTI_LINE_DETAILS``); other values as they are."""

    def clean(value: Any, keep_breaks: bool, depth: int) -> Any:
        if isinstance(value, str):
            return printable(value, keep_breaks=keep_breaks)
        if depth > MAX_DEPTH:
            return value  # check_details refuses it; nothing deeper is walked
        if isinstance(value, list | tuple):
            return [clean(item, keep_breaks, depth + 1) for item in value]
        if isinstance(value, Mapping):
            return {printable(str(k)): clean(v, keep_breaks, depth + 1) for k, v in value.items()}
        return value

    return {printable(str(name)): clean(value, name in MULTI_LINE_DETAILS, 1)
            for name, value in details.items()}


def details_shape_problems(details: Mapping[str, Any], *, text_limit: int | None = None) -> list[FieldProblem]:
    """What in ``details`` a JSON column cannot keep or a screen cannot show, per field:
    text over ``text_limit`` or with control characters, NaN or infinity, deep nesting."""
    problems: list[FieldProblem] = []
    for name, value in details.items():
        name = str(name)
        found = ("validation.control_characters", {}) if has_control_characters(name) else None
        found = found or _shape_problem(name, value, text_limit, 1)
        if found is not None:
            key, values = found
            label = t(f"detail.label.{name}") if f"detail.label.{name}" in ZH else printable(name)
            problems.append(FieldProblem(printable(name) or "details",
                                         t("validation.problem", label=label, text=t(key, **values))))
    return problems


def _shape_problem(name: str, value: Any, text_limit: int | None,
                   depth: int) -> tuple[str, dict[str, Any]] | None:
    """The first thing wrong inside one detail, as (catalogue key, its values)."""
    if isinstance(value, str):
        text = value.replace("\n", "").replace("\t", "") if name in MULTI_LINE_DETAILS else value
        if has_control_characters(text):
            return ("validation.control_characters", {})
        if text_limit is not None and len(value) > text_limit:
            return ("validation.at_most", {"count": text_limit})
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return ("validation.details_number", {})
    if isinstance(value, list | tuple | Mapping):
        if depth >= MAX_DEPTH:
            return ("validation.details_too_deep", {"depth": MAX_DEPTH})
        items = list(value.items()) if isinstance(value, Mapping) else [(None, item) for item in value]
        for key, item in items:
            if key is not None and has_control_characters(str(key)):
                return ("validation.control_characters", {})
            found = _shape_problem(name, item, text_limit, depth + 1)
            if found is not None:
                return found
    return None


def check_details(
    service_code: str,
    details: Mapping[str, Any],
    *,
    today: date,
    service_year_ends: date | None = None,
    text_limit: int | None = None,
) -> list[FieldProblem]:
    """Every problem with ``details`` for ``service_code``, each naming its field.

    ``today`` is the day of filing (the submission day for an import); the last day of
    the service year, where known, bounds the dates a customer may ask for.
    ``text_limit`` is the most characters a text may hold (``desk.use_cases.limits``).
    """
    problems = details_shape_problems(details, text_limit=text_limit)
    if problems:
        # The rules below read texts and dates; what they would read is not readable.
        return problems
    if service_code == "admission":
        problems += _one_of_two(details, "kind", ADMISSION_KINDS, "detail.admission_kind")
        for name in ADMISSION_DOCUMENTS:
            if _blank(details.get(name)):
                problems.append(FieldProblem(name, t(f"detail.missing.{name}")))
    if service_code == "med_reminder":
        problems += _one_of_two(details, "channel", REMINDER_CHANNELS, "detail.reminder_channel")
        problems += _each(details, "times", parse_detail_time)
    if service_code == "smoking" and details.get("hospital") == OTHER_CLINIC and _blank(
        details.get("other_requirement")
    ):
        problems.append(FieldProblem("other_requirement", t("detail.other_clinic_needs_requirement")))
    problems += _wanted_dates(details, today, service_year_ends)
    if not _blank(details.get("meeting_time")):
        problems += _each(details, "meeting_time", parse_detail_time)
    if not _blank(details.get("visit_at")):
        try:
            parse_detail_moment(t("detail.label.visit_at"), details["visit_at"])
        except ValueError as error:
            problems.append(FieldProblem("visit_at", str(error)))
    return problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], ())


def _one_of_two(details: Mapping[str, Any], name: str, options: tuple[str, str],
                message: str) -> list[FieldProblem]:
    label = t(f"{message}.label")
    chosen = [_ALIASES.get(item, item) for item in detail_items(details.get(name))]
    # An export may also flag each option on its own: {"hospitalisation": true, "surgery": true}.
    chosen += [option for option in options if details.get(option) is True]
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        return [FieldProblem(name, t("detail.required", label=label))]
    if len(chosen) > 1:
        return [FieldProblem(name, t(f"{message}.both"))]
    if chosen[0] not in options:
        return [FieldProblem(name, t(f"{message}.options"))]
    return []


def _each(details: Mapping[str, Any], name: str, parse: Any) -> list[FieldProblem]:
    label = t(f"detail.label.{name}")
    for item in detail_items(details.get(name)):
        try:
            parse(label, item)
        except ValueError as error:
            return [FieldProblem(name, str(error))]
    return []


def _wanted_dates(details: Mapping[str, Any], today: date,
                  service_year_ends: date | None) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name in ("preferred_dates", "preferred_date"):
        if _blank(details.get(name)):
            continue
        label = t(f"detail.label.{name}")
        for item in detail_items(details[name]):
            try:
                day = parse_detail_date(label, item)
            except ValueError as error:
                problems.append(FieldProblem(name, str(error)))
                break
            if day < today:
                problems.append(FieldProblem(name, t("detail.before_today", label=label, today=today)))
                break
            if service_year_ends is not None and day > service_year_ends:
                problems.append(FieldProblem(
                    name, t("detail.after_service_year", label=label, day=day, last=service_year_ends)))
                break
    return problems

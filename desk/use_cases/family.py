"""Family members on file (服务对象：直系亲属): list, add and edit a customer's.

A family member must be on file with name, relation and ID before a request is filed for
them (domain.md, "Who may use a service"): the psych and smoking forms offer only the
members listed here. Every channel checks a member the same way: the family screen
through ``add_family_member`` / ``edit_family_member``, ``desk import family``
(``desk.use_cases.family_import``) through ``check_member``, ``stored_values`` and
``own_number_reason``.

* The fields are those of ``desk.rules.validation.FamilyMemberIn``: name, relation (code
  or Chinese label), ID type and number checked like a customer's (GB 11643 check digit;
  18 digits only, a member is a new binding), birth date and sex agreeing with a resident
  ID number. Both may stay empty for a resident ID: the number carries them, and they are
  stored from it.
* One customer cannot hold two members with the same ID number, nor themself.
* Every write is audited (``family_add``, ``family_edit``) with the masked number only, and
  an edit names the fields it changed; an edit that changes nothing writes nothing.
* An edit names the version it began from: if someone else saved the member since, it is
  refused with ``EditConflict`` (``desk.use_cases.edit_conflicts``) saying what changed,
  by whom and when, and the agent chooses.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from db.tables import AuditEvent, Customer, FamilyMember
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.masking import mask_id_number
from desk.rules.validation import (
    FIELD_LABELS,
    ID_TYPES,
    RELATIONS,
    FamilyMemberIn,
    FieldProblem,
    parse_resident_id,
    problems_of,
)
from desk.texts.labels import relation_label, t
from desk.use_cases.edit_conflicts import EditedRecord
from desk.use_cases.importing import resident_forms
from desk.use_cases.limits import too_long

__all__ = [
    "FAMILY_FIELDS",
    "FamilyMemberLine",
    "FamilyMemberRefused",
    "add_family_member",
    "check_member",
    "edit_family_member",
    "id_type_choices",
    "list_family",
    "own_number_reason",
    "relation_choices",
    "shown_member",
    "stored_values",
]

# The order of the form and of the import's columns.
FAMILY_FIELDS: tuple[str, ...] = ("name", "relation", "id_type", "id_number", "birth_date", "sex")
# Left empty, these take their default (resident ID) or are read from the ID number.
_OPTIONAL = frozenset({"id_type", "birth_date", "sex"})


@dataclass(frozen=True, slots=True)
class FamilyMemberLine:
    """A family member as the screens show it: the ID number masked."""

    member_id: uuid.UUID
    name: str
    relation: str
    relation_label: str
    id_type: str
    masked_id_number: str
    birth_date: date | None
    sex: str
    # True when an earlier attempt had added the member already (its answer was lost).
    already_saved: bool = False
    # The row version this line was read at: an edit from it names it (``expected_version``).
    version: int = 1


class FamilyMemberRefused(DeskError):
    """The typed member breaks a rule; ``problems`` name the fields, in the form's order."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("；".join(problem.message for problem in problems))
        self.problems = problems


def relation_choices() -> tuple[tuple[str, str], ...]:
    """(code, label) of each relation that may share an insured_family quota."""
    return tuple((code, relation_label(code)) for code in RELATIONS)


def id_type_choices() -> tuple[tuple[str, str], ...]:
    return tuple((code, t(f"id_type.{code}")) for code in ID_TYPES)


def check_member(typed: Mapping[str, str], today: date) -> FamilyMemberIn:
    """The member as typed, checked; raises pydantic's ValidationError (see ``problems_of``)."""
    given = {
        name: typed.get(name, "")
        for name in FAMILY_FIELDS
        if typed.get(name, "").strip() or name not in _OPTIONAL
    }
    return FamilyMemberIn(today=today, **given)


def stored_values(member: FamilyMemberIn) -> dict[str, Any]:
    """The columns to store; a resident ID number gives the birth date and sex not typed."""
    birth_date, sex = member.birth_date, member.sex
    if member.id_type == "resident_id":
        resident = parse_resident_id(member.id_number)
        birth_date = birth_date or resident.birth_date
        sex = sex or resident.sex
    return {
        "name": member.name,
        "relation": member.relation,
        "id_type": member.id_type,
        "id_number": member.id_number,
        "birth_date": birth_date,
        "sex": sex or "",
    }


def _same_number(a: str, b: str) -> bool:
    # A customer imported with a 15-digit number is the same person as its 18-digit twin.
    return b.upper() in {form.upper() for form in resident_forms(a.strip())}


def own_number_reason(customer: Customer, id_number: str) -> str | None:
    """Why this number cannot be a family member's of ``customer``, if it cannot."""
    return t("family.own_id") if _same_number(customer.id_number, id_number) else None


def _field_problem(field: str, reason: str) -> FieldProblem:
    # The form shows each message under its field, in the form of the validation rules'.
    return FieldProblem(field, f"{FIELD_LABELS[field]}：{reason}")


def _checked(typed: Mapping[str, str], today: date) -> dict[str, Any]:
    try:
        values = stored_values(check_member(typed, today))
    except ValidationError as error:
        raise FamilyMemberRefused(problems_of(error)) from None
    wide = too_long(FamilyMember, values)
    if wide:
        raise FamilyMemberRefused([_field_problem(name, t("import.too_long", width=width))
                                   for name, width in wide.items()])
    return values


def _refuse_conflicts(customer: Customer, id_number: str, others: Iterable[FamilyMember]) -> None:
    reason = own_number_reason(customer, id_number)
    if reason is None:
        twin = next((m for m in others if _same_number(m.id_number, id_number)), None)
        reason = t("family.duplicate_id", name=twin.name) if twin is not None else None
    if reason is not None:
        raise FamilyMemberRefused([_field_problem("id_number", reason)])


def _line(member: FamilyMember, *, already_saved: bool = False) -> FamilyMemberLine:
    return FamilyMemberLine(
        member_id=member.id,
        name=member.name,
        relation=member.relation,
        relation_label=relation_label(member.relation),
        id_type=member.id_type,
        masked_id_number=mask_id_number(member.id_number),
        birth_date=member.birth_date,
        sex=member.sex,
        already_saved=already_saved,
        version=member.version,
    )


def shown_member(line: FamilyMemberLine) -> dict[str, str]:
    """A member's fields as the screens show them (the ID number masked), in the form's order."""
    return {
        "name": line.name,
        "relation": line.relation_label,
        "id_type": t(f"id_type.{line.id_type}") if line.id_type in ID_TYPES else line.id_type,
        "id_number": line.masked_id_number,
        "birth_date": line.birth_date.isoformat() if line.birth_date else "",
        "sex": t(f"sex.{line.sex}") if line.sex in ("M", "F") else line.sex,
    }


_MEMBER: EditedRecord[FamilyMember, FamilyMemberLine] = EditedRecord(
    line=_line, shown=shown_member, label=lambda name: t(f"family.field.{name}")
)


def _audit(
    uow: UnitOfWork,
    action: str,
    member: FamilyMember,
    agent_id: uuid.UUID | None,
    at: datetime,
    changed: list[str],
) -> None:
    uow.audit.add(
        AuditEvent(
            at=at,
            agent_id=agent_id,
            action=action,
            subject_type="family_member",
            subject_id=member.id,
            detail={
                "customer_id": str(member.customer_id),
                "relation": member.relation,
                # The log is read more widely than the record: the number stays masked.
                "id_number_masked": mask_id_number(member.id_number),
                "changed": changed,
            },
        )
    )


def list_family(uow: UnitOfWork, customer_id: uuid.UUID) -> tuple[FamilyMemberLine, ...]:
    return tuple(_line(member) for member in uow.family.of_customer(customer_id))


def add_family_member(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    typed: Mapping[str, str],
    *,
    agent_id: uuid.UUID | None,
    at: datetime,
    member_id: uuid.UUID | None = None,
) -> FamilyMemberLine:
    """Put a family member on file for the customer; FamilyMemberRefused says what to fix.

    ``member_id`` is made by the caller when the form opens and kept across retries: a
    member already on file under it is returned with ``already_saved``, where a retry
    without it would be refused as a duplicate ID number of the member its own first
    attempt added.
    """
    if member_id is not None:
        earlier = uow.family.get(member_id)
        if earlier is not None:
            if earlier.customer_id != customer_id:
                raise DeskError(t("family.id_reused"))
            return _line(earlier, already_saved=True)
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise DeskError(t("error.no_customer"))
    values = _checked(typed, at.date())
    _refuse_conflicts(customer, values["id_number"], uow.family.of_customer(customer.id))
    member = uow.family.add(FamilyMember(id=member_id or uuid.uuid4(), customer_id=customer.id,
                                         updated_by=agent_id, **values))
    _audit(uow, "family_add", member, agent_id, at, [name for name in FAMILY_FIELDS if values[name]])
    uow.commit()
    return _line(member)


def edit_family_member(
    uow: UnitOfWork,
    member_id: uuid.UUID,
    typed: Mapping[str, str],
    *,
    expected_version: int,
    agent_id: uuid.UUID | None,
    at: datetime,
    started_from: FamilyMemberLine | None = None,
) -> FamilyMemberLine:
    """Change a family member on file; an empty ID number keeps the stored one.

    The screens never hold a full ID number (they show it masked), so "unchanged" has to
    be said by leaving the field empty.

    ``expected_version`` is the version the agent's edit began from (``FamilyMemberLine.
    version``); ``started_from`` the line they saw, so that a conflict can name what
    changed. If the member was saved by someone else since, ``EditConflict`` says what
    changed and nothing is written; to apply this edit over theirs, call again with the
    conflict's ``version``.
    """
    member = uow.family.get(member_id)
    customer = uow.customers.get(member.customer_id) if member is not None else None
    if member is None or customer is None:
        raise DeskError(t("error.no_family_member"))
    _MEMBER.check_version(uow, member, expected_version, started_from)
    typed = dict(typed)
    if not typed.get("id_number", "").strip():
        typed["id_number"] = member.id_number
    values = _checked(typed, at.date())
    others = [m for m in uow.family.of_customer(customer.id) if m.id != member.id]
    _refuse_conflicts(customer, values["id_number"], others)
    changed = [name for name in FAMILY_FIELDS if getattr(member, name) != values[name]]
    if not changed:
        return _line(member)
    member = _MEMBER.write(uow, uow.family, member, {name: values[name] for name in changed},
                           expected_version=expected_version, started_from=started_from, agent_id=agent_id, at=at)
    _audit(uow, "family_edit", member, agent_id, at, changed)
    uow.commit()
    return _line(member)

"""Import of family members on file (导入家庭成员).

``desk import family FILE.csv [--skip-bad]``: the policy system's record of the insured's
immediate family, so psych tests and smoking-clinic bookings can be filed for them (a
family member must be on file with name, relation and ID first). Every bad row is reported
with its line, field and reason. A file with any bad row imports nothing unless
``--skip-bad`` is given, and nothing is ever half-written: all writes of one import,
including its audit event, are one transaction.

File format
-----------
CSV read like every desk import (``desk.use_cases.csv_rows``): header row, physical line
numbers (header = line 1), UTF-8 with or without BOM or GB18030, headers matched without
regard to case and also by their Chinese label, unknown columns ignored, an empty optional
cell means the default.

``insured_id_number,policy_number,name,relation,id_type,id_number,birth_date,sex``

* The customer: ``insured_id_number`` (被保险人证件号码; a stored 15-digit number is found
  by its 18-digit twin and back) and/or ``policy_number`` (保单号, whose insured is meant).
  The header needs at least one of the two columns, each row at least one of the two
  values. Given both, the policy's insured must be that customer. The customer must
  already be in the database: import customers and policies first.
* The member, checked exactly as on the family screen (``desk.use_cases.family``, the rules
  of ``desk.rules.validation.FamilyMemberIn``): ``name``, ``relation`` (the code ``spouse``,
  ``parent``, ``child``, ``grandparent``, ``grandchild`` or its Chinese label such as 配偶),
  ``id_type`` (default ``resident_id``; code or Chinese name), ``id_number`` (18 digits for a
  resident ID: a family member is a new binding), ``birth_date`` and ``sex`` (optional for a
  resident ID, which carries them; given, they must agree with it).
* A member is identified by (customer, id_number). One already on file is updated (name,
  relation, ID type, birth date, sex); a customer's own number is a bad row. A second row
  for the same member in one file is a bad row ("与第 N 行重复"); the first one stays good.

An import that writes anything also writes an audit event (action ``import``, subject
``family_members``) with the file name and the counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from db.tables import AuditEvent, Customer, FamilyMember
from db.timestamps import china_now
from db.unit_of_work import UnitOfWork
from desk.errors import DatabaseFailure
from desk.rules.free_text import has_control_characters
from desk.texts.labels import t
from desk.use_cases.csv_rows import (
    FileProblem,
    ImportReport,
    Record,
    RowProblem,
    RowRefused,
    finish_report,
    halfwidth,
    read_table,
    ready_to_write,
    row_problems,
)
from desk.use_cases.database import Database
from desk.use_cases.family import FAMILY_FIELDS, check_member, own_number_reason, stored_values
from desk.use_cases.import_lookups import CustomerLookups
from desk.use_cases.importing import ImportFailed
from desk.use_cases.limits import too_long

__all__ = ["FAMILY_COLUMNS", "import_family"]

# Column name -> required. insured_id_number / policy_number: at least one, checked separately.
FAMILY_COLUMNS: dict[str, bool] = {
    "insured_id_number": False,
    "policy_number": False,
    "name": True,
    "relation": True,
    "id_type": False,
    "id_number": True,
    "birth_date": False,
    "sex": False,
}


# --- Checking rows (pure) ----------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    insured_id_number: str
    policy_number: str
    member: dict[str, Any]  # the columns to store (desk.use_cases.family.stored_values)


def _check(record: Record, today: date) -> _Row | list[RowProblem]:
    values = record.values
    line = record.line
    problems: list[RowProblem] = []
    insured = "".join(halfwidth(values.get("insured_id_number", "")).split()).upper()
    policy_number = halfwidth(values.get("policy_number", ""))
    # Both are looked up in the database, where a NUL would fail the whole import.
    for name, text in (("insured_id_number", insured), ("policy_number", policy_number)):
        if has_control_characters(text):
            problems.append(RowProblem(line, name, t("validation.control_characters")))
    if not problems and not insured and not policy_number:
        field_name = "insured_id_number" if "insured_id_number" in values else "policy_number"
        problems.append(RowProblem(line, field_name, t("import.insured_or_policy")))
    member: dict[str, Any] | None = None
    try:
        member = stored_values(check_member({name: values.get(name, "") for name in FAMILY_FIELDS}, today))
    except ValidationError as error:
        problems += row_problems(line, error)
    if member is not None:
        problems += [RowProblem(line, name, t("import.too_long", width=width))
                     for name, width in too_long(FamilyMember, member).items()]
    if problems or member is None:
        return problems
    return _Row(line, insured, policy_number, member)


# --- Matching rows to customers (database) -----------------------------------------------


@dataclass
class _Lookups(CustomerLookups):
    """What earlier rows already looked up, beyond customers and policies."""

    people: dict[uuid.UUID, Customer | None] = field(default_factory=dict)
    family: dict[uuid.UUID, dict[str, FamilyMember]] = field(default_factory=dict)

    def customer(self, customer_id: uuid.UUID) -> Customer | None:
        if customer_id not in self.people:
            self.people[customer_id] = self.uow.customers.get(customer_id)
        return self.people[customer_id]

    def family_of(self, customer_id: uuid.UUID) -> dict[str, FamilyMember]:
        """The members on file, by ID number."""
        if customer_id not in self.family:
            self.family[customer_id] = {
                member.id_number.upper(): member for member in self.uow.family.of_customer(customer_id)
            }
        return self.family[customer_id]


def _customer_of(lookups: _Lookups, row: _Row) -> Customer:
    people = lookups.customers_with(row.insured_id_number) if row.insured_id_number else []
    if row.insured_id_number and not people:
        raise RowRefused("insured_id_number", t("import.customer_not_imported"))
    if row.policy_number:
        policy = lookups.policy(row.policy_number)
        if policy is None:
            raise RowRefused("policy_number", t("import.no_policy"))
        if people and policy.insured_id not in {person.id for person in people}:
            raise RowRefused("policy_number", t("import.policy_not_insureds"))
        customer = lookups.customer(policy.insured_id)
        if customer is None:
            raise RowRefused("policy_number", t("import.policy_without_insured"))
        return customer
    if len(people) > 1:
        raise RowRefused("insured_id_number", t("import.id_number_shared"))
    return people[0]


# --- The import ----------------------------------------------------------------------------


def import_family(
    database: Database, path: Path, *, skip_bad: bool = False, agent_id: uuid.UUID | None = None
) -> ImportReport:
    """Import the family members of an export; see the module docstring for the format.

    No role check here: ``desk.use_cases.import_runs`` is the way in for a signed-in agent;
    ``agent_id`` is who the audit event names.
    """
    report = ImportReport()
    try:
        table = read_table(path, FAMILY_COLUMNS)
    except FileProblem as problem:
        return finish_report(report, problem.problems, 0)
    if not table.columns & {"insured_id_number", "policy_number"}:
        return finish_report(
            report, [RowProblem(1, "insured_id_number", t("import.missing_id_column"))], 0
        )

    problems: list[RowProblem] = []
    rows: list[_Row] = []
    today = china_now().date()
    for record in table.records:
        checked = _check(record, today)
        if isinstance(checked, _Row):
            rows.append(checked)
        else:
            problems += checked

    try:
        with database.unit_of_work() as uow:
            # Customers, policies and members on file need the database, so these checks
            # run in the transaction that will write.
            inserts, updates = _match(_Lookups(uow), rows, problems)
            good = len(inserts) + len(updates)
            if not ready_to_write(report, problems, good, any_rows=bool(table.records), skip_bad=skip_bad):
                return report
            report.inserted = uow.family.bulk_insert(inserts)
            for member, values in updates:
                for name, value in values.items():
                    setattr(member, name, value)
                uow.family.add(member)
            report.updated = len(updates)
            _audit(uow, path, report, skip_bad, agent_id)
            uow.commit()
    except DatabaseFailure as error:
        raise ImportFailed.of(error) from error
    report.written = True
    return report


def _match(
    lookups: _Lookups, rows: Sequence[_Row], problems: list[RowProblem]
) -> tuple[list[dict[str, Any]], list[tuple[FamilyMember, dict[str, Any]]]]:
    """New members to insert, and members on file with their new values; bad rows to ``problems``."""
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[FamilyMember, dict[str, Any]]] = []
    first_line: dict[tuple[uuid.UUID, str], int] = {}
    for row in rows:
        try:
            customer = _customer_of(lookups, row)
        except RowRefused as bad:
            problems.append(RowProblem(row.line, bad.field, bad.reason))
            continue
        number = row.member["id_number"]
        own = own_number_reason(customer, number)
        if own is not None:
            problems.append(RowProblem(row.line, "id_number", own))
            continue
        key = (customer.id, number.upper())
        if key in first_line:
            problems.append(RowProblem(row.line, "id_number", t("import.duplicate_row", first=first_line[key])))
            continue
        first_line[key] = row.line
        on_file = lookups.family_of(customer.id).get(key[1])
        if on_file is None:
            inserts.append({"customer_id": customer.id, **row.member})
        else:
            updates.append((on_file, row.member))
    return inserts, updates


def _audit(
    uow: UnitOfWork, path: Path, report: ImportReport, skip_bad: bool, agent_id: uuid.UUID | None
) -> None:
    uow.audit.add(
        AuditEvent(
            at=china_now(),
            agent_id=agent_id,
            action="import",
            subject_type="family_members",
            reason="desk import family",
            detail={
                "file": path.name,
                "inserted": report.inserted,
                "updated": report.updated,
                "bad_rows": report.bad_rows,
                "skip_bad": skip_bad,
            },
        )
    )

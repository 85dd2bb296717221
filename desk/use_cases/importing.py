"""Import of the policy administration system's exports (导入客户和保单).

``desk import customers FILE.csv`` and ``desk import policies FILE.csv``. Every bad row is
reported with its line, field and reason. A file with any bad row imports nothing unless
``--skip-bad`` is given, and nothing is ever half-written: all writes of one import,
including its audit event, are one transaction.

File format
-----------
* CSV, comma-separated, with a header row, read by ``desk.use_cases.csv_rows`` (shared with the
  request import). Line numbers in reports are physical lines of the file: the header
  is line 1, so the first record is line 2. A record whose quoted field spans several
  lines is reported at its first line. Lines with only empty cells (Excel writes
  ``,,,,`` after the data) are skipped.
* Encoding: UTF-8, with or without the byte-order mark Excel writes ("CSV UTF-8"). A file
  that is not valid UTF-8 is read as GB18030 (Chinese Excel's default "CSV", which
  includes GBK). If neither decodes, nothing is imported and one problem is reported on
  line 0, field ``file``. UTF-16 ("Unicode text") files are refused the same way.
* Header names are matched without regard to case or surrounding spaces, and the Chinese
  label of a column is accepted too (``证件号码`` for ``id_number``). Unknown columns are
  ignored. A missing required column is one problem on line 1 naming the column, and then
  nothing imports, even with ``--skip-bad``, because every row would be bad.
* Cells are stripped of surrounding spaces; an empty optional cell means the default.
  Dates may be written ``2026-01-10``, ``2026/1/10`` or ``20260110``.

Customers: ``name,id_type,id_number,birth_date,sex,mobile,email,region,address``
* Required: name, id_number, birth_date, sex, mobile. Optional: id_type (default
  ``resident_id``; the code or its Chinese name such as 居民身份证), email, region, address.
  Sex is ``M``/``F`` or 男/女.
* Rows are checked by ``desk.rules.validation.CustomerIn``: GB 11643 check digit, birth date and
  sex agree with the ID number, mainland mobile. Legacy 15-digit resident ID numbers are
  accepted here only (nowhere else in desk), and the customer is flagged ``needs_update``.
* A customer is identified by (id_type, id_number). One already in the database is
  updated: the export is the source of truth for the binding data (name, birth date, sex,
  mobile, email, region, address) and the search keys are recomputed. A 15-digit and an
  18-digit resident ID number of the same person are the same customer: importing the
  18-digit number replaces a stored 15-digit one and clears ``needs_update``; importing
  the 15-digit number of someone stored with 18 digits keeps the 18 digits.
* A second row for the same customer in one file is a bad row ("与第 N 行重复"); the first
  one stays good.

Policies: ``policy_number,product,insured_id_number,holder_id_number,effective_date,status,
termination_date,illness_list``
* Required: policy_number, product, insured_id_number, holder_id_number, effective_date,
  status. Optional: termination_date (required when the status is not ``active``, absent
  when it is), illness_list (default ``industry_2020``). Status is the code (active, lapsed,
  surrendered, terminated) or its Chinese name (有效, 失效, 退保, 终止).
* Insured and holder are given by resident ID number (15 or 18 digits) and must already be
  customers in the database: import customers first. illness_list must name a
  critical-illness list the database holds.
* A policy whose number already exists is updated (product, status, dates, holder,
  insured, illness list). A new policy gets its initial service period
  ``[effective + 15 d, effective + 15 d + 1 y)``; an updated policy whose effective date
  changed has its initial service period moved to the new window.
* A second row with the same policy number in one file is a bad row.

Every import that writes anything also writes an audit event (action ``import``) with the
file name and the counts. Large files are fine: rows are validated first, then existing
records are looked up in chunks and new rows inserted with executemany in chunks of
5,000, all in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import SQLModel

from db.tables import AuditEvent, Customer, Policy
from db.timestamps import china_now
from db.unit_of_work import UnitOfWork
from desk.errors import DatabaseFailure, DeskError
from desk.rules.search_keys import customer_search_keys
from desk.rules.service_period import initial_window
from desk.rules.validation import CustomerIn, PolicyIn, check_digit
from desk.texts.labels import t
from desk.use_cases.csv_rows import (
    FileProblem,
    ImportReport,
    Record,
    RowProblem,
    finish_report,
    read_records,
    ready_to_write,
    row_problems,
)
from desk.use_cases.database import Database
from desk.use_cases.limits import too_long

__all__ = [
    "CUSTOMER_COLUMNS",
    "POLICY_COLUMNS",
    "ImportFailed",
    "ImportReport",
    "RowProblem",
    "import_customers",
    "import_policies",
]

# Column name -> required. Order is the order of the documented header.
CUSTOMER_COLUMNS: dict[str, bool] = {
    "name": True,
    "id_type": False,
    "id_number": True,
    "birth_date": True,
    "sex": True,
    "mobile": True,
    "email": False,
    "region": False,
    "address": False,
}
POLICY_COLUMNS: dict[str, bool] = {
    "policy_number": True,
    "product": True,
    "insured_id_number": True,
    "holder_id_number": True,
    "effective_date": True,
    "status": True,
    "termination_date": False,
    "illness_list": False,
}

# Big enough that executemany round trips do not dominate, small enough to bound memory
# per statement on both backends.
CHUNK_SIZE = 5000


class ImportFailed(DeskError):
    """The database refused the import; the transaction was rolled back, nothing written."""

    @classmethod
    def of(cls, error: DatabaseFailure) -> ImportFailed:
        return cls(t("import.failed", reason=error))


# --- Checking rows (pure) ----------------------------------------------------------------


def _too_long(line: int, table: type[SQLModel], values: Mapping[str, Any]) -> list[RowProblem]:
    # The validation rules are the domain's; the column widths are the database's, and
    # PostgreSQL would fail the whole transaction on a value that does not fit.
    return [RowProblem(line, name, t("import.too_long", width=width))
            for name, width in too_long(table, values).items()]


def _given(values: Mapping[str, str], columns: Mapping[str, bool]) -> dict[str, str]:
    # An empty optional cell means "use the default", not "set to empty".
    return {name: value for name, value in values.items() if value or columns[name]}


def _eighteen_digit(number: str) -> str:
    """The 18-digit form of a resident ID number; first-generation numbers are all 19xx."""
    if len(number) == 15:
        first17 = number[:6] + "19" + number[6:]
        return first17 + check_digit(first17)
    return number


def resident_forms(number: str) -> tuple[str, ...]:
    """Every way this resident ID number may be stored: itself and its 15/18-digit twin."""
    if len(number) == 15:
        return (number, _eighteen_digit(number))
    if len(number) == 18 and number[6:8] == "19":
        return (number, number[:6] + number[8:17])
    return (number,)


def _identity(id_type: str, number: str) -> tuple[str, str]:
    return (id_type, _eighteen_digit(number) if id_type == "resident_id" else number)


@dataclass(frozen=True)
class _Checked:
    """Good rows keyed by identity, and every problem found, in file order."""

    rows: dict[Any, tuple[int, Any]]
    problems: list[RowProblem]


def _check_customers(records: Sequence[Record], today: date) -> _Checked:
    rows: dict[tuple[str, str], tuple[int, CustomerIn]] = {}
    problems: list[RowProblem] = []
    for record in records:
        try:
            customer = CustomerIn(allow_legacy_id=True, today=today,
                                  **_given(record.values, CUSTOMER_COLUMNS))
        except ValidationError as error:
            problems += row_problems(record.line, error)
            continue
        too_long = _too_long(record.line, Customer, customer.model_dump())
        if too_long:
            problems += too_long
            continue
        key = _identity(customer.id_type, customer.id_number)
        if key in rows:
            problems.append(RowProblem(record.line, "id_number", t("import.duplicate_row", first=rows[key][0])))
            continue
        rows[key] = (record.line, customer)
    return _Checked(rows, problems)


def _check_policies(records: Sequence[Record], today: date) -> _Checked:
    rows: dict[str, tuple[int, PolicyIn]] = {}
    problems: list[RowProblem] = []
    for record in records:
        try:
            policy = PolicyIn(today=today, **_given(record.values, POLICY_COLUMNS))
        except ValidationError as error:
            problems += row_problems(record.line, error)
            continue
        too_long = _too_long(
            record.line,
            Policy,
            policy.model_dump(include={"policy_number", "product", "illness_list"}),
        )
        if too_long:
            problems += too_long
            continue
        if policy.policy_number in rows:
            first = rows[policy.policy_number][0]
            problems.append(RowProblem(record.line, "policy_number", t("import.duplicate_row", first=first)))
            continue
        rows[policy.policy_number] = (record.line, policy)
    return _Checked(rows, problems)


# --- Writing -------------------------------------------------------------------------------


def _chunks(rows: Sequence[Mapping[str, Any]]) -> Iterator[Sequence[Mapping[str, Any]]]:
    for start in range(0, len(rows), CHUNK_SIZE):
        yield rows[start : start + CHUNK_SIZE]


def _customer_ids(uow: UnitOfWork, id_type: str, numbers: set[str]) -> dict[str, uuid.UUID]:
    """Stored customers of this ID type, by stored number; resident IDs in both forms."""
    if id_type == "resident_id":
        numbers = {form for number in numbers for form in resident_forms(number)}
    return uow.customers.ids_by_identity(id_type, numbers)


def _find_customer(
    found: Mapping[str, uuid.UUID], id_type: str, number: str
) -> tuple[uuid.UUID, str] | None:
    """The stored customer with this number (exact form first) and the number as stored."""
    forms = resident_forms(number) if id_type == "resident_id" else (number,)
    for form in forms:
        if form in found:
            return found[form], form
    return None


def _audit(
    uow: UnitOfWork, kind: str, path: Path, report: ImportReport, skip_bad: bool, agent_id: uuid.UUID | None
) -> None:
    uow.audit.add(
        AuditEvent(
            at=china_now(),
            agent_id=agent_id,
            action="import",
            subject_type=kind,
            reason=f"desk import {kind}",
            detail={
                "file": path.name,
                "inserted": report.inserted,
                "updated": report.updated,
                "bad_rows": report.bad_rows,
                "skip_bad": skip_bad,
            },
        )
    )


def _customer_values(customer: CustomerIn) -> dict[str, Any]:
    return {
        "name": customer.name,
        "birth_date": customer.birth_date,
        "sex": customer.sex,
        "mobile": customer.mobile,
        "email": customer.email,
        "region": customer.region,
        "address": customer.address,
    }


def import_customers(
    database: Database, path: Path, *, skip_bad: bool = False, agent_id: uuid.UUID | None = None
) -> ImportReport:
    """Import the customers of an export; see the module docstring for the format.

    No role check here: ``desk.use_cases.import_runs`` is the way in for a signed-in agent;
    ``agent_id`` is who the audit event names.
    """
    report = ImportReport()
    try:
        records = read_records(path, CUSTOMER_COLUMNS)
    except FileProblem as problem:
        return finish_report(report, problem.problems, 0)
    checked = _check_customers(records, china_now().date())
    finish_report(report, checked.problems, len(checked.rows))
    if (report.problems and not skip_bad) or (records and not checked.rows):
        return report

    try:
        with database.unit_of_work() as uow:
            by_type: dict[str, set[str]] = {}
            for _line, customer in checked.rows.values():
                by_type.setdefault(customer.id_type, set()).add(customer.id_number)
            stored = {
                id_type: _customer_ids(uow, id_type, numbers)
                for id_type, numbers in by_type.items()
            }
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for _line, customer in checked.rows.values():
                match = _find_customer(
                    stored[customer.id_type], customer.id_type, customer.id_number
                )
                # The 18-digit number wins over a 15-digit one, whichever side holds it.
                number = customer.id_number
                if match is not None and len(match[1]) > len(number):
                    number = match[1]
                values = {
                    **_customer_values(customer),
                    "id_number": number,
                    "needs_update": customer.id_type == "resident_id" and len(number) == 15,
                    **customer_search_keys(customer.name, number, customer.mobile),
                }
                if match is None:
                    inserts.append({"id_type": customer.id_type, **values})
                else:
                    # Names who changed the customer: an agent editing them meanwhile is told.
                    updates.append({"id": match[0], **values, "updated_by": agent_id})
            for chunk in _chunks(inserts):
                report.inserted += uow.customers.bulk_insert(chunk)
            for chunk in _chunks(updates):
                report.updated += uow.customers.bulk_update(chunk)
            _audit(uow, "customers", path, report, skip_bad, agent_id)
            uow.commit()
    except DatabaseFailure as error:
        raise ImportFailed.of(error) from error
    report.written = True
    return report


def import_policies(
    database: Database, path: Path, *, skip_bad: bool = False, agent_id: uuid.UUID | None = None
) -> ImportReport:
    """Import the policies of an export; see the module docstring for the format (and
    ``import_customers`` for ``agent_id``)."""
    report = ImportReport()
    try:
        records = read_records(path, POLICY_COLUMNS)
    except FileProblem as problem:
        return finish_report(report, problem.problems, 0)
    checked = _check_policies(records, china_now().date())
    problems = list(checked.problems)

    try:
        with database.unit_of_work() as uow:
            # Insured and holder must exist and the list must be known: these checks need
            # the database, so they run in the transaction that will write.
            policies: list[tuple[int, PolicyIn]] = list(checked.rows.values())
            people = _customer_ids(
                uow,
                "resident_id",
                {p.insured_id_number for _, p in policies}
                | {p.holder_id_number for _, p in policies},
            )
            lists = {p.illness_list for _, p in policies}
            known_lists = {code for code in lists if uow.illnesses.of_list(code)}
            existing = uow.policies.effective_dates_by_number(checked.rows.keys())

            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            periods: list[dict[str, Any]] = []
            moves: list[tuple[uuid.UUID, date, date]] = []
            for line, policy in policies:
                insured = _find_customer(people, "resident_id", policy.insured_id_number)
                holder = _find_customer(people, "resident_id", policy.holder_id_number)
                row_problems = [
                    RowProblem(line, name, t("import.customer_not_imported"))
                    for name, match in (
                        ("insured_id_number", insured),
                        ("holder_id_number", holder),
                    )
                    if match is None
                ]
                if policy.illness_list not in known_lists:
                    row_problems.append(
                        RowProblem(
                            line, "illness_list", t("import.no_illness_list", name=policy.illness_list)
                        )
                    )
                if row_problems or insured is None or holder is None:
                    problems += row_problems
                    continue
                values = {
                    "product": policy.product,
                    "insured_id": insured[0],
                    "holder_id": holder[0],
                    "effective_date": policy.effective_date,
                    "status": policy.status,
                    "termination_date": policy.termination_date,
                    "illness_list": policy.illness_list,
                }
                window = initial_window(policy.effective_date)
                if policy.policy_number in existing:
                    policy_id, old_effective = existing[policy.policy_number]
                    updates.append({"id": policy_id, **values})
                    if old_effective != policy.effective_date:
                        moves.append((policy_id, window.starts_on, window.ends_on))
                else:
                    policy_id = uuid.uuid4()
                    inserts.append(
                        {"id": policy_id, "policy_number": policy.policy_number, **values}
                    )
                    periods.append(
                        {
                            "policy_id": policy_id,
                            "kind": "initial",
                            "starts_on": window.starts_on,
                            "ends_on": window.ends_on,
                            "granted_by": None,
                            "reason": "",
                        }
                    )

            good = len(inserts) + len(updates)
            if not ready_to_write(report, problems, good, any_rows=bool(records), skip_bad=skip_bad):
                return report
            for chunk in _chunks(inserts):
                report.inserted += uow.policies.bulk_insert(chunk)
            for chunk in _chunks(periods):
                uow.service_periods.bulk_insert(chunk)
            for chunk in _chunks(updates):
                report.updated += uow.policies.bulk_update(chunk)
            uow.service_periods.move_initial(moves)
            _audit(uow, "policies", path, report, skip_bad, agent_id)
            uow.commit()
    except DatabaseFailure as error:
        raise ImportFailed.of(error) from error
    report.written = True
    return report

"""Import of the self-service channel's requests (微信服务号申请导入).

Customers also apply in the insurer's WeChat service account (the manual's 申请路径).
Its export arrives as a CSV file: ``desk import requests FILE.csv [--skip-bad]`` files
each row through exactly the rules of the hotline (``desk.use_cases.requests.file_request``),
marks the channel ``wechat``, and reports every row it cannot file with its reason.

File format
-----------
CSV read like every desk import (``desk.use_cases.csv_rows``): header row, physical line numbers
(header = line 1), UTF-8 with or without BOM or GB18030, headers matched without regard
to case and also by their Chinese label, unknown columns ignored.

``id_number,policy_number,service_code,beneficiary,suspected_illness,details,submitted_at``

* ``id_number`` (证件号码): the insured's ID number, and/or ``policy_number`` (保单号).
  The header needs at least one of the two columns, each row at least one of the two
  values. Given both, the policy must be the insured's. Given only the ID number of an
  insured with several policies, the one whose service window contains the submitted
  time is taken; if none or several do, the row is bad (t("import.several_policies")).
* ``service_code`` (服务代码, required): the catalogue code (``escort``, ``smoking``, …)
  or the benefit's Chinese name (``戒烟门诊``).
* ``beneficiary`` (服务对象, optional): empty means the insured; a name of a family member
  on file of the insured means that member; any other name is recorded as given, and the
  rules refuse it for the insured-only and family services.
* ``suspected_illness`` (疑似疾病, optional): the illness code the green channel
  (escort, admission) needs from the policy's critical-illness list.
* ``details`` (申请详情, optional): a JSON object, e.g. ``{"city": "北京"}``. NaN,
  Infinity, numbers too large to hold (``1e999``) and nesting deeper than the rules allow
  make the row bad; control characters in its texts are dropped (``printable_details``).
* Cells looked up in the database (ID number, policy number, illness code) and the
  beneficiary's name refuse control characters: a NUL would fail the query on PostgreSQL.
* ``submitted_at`` (提交时间, required): ``YYYY-MM-DD HH:MM`` (seconds, ``T`` and
  ``YYYY/M/D`` accepted too), China time; an ISO time with an offset is converted to it.

Rules
-----
* Rows are filed in file order, in one transaction, so a request filed from an earlier
  row holds its quota against the later rows, exactly as if an agent had filed them one
  after another at their submitted times. A row the rules refuse is reported on field
  ``service_code`` with the refusal's own reason; a row that cannot be read or matched
  is reported on the column at fault.
* A file with any bad row imports nothing unless ``--skip-bad`` is given; nothing is
  ever half-written. Every row is still checked, so one run reports every problem.
  With ``--skip-bad`` each row is filed inside its own SAVEPOINT, so a refused row
  leaves no trace and the rows around it stand; a value the database itself refuses
  (too long, unstorable text) is that row's problem too, never the file's.
* A row that repeats an earlier row of the file, or a request already filed from this
  channel (same policy, service, beneficiary and submitted time), is skipped and
  reported ("重复的申请"): importing the same export twice never files twice. A
  skipped duplicate is not a bad row.
* An import that writes also writes an audit event (action ``import_requests``) with
  the file name and the counts, in the same transaction.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from db.faults import fault_kind, is_store_error
from db.tables import AuditEvent, Customer, FamilyMember, Policy, ServicePeriod
from db.timestamps import CHINA_TZ, china_now
from db.unit_of_work import UnitOfWork
from desk.errors import DatabaseFailure, DeskError
from desk.rules.catalogue import BENEFITS
from desk.rules.free_text import checked_name, has_control_characters, printable
from desk.rules.request_details import MAX_DEPTH
from desk.rules.request_states import Channel
from desk.texts.labels import t
from desk.use_cases.csv_rows import (
    FileProblem,
    ImportReport,
    Record,
    RowProblem,
    RowRefused,
    column_label,
    finish_report,
    halfwidth,
    read_table,
    ready_to_write,
    without_label,
)
from desk.use_cases.database import Database, failure_of
from desk.use_cases.import_lookups import CustomerLookups
from desk.use_cases.importing import ImportFailed
from desk.use_cases.limits import BENEFICIARY_NAME
from desk.use_cases.requests import DetailsRefused, NewRequest, RequestRefused, file_request

__all__ = ["REQUEST_COLUMNS", "RequestImportReport", "import_requests"]

# Column name -> required. id_number / policy_number: at least one, checked separately.
REQUEST_COLUMNS: dict[str, bool] = {
    "id_number": False,
    "policy_number": False,
    "service_code": True,
    "beneficiary": False,
    "suspected_illness": False,
    "details": False,
    "submitted_at": True,
}

CHANNEL = Channel.WECHAT
# Each row's request id is derived from what identifies the row (``_row_request_id``), so
# re-running an import whose COMMIT answer was lost finds the requests it filed.
_ROW_ID_NAMESPACE = uuid.UUID("6f1d2c3e-9a4b-5e70-8c1d-2b3a4c5d6e7f")
# Database refusals that belong to one row's values, not to the connection or the file.
_ROW_FAULTS = frozenset({"too_long", "bad_text"})

_SERVICE_BY_NAME = {b.code: b.code for b in BENEFITS} | {b.name_zh: b.code for b in BENEFITS}
_SLASH_TIME = re.compile(
    r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"
)


@dataclass
class RequestImportReport(ImportReport):
    """``inserted``: requests filed; ``duplicates``: rows skipped as already filed."""

    duplicates: list[RowProblem] = field(default_factory=list)

    def reported(self) -> list[RowProblem]:
        """Problems and skipped duplicates together, in file order."""
        return sorted([*self.problems, *self.duplicates], key=lambda problem: problem.line)

    def summary(self) -> str:
        if self.written:
            skipped = len(self.duplicates)
            return t("import.requests_done", inserted=self.inserted, skipped=skipped, bad_rows=self.bad_rows)
        return self.not_written_summary()


# --- Reading rows (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    id_number: str
    policy_number: str
    service_code: str
    beneficiary: str
    suspected_illness: str | None
    details: dict[str, Any] | None
    submitted_at: datetime


def _submitted_at(text: str) -> datetime:
    text = printable(halfwidth(text))
    if not text:
        raise ValueError(t("validation.empty"))
    slash = _SLASH_TIME.fullmatch(text)
    try:
        if slash:
            parts = [int(part) for part in slash.groups(default="0")]
            return datetime(*parts)  # type: ignore[arg-type]
        if len(text) <= 10:
            raise ValueError
        value = datetime.fromisoformat(text)
        if value.tzinfo is not None:
            # 9999-12-31T23:59-12:00 is a valid ISO time past the last China-time one.
            value = value.astimezone(CHINA_TZ).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ValueError(t("import.bad_time", text=text)) from None
    return value


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's reader takes them; PostgreSQL does not.
    raise ValueError(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError(text)
    return value


def _details(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise ValueError(t("import.bad_json", position=error.pos + 1)) from None
    except RecursionError:
        raise ValueError(t("validation.problem", label=t("validation.label.details"),
                           text=t("validation.details_too_deep", depth=MAX_DEPTH))) from None
    except ValueError:
        # A NaN, an infinity, or an integer too long to read (Python's 4,300-digit limit).
        raise ValueError(t("validation.problem", label=t("validation.label.details"),
                           text=t("validation.details_number"))) from None
    if not isinstance(value, dict):
        raise ValueError(t("import.json_not_object"))
    return value


def _printable_key(line: int, name: str, text: str, problems: list[RowProblem]) -> str:
    """A cell that is looked up in the database (an ID number, a policy number, an
    illness code): control characters make it a bad row, never a query PostgreSQL refuses."""
    if has_control_characters(text):
        problems.append(RowProblem(line, name, t("validation.control_characters")))
        return ""
    return text


def _check(record: Record) -> _Row | list[RowProblem]:
    values = record.values
    line = record.line
    problems: list[RowProblem] = []
    id_number = _printable_key(line, "id_number", "".join(halfwidth(values.get("id_number", "")).split()).upper(),
                               problems)
    policy_number = _printable_key(line, "policy_number", halfwidth(values.get("policy_number", "")), problems)
    if not id_number and not policy_number and not problems:
        field_name = "id_number" if "id_number" in values else "policy_number"
        problems.append(RowProblem(line, field_name, t("import.id_or_policy")))

    service_text = halfwidth(values["service_code"])
    service_code = _SERVICE_BY_NAME.get(service_text.lower()) or _SERVICE_BY_NAME.get(service_text)
    if not service_text:
        problems.append(RowProblem(line, "service_code", t("validation.empty")))
    elif service_code is None:
        problems.append(RowProblem(line, "service_code", t("import.unknown_service", text=printable(service_text))))

    beneficiary = ""
    try:
        beneficiary = checked_name(column_label("beneficiary"), values.get("beneficiary", ""),
                                   max_length=BENEFICIARY_NAME)
    except ValueError as error:
        problems.append(RowProblem(line, "beneficiary", without_label("beneficiary", str(error))))
    suspected_illness = _printable_key(line, "suspected_illness",
                                       halfwidth(values.get("suspected_illness", "")).upper(), problems)

    details: dict[str, Any] | None = None
    try:
        details = _details(values.get("details", ""))
    except ValueError as error:
        problems.append(RowProblem(line, "details", str(error)))

    submitted_at: datetime | None = None
    try:
        submitted_at = _submitted_at(values["submitted_at"])
    except ValueError as error:
        problems.append(RowProblem(line, "submitted_at", str(error)))

    if problems or service_code is None or submitted_at is None:
        return problems
    return _Row(
        line=line,
        id_number=id_number,
        policy_number=policy_number,
        service_code=service_code,
        beneficiary=beneficiary,
        suspected_illness=suspected_illness or None,
        details=details,
        submitted_at=submitted_at,
    )


# --- Matching rows to policies and people (database) ------------------------------------


@dataclass
class _Lookups(CustomerLookups):
    """What earlier rows already looked up, beyond customers and policies."""

    periods: dict[uuid.UUID, list[ServicePeriod]] = field(default_factory=dict)
    family: dict[uuid.UUID, list[FamilyMember]] = field(default_factory=dict)
    insured: dict[uuid.UUID, Customer | None] = field(default_factory=dict)
    filed_keys: dict[uuid.UUID, set[tuple[uuid.UUID, str, str, datetime]]] = field(
        default_factory=dict
    )

    def periods_of(self, policy_id: uuid.UUID) -> list[ServicePeriod]:
        if policy_id not in self.periods:
            self.periods[policy_id] = self.uow.service_periods.of_policy(policy_id)
        return self.periods[policy_id]

    def family_of(self, customer_id: uuid.UUID) -> list[FamilyMember]:
        if customer_id not in self.family:
            self.family[customer_id] = self.uow.family.of_customer(customer_id)
        return self.family[customer_id]

    def insured_of(self, policy: Policy) -> Customer | None:
        if policy.insured_id not in self.insured:
            self.insured[policy.insured_id] = self.uow.customers.get(policy.insured_id)
        return self.insured[policy.insured_id]

    def keys_filed(self, policy_id: uuid.UUID) -> set[tuple[uuid.UUID, str, str, datetime]]:
        if policy_id not in self.filed_keys:
            self.filed_keys[policy_id] = self.uow.requests.keys_of_channel([policy_id], CHANNEL)
        return self.filed_keys[policy_id]


def _policy_of(lookups: _Lookups, row: _Row) -> Policy:
    if row.policy_number:
        policy = lookups.policy(row.policy_number)
        if policy is None:
            raise RowRefused("policy_number", t("import.no_policy"))
        if row.id_number:
            people = {customer.id for customer in lookups.customers_with(row.id_number)}
            if not people:
                raise RowRefused("id_number", t("import.no_customer"))
            if policy.insured_id not in people:
                raise RowRefused("policy_number", t("import.policy_not_same_insured"))
        return policy

    people = lookups.customers_with(row.id_number)
    if not people:
        raise RowRefused("id_number", t("import.no_customer"))
    policies = [
        policy
        for customer in people
        for policy in lookups.uow.policies.of_customer(customer.id)
        if policy.insured_id == customer.id
    ]
    if not policies:
        raise RowRefused("id_number", t("import.not_insured"))
    if len(policies) == 1:
        return policies[0]
    day = row.submitted_at.date()
    open_then = [
        policy
        for policy in policies
        if any(p.starts_on <= day < p.ends_on for p in lookups.periods_of(policy.id))
    ]
    if len(open_then) != 1:
        raise RowRefused("policy_number", t("import.several_policies"))
    return open_then[0]


def _new_request(lookups: _Lookups, row: _Row, policy: Policy) -> tuple[NewRequest, str]:
    """The request to file, and the beneficiary's name as it will be stored."""
    insured = lookups.insured_of(policy)
    insured_name = insured.name if insured else ""
    member_id: uuid.UUID | None = None
    name = row.beneficiary
    if name and name != insured_name:
        members = [m for m in lookups.family_of(policy.insured_id) if m.name == name]
        if len(members) > 1:
            raise RowRefused("beneficiary", t("import.beneficiary_ambiguous", name=name))
        if members:
            member_id = members[0].id
    new = NewRequest(
        policy_id=policy.id,
        service_code=row.service_code,
        beneficiary_member_id=member_id,
        beneficiary_name="" if member_id else name,
        details=row.details,
        channel=CHANNEL,
        suspected_illness=row.suspected_illness,
    )
    return new, name or insured_name


# --- The import ----------------------------------------------------------------------------


def import_requests(
    database: Database, path: Path, *, skip_bad: bool = False, agent_id: uuid.UUID | None = None
) -> RequestImportReport:
    """File the requests of a self-service export; see the module docstring for the format.

    No role check here: ``desk.use_cases.import_runs`` is the way in for a signed-in agent;
    ``agent_id`` is who the audit event names (each request is still filed by no agent).
    """
    report = RequestImportReport()
    try:
        table = read_table(path, REQUEST_COLUMNS)
    except FileProblem as problem:
        finish_report(report, problem.problems, 0)
        return report
    if not table.columns & {"id_number", "policy_number"}:
        finish_report(report, [RowProblem(1, "id_number", t("import.missing_id_column"))], 0)
        return report

    problems: list[RowProblem] = []
    rows: list[_Row] = []
    for record in table.records:
        checked = _check(record)
        if isinstance(checked, _Row):
            rows.append(checked)
        else:
            problems += checked

    try:
        with database.unit_of_work() as uow:
            filed = _file_rows(uow, rows, problems, report)
            good = filed + len(report.duplicates)
            if not ready_to_write(report, problems, good, any_rows=bool(table.records), skip_bad=skip_bad):
                # Leaving the block without commit rolls back every row filed above.
                report.inserted = 0
                return report
            report.inserted = filed
            _audit(uow, path, report, skip_bad, agent_id)
            uow.commit()
    except DatabaseFailure as error:
        raise ImportFailed.of(error) from error
    report.written = True
    return report


def _file_rows(
    uow: UnitOfWork, rows: list[_Row], problems: list[RowProblem], report: RequestImportReport
) -> int:
    """File every row in file order; how many were filed. Refusals go to ``problems``."""
    lookups = _Lookups(uow)
    first_line: dict[tuple[uuid.UUID, str, str, datetime], int] = {}
    filed = 0
    for row in rows:
        try:
            policy = _policy_of(lookups, row)
            new, beneficiary = _new_request(lookups, row, policy)
        except RowRefused as bad:
            problems.append(RowProblem(row.line, bad.field, bad.reason))
            continue
        key = (policy.id, row.service_code, beneficiary, row.submitted_at)
        if key in first_line:
            report.duplicates.append(
                RowProblem(row.line, "row", t("import.duplicate_request", first=first_line[key]))
            )
            continue
        first_line[key] = row.line
        if key in lookups.keys_filed(policy.id):
            report.duplicates.append(RowProblem(row.line, "row", t("import.already_imported")))
            continue
        new = replace(new, request_id=_row_request_id(key))
        try:
            with uow.savepoint():
                if file_request(uow, new, agent_id=None, at=row.submitted_at, commit=False).already_saved:
                    # Filed by an earlier run (or another at once) that the check above missed.
                    report.duplicates.append(RowProblem(row.line, "row", t("import.already_imported")))
                    continue
        except RequestRefused as refused:
            problems.append(RowProblem(row.line, "service_code", str(refused)))
            continue
        except DetailsRefused as refused:
            problems += [RowProblem(row.line, "details", problem.message) for problem in refused.problems]
            continue
        except DeskError as error:
            problems.append(RowProblem(row.line, "service_code", str(error)))
            continue
        except Exception as error:
            # A value the rules let through and the database refused: the rules and the
            # columns should agree, and if they ever do not, the savepoint loses this row,
            # not the file. Anything else (the connection gone) still ends the import.
            if not is_store_error(error) or fault_kind(error) not in _ROW_FAULTS:
                raise
            problems.append(RowProblem(row.line, "row", str(failure_of(error))))
            continue
        filed += 1
    return filed


def _row_request_id(key: tuple[uuid.UUID, str, str, datetime]) -> uuid.UUID:
    """The request id of a row: the same row of any run of any export gives the same id.

    The export has no request key of its own, so the id is made of the row's identifying
    content, the same (policy, service, beneficiary, submitted time) the duplicate check uses.
    """
    policy_id, service_code, beneficiary, submitted_at = key
    return uuid.uuid5(_ROW_ID_NAMESPACE, f"{policy_id}|{service_code}|{beneficiary}|{submitted_at.isoformat()}")


def _audit(
    uow: UnitOfWork, path: Path, report: RequestImportReport, skip_bad: bool, agent_id: uuid.UUID | None
) -> None:
    uow.audit.add(
        AuditEvent(
            at=china_now(),
            agent_id=agent_id,
            action="import_requests",
            subject_type="request",
            reason="desk import requests",
            detail={
                "file": path.name,
                "channel": str(CHANNEL),
                "inserted": report.inserted,
                "duplicates": len(report.duplicates),
                "bad_rows": report.bad_rows,
                "skip_bad": skip_bad,
            },
        )
    )


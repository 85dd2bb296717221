"""The tables: every thing ``shared/domain.md`` names, as SQLModel rows.

Primary keys are UUIDs made by the client, so a branch office can create rows offline and
merge them later without collisions. Every row carries ``created_at``/``updated_at`` in
China Standard Time (see ``db.timestamps``). Codes that the domain owns (service codes,
states, relations) are stored as short strings: the domain validates them, the database
only keeps them, so adding a state never needs an enum migration.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.timestamps import china_now


class Row(SQLModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: NaiveDatetime = Field(default_factory=china_now)
    updated_at: NaiveDatetime = Field(
        default_factory=china_now, sa_column_kwargs={"onupdate": china_now}
    )


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Agent(Row, table=True):
    __tablename__ = "agent"

    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=64)
    role: str = Field(default="agent", max_length=16)  # agent | supervisor | admin
    office: str = Field(default="", max_length=64)
    active: bool = True
    # Sign-in (migration 0005): the scrypt hash with its parameters (desk.use_cases.passwords),
    # None until an admin sets one; wrong passwords since the last success, and when a lock
    # ends (desk.rules.sign_in).
    password_hash: str | None = Field(default=None, max_length=255)
    failed_sign_ins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_until: NaiveDatetime | None = None


class Customer(Row, table=True):
    """A person bound to the service (the insured, a holder): the manual's 用户绑定 fields."""

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("id_type", "id_number", name="uq_customer_id_number"),
        # Callers read out their number without its type: the unique key leads with type.
        Index("ix_customer_id_number", "id_number"),
        Index("ix_customer_id_last4", "id_last4"),
        Index("ix_customer_id_last6", "id_last6"),
        Index("ix_customer_mobile", "mobile"),
        Index("ix_customer_mobile_last4", "mobile_last4"),
        # Prefix searches: PostgreSQL needs pattern ops to use a btree for LIKE 'x%'
        # under a linguistic collation; SQLite ignores the option and searches by range.
        Index("ix_customer_name", "name", postgresql_ops={"name": "text_pattern_ops"}),
        Index(
            "ix_customer_name_pinyin",
            "name_pinyin",
            postgresql_ops={"name_pinyin": "text_pattern_ops"},
        ),
        Index(
            "ix_customer_name_initials",
            "name_initials",
            postgresql_ops={"name_initials": "text_pattern_ops"},
        ),
    )

    name: str = Field(max_length=64)
    id_type: str = Field(default="resident_id", max_length=24)
    id_number: str = Field(max_length=32)
    birth_date: date
    sex: str = Field(max_length=1)  # M | F
    mobile: str = Field(default="", max_length=16)
    email: str = Field(default="", max_length=128)
    region: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=256)
    # Search keys, kept beside the fields they come from so lookups are index scans.
    name_pinyin: str = Field(default="", max_length=128)
    name_initials: str = Field(default="", max_length=32)
    id_last4: str = Field(default="", max_length=4)
    id_last6: str = Field(default="", max_length=6)
    mobile_last4: str = Field(default="", max_length=4)
    # Legacy 15-digit ID numbers are accepted on import only, flagged for update.
    needs_update: bool = False
    # Row version (migration 0008): an edit names the version it started from, so a second
    # agent's edit of the same customer is caught instead of silently overwriting the first.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_by: uuid.UUID | None = None


class FamilyMember(Row, table=True):
    __tablename__ = "family_member"

    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=64)
    relation: str = Field(max_length=16)  # spouse | parent | child | grandparent | grandchild
    id_type: str = Field(default="resident_id", max_length=24)
    id_number: str = Field(max_length=32)
    birth_date: date | None = None
    sex: str = Field(default="", max_length=1)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_by: uuid.UUID | None = None


class CriticalIllness(Row, table=True):
    """One illness of a critical-illness list; ``list_code`` names the list a policy carries."""

    __tablename__ = "critical_illness"
    __table_args__ = (UniqueConstraint("list_code", "code", name="uq_illness_code"),)

    list_code: str = Field(max_length=32)
    code: str = Field(max_length=16)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(default="", max_length=128)
    severity: str = Field(default="", max_length=8)


class Policy(Row, table=True):
    __tablename__ = "policy"
    __table_args__ = (
        Index(
            "ux_policy_number",
            "policy_number",
            unique=True,
            postgresql_ops={"policy_number": "text_pattern_ops"},
        ),
    )

    policy_number: str = Field(max_length=32)
    product: str = Field(max_length=64)
    insured_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    holder_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    effective_date: date
    status: str = Field(default="active", max_length=16)  # active | lapsed | surrendered | terminated
    termination_date: date | None = None
    illness_list: str = Field(default="industry_2020", max_length=32)


class ServicePeriod(Row, table=True):
    """A service year: ``[starts_on, ends_on)``; renewals start fresh quotas."""

    __tablename__ = "service_period"

    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    kind: str = Field(default="initial", max_length=16)  # initial | renewal
    starts_on: date
    ends_on: date
    granted_by: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    reason: str = Field(default="", max_length=256)


class Request(Row, table=True):
    """A customer's request for one service, with its per-service details as JSON."""

    __tablename__ = "request"
    __table_args__ = (
        Index("ix_request_customer_submitted", "customer_id", "submitted_at"),
        Index("ix_request_state", "state"),
    )

    number: str = Field(max_length=24, unique=True)
    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    service_period_id: uuid.UUID | None = Field(default=None, foreign_key="service_period.id")
    customer_id: uuid.UUID = Field(foreign_key="customer.id")
    service_code: str = Field(max_length=24)
    beneficiary_member_id: uuid.UUID | None = Field(default=None, foreign_key="family_member.id")
    beneficiary_name: str = Field(default="", max_length=64)
    channel: str = Field(default="hotline", max_length=16)  # hotline | wechat | import
    state: str = Field(default="submitted", max_length=24)
    submitted_at: NaiveDatetime
    created_by: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    details: dict[str, Any] = _json()
    # "" at head office; a quota-limited request filed at a branch office is "provisional"
    # until head office counts it on sync: then "confirmed", or "conflict" when the quota
    # was already used elsewhere (desk.rules.confirmation).
    confirmation: str = Field(default="", max_length=12, sa_column_kwargs={"server_default": ""})


class RequestEvent(Row, table=True):
    """One lifecycle transition, kept forever."""

    __tablename__ = "request_event"

    request_id: uuid.UUID = Field(foreign_key="request.id", index=True)
    at: NaiveDatetime
    from_state: str = Field(default="", max_length=24)
    to_state: str = Field(max_length=24)
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    reason: str = Field(default="", max_length=512)
    data: dict[str, Any] = _json()


class RequestStep(Row, table=True):
    """One SLA step of a request: when it started, when it is due, when it was done."""

    __tablename__ = "request_step"
    __table_args__ = (
        # The queue reads open steps in (due_at, id) order and filters by step and agent:
        # the index carries them all, so a page and its counts never touch the table.
        Index("ix_request_step_open_due", "done_at", "due_at", "id", "step_code", "assigned_to", "service_code"),
        # PostgreSQL does not take "done_at IS NULL" as fixing the leading column, so the
        # index above cannot give it the order; a partial index can.
        Index("ix_request_step_open_queue", "due_at", "id", "step_code", "assigned_to", "service_code",
              postgresql_where=text("done_at IS NULL"), sqlite_where=text("done_at IS NULL")),
    )

    request_id: uuid.UUID = Field(foreign_key="request.id", index=True)
    # The request's service, copied: the queue filters and counts by it from the index alone.
    service_code: str = Field(default="", max_length=24)
    step_code: str = Field(max_length=24)
    started_at: NaiveDatetime
    due_at: NaiveDatetime | None = None
    done_at: NaiveDatetime | None = None
    assigned_to: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    # Set when the working-day count ran past the last day the calendar knew: the due time
    # assumed Monday-Friday after this date and is shown as uncertain until recomputed.
    calendar_unknown_after: date | None = None


class UsageEvent(Row, table=True):
    """The usage ledger: append-only counted / refunded events; quotas are derived from it."""

    __tablename__ = "usage_event"
    __table_args__ = (Index("ix_usage_period_service", "service_period_id", "service_code"),)

    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    service_period_id: uuid.UUID = Field(foreign_key="service_period.id")
    service_code: str = Field(max_length=24)
    request_id: uuid.UUID | None = Field(default=None, foreign_key="request.id", index=True)
    kind: str = Field(max_length=16)  # counted | refunded
    at: NaiveDatetime
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    reason: str = Field(default="", max_length=256)


class Call(Row, table=True):
    __tablename__ = "call"
    __table_args__ = (Index("ix_call_customer_started", "customer_id", "started_at"),)

    customer_id: uuid.UUID | None = Field(default=None, foreign_key="customer.id")
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    caller_number: str = Field(default="", max_length=24)
    started_at: NaiveDatetime
    ended_at: NaiveDatetime | None = None
    # Which facts the caller confirmed (full_name, id_last4, birth_date, mobile).
    verified_facts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    wrap_up_code: str = Field(default="", max_length=24)


class CallNote(Row, table=True):
    __tablename__ = "call_note"

    call_id: uuid.UUID = Field(foreign_key="call.id", index=True)
    at: NaiveDatetime
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    text: str = Field(max_length=4000)


class Supplier(Row, table=True):
    __tablename__ = "supplier"

    name: str = Field(max_length=128, unique=True)
    service_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phone: str = Field(default="", max_length=32)


class Complaint(Row, table=True):
    """A complaint ticket: decision due 15 calendar days after receipt, 30 if complex."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_state_due", "state", "due_at"),)

    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    request_id: uuid.UUID | None = Field(default=None, foreign_key="request.id")
    supplier_id: uuid.UUID | None = Field(default=None, foreign_key="supplier.id")
    received_at: NaiveDatetime
    summary: str = Field(max_length=4000)
    complex_case: bool = False
    marked_complex_by: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    due_at: NaiveDatetime
    state: str = Field(default="open", max_length=16)  # open | decided
    decided_at: NaiveDatetime | None = None
    decision: str = Field(default="", max_length=4000)
    assigned_to: uuid.UUID | None = Field(default=None, foreign_key="agent.id")


class Rating(Row, table=True):
    __tablename__ = "rating"

    request_id: uuid.UUID = Field(foreign_key="request.id", index=True)
    timeliness: int
    quality: int
    attitude: int
    comment: str = Field(default="", max_length=2000)
    at: NaiveDatetime


class AuditEvent(Row, table=True):
    """Who did what sensitive thing, and why: full ID shown, override, export."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # The audit screen's page: newest first, whole or filtered by agent or action.
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_agent_at", "agent_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
    )

    at: NaiveDatetime
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agent.id")
    action: str = Field(max_length=32)
    subject_type: str = Field(default="", max_length=32)
    subject_id: uuid.UUID | None = None
    reason: str = Field(default="", max_length=512)
    detail: dict[str, Any] = _json()


class CalendarDay(Row, table=True):
    """An exception to Monday-Friday: a public holiday or a make-up working day (调休上班)."""

    __tablename__ = "calendar_day"

    day: date = Field(unique=True)
    kind: str = Field(max_length=8)  # holiday | workday
    name: str = Field(default="", max_length=64)


class Hospital(Row, table=True):
    __tablename__ = "hospital"
    __table_args__ = (UniqueConstraint("city", "name", name="uq_hospital_city_name"),)

    name: str = Field(max_length=128)
    city: str = Field(max_length=32, index=True)
    grade: str = Field(default="", max_length=8)  # e.g. 三甲
    smoking_clinic: bool = False


class SyncSite(Row, table=True):
    """This database's place in offline sync: at most one row.

    Head office gets one when a branch first syncs with it (``role`` "head"); a branch
    office when it is set up (``role`` "branch", with the head office it syncs with, the
    customers it holds and how far it has read head office's change log). No row: a
    database on its own, whose writes are not recorded for anyone.
    """

    __tablename__ = "sync_site"

    role: str = Field(max_length=8)  # head | branch
    # Writes are recorded in sync_change only while this is set (the capture triggers ask).
    capture: bool = True
    head_site_id: uuid.UUID | None = None
    # The head office's URL without its password (libpq takes it from ~/.pgpass or
    # PGPASSWORD), so the file never holds a secret.
    remote_url: str = Field(default="", max_length=512)
    scope: dict[str, Any] = _json()  # {"region": "上海"} | {"customers": [ids]} | {}
    # The change-log number (head office's ``sync_change.seq``) received up to.
    pulled_to: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    last_sync_at: NaiveDatetime | None = None
    schema_revision: str = Field(default="", max_length=32)


class SyncApplying(SQLModel, table=True):
    """A row here, inside a transaction, tells the capture triggers that the rows being
    written come from the other side: recorded once, by the sync, with their own origin.

    Neither SQLite nor PostgreSQL lets a trigger read a variable both understand; a row
    inserted and deleted inside the same transaction is seen by that transaction only.
    """

    __tablename__ = "sync_applying"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)


class SyncChange(SQLModel, table=True):
    """One write to a synced table: a branch's outbox, head office's change log.

    Written by the capture triggers (migration 0008) in the same transaction as the write,
    so a change is recorded exactly when it happened. Applied at the other side once, by
    ``change_id``: a change already present there is skipped.
    """

    __tablename__ = "sync_change"
    __table_args__ = (
        Index("ix_sync_change_customer", "customer_id"),
        Index("ix_sync_change_outbox", "seq", sqlite_where=text("origin IS NULL AND sent_at IS NULL"),
              postgresql_where=text("origin IS NULL AND sent_at IS NULL")),
    )

    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    change_id: uuid.UUID = Field(unique=True)
    # None: written here. Otherwise the site it was first written at.
    origin: uuid.UUID | None = None
    table_name: str = Field(max_length=32)
    row_id: uuid.UUID
    op: str = Field(max_length=8)  # insert | update
    # Whose customer the row belongs to: a branch receives only its customers' changes.
    customer_id: uuid.UUID | None = None
    data: dict[str, Any] = _json()
    old: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    at: NaiveDatetime
    sent_at: NaiveDatetime | None = None


class SyncConflict(Row, table=True):
    """What a sync could not settle by itself, for a supervisor to review."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_open", "resolved_at", "at"),)

    kind: str = Field(max_length=16)  # quota | field
    table_name: str = Field(max_length=32)
    row_id: uuid.UUID
    customer_id: uuid.UUID | None = None
    at: NaiveDatetime
    detail: dict[str, Any] = _json()
    resolved_at: NaiveDatetime | None = None
    resolved_by: uuid.UUID | None = None
    resolution: str = Field(default="", max_length=512)

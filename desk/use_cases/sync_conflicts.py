"""The supervisors' list of what a sync could not settle by itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from db.tables import AuditEvent, SyncConflict
from desk.errors import DeskError
from desk.rules.catalogue import benefit
from desk.rules.confirmation import Confirmation
from desk.rules.masking import mask_id_number, mask_mobile
from desk.rules.roles import Action
from desk.texts.due import minute
from desk.texts.labels import t
from desk.use_cases.clock import china_now
from desk.use_cases.database import Database
from desk.use_cases.gates import gate
from desk.use_cases.requests import checked_reason
from desk.use_cases.sign_in import SignedIn

REFUSED = "sync_conflicts_refused"


def open_conflict_lines(database: Database, agent: SignedIn) -> list[str]:
    """One line per open conflict, oldest first: a quota conflict with every filing of
    that service year, a field conflict with the value kept and the one set aside."""
    with database.unit_of_work() as uow:
        gate(uow, agent, Action.REVIEW_CONFLICTS, refused_as=REFUSED, subject_type="sync_conflict",
             at=china_now(), detail={})
        return [conflict_line(conflict) for conflict in uow.sync.open_conflicts()]


def resolve_conflict(database: Database, agent: SignedIn, reference: str, note: str, *, accept: bool,
                     at: datetime) -> SyncConflict:
    """Close the open conflict whose id starts with ``reference`` (as the list shows it).

    ``accept`` lets a quota conflict's request stand as an exception (it reads "confirmed"
    again, and the supervisor's reason is audited like any override); otherwise the
    supervisor has dealt with it on the request itself (cancelled it, with its refund).
    """
    note = checked_reason(note)
    if not note:
        raise DeskError(t("error.reason_required"))
    with database.unit_of_work() as uow:
        supervisor = gate(uow, agent, Action.REVIEW_CONFLICTS, refused_as=REFUSED, subject_type="sync_conflict",
                          at=at, detail={"reference": reference})
        matches = [c for c in uow.sync.open_conflicts(limit=10_000) if c.id.hex.startswith(reference.lower())]
        if len(matches) != 1:
            raise DeskError(t("sync.no_such_conflict" if not matches else "sync.conflict_ambiguous",
                              reference=reference))
        conflict = matches[0]
        conflict.resolved_at, conflict.resolved_by, conflict.resolution = at, supervisor.id, note
        uow.sync.add_conflict(conflict)
        if accept and conflict.kind == "quota":
            request = uow.requests.get(conflict.row_id)
            if request is not None:
                request.confirmation = Confirmation.CONFIRMED
                uow.requests.add(request)
        uow.audit.add(AuditEvent(at=at, agent_id=supervisor.id, action="sync_conflict_resolved",
                                 subject_type=conflict.table_name, subject_id=conflict.row_id, reason=note,
                                 detail={"kind": conflict.kind, "accepted": accept}))
        uow.commit()
        return conflict


def conflict_line(conflict: SyncConflict) -> str:
    detail: dict[str, Any] = conflict.detail
    head = f"{conflict.id.hex[:8]}  {minute(conflict.at)}  "
    if conflict.kind == "quota":
        filings = "；".join(
            f"{filing['number']} {_moment(filing['submitted_at'])} "
            f"{t('confirmation.' + filing['confirmation']) if filing['confirmation'] else t('sync.role.head')}"
            for filing in detail.get("filings", [])
        )
        return head + t(
            "sync.conflict.quota", service=benefit(detail["service"]).name_zh, quota=detail.get("quota"),
            filings=filings,
        )
    field = str(detail.get("field", ""))
    return head + t(
        "sync.conflict.field", table=conflict.table_name, field=field,
        kept=_shown(field, detail.get("kept")), kept_at=_moment(detail.get("kept_at")),
        set_aside=_shown(field, detail.get("set_aside")), set_aside_at=_moment(detail.get("set_aside_at")),
    )


def _shown(field: str, value: Any) -> str:
    """A value as a listing may show it: ID and mobile numbers masked, like every screen."""
    text = "" if value is None else str(value)
    if field == "id_number":
        return mask_id_number(text)
    if field == "mobile":
        return mask_mobile(text)
    return text


def _moment(value: Any) -> str:
    """A time kept in a conflict's detail (ISO text), as every listing shows one."""
    return minute(datetime.fromisoformat(value)) if value else ""

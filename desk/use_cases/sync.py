"""Offline branch offices: exchanging changes with head office, both ways.

A branch works on its own SQLite file. Every write there is recorded in its outbox by
the capture triggers, in the same transaction as the write (migration 0008). ``desk
sync`` then, in order:

1. checks both sides run the same schema revision (else says which side to upgrade);
2. the first time only, copies the branch's customers from head office (saying first how
   much), with the change-log position that copy stands at;
3. sends the outbox: head office applies each change once, by its id, in one transaction,
   confirms or flags the branch's provisional quota filings, and keeps the branch's
   changes in its own log for the other branches; only then does the branch mark them sent;
4. receives head office's changes for its customers since the last sync, in one
   transaction with the position reached.

Any step may be cut short (a line drops, a laptop closes): nothing is half-applied, and
running it again ends where one clean run would; a run with nothing new changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.repositories.sync import SHARED, ChangeLogBusy, incoming_of
from db.schema import current_revision, revision_rank
from db.sync.apply import FieldConflict
from db.sync.rows import BY_NAME, SYNCED, encoded
from db.tables import AuditEvent, SyncConflict, SyncSite
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.catalogue import benefit
from desk.rules.confirmation import Confirmation, on_count
from desk.rules.roles import Action
from desk.texts.labels import t
from desk.use_cases.database import Database, connect
from desk.use_cases.gates import gate
from desk.use_cases.requests import uses_in_year
from desk.use_cases.sign_in import SignedIn

# Where a test (or a careless power cable) may cut a sync short: each is a moment between
# two transactions or inside one, named so a test can stop there.
CHECKPOINTS = (
    "copied",
    "sent_applied",
    "sent_committed",
    "marked_sent",
    "received_applied",
)
Stop = Callable[[str], None]


class SyncRefused(DeskError):
    """The sync cannot run as asked; the message says what to do."""


@dataclass
class SyncReport:
    first: bool = False
    copied: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    received: int = 0
    field_conflicts: int = 0
    confirmed: int = 0
    quota_conflicts: int = 0
    at: datetime | None = None

    def summary(self) -> str:
        return t("sync.summary", sent=self.sent, received=self.received, confirmed=self.confirmed,
                 quota=self.quota_conflicts, fields=self.field_conflicts)


@dataclass(frozen=True)
class SyncStatus:
    role: str  # "" (on its own) | head | branch
    remote: str
    scope: dict[str, Any]
    waiting: int
    last_sync_at: datetime | None
    open_conflicts: int


def branch_status(database: Database) -> SyncStatus:
    with database.unit_of_work() as uow:
        site = uow.sync.site()
        return SyncStatus(
            role=site.role if site else "",
            remote=site.remote_url if site else "",
            scope=dict(site.scope) if site else {},
            waiting=uow.sync.outbox_count() if site and site.role == "branch" else 0,
            last_sync_at=site.last_sync_at if site else None,
            open_conflicts=uow.sync.open_conflict_count(),
        )


def parse_scope(region: str | None, customers: list[str] | None) -> dict[str, Any]:
    if region and customers:
        raise SyncRefused(t("sync.scope_one"))
    if region:
        return {"region": region.strip()}
    if customers is not None:
        # ID numbers as agents have them; upper case for the X of a resident ID.
        numbers = sorted({value.strip().upper() for value in customers if value.strip()})
        if not numbers:
            raise SyncRefused(t("sync.scope_empty"))
        return {"id_numbers": numbers}
    return {}


def sync_branch(
    branch: Database,
    *,
    remote_url: str | None,
    at: datetime,
    agent: SignedIn | None = None,
    scope: Mapping[str, Any] | None = None,
    announce: Callable[[str], None] = lambda _line: None,
    stop: Stop | None = None,
) -> SyncReport:
    """Sync ``branch`` with head office; see the module's docstring for the steps.

    The first sync sets the branch up (``remote_url`` and ``scope`` say with whom and for
    which customers); later ones take both from what the first stored, ``remote_url``
    overriding. ``agent`` is who runs it (signed in at the branch), once there are agents
    to sign in as; ``stop`` is called at each of ``CHECKPOINTS``.
    """
    checkpoint = stop or (lambda _name: None)
    with branch.unit_of_work() as uow:
        site = uow.sync.site()
        if site is not None and site.role != "branch":
            raise SyncRefused(t("sync.not_branch"))
        if site is None and uow.customers.count() > 0:
            raise SyncRefused(t("sync.branch_not_empty"))
        if site is not None:
            if agent is None:
                raise SyncRefused(t("sync.sign_in_needed"))
            gate(uow, agent, Action.SYNC, refused_as="sync_refused", subject_type="sync", at=at, detail={})
    url = remote_url or (site.remote_url if site else "")
    if not url:
        raise SyncRefused(t("sync.no_remote"))
    head = connect(url)
    try:
        if head.engine.dialect.name != "postgresql":
            raise SyncRefused(t("sync.head_not_postgres"))
        _same_schema(head, branch)
        report = SyncReport(first=site is None, at=at)
        head_id = _head_site(head, at)
        if site is None:
            site = _first_copy(head, branch, head_id, dict(scope or {}), url, at, report, announce)
            checkpoint("copied")
        _send(head, branch, site, at, report, checkpoint)
        _receive(head, branch, head_id, at, report, checkpoint)
        return report
    finally:
        head.close()


def _same_schema(head: Database, branch: Database) -> None:
    theirs, ours = current_revision(head.engine), current_revision(branch.engine)
    if theirs == ours:
        return
    head_rank, branch_rank = revision_rank(theirs), revision_rank(ours)
    if head_rank is None or (branch_rank is not None and head_rank > branch_rank):
        raise SyncRefused(t("sync.upgrade_branch", head=theirs or "-", branch=ours or "-"))
    raise SyncRefused(t("sync.upgrade_head", head=theirs or "-", branch=ours or "-"))


def _head_site(head: Database, at: datetime) -> uuid.UUID:
    """Head office's own site row, made when a branch first syncs: from then on its writes
    go into the change log the branches read."""
    with head.unit_of_work() as uow:
        site = uow.sync.site()
        if site is None:
            site = uow.sync.save_site(SyncSite(role="head", capture=True, remote_url="", scope={},
                                               schema_revision=current_revision(head.engine) or ""))
            uow.commit()
        elif site.role != "head":
            raise SyncRefused(t("sync.remote_not_head"))
        return site.id


def _first_copy(head: Database, branch: Database, head_id: uuid.UUID, scope: dict[str, Any], url: str,
                at: datetime, report: SyncReport, announce: Callable[[str], None]) -> SyncSite:
    """The branch's customers, copied as they stand at one moment of head office.

    One REPEATABLE READ transaction reads it all, so every table is the same moment. It
    begins after a cutoff below which every change has committed, so the log is read on
    from there; the changes past the cutoff the copy already holds are marked received,
    so they are not applied twice.
    """
    low = _cutoff(head)
    with head.unit_of_work(isolation_level="REPEATABLE READ") as theirs, branch.unit_of_work() as ours:
        # Said before the copy begins; the rest is counted as it is copied, not read twice.
        announce(t("sync.first_copy", customers=theirs.sync.scoped_count(BY_NAME["customer"], scope), target=head.shown_url))
        ours.sync.applying()
        ours.sync.replace_shared(theirs.sync.shared_rows())
        for table in SYNCED:
            report.copied[table.name] = 0
            for rows in theirs.sync.scoped_rows(table, scope):
                ours.sync.insert_rows(table, rows)
                report.copied[table.name] += len(rows)
        ours.sync.record(theirs.sync.changes_visible_from(low, scope), lambda change: change.origin or head_id)
        ours.sync.done_applying()
        site = ours.sync.save_site(
            SyncSite(role="branch", capture=True, head_site_id=head_id, remote_url=_without_password(url),
                     scope=scope, pulled_to=low, last_sync_at=at,
                     schema_revision=current_revision(branch.engine) or "")
        )
        ours.commit()
        return site


def _cutoff(head: Database) -> int:
    with head.unit_of_work() as theirs:
        try:
            high = theirs.sync.cutoff()
        except ChangeLogBusy:
            raise SyncRefused(t("sync.busy")) from None
        theirs.commit()  # lets the writers the lock held up go on
    return high


def _without_password(url: str) -> str:
    """Kept in the branch's file without its password: libpq finds it in ~/.pgpass or
    $PGPASSWORD, so a copied laptop file holds no secret."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=None).render_as_string(hide_password=False)


def _send(head: Database, branch: Database, site: SyncSite, at: datetime, report: SyncReport,
          checkpoint: Stop) -> None:
    with branch.unit_of_work() as ours:
        outbox = ours.sync.outbox()
    if not outbox:
        return
    with head.unit_of_work() as theirs:
        known = theirs.sync.known([change.change_id for change in outbox])
        fresh = [incoming_of(row) for row in outbox if row.change_id not in known]
        theirs.sync.applying()
        answers = []
        for change, applied in theirs.sync.apply(fresh):
            _keep_conflicts(theirs, applied.conflicts, at, origin=site.id)
            report.field_conflicts += len(applied.conflicts)
            if applied.kept_ours:
                answers.append(change)
        theirs.sync.record(fresh, lambda _change: site.id)
        theirs.sync.done_applying()
        for change in answers:
            theirs.sync.answer(change, at)
        _confirm_provisional(theirs, at, report)
        checkpoint("sent_applied")
        theirs.commit()
    report.sent = len(outbox)
    checkpoint("sent_committed")
    with branch.unit_of_work() as ours:
        ours.sync.mark_sent([row.seq for row in outbox if row.seq is not None], at)
        ours.commit()
    checkpoint("marked_sent")


def _receive(head: Database, branch: Database, head_id: uuid.UUID, at: datetime, report: SyncReport,
             checkpoint: Stop) -> None:
    with branch.unit_of_work() as ours:
        site = ours.sync.site()
        assert site is not None
        high = _cutoff(head)
        with head.unit_of_work() as theirs:
            changes = theirs.sync.changes_for(site.id, site.scope, site.pulled_to, high)
            shared = theirs.sync.shared_rows()
        known = ours.sync.known([change.change_id for change in changes])
        # A field both sides changed whose edit here head office has already received was
        # settled there, and its conflict kept there: only an edit made here since (not
        # yet sent) makes a conflict of this side's own.
        unsent = ours.sync.outbox_rows()
        fresh = [change for change in changes if change.change_id not in known]
        ours.sync.applying()
        # Agents, calendar and suppliers first: a request filed at head office by an agent
        # added since the last sync names that agent.
        ours.sync.replace_shared(shared)
        for _change, applied in ours.sync.apply(fresh):
            conflicts = [conflict for conflict in applied.conflicts if conflict.row_id in unsent]
            _keep_conflicts(ours, conflicts, at, origin=head_id)
            report.field_conflicts += len(conflicts)
            report.received += 1
        ours.sync.record(fresh, lambda change: change.origin or head_id)
        ours.sync.done_applying()
        site.pulled_to = max(site.pulled_to, high)
        site.last_sync_at = at
        ours.sync.save_site(site)
        checkpoint("received_applied")
        ours.commit()


def _keep_conflicts(uow: UnitOfWork, conflicts: list[FieldConflict], at: datetime, *, origin: uuid.UUID) -> None:
    for conflict in conflicts:
        uow.sync.add_conflict(
            SyncConflict(
                kind="field", table_name=conflict.table_name, row_id=conflict.row_id,
                customer_id=conflict.customer_id, at=at,
                detail=encoded({
                    "field": conflict.field,
                    "kept": conflict.kept, "kept_at": conflict.kept_at,
                    "set_aside": conflict.set_aside, "set_aside_at": conflict.set_aside_at,
                    "kept_from": "arrived" if conflict.arrived_won else "here",
                    "other_site": origin,
                }),
            )
        )


def _confirm_provisional(uow: UnitOfWork, at: datetime, report: SyncReport) -> None:
    """Head office counts each provisional filing against every office's uses.

    Written with the capture on, so the verdict travels back to the branch like any edit.
    """
    for request in uow.sync.provisional_requests():
        entry = benefit(request.service_code)
        if request.service_period_id is None:
            verdict = Confirmation.CONFIRMED
        else:
            verdict = on_count(entry, uses_in_year(uow, request.service_period_id, entry.code))
        request.confirmation = verdict
        uow.requests.add(request)
        if verdict is Confirmation.CONFIRMED:
            report.confirmed += 1
            continue
        report.quota_conflicts += 1
        others = [
            other for other in uow.requests.of_period(request.service_period_id, entry.code)
            if other.id != request.id
        ]
        uow.sync.add_conflict(
            SyncConflict(
                kind="quota", table_name="request", row_id=request.id, customer_id=request.customer_id, at=at,
                detail=encoded({
                    "service": entry.code,
                    "quota": entry.quota_per_year,
                    "filings": [_filing(r) for r in [request, *others]],
                }),
            )
        )
        uow.audit.add(AuditEvent(at=at, agent_id=None, action="sync_quota_conflict", subject_type="request",
                                 subject_id=request.id, detail={"service": entry.code, "number": request.number}))


def _filing(request: Any) -> dict[str, Any]:
    return {
        "request_id": request.id, "number": request.number, "state": request.state,
        "submitted_at": request.submitted_at, "channel": request.channel,
        "created_by": request.created_by, "confirmation": request.confirmation,
    }


__all__ = ["CHECKPOINTS", "SHARED", "SyncRefused", "SyncReport", "SyncStatus", "branch_status", "parse_scope",
           "sync_branch"]

"""An import run by a signed-in agent: the role check, then the import, all on record.

The one way in to the four imports for a person (``desk import KIND FILE``). An import
writes customers, policies, family members or requests in bulk, past every screen's
checks, so it needs ``Action.IMPORT`` (supervisors up); a refused attempt is an event.
Each run is one audit event naming the agent and the file: a run that wrote has the event
its import wrote in its own transaction (with the counts); a run that wrote nothing (a bad
file, bad rows without ``--skip-bad``) gets one here with the same action, ``written``
false and what was wrong, so an attempt leaves a trace too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from db.tables import AuditEvent
from db.timestamps import china_now
from desk.rules.roles import Action
from desk.use_cases.csv_rows import ImportReport
from desk.use_cases.database import Database
from desk.use_cases.gates import gate
from desk.use_cases.sign_in import SignedIn

__all__ = ["KINDS", "REFUSED", "run_import"]

REFUSED = "import_refused"

# Kind to the (action, subject type) its import's event carries.
KINDS: dict[str, tuple[str, str]] = {
    "customers": ("import", "customers"),
    "policies": ("import", "policies"),
    "requests": ("import_requests", "request"),
    "family": ("import", "family_members"),
}


def _importer(kind: str) -> Callable[..., ImportReport]:
    # Imported here: each import module pulls in its own rules, and a run needs one.
    if kind == "requests":
        from desk.use_cases.request_import import import_requests

        return import_requests
    if kind == "family":
        from desk.use_cases.family_import import import_family

        return import_family
    from desk.use_cases.importing import import_customers, import_policies

    return import_customers if kind == "customers" else import_policies


def run_import(
    database: Database, kind: str, path: Path, *, agent: SignedIn, skip_bad: bool, at: datetime | None = None
) -> ImportReport:
    """Import ``path`` as ``kind`` (one of ``KINDS``) on behalf of the signed-in ``agent``.

    Raises ``RoleRefused`` below ``Action.IMPORT``, after recording the attempt; nothing
    of the file is read then.
    """
    action, subject_type = KINDS[kind]
    when = at or china_now()
    with database.unit_of_work() as uow:
        gate(uow, agent, Action.IMPORT, refused_as=REFUSED, subject_type=subject_type, at=when,
             detail={"kind": kind, "file": path.name, "skip_bad": skip_bad})
    report = _importer(kind)(database, path, skip_bad=skip_bad, agent_id=agent.agent_id)
    if not report.written:
        detail: dict[str, Any] = {"file": path.name, "written": False, "good_rows": report.good_rows,
                                  "bad_rows": report.bad_rows, "skip_bad": skip_bad,
                                  "file_problem": report.bad_rows == 0 and bool(report.problems)}
        with database.unit_of_work() as uow:
            uow.audit.add(AuditEvent(at=when, agent_id=agent.agent_id, action=action, subject_type=subject_type,
                                     reason=f"desk import {kind}", detail=detail))
            uow.commit()
    return report

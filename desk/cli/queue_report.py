"""The queue for scripts and shift reports: table, CSV or JSON, with names masked.

Printing the queue takes customer data (masked, but still customer data) out of the
database, so each run is written to the audit log as an export.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from db.tables import AuditEvent
from db.unit_of_work import UnitOfWork
from desk.texts.due import marked, minute
from desk.texts.labels import t
from desk.texts.tables import aligned_table, csv_text
from desk.use_cases.queue import QueueFilter, QueueItem, QueuePage, format_working_left

COLUMNS = ("state", "due", "left", "service", "step", "customer", "agent", "request")


def report_row(item: QueueItem) -> dict[str, str]:
    return {
        "state": item.state.value,
        "due": minute(item.due_at),
        "calendar_unknown_after": item.calendar_unknown_after.isoformat() if item.calendar_unknown_after else "",
        "left": format_working_left(item.working_left),
        "service": item.service_code,
        "step": item.step_code,
        "customer": item.customer,
        "agent": item.agent,
        "request": item.request_number,
    }


def render_json(page: QueuePage, items: list[QueueItem]) -> str:
    document: dict[str, Any] = {
        "now": minute(page.now),
        "counts": {state.value: count for state, count in page.counts.items()},
        "calendar_known_until": page.known_until.isoformat() if page.known_until else None,
        "calendar_missing_year": page.missing_year,
        "items": [report_row(item) for item in items],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def render_csv(items: list[QueueItem]) -> str:
    """The queue as CSV; a name starting like a formula is escaped (see ``csv_safe``)."""
    header = [*COLUMNS[:2], "calendar_unknown_after", *COLUMNS[2:]]
    return csv_text(header, ([report_row(item)[column] for column in header] for item in items))


def render_table(page: QueuePage, items: list[QueueItem]) -> str:
    counts = {state.value: count for state, count in page.counts.items()}
    lines = [f"{t('queue.title')}  {minute(page.now)}  {t('queue.counts', **counts)}"]
    if page.missing_year:
        lines.append(t("queue.missing_year", year=page.missing_year, known=page.known_until))
    if not items:
        return "\n".join([*lines, t("queue.empty")])
    header = [t(f"queue.col.{column}") for column in COLUMNS]
    rows = [
        [
            t(f"queue.state.{item.state.value}"),
            marked(minute(item.due_at), item.calendar_unknown_after),
            format_working_left(item.working_left),
            item.service,
            item.step,
            item.customer,
            item.agent or "-",
            item.request_number or "-",
        ]
        for item in items
    ]
    lines.extend(aligned_table(header, rows))
    if any(item.calendar_unknown_after for item in items):
        lines.append(t("queue.unknown_note", known=page.known_until))
    return "\n".join(lines)


def record_export(
    uow: UnitOfWork, *, agent_id: uuid.UUID, at: datetime, output: str, rows: int, queue_filter: QueueFilter
) -> None:
    """The audit event of a printed queue; commits."""
    uow.audit.add(
        AuditEvent(
            at=at, agent_id=agent_id, action="export_queue", subject_type="queue",
            detail={"format": output, "rows": rows, "service": queue_filter.service,
                    "state": queue_filter.state.value if queue_filter.state else None},
        )
    )
    uow.commit()

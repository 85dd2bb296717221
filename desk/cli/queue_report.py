"""The queue for scripts and shift reports: table, CSV or JSON, with names masked.

Printing the queue takes customer data (masked, but still customer data) out of the
database: ``desk.use_cases.queue_export`` checks the role and writes the export to the
audit log. The full ID number and mobile columns appear only when that export was made
with a reason (``--full-numbers --reason``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from desk.texts.due import marked, minute
from desk.texts.labels import t
from desk.texts.tables import aligned_table, csv_text
from desk.use_cases.queue import QueueItem, QueuePage, format_working_left
from desk.use_cases.queue_export import FullNumbers

COLUMNS = ("state", "due", "left", "service", "step", "customer", "agent", "request")
FULL_COLUMNS = ("id_number", "mobile")

# Item id to full numbers; None for the usual, masked export.
Numbers = dict[uuid.UUID, FullNumbers] | None


def _full(item: QueueItem, numbers: dict[uuid.UUID, FullNumbers]) -> dict[str, str]:
    found = numbers.get(item.id)
    return {"id_number": found.id_number if found else "", "mobile": found.mobile if found else ""}


def report_row(item: QueueItem, numbers: Numbers = None) -> dict[str, str]:
    row = {
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
    return row if numbers is None else {**row, **_full(item, numbers)}


def render_json(page: QueuePage, items: list[QueueItem], numbers: Numbers = None) -> str:
    document: dict[str, Any] = {
        "now": minute(page.now),
        "counts": {state.value: count for state, count in page.counts.items()},
        "calendar_known_until": page.known_until.isoformat() if page.known_until else None,
        "calendar_missing_year": page.missing_year,
        "items": [report_row(item, numbers) for item in items],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def render_csv(items: list[QueueItem], numbers: Numbers = None) -> str:
    """The queue as CSV; a name starting like a formula is escaped (see ``csv_safe``)."""
    header = [*COLUMNS[:2], "calendar_unknown_after", *COLUMNS[2:], *(FULL_COLUMNS if numbers is not None else ())]
    return csv_text(header, ([report_row(item, numbers)[column] for column in header] for item in items))


def render_table(page: QueuePage, items: list[QueueItem], numbers: Numbers = None) -> str:
    counts = {state.value: count for state, count in page.counts.items()}
    lines = [f"{t('queue.title')}  {minute(page.now)}  {t('queue.counts', **counts)}"]
    if page.missing_year:
        lines.append(t("queue.missing_year", year=page.missing_year, known=page.known_until))
    if not items:
        return "\n".join([*lines, t("queue.empty")])
    header = [t(f"queue.col.{column}") for column in COLUMNS]
    if numbers is not None:
        header += [t(f"cli.queue.col.{column}") for column in FULL_COLUMNS]
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
            *(_full(item, numbers).values() if numbers is not None else ()),
        ]
        for item in items
    ]
    lines.extend(aligned_table(header, rows))
    if any(item.calendar_unknown_after for item in items):
        lines.append(t("queue.unknown_note", known=page.known_until))
    return "\n".join(lines)


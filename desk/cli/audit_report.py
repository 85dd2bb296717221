"""The audit log for supervisors and their scripts: a table, CSV or JSON."""

from __future__ import annotations

import json
from typing import Any

from desk.texts.due import minute
from desk.texts.labels import t
from desk.texts.tables import aligned_table, csv_text
from desk.use_cases.audit_log import AuditLine

FORMATS = ("table", "csv", "json")
COLUMNS = ("at", "agent", "action", "subject_type", "subject_id", "reason", "detail")


def _detail(line: AuditLine) -> str:
    return json.dumps(line.detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def report_row(line: AuditLine) -> dict[str, Any]:
    return {
        "at": line.at.isoformat(sep=" "),
        "agent": line.agent,
        "action": line.action,
        "subject_type": line.subject_type,
        "subject_id": str(line.subject_id) if line.subject_id else "",
        "reason": line.reason,
        "detail": line.detail,
    }


def render_json(lines: list[AuditLine]) -> str:
    return json.dumps({"events": [report_row(line) for line in lines]}, ensure_ascii=False, indent=2) + "\n"


def render_csv(lines: list[AuditLine]) -> str:
    """Every cell through ``csv_safe``: a reason typed by an agent may start like a formula."""
    rows = ({**report_row(line), "detail": _detail(line)} for line in lines)
    return csv_text(COLUMNS, ([row[column] for column in COLUMNS] for row in rows))


def render_table(lines: list[AuditLine]) -> str:
    title = t("audit.title", count=len(lines))
    if not lines:
        return f"{title}\n{t('audit.empty')}\n"
    header = [t(f"audit.col.{column}") for column in ("at", "agent", "action", "subject", "reason", "detail")]
    rows = [
        [
            minute(line.at),
            line.agent or "-",
            line.action,
            f"{line.subject_type} {line.subject_id or ''}".strip() or "-",
            line.reason or "-",
            _detail(line) if line.detail else "-",
        ]
        for line in lines
    ]
    return "\n".join([title, *aligned_table(header, rows)]) + "\n"


def render(lines: list[AuditLine], output: str) -> str:
    """The lines in ``output``, one of ``FORMATS``."""
    return {"json": render_json, "csv": render_csv}.get(output, render_table)(lines)

"""Who asked for a cancellation (domain.md: "cancelled (who, when, why, counted or not)").

The requester is stored with the cancellation's event: a cancellation by the supplier or
by the desk reads differently in a complaint than one the customer asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desk.rules.validation import FieldProblem
from desk.texts.labels import t

CANCELLED_BY = ("customer", "supplier", "agent")


def check_cancellation(data: Mapping[str, Any]) -> list[FieldProblem]:
    """A cancellation's data must say who asked for it: one of ``CANCELLED_BY``."""
    if data.get("by") not in CANCELLED_BY:
        return [FieldProblem("by", t("cancel.need_by"))]
    return []

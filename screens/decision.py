"""A complaint, read before it is decided: when it came in, when the decision is due, what
the customer said, the request it is about; the decision is typed under it.

Ctrl+S (or Enter in the field) saves the decision; Ctrl+L opens the linked request and
comes back here; Esc backs out.
"""

from __future__ import annotations

import uuid

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from desk.texts.labels import t
from desk.use_cases import limits
from desk.use_cases.complaints import ComplaintView
from screens.labels import inert_text, minute
from screens.steady import SteadyFooter


class DecisionScreen(ModalScreen[str | None]):
    """Dismisses with the decision text, or None when the agent backs out."""

    HELP_TOPIC = "queue"
    BINDINGS = [
        Binding("ctrl+s", "confirm", t("key.decide"), id="decision-save", priority=True),
        Binding("ctrl+l", "linked_request", t("key.linked_request"), id="decision-linked-request", priority=True),
        Binding("escape", "dismiss(None)", t("key.cancel"), id="decision-cancel"),
    ]

    def __init__(self, complaint_id: uuid.UUID) -> None:
        super().__init__()
        self.complaint_id = complaint_id
        self.complaint: ComplaintView | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="decision"):
            yield Static(t("complaint.loading"), id="decision-title", classes="title")
            yield Static("", id="decision-facts")
            # Bounded: a long complaint scrolls inside and the decision field stays in view.
            with VerticalScroll(id="decision-summary"):
                yield Static("", id="decision-summary-text")
            yield Input(placeholder=t("complaint.decision"), id="decision-text", compact=True,
                        max_length=limits.COMPLAINT_DECISION)
            yield Static("", id="decision-error", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#decision-text", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="complaint", exit_on_error=False)
    def _load(self) -> None:
        from desk.use_cases.complaints import load_complaint

        app = self.app
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            complaint = load_complaint(uow, self.complaint_id)
        app.call_from_thread(self._show, complaint)

    def _show(self, complaint: ComplaintView) -> None:
        self.complaint = complaint
        self.query_one("#decision-title", Static).update(inert_text(t("complaint.title", customer=complaint.customer)))
        request = (f"{complaint.request_number} {complaint.service}" if complaint.request_number
                   else t("complaint.no_request"))
        facts = [
            f"{t('complaint.received')}：{minute(complaint.received_at)}",
            f"{t('complaint.due')}：{minute(complaint.due_at)}",
            f"{t('complaint.request')}：{request}",
        ]
        self.query_one("#decision-facts", Static).update(inert_text("  ".join(facts)))
        # Text, not markup: the customer's words are shown as said, brackets included.
        self.query_one("#decision-summary-text", Static).update(
            inert_text(f"{t('complaint.text')}：{complaint.summary}", keep_breaks=True))

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        text = self.query_one("#decision-text", Input).value.strip()
        if not text:
            self.query_one("#decision-error", Static).update(t("complaint.need_decision"))
            return
        self.dismiss(text)

    def action_linked_request(self) -> None:
        if self.complaint is None or self.complaint.request_id is None:
            self.query_one("#decision-error", Static).update(t("queue.no_request"))
            return
        from screens.request_view import RequestViewScreen

        self.app.push_screen(RequestViewScreen(self.complaint.request_id))

"""Showing a masked number in full: choose which, say why; the audit log records it."""

from __future__ import annotations

import uuid

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from desk.texts.labels import t
from desk.use_cases import limits
from desk.use_cases.privacy import reveal
from screens.attempts import attempt

FIELDS = {"id_number": "customer.id_number", "mobile": "customer.mobile"}


class RevealScreen(ModalScreen[str | None]):
    HELP_TOPIC = "customer"
    BINDINGS = [
        Binding("escape", "dismiss(None)", t("key.cancel"), id="reveal-cancel"),
        Binding("f2", "choose('id_number')", t("customer.id_number"), id="reveal-id"),
        Binding("f3", "choose('mobile')", t("customer.mobile"), id="reveal-mobile"),
    ]

    def __init__(self, customer_id: uuid.UUID) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.field = "id_number"

    def compose(self) -> ComposeResult:
        with Vertical(id="reveal"):
            yield Static(t("reveal.title"), classes="title")
            yield Static("", id="reveal-field")
            yield Input(placeholder=t("reveal.reason"), id="reveal-reason", max_length=limits.REASON)
            yield Static("", id="reveal-error", classes="error")

    def on_mount(self) -> None:
        self._show_field()
        self.query_one("#reveal-reason", Input).focus()

    def action_choose(self, field: str) -> None:
        self.field = field
        self._show_field()

    def _show_field(self) -> None:
        self.query_one("#reveal-field", Static).update(
            f"{t(FIELDS[self.field])}  (F2 {t('customer.id_number')} / F3 {t('customer.mobile')})"
        )

    @on(Input.Submitted, "#reveal-reason")
    def _submit(self, event: Input.Submitted) -> None:
        self._reveal(self.field, event.value)

    @work(thread=True, exclusive=True, group="reveal", exit_on_error=False)
    def _reveal(self, field: str, reason: str) -> None:
        app = self.app
        value = attempt(self, "reveal-error", lambda uow: reveal(
            uow, customer_id=self.customer_id, field=field, reason=reason,
            agent_id=app.agent_id, at=app.now()))  # type: ignore[attr-defined]
        if value is None:
            return
        app.call_from_thread(self.dismiss, t("reveal.shown", label=t(FIELDS[field]), value=value))

"""Asking for a complaint's decision: one line of text, saved with Ctrl+S or Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from desk.texts.labels import t


class DecisionScreen(ModalScreen[str | None]):
    """Dismisses with the decision text, or None when the agent backs out."""

    HELP_TOPIC = "queue"
    BINDINGS = [
        Binding("ctrl+s", "confirm", t("key.save"), id="decision-save", priority=True),
        Binding("escape", "dismiss(None)", t("key.cancel"), id="decision-cancel"),
    ]

    def __init__(self, customer: str) -> None:
        super().__init__()
        self.customer = customer

    def compose(self) -> ComposeResult:
        with Vertical(id="decision"):
            yield Static(t("complaint.decide_title", customer=self.customer), classes="title")
            yield Input(placeholder=t("complaint.decision"), id="decision-text", compact=True)
            yield Static("", id="decision-error", classes="error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#decision-text", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        text = self.query_one("#decision-text", Input).value.strip()
        if not text:
            self.query_one("#decision-error", Static).update(t("complaint.need_decision"))
            return
        self.dismiss(text)

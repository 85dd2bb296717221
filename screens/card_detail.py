"""One benefit card opened: the full rules an agent reads to the caller."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from desk.rules.entitlement import BenefitStatus
from desk.texts.labels import t
from screens.labels import audience_text, card_state_text, quota_text, sla_step_text


class CardDetailScreen(ModalScreen[None]):
    HELP_TOPIC = "cards"
    BINDINGS = [Binding("escape", "dismiss", t("key.back"), id="card-detail-back")]

    def __init__(self, status: BenefitStatus) -> None:
        super().__init__()
        self.status = status

    def compose(self) -> ComposeResult:
        status, benefit = self.status, self.status.benefit
        with VerticalScroll(id="card-detail"):
            yield Static(benefit.name_zh, classes="title")
            yield Static(benefit.summary_zh)
            yield Static(f"{card_state_text(status)} · {quota_text(status)}", classes="state")
            yield Static(f"{audience_text(benefit)} · {benefit.quota_note_zh}")
            yield Static(t("card.sla"), classes="section")
            yield Static("\n".join(f"{n}. {sla_step_text(s)}" for n, s in enumerate(benefit.sla_steps, 1)))
            yield Static(t("card.rules"), classes="section")
            yield Static(benefit.counting_rule_zh)
            yield Static(t("card.fees"), classes="section")
            yield Static(benefit.fees_note_zh)
            yield Static(t("card.path"), classes="section")
            yield Static(benefit.application_path_zh)
            yield Static(t("card.form_pending"), classes="hint")

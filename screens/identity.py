"""The identity check (核身): tick what the caller confirmed; two or more open the details.

Enter confirms what is ticked (fewer than two is a failed check, recorded as such); Esc
cancels: nothing is recorded and nothing of the customer is shown.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Static

from desk.rules.identity import REQUIRED_FACTS, IdentityFact, identity_verified
from desk.texts.labels import t
from desk.use_cases.customer_view import IdentityReference
from screens.labels import day, inert
from screens.steady import SteadyFooter
from screens.widgets import TickBox

FACTS = list(IdentityFact)


class IdentityScreen(ModalScreen[list[str] | None]):
    """Dismisses with the facts ticked, or None when cancelled; the caller decides what that allows."""

    HELP_TOPIC = "identity"
    BINDINGS = [
        *(
            Binding(str(n), f"toggle({n - 1})", t(f"identity.fact.{fact.value}"), show=False,
                    id=f"tick-{fact.value}")
            for n, fact in enumerate(FACTS, start=1)
        ),
        Binding("enter", "confirm", t("key.verify"), id="verify", priority=True),
        # Esc is a way out, never a confirmation: the agent may have opened the wrong customer.
        Binding("escape", "cancel", t("key.cancel"), id="verify-cancel"),
    ]

    def __init__(self, reference: IdentityReference) -> None:
        super().__init__()
        self.reference = reference

    def compose(self) -> ComposeResult:
        ref = self.reference
        with Vertical(id="identity"):
            yield Static(t("identity.title", name=inert(ref.name)), classes="title")
            yield Static(t("identity.prompt"), classes="hint")
            for n, fact in enumerate(FACTS, start=1):
                yield TickBox(f"{n}  {t(f'identity.fact.{fact.value}')}", id=f"fact-{fact.value}")
            yield Static(
                f"{t('identity.reference')} {inert(ref.name)} · "
                f"{t('identity.fact.id_last4')} {ref.id_last4} · "
                f"{t('identity.fact.birth_date')} {day(ref.birth_date)} · "
                f"{t('identity.fact.mobile')} {ref.masked_mobile}",
                id="identity-reference",
            )
            yield Static("", id="identity-count", classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._update_count()
        self.query_one(f"#fact-{FACTS[0].value}", Checkbox).focus()

    def confirmed(self) -> list[str]:
        return [f.value for f in FACTS if self.query_one(f"#fact-{f.value}", Checkbox).value]

    def action_toggle(self, index: int) -> None:
        box = self.query_one(f"#fact-{FACTS[index].value}", Checkbox)
        box.value = not box.value

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._update_count()

    def _update_count(self) -> None:
        count = len(self.confirmed())
        label = self.query_one("#identity-count", Static)
        label.update(t("identity.need_more", count=count, need=REQUIRED_FACTS))
        label.set_class(identity_verified(self.confirmed()), "ok")

    def action_confirm(self) -> None:
        self.dismiss(self.confirmed())

    def action_cancel(self) -> None:
        self.dismiss(None)

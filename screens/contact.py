"""A customer's contact details (E on the customer view): mobile, e-mail, address.

The mobile is shown masked and left empty to keep it; e-mail and address start as stored.
Ctrl+S saves through the use case (desk.use_cases.customer_contact), which checks the
details as an import does; each problem shows under its field and everything typed stays.
If someone else (another agent, an import) saved the customer since the form opened, the
conflict is shown (screens.edit_conflict) and the agent chooses: theirs, mine, or back.
Esc asks before throwing typed values away.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from desk.rules.free_text import printable
from desk.texts.labels import t
from desk.use_cases.customer_contact import CONTACT_FIELDS, ContactLine
from desk.use_cases.edit_conflicts import EditConflict
from screens.edit_conflict import EditForm
from screens.labels import inert
from screens.steady import SteadyFooter


class ContactFormScreen(EditForm, Screen[str | None]):
    """Dismisses with a line for the customer view once saved (or kept), None when left."""

    record_type = ContactLine
    fields = CONTACT_FIELDS
    save_group = "contact-save"

    HELP_TOPIC = "customer"
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save-contact", priority=True),
        Binding("escape", "leave", t("key.cancel"), id="leave-contact-form"),
    ]

    def __init__(self, customer_name: str, contact: ContactLine) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.contact = contact
        # What the agent's edit begins from: the details opened, then whatever a conflict showed.
        self.started_from = contact
        self.saving = False
        self.initial: dict[str, str] = {}

    def _title(self) -> str:
        return printable(t("contact.title", name=self.customer_name))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(inert(self._title()), classes="title", id="form-title")
        with VerticalScroll(id="form"):
            for name in CONTACT_FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(t(f"contact.field.{name}"), classes="field-label")
                    yield self._input(name)
                yield Static("", id=f"error-{name}", classes="field-error")
        yield Static("", id="form-message")
        yield SteadyFooter()

    def _input(self, name: str) -> Input:
        contact = self.contact
        if name == "mobile":
            # Screens never hold a full mobile: it shows masked, and empty keeps it.
            hint = t("contact.mobile_unchanged", masked=contact.masked_mobile) if contact.masked_mobile else ""
            return Input(placeholder=hint, id="field-mobile", compact=True)
        return Input(getattr(contact, name), id=f"field-{name}", compact=True)

    def on_mount(self) -> None:
        self.sub_title = self._title()
        self.initial = self.values()
        self.query_one("#field-mobile", Input).focus()

    @on(Input.Submitted)
    def _next(self, _event: Input.Submitted) -> None:
        self.focus_next()

    @staticmethod
    def _as_typed(contact: ContactLine) -> dict[str, str]:
        # The mobile shows masked and empty keeps it: "" is what the box holds for it.
        return {"mobile": "", "email": contact.email, "address": contact.address}

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#field-{name}", Input).value for name in CONTACT_FIELDS}

    def action_save(self) -> None:
        if self.saving:
            return
        if not self._dirty():
            self.dismiss(t("contact.unchanged"))
            return
        self.saving = True
        self._say(t("contact.saving"))
        self._save(self._to_save())

    @work(thread=True, exclusive=True, group="contact-save", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> str | None:
        """The line to show once saved; None when not (the form says why)."""
        from desk.use_cases.customer_contact import ContactRefused, edit_customer_contact

        app = self.app
        started = self.started_from

        def save(uow: Any) -> str:
            edit_customer_contact(uow, started.customer_id, values, expected_version=started.version,
                                  agent_id=app.agent_id, at=app.now(), started_from=started)  # type: ignore[attr-defined]
            return t("contact.edited")

        return self._save_through(save, ContactRefused)

    def _kept(self, conflict: EditConflict) -> str:
        return t("conflict.kept", who=conflict.changed_by)

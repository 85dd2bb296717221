"""The customer view: binding data (masked), policies and their windows, family, history.

Opened after the identity check. Unverified, it shows the name only, and V repeats the
check. Keys: Enter or B opens the benefit cards of the highlighted policy, R shows a
number in full (audited), F the family members, E edits the contact details, W ends the
call with a wrap-up. Whenever it comes back on top
after something was written (a filing, a move from the queue), it reloads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from desk.rules.free_text import printable
from desk.texts.labels import t
from desk.use_cases.calls import LABELLED_CODES
from desk.use_cases.customer_view import CustomerView, load_customer_view
from screens.labels import day, inert, minute, policy_status_text, state_text, window_text
from screens.steady import SteadyFooter, WholeTable

WIDE = 100  # from this width the product name gets the room it needs
PRODUCT_WIDTH = 16  # cells: eight Chinese characters

RECORDS = Binding.Group(t("key.records"), compact=True)


class CustomerScreen(Screen[None]):
    HELP_TOPIC = "customer"
    BINDINGS = [
        Binding("b", "cards", t("key.cards"), id="benefit-cards"),
        Binding("enter", "open", t("key.open"), show=False, id="open-row"),
        Binding("r", "reveal", t("key.reveal"), id="reveal"),
        Binding("c", "file_complaint", t("key.file_complaint"), id="file-complaint"),
        # One footer entry for the customer's own records (family, contact): "fe 资料" fits 80 columns.
        Binding("f", "family", t("key.family"), id="family-members", group=RECORDS),
        Binding("e", "edit_contact", t("key.edit_contact"), id="edit-contact", group=RECORDS),
        Binding("v", "verify_again", t("key.verify_again"), id="verify-again"),
        Binding("w", "end_call", t("key.end_call"), id="end-call"),
        Binding("escape", "end_call", t("key.end_call"), show=False, id="end-call-escape"),
    ]

    def __init__(self, customer_id: uuid.UUID, name: str, call_id: uuid.UUID, verified: bool) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name
        self.call_id = call_id
        self.verified = verified
        self.view: CustomerView | None = None
        self._loaded_version = -1  # the app's data_version this view was read at
        # A key that needs the view, pressed before its first reading came: done then.
        self._after_load: Callable[[], None] | None = None
        self.data_read_at: datetime | None = None  # its age, shown while the database is away

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="customer"):
            yield Static(t("customer.title", name=inert(self.customer_name)), id="customer-title", classes="title")
            if not self.verified:
                yield Static(t("identity.failed"), id="unverified", classes="warning")
            else:
                yield Static("", id="binding")
                yield Static(t("customer.policies"), classes="section")
                yield WholeTable(id="policies", cursor_type="row")
                yield Static(t("customer.family"), classes="section")
                yield WholeTable(id="family", cursor_type="none", show_cursor=False)
                yield Static(t("customer.requests"), classes="section")
                yield WholeTable(id="requests", cursor_type="row")
                yield Static(t("customer.calls"), classes="section")
                yield WholeTable(id="calls", cursor_type="none", show_cursor=False)
        yield Static("", id="customer-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = printable(t("customer.title", name=self.customer_name))  # plain, not markup
        if self.verified:
            self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verify_again":
            return not self.verified  # in the footer only while it is needed
        # Before the identity check nothing but the name may be reached.
        return self.verified or action not in {"cards", "reveal", "open", "family", "file_complaint", "edit_contact"}

    def on_screen_resume(self) -> None:
        # Back from the cards, a form, the queue or a request: reload if anything was written.
        # Checked after the app's pending callbacks, so a view that a saved wrap-up is about
        # to close does not start a load first.
        self.app.call_next(self._reload_if_stale)

    def _reload_if_stale(self) -> None:
        if self.is_current and self.view is not None and self._loaded_version != self.app.data_version:  # type: ignore[attr-defined]
            self._load()

    @work(thread=True, exclusive=True, group="customer", exit_on_error=False)
    def _load(self) -> None:
        app = self.app
        # Read before the query: a write that lands meanwhile makes the next resume reload.
        version = app.data_version  # type: ignore[attr-defined]
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            view = load_customer_view(uow, self.customer_id, app.today())  # type: ignore[attr-defined]
        app.call_from_thread(self._show, view, version)

    def _show(self, view: CustomerView, version: int) -> None:
        first = self.view is None
        self._loaded_version = version
        self.data_read_at = self.app.now()  # type: ignore[attr-defined]
        # A reload keeps the agent's place: the rows under the cursors and the focused table.
        place = {} if first else {
            table.id: table.cursor_row for table in self.query(DataTable) if table.cursor_type == "row"
        }
        focused = None if first or self.focused is None else self.focused.id
        self.view = view
        sex = t(f"sex.{view.sex}") if view.sex in ("M", "F") else view.sex
        lines = [
            f"{t('customer.id_number')} {view.masked_id_number}   {t('customer.mobile')} {view.masked_mobile}   "
            f"{t('customer.birth_date')} {day(view.birth_date)}   {t('customer.sex')} {sex}",
            f"{t('customer.region')} {inert(view.region or '-')}   {t('customer.email')} {inert(view.email or '-')}",
            f"{t('customer.address')} {inert(view.address or '-')}",
        ]
        if view.needs_update:
            lines.append(t("customer.needs_update"))
        self.query_one("#binding", Static).update("\n".join(lines))

        policies = self.query_one("#policies", DataTable)
        policies.clear(columns=True)
        # At 80 columns a long product name ("…重大疾病保险（2024版）") pushed the service
        # window off the right edge; the product gives way (cropped), the window never does.
        narrow = self.size.width < WIDE
        for key in ("number", "product", "role", "status", "window"):
            width = PRODUCT_WIDTH if key == "product" and narrow else None
            policies.add_column(t(f"policy.col.{key}"), key=key, width=width)
        for p in view.policies:
            role = t("policy.role.insured") if p.is_insured else t("policy.role.holder")
            policies.add_row(inert(p.policy_number), inert(p.product), role, policy_status_text(p.status),
                             window_text(p.window), key=str(p.policy_id))
        if not view.policies:
            policies.add_row(t("customer.none"), "", "", "", "")

        self._fill("family", ("name", "relation", "id"), "family.col",
                   [(m.name, m.relation_label, m.masked_id_number) for m in view.family])
        self._fill("requests", ("number", "service", "state", "submitted", "beneficiary"), "request.col",
                   [(r.number, r.service_name, state_text(r.state), minute(r.submitted_at), r.beneficiary_name)
                    for r in view.requests])
        self._fill("calls", ("started", "wrap_up", "verified"), "call.col",
                   [(minute(c.started_at), (t(f"wrap_up.{c.wrap_up_code}") if c.wrap_up_code in LABELLED_CODES else c.wrap_up_code) or "-", t("yes") if c.verified else t("no"))
                    for c in view.calls])
        for table_id, row in place.items():
            table = self.query_one(f"#{table_id}", DataTable)
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one(f"#{focused or 'policies'}").focus()
        waiting, self._after_load = self._after_load, None
        if waiting is not None:
            waiting()

    def _loaded(self, action: Callable[[], None]) -> bool:
        """Whether the view has been read; if not, ``action`` runs once it has (the
        footer shows the keys from the first frame, before the policies are read)."""
        if self.view is None:
            self._after_load = action
        return self.view is not None

    def _fill(self, table_id: str, keys: tuple[str, ...], prefix: str, rows: list[tuple[str, ...]]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        for key in keys:
            table.add_column(t(f"{prefix}.{key}"), key=key)
        for row in rows:
            table.add_row(*(inert(cell) for cell in row))
        if not rows:
            table.add_row(t("customer.none"), *[""] * (len(keys) - 1))
        table.styles.height = max(len(rows), 1) + 1

    def _highlighted_policy(self) -> uuid.UUID | None:
        if self.view is None or not self.view.policies:
            return None
        table = self.query_one("#policies", DataTable)
        return self.view.policies[min(table.cursor_row, len(self.view.policies) - 1)].policy_id

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter on a table row: the table takes the key, and tells us which row.
        if event.data_table.id == "requests":
            self.action_request()
        elif event.data_table.id == "policies":
            self.action_cards()

    def action_open(self) -> None:
        """Enter opens what the cursor is on: a request's timeline, or a policy's cards."""
        if self.focused is not None and self.focused.id == "requests":
            self.action_request()
        else:
            self.action_cards()

    def action_request(self) -> None:
        if not self._loaded(self.action_request) or not self.view.requests:  # type: ignore[union-attr]
            return
        table = self.query_one("#requests", DataTable)
        request = self.view.requests[min(table.cursor_row, len(self.view.requests) - 1)]
        from screens.request_view import RequestViewScreen

        self.app.push_screen(RequestViewScreen(request.request_id))  # a move reloads on resume

    def action_cards(self) -> None:
        if not self._loaded(self.action_cards):
            return
        policy_id = self._highlighted_policy()
        if policy_id is None:
            return
        from screens.cards import BenefitCardsScreen

        self.app.push_screen(BenefitCardsScreen(policy_id))

    def action_family(self) -> None:
        """F: the family members on file, to add or edit one (a booking for them needs it)."""
        from screens.family import FamilyScreen

        self.app.push_screen(FamilyScreen(self.customer_id, self.customer_name))  # reloads on resume

    def action_edit_contact(self) -> None:
        """E: the mobile, e-mail and address, edited from the version this view shows."""
        from desk.use_cases.customer_contact import ContactLine
        from screens.contact import ContactFormScreen

        view = self.view
        if not self._loaded(self.action_edit_contact) or view is None:
            return
        contact = ContactLine(view.customer_id, view.masked_mobile, view.email, view.address, view.version)

        def saved(message: str | None) -> None:
            if message:
                self.query_one("#customer-status", Static).update(inert(message))

        self.app.push_screen(ContactFormScreen(self.customer_name, contact), saved)  # reloads on resume

    def action_file_complaint(self) -> None:
        """C: a complaint (投诉) during the call, about the request under the cursor if the requests have focus."""
        from screens.complaint_form import ComplaintFormScreen

        if not self._loaded(self.action_file_complaint):
            return  # the form offers the caller's requests: they come with the view
        requests = self.view.requests if self.view is not None else ()
        chosen = None
        if requests and self.focused is not None and self.focused.id == "requests":
            chosen = requests[min(self.query_one("#requests", DataTable).cursor_row, len(requests) - 1)].request_id
        choices = [(r.request_id, f"{r.number} {r.service_name} {state_text(r.state)} {minute(r.submitted_at)}")
                   for r in requests]

        def filed(message: str | None) -> None:
            if message:
                self.query_one("#customer-status", Static).update(message)

        self.app.push_screen(ComplaintFormScreen(self.customer_id, self.customer_name, choices, chosen), filed)

    def action_reveal(self) -> None:
        from screens.reveal import RevealScreen

        def shown(message: str | None) -> None:
            if message:
                self.query_one("#customer-status", Static).update(message)

        self.app.push_screen(RevealScreen(self.customer_id), shown)

    def action_verify_again(self) -> None:
        self.app.check_identity_again(self)  # type: ignore[attr-defined]

    def action_end_call(self) -> None:
        # The app offers the code that fits the call (a filing: request_filed), then we leave.
        self.app.wrap_up_call(after=self.app.pop_screen)  # type: ignore[attr-defined]

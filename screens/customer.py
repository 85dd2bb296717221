"""The customer view: binding data (masked), policies and their windows, family, history.

Opened after the identity check. Unverified, it shows the name only. Keys: Enter or B
opens the benefit cards of the highlighted policy, R shows a number in full (audited),
W ends the call with a wrap-up.
"""

from __future__ import annotations

import uuid

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from desk.texts.labels import t
from desk.use_cases.calls import WRAP_UP_CODES
from desk.use_cases.customer_view import CustomerView, load_customer_view
from screens.labels import day, minute, policy_status_text, state_text, window_text


class CustomerScreen(Screen[None]):
    HELP_TOPIC = "customer"
    BINDINGS = [
        Binding("b", "cards", t("key.cards"), id="benefit-cards"),
        Binding("enter", "open", t("key.open"), show=False, id="open-row"),
        Binding("r", "reveal", t("key.reveal"), id="reveal"),
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

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="customer"):
            yield Static(t("customer.title", name=self.customer_name), id="customer-title", classes="title")
            if not self.verified:
                yield Static(t("identity.failed"), id="unverified", classes="warning")
            else:
                yield Static("", id="binding")
                yield Static(t("customer.policies"), classes="section")
                yield DataTable(id="policies", cursor_type="row")
                yield Static(t("customer.family"), classes="section")
                yield DataTable(id="family", cursor_type="none", show_cursor=False)
                yield Static(t("customer.requests"), classes="section")
                yield DataTable(id="requests", cursor_type="row")
                yield Static(t("customer.calls"), classes="section")
                yield DataTable(id="calls", cursor_type="none", show_cursor=False)
        yield Static("", id="customer-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = t("customer.title", name=self.customer_name)
        if self.verified:
            self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Before the identity check nothing but the name may be reached.
        return self.verified or action not in {"cards", "reveal", "open"}

    @work(thread=True, exclusive=True, group="customer", exit_on_error=False)
    def _load(self) -> None:
        app = self.app
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            view = load_customer_view(uow, self.customer_id, app.today())  # type: ignore[attr-defined]
        app.call_from_thread(self._show, view)

    def _show(self, view: CustomerView) -> None:
        self.view = view
        sex = t(f"sex.{view.sex}") if view.sex in ("M", "F") else view.sex
        lines = [
            f"{t('customer.id_number')} {view.masked_id_number}   {t('customer.mobile')} {view.masked_mobile}   "
            f"{t('customer.birth_date')} {day(view.birth_date)}   {t('customer.sex')} {sex}",
            f"{t('customer.region')} {view.region or '-'}   {t('customer.email')} {view.email or '-'}",
            f"{t('customer.address')} {view.address or '-'}",
        ]
        if view.needs_update:
            lines.append(t("customer.needs_update"))
        self.query_one("#binding", Static).update("\n".join(lines))

        policies = self.query_one("#policies", DataTable)
        policies.clear(columns=True)
        for key in ("number", "product", "role", "status", "window"):
            policies.add_column(t(f"policy.col.{key}"), key=key)
        for p in view.policies:
            role = t("policy.role.insured") if p.is_insured else t("policy.role.holder")
            policies.add_row(p.policy_number, p.product, role, policy_status_text(p.status),
                             window_text(p.window), key=str(p.policy_id))
        if not view.policies:
            policies.add_row(t("customer.none"), "", "", "", "")

        self._fill("family", ("name", "relation", "id"), "family.col",
                   [(m.name, m.relation_label, m.masked_id_number) for m in view.family])
        self._fill("requests", ("number", "service", "state", "submitted", "beneficiary"), "request.col",
                   [(r.number, r.service_name, state_text(r.state), minute(r.submitted_at), r.beneficiary_name)
                    for r in view.requests])
        self._fill("calls", ("started", "wrap_up", "verified"), "call.col",
                   [(minute(c.started_at), (t(f"wrap_up.{c.wrap_up_code}") if c.wrap_up_code in WRAP_UP_CODES else c.wrap_up_code) or "-", t("yes") if c.verified else t("no"))
                    for c in view.calls])
        policies.focus()

    def _fill(self, table_id: str, keys: tuple[str, ...], prefix: str, rows: list[tuple[str, ...]]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        for key in keys:
            table.add_column(t(f"{prefix}.{key}"), key=key)
        for row in rows:
            table.add_row(*row)
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
        if self.view is None or not self.view.requests:
            return
        table = self.query_one("#requests", DataTable)
        request = self.view.requests[min(table.cursor_row, len(self.view.requests) - 1)]
        from screens.request_view import RequestViewScreen

        self.app.push_screen(RequestViewScreen(request.request_id), lambda _: self._load())

    def action_cards(self) -> None:
        policy_id = self._highlighted_policy()
        if policy_id is None:
            return
        from screens.cards import BenefitCardsScreen

        self.app.push_screen(BenefitCardsScreen(policy_id))

    def action_reveal(self) -> None:
        from screens.reveal import RevealScreen

        def shown(message: str | None) -> None:
            if message:
                self.query_one("#customer-status", Static).update(message)

        self.app.push_screen(RevealScreen(self.customer_id), shown)

    def action_end_call(self) -> None:
        from screens.wrap_up import WrapUpScreen

        def ended(saved: bool | None) -> None:
            if saved:
                self.app.notify(t("wrap_up.saved"))
                self.app.pop_screen()

        default = "inquiry" if self.verified else "verification_failed"
        self.app.push_screen(WrapUpScreen(self.call_id, self.customer_name, default), ended)

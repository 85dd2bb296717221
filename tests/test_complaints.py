"""Complaints: filed during a call with their 15-day due time, read in full before a decision."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import DataTable, Static, TextArea

from db.tables import AuditEvent, Complaint
from desk.errors import DeskError
from desk.use_cases.complaints import file_complaint, load_complaint
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, file_request
from screens.customer import CustomerScreen
from tests.callers import NOW, add_callers, rows
from tests.pilot import desk_app, open_and_verify, press_and_leave, search, settle

ZHANG = "XK202601100001"


def escort_of_zhang(database) -> tuple:
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number(ZHANG)
        filed = file_request(uow, NewRequest(policy.id, "escort", suspected_illness="S01"),
                             agent_id=None, at=datetime(2026, 11, 23, 10))
    return policy.insured_id, filed


def test_a_complaint_is_filed_with_its_15_day_due_time_and_audited(database):
    add_callers(database)
    customer_id, filed = escort_of_zhang(database)
    with database.unit_of_work() as uow:
        complaint_id = file_complaint(uow, customer_id, "陪诊人员迟到", request_id=filed.request_id,
                                      agent_id=None, at=NOW).complaint_id
    (complaint,) = rows(database, Complaint)
    assert complaint.id == complaint_id
    assert (complaint.received_at, complaint.due_at, complaint.state) == (NOW, datetime(2026, 12, 9, 10, 30), "open")
    assert complaint.request_id == filed.request_id and complaint.summary == "陪诊人员迟到"
    (audit,) = rows(database, AuditEvent)
    assert (audit.action, audit.subject_id) == ("complaint_filed", complaint_id)


def test_an_empty_complaint_or_a_request_of_someone_else_is_refused(database):
    add_callers(database)
    _customer, filed = escort_of_zhang(database)
    with database.unit_of_work() as uow:
        other = uow.policies.by_number("XK202611200002").insured_id
    with database.unit_of_work() as uow, pytest.raises(DeskError):
        file_complaint(uow, other, "   ", request_id=None, agent_id=None, at=NOW)
    with database.unit_of_work() as uow, pytest.raises(DeskError):
        file_complaint(uow, other, "不满意", request_id=filed.request_id, agent_id=None, at=NOW)
    assert rows(database, Complaint) == []


def test_a_complaint_reads_with_its_dates_request_and_masked_customer(database):
    add_callers(database)
    customer_id, filed = escort_of_zhang(database)
    with database.unit_of_work() as uow:
        complaint_id = file_complaint(uow, customer_id, "陪诊人员迟到", request_id=filed.request_id,
                                      agent_id=None, at=NOW).complaint_id
    with database.unit_of_work() as uow:
        view = load_complaint(uow, complaint_id)
    assert (view.received_at, view.due_at, view.summary) == (NOW, datetime(2026, 12, 9, 10, 30), "陪诊人员迟到")
    assert (view.customer, view.request_number, view.request_id) == ("张*", filed.number, filed.request_id)
    assert view.service == "导医陪诊"


async def test_a_complaint_is_filed_from_the_customer_view_during_the_call(callers_url):
    database = open_database(callers_url)
    _customer, filed = escort_of_zhang(database)
    database.close()
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        customer = app.screen
        assert isinstance(customer, CustomerScreen)
        shown = {b.binding.key: b.binding for b in customer.active_bindings.values()}
        assert "c" in shown and shown["c"].show  # in the footer
        customer.query_one("#requests", DataTable).focus()
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert form is not customer
        assert filed.number in "\n".join(str(w.render()) for w in form.query(Static))
        form.query_one(TextArea).focus()
        await pilot.press(*"陪诊人员迟到一小时")
        await press_and_leave(pilot, "ctrl+s")
        assert app.screen is customer
        assert "2026-12-09 10:30" in str(customer.query_one("#customer-status", Static).render())
    (complaint,) = rows(app.database, Complaint)
    assert (complaint.summary, complaint.request_id, complaint.due_at) == (
        "陪诊人员迟到一小时", filed.request_id, datetime(2026, 12, 9, 10, 30))
    assert [e.action for e in rows(app.database, AuditEvent) if not e.action.startswith("call_")] == [
        "complaint_filed"]

"""Moving a request with what the manual bounds: booking dates, what was asked and what was
booked, who asked for a cancellation, and an assignment that carries to the next step."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.tables import Agent, RequestEvent
from desk.errors import DeskError
from desk.rules.request_states import RequestState
from desk.use_cases.request_view import load_request_view
from desk.use_cases.requests import NewRequest, file_request, move_request
from tests.callers import rows

S = RequestState
ZHANG = "XK202601100001"
AT = datetime(2026, 11, 24, 10, 30)
ADMISSION = {"kind": "hospitalisation", "hospital": "北京协和医院", "diagnosis_ref": "ZD-1", "admission_slip_ref": "ZY-1"}



def file(database, code: str, details: dict | None = None, illness: str | None = None):
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number(ZHANG)
        return file_request(uow, NewRequest(policy.id, code, details=details, suspected_illness=illness),
                            agent_id=None, at=datetime(2026, 11, 23, 10))


def move(database, request_id, to, at=AT, **kwargs):
    with database.unit_of_work() as uow:
        return move_request(uow, request_id, to, agent_id=kwargs.pop("agent_id", None), at=at, **kwargs)


def arranged_admission(cast):
    filed = file(cast, "admission", ADMISSION, "S01")
    move(cast, filed.request_id, S.APPROVED, datetime(2026, 11, 23, 11))
    move(cast, filed.request_id, S.SUPPLIER_CONTACTED, datetime(2026, 11, 23, 12))
    return filed


def state_of(database, request_id) -> str:
    with database.unit_of_work() as uow:
        return uow.requests.get(request_id).state


def test_an_admission_beyond_14_days_is_refused_and_nothing_changes(cast):
    filed = arranged_admission(cast)
    with pytest.raises(DeskError, match="14"):
        move(cast, filed.request_id, S.BOOKED, data={"visit_at": datetime(2026, 12, 9, 9), "hospital": "北京医院"})
    assert state_of(cast, filed.request_id) == "supplier_contacted"
    moved = move(cast, filed.request_id, S.BOOKED, data={"visit_at": datetime(2026, 12, 8, 9), "hospital": "北京医院"})
    assert moved.state is S.BOOKED


def test_a_booking_in_the_past_is_refused(cast):
    filed = file(cast, "smoking", {"city": "北京", "hospital": "中日友好医院"})
    with pytest.raises(DeskError, match="2026-11-20 09:00"):
        move(cast, filed.request_id, S.BOOKED, data={"visit_at": datetime(2026, 11, 20, 9), "hospital": "中日友好医院"})
    assert state_of(cast, filed.request_id) == "submitted"


def test_a_booking_keeps_what_the_customer_asked_for_beside_what_was_booked(cast):
    filed = arranged_admission(cast)
    move(cast, filed.request_id, S.BOOKED,
         data={"visit_at": datetime(2026, 12, 1, 9), "hospital": "北京医院", "department": "肿瘤科"})
    with cast.unit_of_work() as uow:
        details = uow.requests.get(filed.request_id).details
        view = load_request_view(uow, filed.request_id)
    assert details["hospital"] == "北京协和医院"
    assert (details["booked_hospital"], details["booked_department"]) == ("北京医院", "肿瘤科")
    shown = dict(view.shown_details)
    assert shown["医院（客户要求）"] == "北京协和医院" and shown["预约医院"] == "北京医院"


def test_a_cancellation_records_who_asked_and_whether_it_counted(cast):
    filed = arranged_admission(cast)
    move(cast, filed.request_id, S.BOOKED, data={"visit_at": datetime(2026, 12, 1, 9), "hospital": "北京医院"})
    with pytest.raises(DeskError, match="取消"):
        move(cast, filed.request_id, S.CANCELLED, reason="客户改变主意")
    # Arranged within its SLA, the admission counted: cancelling keeps it counted.
    moved = move(cast, filed.request_id, S.CANCELLED, reason="客户改变主意", data={"by": "customer"})
    assert moved.counted is True and moved.ledger is None
    (event,) = [e for e in rows(cast, RequestEvent) if e.to_state == "cancelled"]
    assert (event.data["by"], event.data["counted"]) == ("customer", True)


def test_a_free_cancellation_says_it_did_not_count(cast):
    filed = file(cast, "smoking", {"city": "北京", "hospital": "中日友好医院"})
    moved = move(cast, filed.request_id, S.CANCELLED, datetime(2026, 11, 23, 11), reason="打错了",
                 data={"by": "agent"})
    assert moved.counted is False


def test_the_step_a_transition_opens_goes_to_the_agent_who_held_the_last(cast):
    with cast.unit_of_work() as uow:
        agent = uow.agents.add(Agent(login="a01", name="坐席一")).id
        uow.commit()
    filed = file(cast, "escort", illness="S01")
    with cast.unit_of_work() as uow:
        (step,) = uow.request_steps.open_of_request(filed.request_id)
        step.assigned_to = agent
        uow.request_steps.add(step)
        uow.commit()
    move(cast, filed.request_id, S.APPROVED)
    with cast.unit_of_work() as uow:
        (following,) = uow.request_steps.open_of_request(filed.request_id)
    assert (following.step_code, following.assigned_to) == ("supplier_contact", agent)


def test_a_move_from_a_state_the_request_has_left_is_refused(cast):
    filed = file(cast, "escort", illness="S01")
    move(cast, filed.request_id, S.APPROVED)  # another agent got there first
    with pytest.raises(DeskError, match="审核通过"):
        move(cast, filed.request_id, S.CANCELLED, reason="客户不需要了", data={"by": "customer"},
             expected=S.SUBMITTED)
    assert state_of(cast, filed.request_id) == "approved"

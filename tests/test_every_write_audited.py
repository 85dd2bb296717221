"""Every write is an event (#12): who, when, what, which record, in the write's own transaction.

Requests carry their own history (``request_event``, append-only); every other write of
the use cases adds one ``audit_event``. Each test makes one call and looks for exactly the
event it should leave, and nothing else, on both backends. What the log keeps of a record
is named, never copied: no full ID number, mobile, note or complaint text in it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

import pytest

from db.tables import Agent, AuditEvent, Customer, RequestEvent
from desk.rules.request_states import RequestState
from desk.use_cases.calendar_edits import remove_day, set_day
from desk.use_cases.calls import cancel_call, end_call, open_call, record_verification
from desk.use_cases.complaint_decisions import decide_complaint
from desk.use_cases.complaints import file_complaint
from desk.use_cases.family import add_family_member, edit_family_member
from desk.use_cases.queue import assign_to_me, load_queue
from desk.use_cases.requests import NewRequest, file_request, move_request
from tests.callers import NOW, policy_of, resident_id, rows
from tests.queue_cast import add_open_work

ZHANG = "XK202601100001"
SISTER_ID = resident_id("110105", date(1993, 6, 18), "128")


@pytest.fixture
def desk(cast):
    """The cast, an agent and a supervisor."""
    with cast.unit_of_work() as uow:
        uow.agents.add(Agent(login="agent01", name="坐席一", role="agent"))
        uow.agents.add(Agent(login="super01", name="主管一", role="supervisor"))
        uow.commit()
    return cast


def agent(database, login: str = "agent01") -> uuid.UUID:
    with database.unit_of_work() as uow:
        return uow.agents.by_login(login).id


def zhang(database) -> Customer:
    with database.unit_of_work() as uow:
        return uow.customers.get(uow.policies.by_number(ZHANG).insured_id)


def new_events(database, before: list[AuditEvent]) -> list[AuditEvent]:
    seen = {event.id for event in before}
    return [event for event in rows(database, AuditEvent) if event.id not in seen]


def the_event(database, before: list[AuditEvent]) -> AuditEvent:
    events = new_events(database, before)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def shown(event: AuditEvent) -> str:
    """What a reader of the log sees of the event besides its columns."""
    return event.reason + json.dumps(event.detail, ensure_ascii=False)


def opened_call(database, agent_id: uuid.UUID) -> uuid.UUID:
    with database.unit_of_work() as uow:
        return open_call(uow, customer_id=zhang(database).id, agent_id=agent_id, at=NOW)


# --- calls ------------------------------------------------------------------------------


def test_opening_a_call_is_an_event(desk):
    me, before = agent(desk), rows(desk, AuditEvent)
    call_id = opened_call(desk, me)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type, event.subject_id, event.at) == (
        "call_opened", me, "call", call_id, NOW)
    assert event.detail["customer_id"] == str(zhang(desk).id)


@pytest.mark.parametrize(("confirmed", "verified"), [(["full_name", "id_last4"], True), (["full_name"], False)])
def test_an_identity_check_is_an_event_whether_it_passed_or_not(desk, confirmed, verified):
    me = agent(desk)
    call_id = opened_call(desk, me)
    before = rows(desk, AuditEvent)
    with desk.unit_of_work() as uow:
        record_verification(uow, call_id, confirmed, at=NOW)
    event = the_event(desk, before)
    # The call's own agent: the screens record a check only for the call they opened.
    assert (event.action, event.agent_id, event.subject_type, event.subject_id, event.at) == (
        "call_identity_check", me, "call", call_id, NOW)
    assert (event.detail["confirmed"], event.detail["verified"]) == (sorted(confirmed), verified)


def test_a_cancelled_identity_check_is_an_event(desk):
    me = agent(desk)
    call_id = opened_call(desk, me)
    before = rows(desk, AuditEvent)
    with desk.unit_of_work() as uow:
        cancel_call(uow, call_id, at=NOW)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type, event.subject_id) == (
        "call_cancelled", me, "call", call_id)


def test_a_wrap_up_is_an_event_without_the_note_and_once_on_a_retry(desk):
    me = agent(desk)
    call_id = opened_call(desk, me)
    before = rows(desk, AuditEvent)
    note_id = uuid.uuid4()
    note = f"客户头痛，身份证 {zhang(desk).id_number}"
    for _attempt in range(2):
        with desk.unit_of_work() as uow:
            end_call(uow, call_id, wrap_up_code="inquiry", note=note, agent_id=me, at=NOW, note_id=note_id)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type, event.subject_id) == (
        "call_ended", me, "call", call_id)
    assert event.detail["wrap_up_code"] == "inquiry"
    assert "头痛" not in shown(event) and zhang(desk).id_number not in shown(event)


# --- the queue ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["step", "complaint"])
def test_taking_a_queue_row_is_an_event(database, kind):
    add_open_work(database)
    with database.unit_of_work() as uow:
        me = uow.agents.add(Agent(login="a9", name="坐席九")).id
        uow.commit()
        item = next(i for i in load_queue(uow, NOW).items if i.kind == kind)
    before = rows(database, AuditEvent)
    with database.unit_of_work() as uow:
        assign_to_me(uow, item, me, at=NOW)
    event = the_event(database, before)
    subject = "request_step" if kind == "step" else "complaint"
    assert (event.action, event.agent_id, event.subject_type, event.subject_id, event.at) == (
        "assign", me, subject, item.id, NOW)
    if kind == "step":
        assert event.detail["request_id"] == str(item.request_id)


# --- family, complaints, calendar: audited before #12, kept so ------------------------------


def test_adding_and_editing_a_family_member_are_events_with_the_number_masked(desk):
    me, customer = agent(desk), zhang(desk)
    before = rows(desk, AuditEvent)
    typed = {"name": "张小妹", "relation": "child", "id_number": SISTER_ID}
    with desk.unit_of_work() as uow:
        added = add_family_member(uow, customer.id, typed, agent_id=me, at=NOW)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type, event.subject_id) == (
        "family_add", me, "family_member", added.member_id)
    assert SISTER_ID not in shown(event) and added.masked_id_number in shown(event)
    before = rows(desk, AuditEvent)
    with desk.unit_of_work() as uow:
        edit_family_member(uow, added.member_id, {**typed, "name": "张小梅", "id_number": ""},
                           expected_version=added.version, agent_id=me, at=NOW)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_id, event.detail["changed"]) == (
        "family_edit", me, added.member_id, ["name"])


def test_filing_a_complaint_is_an_event_that_does_not_copy_its_text(desk):
    me, customer = agent(desk), zhang(desk)
    before = rows(desk, AuditEvent)
    summary = f"陪诊迟到，客户头痛加重，身份证 {customer.id_number}，手机 {customer.mobile}"
    with desk.unit_of_work() as uow:
        filed = file_complaint(uow, customer.id, summary, request_id=None, agent_id=me, at=NOW)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type, event.subject_id) == (
        "complaint_filed", me, "complaint", filed.complaint_id)
    text = shown(event)
    assert customer.id_number not in text and customer.mobile not in text and "头痛" not in text


def test_deciding_a_complaint_is_an_event_with_numbers_masked(desk):
    customer = zhang(desk)
    with desk.unit_of_work() as uow:
        filed = file_complaint(uow, customer.id, "陪诊迟到", request_id=None, agent_id=None, at=NOW)
    boss, before = agent(desk, "super01"), rows(desk, AuditEvent)
    with desk.unit_of_work() as uow:
        decide_complaint(uow, filed.complaint_id, f"已致电 {customer.mobile} 致歉", agent_id=boss, at=NOW)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type, event.subject_id) == (
        "complaint_decided", boss, "complaint", filed.complaint_id)
    assert customer.mobile not in shown(event) and "138****5678" in event.reason


@pytest.mark.parametrize("edit", ["set", "remove"])
def test_a_calendar_edit_is_an_event(desk, edit):
    boss = agent(desk, "super01")
    with desk.unit_of_work() as uow:
        set_day(uow, date(2027, 1, 4), "holiday", "测试假日", agent_id=boss, at=NOW)
    before = rows(desk, AuditEvent)
    with desk.unit_of_work() as uow:
        if edit == "set":
            set_day(uow, date(2027, 1, 4), "holiday", "元旦补假", agent_id=boss, at=NOW)
        else:
            remove_day(uow, date(2027, 1, 4), agent_id=boss, at=NOW)
    event = the_event(desk, before)
    assert (event.action, event.agent_id, event.subject_type) == ("calendar_edit", boss, "calendar")


# --- requests: their own append-only history ------------------------------------------------


def test_filing_and_moving_a_request_are_history_events_naming_the_agent(desk):
    me = agent(desk)
    with desk.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_of(desk, ZHANG), "smoking",
                                             details={"city": "北京", "hospital": "中日友好医院"}),
                             agent_id=me, at=datetime(2026, 9, 28, 10))
    with desk.unit_of_work() as uow:
        move_request(uow, filed.request_id, RequestState.CANCELLED, agent_id=me, at=datetime(2026, 9, 28, 11),
                     reason="客户改期", data={"by": "customer"})
    history = sorted(rows(desk, RequestEvent), key=lambda e: e.at)
    assert [(e.request_id, e.agent_id, e.from_state, e.to_state) for e in history] == [
        (filed.request_id, me, "", "submitted"), (filed.request_id, me, "submitted", "cancelled")]
    assert rows(desk, AuditEvent) == []

"""Filing and moving requests on real databases: rules, events, SLA steps, the ledger."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

import desk.use_cases.requests as requests_module
from db.tables import Agent, AuditEvent, RequestEvent, UsageEvent
from desk.rules.entitlement import counted_uses
from desk.rules.request_states import RequestState, TransitionRefused
from desk.use_cases.database import open_database
from desk.use_cases.requests import (
    NewRequest,
    Override,
    RequestRefused,
    file_request,
    move_request,
    uses_in_year,
)
from tests.callers import policy_of, rows
from tests.many_desks import slow_counting

S = RequestState
AT = datetime(2026, 9, 28, 10, 0)  # a Monday inside 张三's service year




ZHANG = "XK202601100001"  # active, window 2026-01-25 .. 2027-01-24
OUYANG = "XK202602010005"  # escort already used this year


def test_filing_a_smoking_booking_opens_its_sla_step(cast):
    filed = file(cast, ZHANG, "smoking", details={"city": "北京", "hospital": "中日友好医院"})
    assert filed.state is S.SUBMITTED
    assert filed.due_at == datetime(2026, 9, 29, 10, 0)  # booking result within 1 working day
    with cast.unit_of_work() as uow:
        (step,) = uow.request_steps.of_request(filed.request_id)
        assert (step.step_code, step.due_at, step.done_at) == ("booking", filed.due_at, None)
        assert [e.to_state for e in uow.request_events.of_request(filed.request_id)] == ["submitted"]


def file(database, number: str, code: str, at: datetime = AT, **kwargs) -> requests_module.Filed:
    with database.unit_of_work() as uow:
        return file_request(uow, NewRequest(policy_of(database, number), code, **kwargs), agent_id=None, at=at)


def move(database, request_id, to, at, **kwargs) -> requests_module.Moved:
    with database.unit_of_work() as uow:
        return move_request(uow, request_id, to, agent_id=None, at=at, **kwargs)


def test_a_real_time_service_is_a_single_used_event(cast):
    filed = file(cast, ZHANG, "ai_consult", details={"note": "头痛咨询"})
    assert (filed.state, filed.due_at) == (S.USED, None)
    with cast.unit_of_work() as uow:
        assert uow.request_steps.of_request(filed.request_id) == []


def test_a_refused_filing_says_why_and_writes_nothing(cast):
    with pytest.raises(RequestRefused) as refused:
        file(cast, OUYANG, "escort", suspected_illness="S01")
    assert "2027-02-15" in str(refused.value)  # the last day of the service year
    assert rows(cast, RequestEvent) == []


def test_green_channel_refuses_an_illness_not_on_the_list(cast):
    with pytest.raises(RequestRefused, match="重疾列表"):
        file(cast, ZHANG, "escort", suspected_illness="X99")


def test_a_supervisor_may_override_a_used_up_quota_and_it_is_audited(cast):
    with cast.unit_of_work() as uow:
        supervisor = uow.agents.add(Agent(login="sup01", name="主管", role="supervisor")).id
        agent = uow.agents.add(Agent(login="a01", name="坐席")).id
        uow.commit()
    new = NewRequest(policy_of(cast, OUYANG), "escort", suspected_illness="S01")
    with cast.unit_of_work() as uow, pytest.raises(requests_module.DeskError, match="主管"):
        file_request(uow, new, agent_id=agent, at=AT, override=Override(agent, "客户情况特殊"))
    with cast.unit_of_work() as uow:
        filed = file_request(uow, new, agent_id=agent, at=AT, override=Override(supervisor, "客户情况特殊"))
    (audit,) = rows(cast, AuditEvent)
    assert (audit.action, audit.reason, audit.subject_id) == ("override_refusal", "客户情况特殊", filed.request_id)


def test_escort_walks_its_lifecycle_and_counts_when_the_visit_happens(cast):
    filed = file(cast, ZHANG, "escort", suspected_illness="S01")
    assert filed.due_at == datetime(2026, 9, 29, 10)  # eligibility within 1 working day
    moved = move(cast, filed.request_id, S.APPROVED, datetime(2026, 9, 28, 15))
    assert moved.due_at == datetime(2026, 9, 29, 15)  # supplier contact within 1 working day
    moved = move(cast, filed.request_id, S.SUPPLIER_CONTACTED, datetime(2026, 9, 29, 9))
    assert moved.due_at == datetime(2026, 10, 8, 9)  # booking within 2 working days: Sep 30, then Oct 8
    moved = move(cast, filed.request_id, S.BOOKED, datetime(2026, 10, 8, 9),
                 data={"visit_at": datetime(2026, 10, 12, 9), "hospital": "北京协和医院", "department": "心内科"})
    assert moved.due_at == datetime(2026, 10, 13, 0)  # escort on the visit day
    assert move(cast, filed.request_id, S.DONE, datetime(2026, 10, 12, 12)).ledger == "counted"
    with cast.unit_of_work() as uow:
        steps = uow.request_steps.of_request(filed.request_id)
        assert [s.step_code for s in steps] == ["eligibility", "supplier_contact", "booking", "escort"]
        assert all(s.done_at is not None for s in steps)
        events = uow.request_events.of_request(filed.request_id)
        assert [e.to_state for e in events] == ["submitted", "approved", "supplier_contacted", "booked", "done"]
        assert uow.requests.get(filed.request_id).details["booked_hospital"] == "北京协和医院"


def test_an_illegal_transition_is_refused_and_nothing_changes(cast):
    filed = file(cast, ZHANG, "escort", suspected_illness="S01")
    with pytest.raises(TransitionRefused):
        move(cast, filed.request_id, S.DONE, AT)
    with cast.unit_of_work() as uow:
        assert uow.requests.get(filed.request_id).state == "submitted"


def test_a_cancellation_needs_a_reason(cast):
    filed = file(cast, ZHANG, "smoking")
    with pytest.raises(requests_module.DeskError, match="原因"):
        move(cast, filed.request_id, S.CANCELLED, AT)
    assert move(cast, filed.request_id, S.CANCELLED, AT, reason="客户改期", data={"by": "customer"}).ledger is None


def test_smoking_booking_counts_and_a_timely_withdrawal_gives_it_back(cast):
    filed = file(cast, ZHANG, "smoking")
    booked = move(cast, filed.request_id, S.BOOKED, datetime(2026, 9, 28, 16),
                  data={"visit_at": datetime(2026, 10, 9, 9), "hospital": "中日友好医院"})
    assert booked.ledger == "counted"
    withdrawn = move(cast, filed.request_id, S.CANCELLED, datetime(2026, 9, 30, 10), reason="客户出差",
                     data={"by": "customer"})
    assert withdrawn.ledger == "refunded"
    assert counted_uses(e.kind for e in rows(cast, UsageEvent) if e.request_id == filed.request_id) == 0


def test_an_open_request_holds_a_use_so_the_last_one_is_never_promised_twice(cast):
    for _ in range(11):
        filed = file(cast, ZHANG, "smoking")
        move(cast, filed.request_id, S.BOOKED, AT, data={"visit_at": "2026-10-20T09:00"})
    file(cast, ZHANG, "smoking")  # the 12th, still open
    with pytest.raises(RequestRefused, match="12 次已用完"):
        file(cast, ZHANG, "smoking")
    with cast.unit_of_work() as uow:
        period = uow.requests.get(filed.request_id).service_period_id
        assert uses_in_year(uow, period, "smoking") == 12


def test_two_agents_filing_the_last_smoking_booking_at_once_exactly_one_succeeds(cast, monkeypatch):
    url = str(cast.engine.url.render_as_string(hide_password=False))
    for _ in range(11):
        filed = file(cast, ZHANG, "smoking")
        move(cast, filed.request_id, S.BOOKED, AT, data={"visit_at": "2026-10-20T09:00"})

    # Widen the race: without the claim both agents would count 11 here and both file.
    slow_counting(monkeypatch, seconds=0.3)
    policy_id = policy_of(cast, ZHANG)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def agent() -> None:
        database = open_database(url)  # its own engine and connection, like another desk
        try:
            barrier.wait()
            with database.unit_of_work() as uow:
                file_request(uow, NewRequest(policy_id, "smoking"), agent_id=None, at=AT)
            outcomes.append("filed")
        except RequestRefused:
            outcomes.append("refused")
        finally:
            database.close()

    threads = [threading.Thread(target=agent) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["filed", "refused"]


def test_a_request_number_already_taken_is_drawn_again(cast, monkeypatch):
    """Three random bytes a day gave about three duplicate numbers in 10,000 filings; a
    duplicate failed the save as a conflict. A taken number is now drawn again."""
    drawn = iter(["R260928AAAAAA", "R260928AAAAAA", "R260928BBBBBB"])
    monkeypatch.setattr(requests_module, "new_request_number", lambda at: next(drawn))
    first = file(cast, ZHANG, "ai_consult", details={"note": "头痛咨询"})
    second = file(cast, ZHANG, "ai_consult", details={"note": "又头痛"})
    assert (first.number, second.number) == ("R260928AAAAAA", "R260928BBBBBB")

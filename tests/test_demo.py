"""Demo data: valid, complete, relative to a fixed day, and never added twice."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from db.tables import (
    Agent,
    Call,
    CallNote,
    Complaint,
    Customer,
    FamilyMember,
    Policy,
    Rating,
    Request,
    RequestEvent,
    RequestStep,
    ServicePeriod,
    Supplier,
    UsageEvent,
)
from desk.demo.generator import DemoReport, generate_demo
from desk.rules.catalogue import benefit
from desk.rules.request_states import FINAL_STATES, RequestState
from desk.rules.validation import parse_resident_id

TODAY = date(2026, 6, 15)  # a Monday with the 2026 calendar known on both sides
NOW = datetime.combine(TODAY, time(12, 0))
MOBILE = re.compile(r"1[3-9]\d{9}")


def _rows(database, table: type[SQLModel]) -> list:
    with database.engine.connect() as connection:
        return list(connection.execute(select(table)).all())  # type: ignore[call-overload]


def _counts(database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def demo(database):
    report = generate_demo(database, customers=300, today=TODAY)
    return database, report


def test_the_report_counts_what_was_written(demo):
    database, report = demo
    counts = _counts(database)
    assert report.customers_added == counts["customer"] == 300
    assert report.policies_added == counts["policy"] == counts["service_period"]
    assert report.family_added == counts["family_member"] > 0
    assert report.requests_added == counts["request"] > 0
    assert report.calls_added == counts["call"] == counts["call_note"] > 0
    assert report.complaints_added == counts["complaint"] >= 1
    assert counts["rating"] >= 1
    assert report.already_present == 0
    summary = report.summary()
    assert summary.startswith("演示数据：新增客户 300 位") and "(demo data: added 300 customers" in summary
    assert "\n" not in summary


def test_id_numbers_are_valid_and_agree_with_birth_date_and_sex(demo):
    database, _ = demo
    customers = _rows(database, Customer)
    for customer in customers:
        resident = parse_resident_id(customer.id_number)
        assert (resident.birth_date, resident.sex) == (customer.birth_date, customer.sex)
        assert customer.id_last4 == customer.id_number[-4:]
        assert MOBILE.fullmatch(customer.mobile), customer.mobile
        assert customer.mobile_last4 == customer.mobile[-4:]
        assert customer.name_pinyin and customer.name_initials
    members = _rows(database, FamilyMember)
    for member in members:
        resident = parse_resident_id(member.id_number)
        assert (resident.birth_date, resident.sex) == (member.birth_date, member.sex)
    numbers = [row.id_number for row in customers + members]
    assert len(set(numbers)) == len(numbers)


def test_family_ages_fit_their_relation(demo):
    database, _ = demo
    born = {row.id: row.birth_date for row in _rows(database, Customer)}
    relations = set()
    for member in _rows(database, FamilyMember):
        relations.add(member.relation)
        gap = (member.birth_date - born[member.customer_id]).days / 365.25
        low, high = {
            "spouse": (-6, 6), "parent": (-37, -21), "child": (21, 39),
            "grandparent": (-63, -43), "grandchild": (47, 63),
        }[member.relation]
        assert low <= gap <= high, (member.relation, gap)
    assert {"spouse", "child", "parent"} <= relations


def test_policies_are_in_every_window_state(demo):
    database, _ = demo
    periods = {row.policy_id: row for row in _rows(database, ServicePeriod)}
    states = Counter()
    for policy in _rows(database, Policy):
        period = periods[policy.id]
        assert (period.starts_on - policy.effective_date).days == 15
        if policy.status != "active":
            assert policy.termination_date is not None and policy.termination_date < TODAY
            states["terminated"] += 1
        elif period.starts_on > TODAY:
            states["not_open"] += 1
        elif period.ends_on > TODAY:
            states["active"] += 1
        else:
            states["expired"] += 1
        assert re.fullmatch(r"XK\d{12}", policy.policy_number)
    assert set(states) == {"not_open", "active", "expired", "terminated"}
    assert states["active"] > sum(states.values()) / 2


def test_requests_reach_every_state_with_a_consistent_history(demo):
    database, _ = demo
    requests = _rows(database, Request)
    assert {row.state for row in requests} == set(RequestState)
    assert {row.service_code for row in requests} == {
        "escort", "admission", "psych", "smoking", "advance_claim", "news", "lectures",
        "ai_consult", "pharmacy", "med_reminder",
    }
    events: dict = {}
    for event in sorted(_rows(database, RequestEvent), key=lambda e: e.at):
        events.setdefault(event.request_id, []).append(event)
    for request in requests:
        history = events[request.id]
        assert history[0].to_state == "submitted" or history == [history[0]]
        assert history[0].at == request.submitted_at
        assert history[-1].to_state == request.state
        assert all(a.to_state == b.from_state for a, b in zip(history, history[1:], strict=False))
        assert history[-1].at <= NOW
        if benefit(request.service_code).real_time:
            assert [e.to_state for e in history] == ["used"]
        if request.beneficiary_member_id is None:
            assert request.beneficiary_name


def test_every_history_is_one_the_rules_allow_with_the_ledger_they_give(demo):
    # Replays each request through the lifecycle and the counting rule on their own: a demo
    # transition the lifecycle refuses, or a ledger entry the rule would not make, fails.
    database, _ = demo
    from desk.rules.counting import filing_effect
    from desk.rules.lifecycle import STEP_STARTS_AT, check_transition
    from desk.rules.request_states import RequestFacts
    from desk.rules.sla_clock import due_for_step
    from desk.use_cases.calendar_data import load_working_calendar

    with database.unit_of_work() as uow:
        calendar = load_working_calendar(uow)
    events: dict = {}
    for event in sorted(_rows(database, RequestEvent), key=lambda e: e.at):
        events.setdefault(event.request_id, []).append(event)
    ledger: dict = {}
    for use in sorted(_rows(database, UsageEvent), key=lambda u: u.at):
        ledger.setdefault(use.request_id, []).append((use.kind, use.at))
    replayed = Counter()
    for request in _rows(database, Request):
        entry = benefit(request.service_code)
        first, *moves = events[request.id]
        state, net, visit_at, dues, expected = RequestState(first.to_state), 0, None, {}, []
        for event in [first, *moves]:
            if event.data.get("visit_at"):
                visit_at = datetime.fromisoformat(event.data["visit_at"])
            if event is first and (filed := filing_effect(entry)) is not None:
                expected.append((str(filed), event.at))
            if event is not first:
                facts = RequestFacts(entry.code, state, first.at, visit_at, net > 0, dues.get("arrangement"))
                effect = check_transition(entry, facts, RequestState(event.to_state), event.at, calendar)
                if effect is not None:
                    expected.append((str(effect), event.at))
                    net += 1 if effect == "counted" else -1
                if event.to_state == "cancelled":
                    assert event.data["counted"] is (net > 0)
                state = RequestState(event.to_state)
            for spec in entry.sla_steps:
                if STEP_STARTS_AT.get(spec.starts_after) is state and (due := due_for_step(spec, event.at, calendar)):
                    dues[spec.code] = due.at
        assert ledger.get(request.id, []) == expected, (request.number, [e.to_state for e in events[request.id]])
        replayed[request.service_code, request.state] += 1
    assert replayed["psych", "used"] and replayed["smoking", "cancelled"] and replayed["escort", "cancelled"] and replayed["admission", "booked"]


def test_calls_end_with_the_apps_own_wrap_up_codes(demo):
    from desk.use_cases.calls import WRAP_UP_CODES

    database, _ = demo
    codes = {call.wrap_up_code for call in _rows(database, Call)}
    assert codes and codes <= set(WRAP_UP_CODES)


def test_some_open_steps_are_overdue(demo):
    database, _ = demo
    steps = _rows(database, RequestStep)
    states = {row.id: row.state for row in _rows(database, Request)}
    open_steps = [step for step in steps if step.done_at is None]
    assert open_steps
    assert all(RequestState(states[step.request_id]) not in FINAL_STATES for step in open_steps)
    overdue = [step for step in open_steps if step.due_at is not None and step.due_at < NOW]
    assert overdue
    assert len(overdue) < len(open_steps)
    for step in steps:
        assert step.due_at is None or step.due_at > step.started_at
        assert step.done_at is None or step.started_at <= step.done_at <= NOW


def test_the_ledger_never_exceeds_a_quota(demo):
    database, _ = demo
    used = Counter()
    for event in _rows(database, UsageEvent):
        assert event.at <= NOW
        if event.kind == "used":  # a real-time use is logged, never counted against a quota
            assert benefit(event.service_code).quota_per_year is None
            continue
        used[event.service_period_id, event.service_code] += 1 if event.kind == "counted" else -1
    assert used, "some uses are counted"
    for (_period, code), count in used.items():
        quota = benefit(code).quota_per_year
        assert quota is not None and 0 <= count <= quota


def test_calls_and_complaints_look_like_the_real_thing(demo):
    database, _ = demo
    for call in _rows(database, Call):
        assert 2 <= len(call.verified_facts) <= 4
        assert call.wrap_up_code and call.started_at < call.ended_at <= NOW
    for complaint in _rows(database, Complaint):
        days = 30 if complaint.complex_case else 15
        assert (complaint.due_at - complaint.received_at).days == days
    assert any(c.complex_case for c in _rows(database, Complaint))
    ratings = _rows(database, Rating)
    assert all(1 <= r.timeliness <= 5 and 1 <= r.quality <= 5 and 1 <= r.attitude <= 5 for r in ratings)
    logins = {agent.login: agent.role for agent in _rows(database, Agent)}
    assert logins["supervisor01"] == "supervisor" and logins["agent01"] == "agent"
    assert _rows(database, CallNote)


def test_a_rerun_adds_nothing_and_a_larger_one_only_the_missing(demo):
    database, first = demo
    before = _counts(database)
    again = generate_demo(database, customers=300, today=TODAY)
    assert again == DemoReport(already_present=300)
    assert _counts(database) == before

    more = generate_demo(database, customers=400, today=TODAY)
    assert more.customers_added == 100 and more.already_present == 300
    after = _counts(database)
    assert after["customer"] == 400
    assert after["policy"] == before["policy"] + more.policies_added
    assert after["request"] == before["request"] + more.requests_added
    for table in ("agent", "supplier", "calendar_day", "hospital", "critical_illness"):
        assert after[table] == before[table]
    assert len({row.login for row in _rows(database, Agent)}) == after["agent"]
    assert len(_rows(database, Supplier)) == 2


def test_the_same_seed_gives_the_same_people(database, tmp_path):
    from desk.use_cases.database import open_database

    generate_demo(database, customers=30, today=TODAY)
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        generate_demo(other, customers=30, today=TODAY)

        def people(db):
            return sorted((c.id, c.name, c.id_number, c.mobile, c.address) for c in _rows(db, Customer))

        assert people(database) == people(other)
    finally:
        other.close()


def test_progress_reports_each_batch(database):
    lines: list[str] = []
    generate_demo(database, customers=5, today=TODAY, progress=lines.append)
    assert lines == ["已生成 5/5 位客户 (5/5 customers)"]

"""The rules of filing and counting, on worked cases from domain.md."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk.rules.catalogue import BENEFITS, benefit
from desk.rules.counting import withdrawn_in_time
from desk.rules.eligibility import Beneficiary, PolicyFacts, Refusal, decide
from desk.rules.lifecycle import check_transition, next_states
from desk.rules.request_states import LedgerKind, RequestFacts, RequestState, TransitionRefused
from desk.rules.service_period import initial_window
from tests.test_sla_clock import CALENDAR

S = RequestState
# Effective 2026-01-10: services from 2026-01-25 to 2027-01-24 inclusive.
# The policy's critical-illness list: code -> severity, as the illness table holds it.
POLICY = PolicyFacts("active", None, [initial_window(date(2026, 1, 10))], {"S01": "重度", "S02": "重度", "M01": "轻度"})
INSURED = Beneficiary(is_insured=True, name="张三")
SPOUSE = Beneficiary(is_insured=False, name="李丽", relation="spouse", on_file=True)
SPOUSE_NOT_ON_FILE = Beneficiary(is_insured=False, name="李丽", relation="spouse", on_file=False)
FRIEND = Beneficiary(is_insured=False, name="王五", relation="friend")
DAY = date(2026, 3, 1)


# --- who may use what -------------------------------------------------------------------

AUDIENCE_CASES = {
    # code: (insured, spouse on file, spouse not on file, friend)
    "escort": (None, Refusal.INSURED_ONLY, Refusal.INSURED_ONLY, Refusal.INSURED_ONLY),
    "admission": (None, Refusal.INSURED_ONLY, Refusal.INSURED_ONLY, Refusal.INSURED_ONLY),
    "psych": (None, None, Refusal.FAMILY_NOT_ON_FILE, Refusal.NOT_FAMILY),
    "smoking": (None, None, Refusal.FAMILY_NOT_ON_FILE, Refusal.NOT_FAMILY),
    "advance_claim": (None, Refusal.INSURED_ONLY, Refusal.INSURED_ONLY, Refusal.INSURED_ONLY),
    "news": (None, None, None, None),
    "lectures": (None, None, None, None),
    "ai_consult": (None, None, None, None),
    "pharmacy": (None, None, None, None),
    "med_reminder": (None, None, None, None),
}


@pytest.mark.parametrize("code", [b.code for b in BENEFITS])
def test_who_may_use_each_service(code):
    people = (INSURED, SPOUSE, SPOUSE_NOT_ON_FILE, FRIEND)
    illness = "S01" if benefit(code).needs_listed_illness else None
    refusals = tuple(decide(benefit(code), POLICY, p, DAY, 0, illness).refusal for p in people)
    assert refusals == AUDIENCE_CASES[code]


# --- the service window -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("policy", "day", "refusal", "on"),
    [
        (POLICY, date(2026, 1, 24), Refusal.NOT_YET_OPEN, date(2026, 1, 25)),
        (POLICY, date(2026, 1, 25), None, None),
        (POLICY, date(2027, 1, 24), None, None),
        (POLICY, date(2027, 1, 25), Refusal.EXPIRED, date(2027, 1, 25)),
        (PolicyFacts("lapsed", date(2026, 8, 1), POLICY.windows, {}), date(2026, 8, 1), Refusal.POLICY_ENDED, date(2026, 8, 1)),
    ],
)
def test_the_window_decides_first(policy, day, refusal, on):
    decision = decide(benefit("news"), policy, INSURED, day, 0)
    assert (decision.refusal, decision.on) == (refusal, on)


def test_a_refusal_reads_to_the_caller_with_its_date():
    decision = decide(benefit("smoking"), POLICY, INSURED, date(2026, 1, 20), 0)
    assert "2026-01-25" in decision.reason_zh and decision.overridable
    ended = decide(benefit("smoking"), PolicyFacts("surrendered", date(2026, 5, 1), POLICY.windows, {}), INSURED, DAY, 0)
    assert not ended.overridable


# --- green channel ------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["escort", "admission"])
def test_green_channel_needs_a_suspected_illness_from_the_policy_list(code):
    assert decide(benefit(code), POLICY, INSURED, DAY, 0, "S02").allowed
    assert decide(benefit(code), POLICY, INSURED, DAY, 0, "S05").refusal is Refusal.ILLNESS_NOT_LISTED
    assert decide(benefit(code), POLICY, INSURED, DAY, 0, None).refusal is Refusal.ILLNESS_NOT_LISTED
    # On the list but mild (轻症): the manual's green channel is for the severe list only.
    assert decide(benefit(code), POLICY, INSURED, DAY, 0, "M01").refusal is Refusal.ILLNESS_NOT_SEVERE


# --- quotas -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "used", "refusal"),
    [
        ("escort", 0, None),
        ("escort", 1, Refusal.QUOTA_USED_UP),
        ("admission", 1, Refusal.QUOTA_USED_UP),
        ("smoking", 11, None),
        ("smoking", 12, Refusal.QUOTA_USED_UP),
        ("psych", 500, None),
        ("advance_claim", 3, None),
    ],
)
def test_quota_per_service_year(code, used, refusal):
    illness = "S01" if benefit(code).needs_listed_illness else None
    decision = decide(benefit(code), POLICY, INSURED, DAY, used, illness)
    assert decision.refusal is refusal
    if refusal:
        # No later window was granted: nothing renews, the year just ends on its last day.
        assert decision.on is None and "2027-01-24" in decision.reason_zh
        assert decision.overridable


# --- the lifecycle -------------------------------------------------------------------------

def test_each_service_walks_its_own_line():
    assert next_states(benefit("escort"), S.SUBMITTED) == (S.APPROVED, S.REJECTED, S.CANCELLED)
    assert next_states(benefit("escort"), S.SUPPLIER_CONTACTED) == (S.BOOKED, S.BOOKING_FAILED, S.CANCELLED)
    assert next_states(benefit("escort"), S.BOOKED) == (S.DONE, S.NO_SHOW, S.CANCELLED)
    assert next_states(benefit("smoking"), S.SUBMITTED) == (S.BOOKED, S.BOOKING_FAILED, S.CANCELLED)
    assert next_states(benefit("admission"), S.BOOKED) == (S.DONE, S.CANCELLED)
    assert next_states(benefit("advance_claim"), S.APPROVED) == (S.DONE, S.CANCELLED)
    assert next_states(benefit("news"), S.USED) == ()
    assert next_states(benefit("escort"), S.DONE) == ()


def test_an_illegal_transition_is_refused_with_a_reason():
    facts = RequestFacts("escort", S.SUBMITTED, datetime(2026, 3, 2, 10))
    with pytest.raises(TransitionRefused, match="不能从"):
        check_transition(benefit("escort"), facts, S.DONE, datetime(2026, 3, 2, 11), CALENDAR)


VISIT = datetime(2026, 3, 10, 9, 0)


@pytest.mark.parametrize(
    ("cancelled_at", "effect"),
    [
        (datetime(2026, 3, 9, 8, 0), None),  # 25 h before the visit: free
        (datetime(2026, 3, 9, 9, 0), None),  # exactly 24 h: free
        (datetime(2026, 3, 9, 10, 0), LedgerKind.COUNTED),  # 23 h before: counts
    ],
)
def test_escort_cancellation_counts_less_than_24_hours_before_the_visit(cancelled_at, effect):
    facts = RequestFacts("escort", S.BOOKED, datetime(2026, 3, 2, 10), visit_at=VISIT)
    assert check_transition(benefit("escort"), facts, S.CANCELLED, cancelled_at, CALENDAR) is effect


def test_escort_counts_when_the_visit_happens_or_is_missed():
    facts = RequestFacts("escort", S.BOOKED, datetime(2026, 3, 2, 10), visit_at=VISIT)
    assert check_transition(benefit("escort"), facts, S.DONE, VISIT, CALENDAR) is LedgerKind.COUNTED
    assert check_transition(benefit("escort"), facts, S.NO_SHOW, VISIT, CALENDAR) is LedgerKind.COUNTED
    early = RequestFacts("escort", S.APPROVED, datetime(2026, 3, 2, 10))
    assert check_transition(benefit("escort"), early, S.CANCELLED, VISIT, CALENDAR) is None


def test_admission_counts_when_arranged_within_its_sla_even_if_then_cancelled():
    due = datetime(2026, 3, 16, 10)
    facts = RequestFacts("admission", S.SUPPLIER_CONTACTED, datetime(2026, 3, 2, 10), arrangement_due=due)
    assert check_transition(benefit("admission"), facts, S.BOOKED, due, CALENDAR) is LedgerKind.COUNTED
    booked = RequestFacts("admission", S.BOOKED, datetime(2026, 3, 2, 10), counted=True, arrangement_due=due)
    assert check_transition(benefit("admission"), booked, S.CANCELLED, datetime(2026, 3, 17), CALENDAR) is None
    late = RequestFacts("admission", S.SUPPLIER_CONTACTED, datetime(2026, 3, 2, 10), arrangement_due=due)
    assert check_transition(benefit("admission"), late, S.BOOKED, datetime(2026, 3, 17), CALENDAR) is None


SUBMITTED = datetime(2026, 9, 28, 10, 0)


@pytest.mark.parametrize(
    ("cancelled_at", "allowed"),
    [(datetime(2026, 9, 28, 11, 59), True), (datetime(2026, 9, 28, 12, 0), True), (datetime(2026, 9, 28, 12, 1), False)],
)
def test_smoking_cancel_within_2_hours_of_submission_is_free_later_refused(cancelled_at, allowed):
    facts = RequestFacts("smoking", S.SUBMITTED, SUBMITTED)
    if allowed:
        assert check_transition(benefit("smoking"), facts, S.CANCELLED, cancelled_at, CALENDAR) is None
    else:
        with pytest.raises(TransitionRefused, match="2小时"):
            check_transition(benefit("smoking"), facts, S.CANCELLED, cancelled_at, CALENDAR)


def test_smoking_counts_on_a_successful_booking_not_a_failed_one():
    facts = RequestFacts("smoking", S.SUBMITTED, SUBMITTED)
    assert check_transition(benefit("smoking"), facts, S.BOOKED, SUBMITTED, CALENDAR) is LedgerKind.COUNTED
    assert check_transition(benefit("smoking"), facts, S.BOOKING_FAILED, SUBMITTED, CALENDAR) is None


@pytest.mark.parametrize(
    ("withdrawn_on", "visit_on", "refund"),
    [
        # Ordinary week: Mon -> Wed is 2 working days ahead (Tue, Wed): free.
        (date(2026, 11, 23), date(2026, 11, 25), True),
        (date(2026, 11, 24), date(2026, 11, 25), False),
        # Across National Day: withdrawn Wed 30 Sep, visit Fri 9 Oct: Oct 8, 9 -> free.
        (date(2026, 9, 30), date(2026, 10, 9), True),
        # Visit Thu 8 Oct: only Oct 8 is a working day in between -> counts.
        (date(2026, 9, 30), date(2026, 10, 8), False),
        # Withdrawn on a holiday (Oct 3), visit Oct 9: Oct 8, 9 -> free.
        (date(2026, 10, 3), date(2026, 10, 9), True),
        # Saturday 14 Feb 2026 is a make-up working day: withdrawn Thu 12, visit Sat 14 -> free.
        (date(2026, 2, 12), date(2026, 2, 14), True),
        # Spring Festival: withdrawn Fri 13 Feb, visit Tue 24 Feb; 14 and 24 are working days -> free.
        (date(2026, 2, 13), date(2026, 2, 24), True),
        # Withdrawn Sat 14 (working), visit Tue 24: only 24 -> counts.
        (date(2026, 2, 14), date(2026, 2, 24), False),
    ],
)
def test_smoking_withdrawal_two_working_days_before_the_visit(withdrawn_on, visit_on, refund):
    assert withdrawn_in_time(withdrawn_on, visit_on, CALENDAR) is refund
    facts = RequestFacts("smoking", S.BOOKED, SUBMITTED, visit_at=datetime.combine(visit_on, datetime.min.time()), counted=True)
    effect = check_transition(benefit("smoking"), facts, S.CANCELLED, datetime.combine(withdrawn_on, datetime.min.time()), CALENDAR)
    assert effect is (LedgerKind.REFUNDED if refund else None)


# --- complaints and clock-hour limits -----------------------------------------------------

def test_a_complaint_is_decided_within_15_calendar_days_or_30_if_complex():
    from desk.rules.complaints import decision_due

    # Received on the eve of National Day: the holiday does not stop the clock.
    received = datetime(2026, 9, 30, 16, 0)
    assert decision_due(received, complex_case=False) == datetime(2026, 10, 15, 16, 0)
    assert decision_due(received, complex_case=True) == datetime(2026, 10, 30, 16, 0)


def test_hour_limits_run_on_the_clock_through_holidays():
    # Escort visit on the first working day after National Day, cancelled on a holiday
    # 25 h before: free; 23 h before: counts.
    visit = datetime(2026, 10, 8, 9, 0)
    facts = RequestFacts("escort", S.BOOKED, datetime(2026, 9, 29, 10), visit_at=visit)
    assert check_transition(benefit("escort"), facts, S.CANCELLED, datetime(2026, 10, 7, 8, 0), CALENDAR) is None
    assert check_transition(benefit("escort"), facts, S.CANCELLED, datetime(2026, 10, 7, 10, 0),
                            CALENDAR) is LedgerKind.COUNTED
    # A smoking booking submitted on a holiday may be cancelled free for 2 clock hours.
    submitted = RequestFacts("smoking", S.SUBMITTED, datetime(2026, 10, 3, 10, 0))
    assert check_transition(benefit("smoking"), submitted, S.CANCELLED, datetime(2026, 10, 3, 11, 59), CALENDAR) is None
    with pytest.raises(TransitionRefused):
        check_transition(benefit("smoking"), submitted, S.CANCELLED, datetime(2026, 10, 3, 12, 1), CALENDAR)

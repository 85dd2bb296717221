"""Issue 10, "a call the agent can trust": the pure rules behind what the agent reads out.

Worked cases on 张三's policy: effective 2026-01-10, services 2026-01-25 .. 2027-01-24.
"""

from __future__ import annotations

from datetime import date

import pytest

from desk.rules.catalogue import benefit
from desk.rules.eligibility import Beneficiary, PolicyFacts, Refusal, decide
from desk.rules.entitlement import BenefitState, benefit_status, service_window
from desk.rules.service_period import initial_window, renewal_window

YEAR = initial_window(date(2026, 1, 10))
RENEWAL = renewal_window(YEAR)
# The policy's critical-illness list, as the illness table holds it: code -> severity.
LIST = {"S01": "重度", "S02": "重度", "M01": "轻度"}
POLICY = PolicyFacts("active", None, [YEAR], LIST)
RENEWED = PolicyFacts("active", None, [YEAR, RENEWAL], LIST)
INSURED = Beneficiary(is_insured=True, name="张三")
DAY = date(2026, 3, 1)


# --- 1. the green channel is for the severe list only -------------------------------------

@pytest.mark.parametrize("code", ["escort", "admission"])
def test_the_green_channel_refuses_a_mild_illness_of_the_list(code):
    decision = decide(benefit(code), POLICY, INSURED, DAY, 0, "M01")
    assert decision.refusal is Refusal.ILLNESS_NOT_SEVERE
    assert "轻症" in decision.reason_zh and "M01" in decision.reason_zh
    assert not decision.overridable
    assert decide(benefit(code), POLICY, INSURED, DAY, 0, "S01").allowed


def test_only_a_severe_entry_opens_the_green_channel():
    from desk.rules.eligibility import green_channel_illness

    assert green_channel_illness("重度")
    assert not green_channel_illness("轻度")
    assert not green_channel_illness("")


# --- 2. a renewal date only when a later window exists ------------------------------------

def test_a_used_up_quota_without_a_later_window_says_the_year_ends_not_that_it_renews():
    decision = decide(benefit("escort"), POLICY, INSURED, DAY, 1, "S01")
    assert decision.refusal is Refusal.QUOTA_USED_UP
    assert "2027-01-24" in decision.reason_zh
    assert "2027-01-25" not in decision.reason_zh and "再使用" not in decision.reason_zh
    assert decision.on is None


def test_a_used_up_quota_with_a_granted_renewal_says_when_it_renews():
    decision = decide(benefit("escort"), RENEWED, INSURED, DAY, 1, "S01")
    assert decision.refusal is Refusal.QUOTA_USED_UP
    assert "2027-01-25 起" in decision.reason_zh
    assert decision.on == date(2027, 1, 25)


def test_a_renewal_past_the_termination_date_is_no_renewal():
    ending = PolicyFacts("lapsed", date(2026, 12, 1), [YEAR, RENEWAL], LIST)
    decision = decide(benefit("escort"), ending, INSURED, DAY, 1, "S01")
    assert "2027-01-25" not in decision.reason_zh and decision.on is None


def test_the_card_of_a_used_up_benefit_names_the_last_day_or_the_renewal():
    used_up = benefit_status(benefit("escort"), service_window("active", None, [YEAR], DAY), used=1)
    assert (used_up.state, used_up.on, used_up.renews_on) == (BenefitState.USED_UP, date(2027, 1, 24), None)
    renewed = benefit_status(benefit("escort"), service_window("active", None, [YEAR, RENEWAL], DAY), used=1)
    assert (renewed.state, renewed.renews_on) == (BenefitState.USED_UP, date(2027, 1, 25))


# --- 4. a hold is in progress, not a use ----------------------------------------------------

def test_an_open_request_shows_in_progress_not_used_up():
    window = service_window("active", None, [YEAR], DAY)
    status = benefit_status(benefit("escort"), window, used=0, in_progress=1)
    assert (status.state, status.used, status.in_progress, status.left) == (BenefitState.IN_PROGRESS, 0, 1, 0)
    smoking = benefit_status(benefit("smoking"), window, used=10, in_progress=1)
    assert (smoking.state, smoking.left) == (BenefitState.AVAILABLE, 1)
    last = benefit_status(benefit("smoking"), window, used=11, in_progress=1)
    assert (last.state, last.left) == (BenefitState.IN_PROGRESS, 0)
    assert benefit_status(benefit("smoking"), window, used=12).state is BenefitState.USED_UP


def test_a_hold_still_refuses_a_new_filing():
    # uses_in_year counts open requests too: the hold takes the year's one escort.
    assert decide(benefit("escort"), POLICY, INSURED, DAY, 1, "S01").refusal is Refusal.QUOTA_USED_UP


@pytest.mark.parametrize(
    ("status", "terminated", "day"),
    [("surrendered", date(2026, 9, 30), date(2026, 11, 24)),  # ended
     ("active", None, date(2027, 2, 1)),  # expired
     ("active", None, date(2026, 1, 20))],  # not yet open
)
def test_a_closed_window_shows_no_remaining_uses(status, terminated, day):
    window = service_window(status, terminated, [YEAR], day)
    assert benefit_status(benefit("escort"), window, used=0).left is None
    assert benefit_status(benefit("smoking"), window, used=3).left is None


def test_the_quota_is_derived_from_the_ledger_and_a_logged_use_is_no_count():
    # domain.md: usage is a ledger of events (counted, refunded); a real-time use is recorded
    # ("record who used it") but an unlimited service has no quota to count it against.
    from desk.rules.counting import quota_effect, use_effect
    from desk.rules.entitlement import counted_uses

    ledger = ["counted", "used", "refunded", "counted", "used"]
    assert counted_uses(ledger) == 1
    assert sum(use_effect(kind) for kind in ledger) == 3
    assert [quota_effect(kind) for kind in ("counted", "refunded", "used", None)] == [1, -1, 0, 0]

"""The benefit catalogue says what domain.md says, row by row."""

from __future__ import annotations

from datetime import date

import pytest

from desk.rules.catalogue import BENEFITS, SERVICE_CODES, Audience, SlaUnit, benefit
from desk.rules.service_period import initial_window, renewal_window


@pytest.mark.parametrize(
    ("code", "audience", "quota", "real_time", "needs_illness"),
    [
        ("escort", Audience.INSURED, 1, False, True),
        ("admission", Audience.INSURED, 1, False, True),
        ("psych", Audience.INSURED_FAMILY, None, True, False),
        ("smoking", Audience.INSURED_FAMILY, 12, False, False),
        ("advance_claim", Audience.INSURED, None, False, False),
        ("news", Audience.ANYONE, None, True, False),
        ("lectures", Audience.ANYONE, None, True, False),
        ("ai_consult", Audience.ANYONE, None, True, False),
        ("pharmacy", Audience.ANYONE, None, True, False),
        ("med_reminder", Audience.ANYONE, None, True, False),
    ],
)
def test_each_benefit_has_its_audience_quota_and_kind(code, audience, quota, real_time, needs_illness):
    entry = benefit(code)
    assert entry.audience is audience
    assert entry.quota_per_year == quota
    assert entry.real_time is real_time
    assert entry.needs_listed_illness is needs_illness
    assert entry.name_zh and entry.name_en and entry.fees_note_zh and entry.application_path_zh


def test_there_are_ten_benefits_with_unique_codes():
    assert len(BENEFITS) == 10
    assert len(set(SERVICE_CODES)) == 10


@pytest.mark.parametrize(
    ("code", "steps"),
    [
        ("escort", [("eligibility", 1, SlaUnit.WORKING_DAYS), ("supplier_contact", 1, SlaUnit.WORKING_DAYS),
                    ("booking", 2, SlaUnit.WORKING_DAYS), ("escort", None, SlaUnit.ON_VISIT_DAY)]),
        ("admission", [("eligibility", 1, SlaUnit.WORKING_DAYS), ("supplier_contact", 1, SlaUnit.WORKING_DAYS),
                       ("arrangement", 10, SlaUnit.WORKING_DAYS)]),
        ("smoking", [("booking", 1, SlaUnit.WORKING_DAYS)]),
        ("advance_claim", [("decision", 30, SlaUnit.CALENDAR_DAYS), ("payment", 10, SlaUnit.CALENDAR_DAYS)]),
        ("pharmacy", [("first_response", 1, SlaUnit.MINUTES)]),
        ("psych", [("used", None, SlaUnit.REAL_TIME)]),
    ],
)
def test_sla_steps_follow_the_manual(code, steps):
    assert [(s.code, s.limit, s.unit) for s in benefit(code).sla_steps] == steps


def test_an_unknown_code_is_named():
    with pytest.raises(KeyError, match="massage"):
        benefit("massage")


@pytest.mark.parametrize(
    ("effective", "opens", "closes"),
    [
        # Services open when the 15-day cooling-off period ends and last one year.
        (date(2026, 1, 10), date(2026, 1, 25), date(2027, 1, 25)),
        (date(2025, 12, 20), date(2026, 1, 4), date(2027, 1, 4)),
        # A window opening on 29 February closes on 28 February the next year.
        (date(2028, 2, 14), date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_the_service_window_opens_after_cooling_off_and_lasts_a_year(effective, opens, closes):
    window = initial_window(effective)
    assert (window.starts_on, window.ends_on) == (opens, closes)
    assert window.contains(opens) and not window.contains(closes)
    assert renewal_window(window).starts_on == closes

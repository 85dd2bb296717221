"""What a request form offers for one policy: family on file, listed illnesses, clinics."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.forms.request_forms import NAME_FIELDS, FormContext
from desk.rules.eligibility import green_channel_illness
from desk.texts.labels import relation_label, t
from desk.use_cases.limits import BENEFICIARY_NAME, DETAIL_TEXT

# The form's typed fields land in the request's details, its names in beneficiary_name.
TEXT_LIMITS = {"details": DETAIL_TEXT, **{name: BENEFICIARY_NAME for name in NAME_FIELDS}}


def load_form_context(uow: UnitOfWork, policy_id: uuid.UUID, today: date) -> FormContext:
    policy = uow.policies.get(policy_id)
    if policy is None:
        raise DeskError(t("error.no_policy"))
    insured = uow.customers.get(policy.insured_id)
    family = tuple(
        (m.id, m.name, relation_label(m.relation)) for m in uow.family.of_customer(policy.insured_id)
    )
    # Only what the green channel accepts: the severe entries of the policy's list, so
    # the agent is never offered a mild (轻症) entry the filing would refuse.
    illnesses = tuple(
        (i.code, i.name_zh) for i in uow.illnesses.of_list(policy.illness_list) if green_channel_illness(i.severity)
    )
    clinics: dict[str, tuple[str, ...]] = {}
    for hospital in uow.hospitals.smoking_clinics():
        clinics[hospital.city] = (*clinics.get(hospital.city, ()), hospital.name)
    periods = uow.service_periods.of_policy(policy_id)
    current = next((p for p in periods if p.starts_on <= today < p.ends_on), None)
    # The last day a visit may be asked for: the service year's (its end is exclusive).
    year_ends = current.ends_on - timedelta(days=1) if current else None
    return FormContext(today, insured.name if insured else "", family, illnesses, clinics,
                       service_year_ends=year_ends, text_limits=TEXT_LIMITS)

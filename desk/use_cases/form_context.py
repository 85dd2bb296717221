"""What a request form offers for one policy: family on file, listed illnesses, clinics."""

from __future__ import annotations

import uuid
from datetime import date

from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.forms.request_forms import FormContext
from desk.texts.labels import relation_label, t


def load_form_context(uow: UnitOfWork, policy_id: uuid.UUID, today: date) -> FormContext:
    policy = uow.policies.get(policy_id)
    if policy is None:
        raise DeskError(t("error.no_policy"))
    insured = uow.customers.get(policy.insured_id)
    family = tuple(
        (m.id, m.name, relation_label(m.relation)) for m in uow.family.of_customer(policy.insured_id)
    )
    illnesses = tuple((i.code, i.name_zh) for i in uow.illnesses.of_list(policy.illness_list))
    clinics: dict[str, tuple[str, ...]] = {}
    for hospital in uow.hospitals.smoking_clinics():
        clinics[hospital.city] = (*clinics.get(hospital.city, ()), hospital.name)
    return FormContext(today, insured.name if insured else "", family, illnesses, clinics)

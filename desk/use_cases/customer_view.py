"""What the agent sees of a verified caller: binding data, policies, family, history.

Read-only use cases that turn rows into plain, masked summaries for the screens; the
screens never see a row or a session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from db.tables import Policy, ServicePeriod
from db.unit_of_work import UnitOfWork
from desk.rules.catalogue import BENEFITS, benefit
from desk.rules.entitlement import (
    BenefitStatus,
    ServiceWindow,
    benefit_status,
    service_window,
)
from desk.rules.masking import mask_id_number, mask_mobile
from desk.rules.service_period import Window
from desk.texts.labels import relation_label
from desk.use_cases.requests import YearUsage, usage_in_year

RECENT = 10


@dataclass(frozen=True, slots=True)
class PolicySummary:
    policy_id: uuid.UUID
    policy_number: str
    product: str
    is_insured: bool  # the customer is the insured (else only the holder)
    status: str
    termination_date: date | None
    window: ServiceWindow


@dataclass(frozen=True, slots=True)
class FamilySummary:
    name: str
    relation: str
    relation_label: str
    masked_id_number: str


@dataclass(frozen=True, slots=True)
class RequestSummary:
    request_id: uuid.UUID
    number: str
    service_name: str
    state: str
    submitted_at: datetime
    beneficiary_name: str


@dataclass(frozen=True, slots=True)
class CallSummary:
    started_at: datetime
    wrap_up_code: str
    verified: bool


@dataclass(frozen=True, slots=True)
class CustomerView:
    customer_id: uuid.UUID
    name: str
    masked_id_number: str
    masked_mobile: str
    birth_date: date
    sex: str
    email: str
    region: str
    address: str
    needs_update: bool
    policies: tuple[PolicySummary, ...]
    family: tuple[FamilySummary, ...]
    requests: tuple[RequestSummary, ...]
    calls: tuple[CallSummary, ...]
    # The row version read: the contact form's edit begins from it.
    version: int = 1


def _windows(periods: list[ServicePeriod]) -> list[Window]:
    return [Window(p.starts_on, p.ends_on) for p in periods]


def _policy_window(uow: UnitOfWork, policy: Policy, today: date) -> tuple[ServiceWindow, list[ServicePeriod]]:
    periods = uow.service_periods.of_policy(policy.id)
    return service_window(policy.status, policy.termination_date, _windows(periods), today), periods


def load_customer_view(uow: UnitOfWork, customer_id: uuid.UUID, today: date) -> CustomerView:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise LookupError(f"no customer {customer_id}")
    policies = tuple(
        PolicySummary(
            policy_id=policy.id,
            policy_number=policy.policy_number,
            product=policy.product,
            is_insured=policy.insured_id == customer.id,
            status=policy.status,
            termination_date=policy.termination_date,
            window=_policy_window(uow, policy, today)[0],
        )
        for policy in uow.policies.of_customer(customer.id)
    )
    family = tuple(
        FamilySummary(m.name, m.relation, relation_label(m.relation), mask_id_number(m.id_number))
        for m in uow.family.of_customer(customer.id)
    )
    requests = tuple(
        RequestSummary(r.id, r.number, benefit(r.service_code).name_zh, r.state, r.submitted_at, r.beneficiary_name)
        for r in uow.requests.of_customer(customer.id, limit=RECENT)
    )
    calls = tuple(
        CallSummary(c.started_at, c.wrap_up_code, len(c.verified_facts) >= 2)
        for c in uow.calls.of_customer(customer.id, limit=RECENT)
    )
    return CustomerView(
        customer_id=customer.id,
        name=customer.name,
        masked_id_number=mask_id_number(customer.id_number),
        masked_mobile=mask_mobile(customer.mobile) if customer.mobile else "",
        birth_date=customer.birth_date,
        sex=customer.sex,
        email=customer.email,
        region=customer.region,
        address=customer.address,
        needs_update=customer.needs_update,
        policies=policies,
        family=family,
        requests=requests,
        calls=calls,
        version=customer.version,
    )


class CallerRole(StrEnum):
    """Who the verified caller is to the policy whose cards are shown."""

    INSURED = "insured"
    HOLDER = "holder"  # the policyholder, not the insured: the cards are someone else's
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class BenefitCards:
    policy_number: str
    window: ServiceWindow
    cards: tuple[BenefitStatus, ...]
    # The cards are always the insured's: the screen names them and who is calling.
    insured_name: str = ""
    caller_role: CallerRole | None = None  # None: no caller named
    caller_relation: str = ""  # a holder's relation to the insured, from the family on file


def load_benefit_cards(
    uow: UnitOfWork, policy_id: uuid.UUID, today: date, caller_id: uuid.UUID | None = None
) -> BenefitCards:
    """One card per catalogue benefit for the policy's service year that concerns today,
    with the insured they belong to and what ``caller_id`` (the verified caller) is to them."""
    policy = uow.policies.get(policy_id)
    if policy is None:
        raise LookupError(f"no policy {policy_id}")
    window, periods = _policy_window(uow, policy, today)
    period = next(
        (p for p in periods if window.window and p.starts_on == window.window.starts_on), None
    )
    # Open requests hold a use, as when filing, so the card never promises a use twice; it
    # shows them apart from the uses counted, since a hold may still be given back.
    empty = YearUsage(0, 0)
    usage = {b.code: usage_in_year(uow, period.id, b.code) if period else empty for b in BENEFITS}
    cards = tuple(benefit_status(b, window, usage[b.code].used, usage[b.code].in_progress) for b in BENEFITS)
    insured = uow.customers.get(policy.insured_id)
    role, relation = _caller_role(uow, policy, caller_id)
    return BenefitCards(policy.policy_number, window, cards, insured.name if insured else "", role, relation)


def _caller_role(uow: UnitOfWork, policy: Policy, caller_id: uuid.UUID | None) -> tuple[CallerRole | None, str]:
    if caller_id is None:
        return None, ""
    if caller_id == policy.insured_id:
        return CallerRole.INSURED, ""
    if caller_id != policy.holder_id:
        return CallerRole.OTHER, ""
    holder = uow.customers.get(caller_id)
    # The insured's family on file says what the holder is to them, matched on the ID number.
    member = next(
        (m for m in uow.family.of_customer(policy.insured_id)
         if holder is not None and m.id_number and m.id_number == holder.id_number),
        None,
    )
    return CallerRole.HOLDER, relation_label(member.relation) if member else ""


@dataclass(frozen=True, slots=True)
class IdentityReference:
    """What the agent compares the caller's answers with: partial facts only."""

    customer_id: uuid.UUID
    name: str
    id_last4: str
    birth_date: date
    masked_mobile: str


def identity_reference(uow: UnitOfWork, customer_id: uuid.UUID) -> IdentityReference:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise LookupError(f"no customer {customer_id}")
    return IdentityReference(
        customer.id,
        customer.name,
        customer.id_number[-4:],
        customer.birth_date,
        mask_mobile(customer.mobile) if customer.mobile else "",
    )

"""A customer's requests, newest first, with what each has used and what is due next.

The read side of ``desk requests --customer``: a use case that returns plain dataclasses;
``desk.cli.main`` prints them as a table or JSON. ``list_requests`` never shows a full ID
number: the customer comes back with the masked number only. Printing a listing takes
customer data out of the database, so ``export_requests`` needs ``Action.EXPORT`` and
writes it to the audit log as an export; only there, with a reason on record, may the
full number come back too.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from db.tables import AuditEvent, Customer
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.catalogue import SERVICE_CODES, benefit
from desk.rules.masking import mask_id_number
from desk.rules.request_states import Channel
from desk.rules.roles import Action
from desk.texts.labels import t
from desk.use_cases.gates import gate
from desk.use_cases.importing import resident_forms
from desk.use_cases.privacy import full_number_reason
from desk.use_cases.sign_in import SignedIn

__all__ = [
    "channel_label",
    "EXPORT",
    "EXPORT_REFUSED",
    "RECENT",
    "CustomerNotFound",
    "CustomerRequests",
    "OpenStep",
    "RequestLine",
    "export_requests",
    "find_customer",
    "list_requests",
]

# Without --all, the latest requests are enough to answer a caller.
RECENT = 20

# The audit action of a printed listing (``desk queue`` writes export_queue).
EXPORT = "export_requests"
EXPORT_REFUSED = "export_requests_refused"

# The channel a request came in through, as agents say it.
def channel_label(channel: str) -> str:
    """How a channel reads in a listing: 热线, 微信, 导入."""
    return t(f"channel.{channel}") if channel in set(Channel) else channel


class CustomerNotFound(DeskError):
    """No customer has this ID number or is the insured of this policy."""


@dataclass(frozen=True, slots=True)
class OpenStep:
    """An SLA step not yet done; ``due_at`` is None for "on the visit day" before booking."""

    code: str
    name_zh: str
    due_at: datetime | None
    # Set when the due time ran past the days the calendar knew (see desk.texts.due).
    calendar_unknown_after: date | None = None


@dataclass(frozen=True, slots=True)
class RequestLine:
    number: str
    service_code: str
    service_name_zh: str
    policy_number: str
    beneficiary: str
    channel: str
    state: str
    submitted_at: datetime
    counted_uses: int  # net ledger count of this request: counted less refunded
    open_steps: tuple[OpenStep, ...]


@dataclass(frozen=True, slots=True)
class CustomerRequests:
    name: str
    id_number_masked: str
    requests: tuple[RequestLine, ...]
    total: int  # all requests of the customer, shown or not
    customer_id: uuid.UUID
    id_number: str | None = None  # the full number: only an export with a reason sets it


def find_customer(uow: UnitOfWork, key: str) -> Customer:
    """The customer with this ID number, or the insured of the policy with this number."""
    text = "".join(unicodedata.normalize("NFKC", key).split())
    for number in dict.fromkeys((text, text.upper())):
        policy = uow.policies.by_number(number)
        if policy is not None:
            insured = uow.customers.get(policy.insured_id)
            if insured is not None:
                return insured
    found: dict[uuid.UUID, Customer] = {}
    for form in resident_forms(text.upper()):
        for customer in uow.lookup.by_id_number(form, limit=10):
            found[customer.id] = customer
    if not found:
        raise CustomerNotFound(t("error.customer_not_found", masked=mask_id_number(text)))
    if len(found) > 1:
        raise DeskError(t("error.id_number_shared"))
    return next(iter(found.values()))


def list_requests(uow: UnitOfWork, key: str, *, show_all: bool = False) -> CustomerRequests:
    """The requests of the customer ``key`` names, newest first: the latest ``RECENT``
    unless ``show_all``."""
    customer = find_customer(uow, key)
    total = uow.requests.count_of_customer(customer.id)
    requests = uow.requests.of_customer(customer.id, limit=total if show_all else RECENT)
    ids = [request.id for request in requests]
    codes = {request.id: request.service_code for request in requests}
    counted = uow.ledger.net_of_requests(ids)
    steps: dict[uuid.UUID, list[OpenStep]] = {}
    for step in uow.request_steps.open_of_requests(ids):
        name = _step_name(step.step_code, codes[step.request_id])
        steps.setdefault(step.request_id, []).append(
            OpenStep(step.step_code, name, step.due_at, step.calendar_unknown_after)
        )
    policy_numbers: dict[uuid.UUID, str] = {}
    lines = []
    for request in requests:
        if request.policy_id not in policy_numbers:
            policy = uow.policies.get(request.policy_id)
            policy_numbers[request.policy_id] = policy.policy_number if policy else ""
        lines.append(
            RequestLine(
                number=request.number,
                service_code=request.service_code,
                service_name_zh=_service_name(request.service_code),
                policy_number=policy_numbers[request.policy_id],
                beneficiary=request.beneficiary_name,
                channel=request.channel,
                state=request.state,
                submitted_at=request.submitted_at,
                counted_uses=counted.get(request.id, 0),
                open_steps=tuple(steps.get(request.id, ())),
            )
        )
    return CustomerRequests(customer.name, mask_id_number(customer.id_number), tuple(lines), total, customer.id)


def export_requests(
    uow: UnitOfWork,
    key: str,
    *,
    agent: SignedIn,
    at: datetime,
    output: str,
    show_all: bool = False,
    full_numbers_reason: str | None = None,
) -> CustomerRequests:
    """``list_requests``, recorded as an export by the signed-in ``agent``; commits.

    Needs ``Action.EXPORT``: an agent below it is refused (``RoleRefused``) and the attempt
    recorded. With ``full_numbers_reason`` the listing carries the full ID number, and the
    event says so, with the reason. A key that finds no customer exports nothing and
    records nothing.
    """
    reason = full_number_reason(full_numbers_reason) if full_numbers_reason is not None else None
    detail = {"format": output, "show_all": show_all, "full_numbers": reason is not None}
    # The key (an ID number, perhaps) stays out of the refusal's event: no customer was read.
    gate(uow, agent, Action.EXPORT, refused_as=EXPORT_REFUSED, subject_type="customer", at=at, detail=detail)
    listing = list_requests(uow, key, show_all=show_all)
    if reason is not None:
        customer = uow.customers.get(listing.customer_id)
        assert customer is not None  # just found by list_requests
        listing = replace(listing, id_number=customer.id_number)
    uow.audit.add(
        AuditEvent(
            at=at, agent_id=agent.agent_id, action=EXPORT, subject_type="customer",
            subject_id=listing.customer_id, reason=reason or "",
            detail={**detail, "rows": len(listing.requests), "total": listing.total},
        )
    )
    uow.commit()
    return listing


def _service_name(code: str) -> str:
    # Old records may carry a code the catalogue no longer has: show the code itself.
    return benefit(code).name_zh if code in SERVICE_CODES else code


def _step_name(step_code: str, service_code: str) -> str:
    if service_code in SERVICE_CODES:
        for step in benefit(service_code).sla_steps:
            if step.code == step_code:
                return step.name_zh
    return step_code

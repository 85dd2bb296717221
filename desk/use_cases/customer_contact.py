"""A customer's contact details (mobile, e-mail, address), edited by an agent during a call.

* Checked like the import checks them (``desk.rules.validation.ContactIn``: a mainland
  mobile, an address-like e-mail, printable text) and against the widths of their columns.
* The screens hold the mobile masked only, so an empty mobile keeps the stored one. A new
  mobile moves its search key (``mobile_last4``) with it: the caller is found by the new
  tail at once.
* An edit names the version it began from; if someone else (another agent, an import)
  saved the customer since, ``EditConflict`` (``desk.use_cases.edit_conflicts``) says what
  changed, by whom and when, and nothing is written.
* Every edit is audited (``contact_edit``) naming the fields it changed, never their values;
  an edit that changes nothing writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from db.tables import AuditEvent, Customer
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.masking import mask_mobile
from desk.rules.search_keys import customer_search_keys
from desk.rules.validation import ContactIn, FieldProblem, field_label, problems_of
from desk.texts.labels import t
from desk.use_cases.edit_conflicts import EditedRecord
from desk.use_cases.limits import too_long

__all__ = [
    "CONTACT_FIELDS",
    "ContactLine",
    "ContactRefused",
    "contact_of",
    "edit_customer_contact",
    "shown_contact",
]

# The order of the form.
CONTACT_FIELDS: tuple[str, ...] = ("mobile", "email", "address")


@dataclass(frozen=True, slots=True)
class ContactLine:
    """A customer's contact details as the screens show them: the mobile masked."""

    customer_id: uuid.UUID
    masked_mobile: str
    email: str
    address: str
    # The row version this line was read at: an edit from it names it (``expected_version``).
    version: int = 1


class ContactRefused(DeskError):
    """The typed details break a rule; ``problems`` name the fields, in the form's order."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("；".join(problem.message for problem in problems))
        self.problems = problems


def _line(customer: Customer) -> ContactLine:
    return ContactLine(
        customer_id=customer.id,
        masked_mobile=mask_mobile(customer.mobile) if customer.mobile else "",
        email=customer.email,
        address=customer.address,
        version=customer.version,
    )


def shown_contact(line: ContactLine) -> dict[str, str]:
    """The details as the screens show them (the mobile masked), in the form's order."""
    return {"mobile": line.masked_mobile, "email": line.email, "address": line.address}


def contact_of(uow: UnitOfWork, customer_id: uuid.UUID) -> ContactLine:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise DeskError(t("error.no_customer"))
    return _line(customer)


def _checked(typed: Mapping[str, str], stored_mobile: str) -> dict[str, Any]:
    given = {name: typed.get(name, "") for name in CONTACT_FIELDS}
    if not given["mobile"].strip():
        given["mobile"] = stored_mobile
    try:
        contact = ContactIn(**given)
    except ValidationError as error:
        raise ContactRefused(problems_of(error)) from None
    values = contact.model_dump()
    wide = too_long(Customer, values)
    if wide:
        raise ContactRefused([FieldProblem(name, f"{field_label(name)}：{t('import.too_long', width=width)}")
                              for name, width in wide.items()])
    return values


_CONTACT: EditedRecord[Customer, ContactLine] = EditedRecord(
    line=_line, shown=shown_contact, label=lambda name: t(f"contact.field.{name}")
)


def edit_customer_contact(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    typed: Mapping[str, str],
    *,
    expected_version: int,
    agent_id: uuid.UUID | None,
    at: datetime,
    started_from: ContactLine | None = None,
) -> ContactLine:
    """Change the customer's mobile, e-mail and address; ContactRefused says what to fix.

    ``expected_version`` and ``started_from`` as in ``desk.use_cases.family.edit_family_member``.
    """
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise DeskError(t("error.no_customer"))
    _CONTACT.check_version(uow, customer, expected_version, started_from)
    values = _checked(typed, customer.mobile)
    changed = [name for name in CONTACT_FIELDS if getattr(customer, name) != values[name]]
    if not changed:
        return _line(customer)
    update = {name: values[name] for name in changed}
    if "mobile" in changed:
        update["mobile_last4"] = customer_search_keys(customer.name, customer.id_number, values["mobile"])["mobile_last4"]
    customer = _CONTACT.write(uow, uow.customers, customer, update, expected_version=expected_version,
                              started_from=started_from, agent_id=agent_id, at=at)
    uow.audit.add(
        AuditEvent(
            at=at,
            agent_id=agent_id,
            action="contact_edit",
            subject_type="customer",
            subject_id=customer.id,
            # Named, never copied: the log is read more widely than the record.
            detail={"changed": changed},
        )
    )
    uow.commit()
    return _line(customer)

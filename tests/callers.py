"""A small, fixed cast of callers for the call-flow tests: one for each state of a policy.

Today is 2026-11-24 (the fixed clock of the UI tests).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from db.tables import Customer, FamilyMember, Policy, ServicePeriod, UsageEvent
from desk.rules.search_keys import customer_search_keys
from desk.rules.service_period import initial_window
from desk.rules.validation import check_digit
from desk.use_cases.database import Database

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 30)


def resident_id(region: str, born: date, sequence: str) -> str:
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + check_digit(first17)


# name, region, birth date, sequence (odd: male), mobile, policy number, effective, status, terminated
CALLERS = [
    ("张三", "110105", date(1990, 3, 7), "123", "13812345678", "XK202601100001", date(2026, 1, 10), "active", None),
    ("李晓梅", "310104", date(1985, 12, 24), "002", "13900001234", "XK202611200002", date(2026, 11, 20), "active", None),
    ("王建国", "440106", date(1962, 5, 1), "031", "13700007777", "XK202409010003", date(2024, 9, 1), "active", None),
    ("赵敏", "330106", date(1978, 8, 8), "044", "13600006666", "XK202603010004", date(2026, 3, 1), "surrendered", date(2026, 9, 30)),
    ("欧阳娜娜", "510104", date(1995, 2, 14), "062", "15800005555", "XK202602010005", date(2026, 2, 1), "active", None),
]


def add_callers(database: Database) -> None:
    with database.unit_of_work() as uow:
        for name, region, born, sequence, mobile, number, effective, status, terminated in CALLERS:
            id_number = resident_id(region, born, sequence)
            sex = "M" if int(sequence[-1]) % 2 else "F"
            customer = uow.customers.add(
                Customer(name=name, id_number=id_number, birth_date=born, sex=sex, mobile=mobile,
                         region="北京市朝阳区", address="朝阳路1号", **customer_search_keys(name, id_number, mobile))
            )
            policy = uow.policies.add(
                Policy(policy_number=number, product="小康康卫士重大疾病保险", insured_id=customer.id,
                       holder_id=customer.id, effective_date=effective, status=status, termination_date=terminated)
            )
            window = initial_window(effective)
            period = uow.service_periods.add(
                ServicePeriod(policy_id=policy.id, starts_on=window.starts_on, ends_on=window.ends_on)
            )
            if name == "张三":
                uow.family.add(FamilyMember(customer_id=customer.id, name="李丽", relation="spouse",
                                            id_number=resident_id("110105", date(1991, 4, 5), "124")))
            if name == "欧阳娜娜":
                # The escort of this service year is used.
                uow.ledger.add(UsageEvent(policy_id=policy.id, service_period_id=period.id, service_code="escort",
                                          kind="counted", at=datetime(2026, 6, 1, 10)))
        uow.commit()


def rows(database: Database, table: type) -> list:
    """Every row of ``table``: tests look at what was stored, not at what the UI says."""
    from sqlmodel import Session, select

    with Session(database.engine) as session:
        return list(session.exec(select(table)).all())


def policy_of(database: Database, number: str) -> uuid.UUID:
    """A policy's id by its number."""
    with database.unit_of_work() as uow:
        return uow.policies.by_number(number).id

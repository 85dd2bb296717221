"""The repository layer on real databases: rows go in, come back, and roll back whole."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from db.tables import (
    AuditEvent,
    Call,
    CallNote,
    Complaint,
    Customer,
    FamilyMember,
    Policy,
    Request,
    RequestEvent,
    RequestStep,
    ServicePeriod,
    UsageEvent,
)
from desk.errors import DatabaseFailure
from desk.rules.search_keys import customer_search_keys


def _customer(name: str = "张三", id_number: str = "11010519900307123X", mobile: str = "13812345678") -> Customer:
    return Customer(
        name=name,
        id_number=id_number,
        birth_date=date(1990, 3, 7),
        sex="M",
        mobile=mobile,
        region="北京市朝阳区",
        **customer_search_keys(name, id_number, mobile),
    )


def test_a_customer_with_policy_period_and_family_round_trips(database):
    with database.unit_of_work() as uow:
        customer = uow.customers.add(_customer())
        uow.family.add(FamilyMember(customer_id=customer.id, name="李四", relation="spouse", id_number="110105199104051248"))
        policy = uow.policies.add(
            Policy(policy_number="XK000000000001", product="小康康卫士重大疾病保险", insured_id=customer.id,
                   holder_id=customer.id, effective_date=date(2026, 1, 10))
        )
        uow.service_periods.add(ServicePeriod(policy_id=policy.id, starts_on=date(2026, 1, 25), ends_on=date(2027, 1, 25)))
        uow.commit()
        customer_id, policy_id = customer.id, policy.id

    with database.unit_of_work() as uow:
        found = uow.customers.by_id_number("11010519900307123X")
        assert found is not None and found.id == customer_id
        assert (found.name_pinyin, found.name_initials, found.id_last4, found.mobile_last4) == ("zhangsan", "zs", "123X", "5678")
        assert isinstance(found.id, uuid.UUID)
        assert found.created_at <= found.updated_at
        assert [m.relation for m in uow.family.of_customer(customer_id)] == ["spouse"]
        assert [p.id for p in uow.policies.of_customer(customer_id)] == [policy_id]
        assert uow.policies.by_number("XK000000000001").effective_date == date(2026, 1, 10)
        assert [p.starts_on for p in uow.service_periods.of_policy(policy_id)] == [date(2026, 1, 25)]


def test_a_request_its_events_steps_and_ledger_round_trip(database):
    with database.unit_of_work() as uow:
        customer = uow.customers.add(_customer())
        policy = uow.policies.add(Policy(policy_number="XK1", product="p", insured_id=customer.id, holder_id=customer.id, effective_date=date(2026, 1, 10)))
        period = uow.service_periods.add(ServicePeriod(policy_id=policy.id, starts_on=date(2026, 1, 25), ends_on=date(2027, 1, 25)))
        request = uow.requests.add(
            Request(number="R0000000001", policy_id=policy.id, service_period_id=period.id, customer_id=customer.id,
                    service_code="smoking", submitted_at=datetime(2026, 9, 30, 11), details={"city": "北京", "hospital": "中日友好医院"})
        )
        uow.request_events.add(RequestEvent(request_id=request.id, at=datetime(2026, 9, 30, 11), to_state="submitted"))
        uow.request_steps.add(RequestStep(request_id=request.id, step_code="booking", started_at=datetime(2026, 9, 30, 11), due_at=datetime(2026, 10, 8, 11)))
        uow.ledger.add(UsageEvent(policy_id=policy.id, service_period_id=period.id, service_code="smoking", request_id=request.id, kind="counted", at=datetime(2026, 10, 8, 10)))
        uow.commit()
        request_id, period_id = request.id, period.id

    with database.unit_of_work() as uow:
        stored = uow.requests.by_number("R0000000001")
        assert stored.details == {"city": "北京", "hospital": "中日友好医院"}
        assert [e.to_state for e in uow.request_events.of_request(request_id)] == ["submitted"]
        assert [s.due_at for s in uow.request_steps.of_request(request_id)] == [datetime(2026, 10, 8, 11)]
        assert [e.kind for e in uow.ledger.events(period_id, "smoking")] == ["counted"]
        assert uow.ledger.events(period_id, "escort") == []


def test_calls_notes_complaints_and_audit_round_trip(database):
    with database.unit_of_work() as uow:
        customer = uow.customers.add(_customer())
        call = uow.calls.add(Call(customer_id=customer.id, started_at=datetime(2026, 11, 24, 9, 5), verified_facts=["full_name", "id_last4"]))
        uow.call_notes.add(CallNote(call_id=call.id, at=datetime(2026, 11, 24, 9, 9), text="客户咨询戒烟门诊"))
        uow.complaints.add(Complaint(customer_id=customer.id, received_at=datetime(2026, 11, 24, 9, 9), summary="陪诊迟到", due_at=datetime(2026, 12, 9, 9, 9)))
        uow.audit.add(AuditEvent(at=datetime(2026, 11, 24, 9, 10), action="reveal_id", subject_type="customer", subject_id=customer.id, reason="客户要求核对"))
        uow.commit()
        customer_id, call_id = customer.id, call.id

    with database.unit_of_work() as uow:
        assert uow.calls.of_customer(customer_id)[0].verified_facts == ["full_name", "id_last4"]
        assert [n.text for n in uow.call_notes.of_call(call_id)] == ["客户咨询戒烟门诊"]
        assert uow.complaints.count() == 1
        assert uow.audit.count() == 1


def test_leaving_without_commit_keeps_nothing(database):
    with database.unit_of_work() as uow:
        uow.customers.add(_customer())
    with database.unit_of_work() as uow:
        assert uow.customers.count() == 0


def test_an_error_midway_rolls_back_everything_written_before_it(database):
    # The unit of work use cases get says a broken unique key as a conflict, in words.
    with pytest.raises(DatabaseFailure) as failure, database.unit_of_work() as uow:
        uow.customers.add(_customer(name="王五", id_number="110105199003071234"))
        uow.customers.add(_customer(name="赵六", id_number="110105199003071234"))
        uow.commit()
    assert failure.value.kind == "conflict"
    assert "110105199003071234" not in str(failure.value)
    with database.unit_of_work() as uow:
        assert uow.customers.count() == 0


def test_foreign_keys_are_enforced(database):
    with pytest.raises(DatabaseFailure) as failure, database.unit_of_work() as uow:
        uow.family.add(FamilyMember(customer_id=uuid.uuid4(), name="无主", relation="child", id_number="x"))
    assert failure.value.kind == "conflict"


def test_bulk_insert_fills_ids_and_timestamps(database):
    rows = [
        {"name": f"客户{i}", "id_number": f"ID{i:06d}", "id_type": "passport", "birth_date": date(1980, 1, 1), "sex": "F",
         **customer_search_keys(f"客户{i}", f"ID{i:06d}", "")}
        for i in range(1200)
    ]
    with database.unit_of_work() as uow:
        assert uow.customers.bulk_insert(rows) == 1200
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.customers.count() == 1200
        assert len(uow.customers.ids_by_id_number([f"ID{i:06d}" for i in range(0, 1200, 2)])) == 600


def test_reference_data_is_loaded_and_not_duplicated(database):
    from desk.use_cases.reference_data import load_reference_data

    assert load_reference_data(database).calendar_days == 0
    with database.unit_of_work() as uow:
        assert len(uow.calendar.of_year(2025)) + len(uow.calendar.of_year(2026)) == 72
        names = [h.name for h in uow.hospitals.smoking_clinics("北京")]
        assert "中日友好医院" in names

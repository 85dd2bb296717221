"""Open work with known deadlines for the queue tests, at the fixed clock 2026-11-24 10:30.

Each request is filed through the real use case, so its due time is the SLA clock's own;
request numbers are then fixed so that snapshots do not change from run to run.
"""

from __future__ import annotations

from datetime import datetime

from db.tables import Complaint
from desk.rules.complaints import decision_due
from desk.use_cases.database import Database
from desk.use_cases.requests import NewRequest, file_request
from tests.callers import add_callers

ZHANG, OUYANG = "XK202601100001", "XK202602010005"

# number, policy, service, filed at, illness; the comment gives the due time and the state at NOW.
FILINGS = [
    ("R261120A00001", ZHANG, "smoking", datetime(2026, 11, 20, 15, 0), None),  # Mon 11-23 15:00: overdue
    ("R261123A00002", OUYANG, "smoking", datetime(2026, 11, 23, 16, 0), None),  # 11-24 16:00: due soon
    ("R261123A00003", ZHANG, "smoking", datetime(2026, 11, 23, 20, 30), None),  # 11-24 20:30: due soon
    ("R261124A00004", ZHANG, "escort", datetime(2026, 11, 24, 9, 0), "S01"),  # 11-25 09:00: on track
]
COMPLAINT_RECEIVED = datetime(2026, 11, 10, 11, 0)  # decision due 11-25 11:00: on track


def add_open_work(database: Database) -> None:
    add_callers(database)
    with database.unit_of_work() as uow:
        for number, policy_number, service, at, illness in FILINGS:
            policy = uow.policies.by_number(policy_number)
            filed = file_request(uow, NewRequest(policy.id, service, suspected_illness=illness),
                                 agent_id=None, at=at, commit=False)
            request = uow.requests.get(filed.request_id)
            request.number = number
            uow.requests.add(request)
        zhang = uow.policies.by_number(ZHANG)
        uow.complaints.add(Complaint(customer_id=zhang.insured_id, received_at=COMPLAINT_RECEIVED,
                                     summary="预约反馈太慢", due_at=decision_due(COMPLAINT_RECEIVED, complex_case=False)))
        uow.commit()

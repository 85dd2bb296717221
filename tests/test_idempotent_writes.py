"""Idempotent writes (issue #11): a retry after a lost answer finds the first write.

A COMMIT can reach the server and its answer be lost: desk sees an error although the
write is saved. Every creating use case takes an id made by its caller, kept across
retries, so the retry reports the first write as saved: never a second filing, never a
false "quota used up". The last tests make the fault for real, with a proxy in front of
PostgreSQL that swallows the answer to a COMMIT (tests/commit_loss_proxy.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.tables import (
    AuditEvent,
    CallNote,
    Complaint,
    FamilyMember,
    Request,
    RequestEvent,
    UsageEvent,
)
from desk.errors import DeskError
from desk.use_cases.calls import end_call, open_call
from desk.use_cases.complaints import file_complaint
from desk.use_cases.database import Database, open_database
from desk.use_cases.drafts import DraftStore, draft_request_id
from desk.use_cases.family import FamilyMemberRefused, add_family_member
from desk.use_cases.request_import import _Lookups, import_requests
from desk.use_cases.requests import Filed, NewRequest, RequestRefused, file_request
from tests.callers import resident_id, rows
from tests.commit_loss_proxy import CommitLossProxy
from tests.conftest import PG_URL, REQUIRE_PG

AT = datetime(2026, 9, 28, 10, 0)  # a Monday inside 张三's service year
ZHANG = "XK202601100001"
PSYCH = {"scales": ["anxiety"]}


def policy_id(database: Database, number: str = ZHANG) -> uuid.UUID:
    with database.unit_of_work() as uow:
        return uow.policies.by_number(number).id


def customer_id(database: Database, number: str = ZHANG) -> uuid.UUID:
    with database.unit_of_work() as uow:
        return uow.policies.by_number(number).insured_id


def file(database: Database, new: NewRequest, at: datetime = AT) -> Filed:
    with database.unit_of_work() as uow:
        return file_request(uow, new, agent_id=None, at=at)


# --- Requests ------------------------------------------------------------------------------


def test_filing_twice_under_one_id_files_once_and_the_retry_reports_it_saved(cast):
    new = NewRequest(policy_id(cast), "psych", details=PSYCH, request_id=uuid.uuid4())

    first = file(cast, new)
    retry = file(cast, new, at=datetime(2026, 9, 28, 10, 1))

    assert (first.already_saved, retry.already_saved) == (False, True)
    assert (retry.request_id, retry.number, retry.state) == (new.request_id, first.number, first.state)
    assert [r.id for r in rows(cast, Request)] == [new.request_id]
    assert len(rows(cast, RequestEvent)) == 1
    assert len([e for e in rows(cast, UsageEvent) if e.request_id == new.request_id]) == len(
        [e for e in rows(cast, UsageEvent) if e.service_code == "psych"])


def test_the_retry_of_the_last_use_is_saved_not_refused_as_quota_used_up(cast):
    # The escort is once per service year: the first attempt holds that one use.
    new = NewRequest(policy_id(cast), "escort", suspected_illness="S01", request_id=uuid.uuid4())
    first = file(cast, new)

    retry = file(cast, new, at=datetime(2026, 9, 28, 10, 5))

    assert retry.already_saved and retry.number == first.number and retry.due_at == first.due_at
    assert len(rows(cast, Request)) == 1
    # Another request, under an id of its own, does meet the used-up quota.
    with pytest.raises(RequestRefused, match="已用完"):
        file(cast, NewRequest(policy_id(cast), "escort", suspected_illness="S01", request_id=uuid.uuid4()))


def test_an_id_already_used_by_another_request_is_refused_clearly(cast):
    request_id = uuid.uuid4()
    first = file(cast, NewRequest(policy_id(cast), "psych", details=PSYCH, request_id=request_id))

    with pytest.raises(DeskError, match=first.number):
        file(cast, NewRequest(policy_id(cast), "ai_consult", details={"note": "头痛"}, request_id=request_id))
    assert len(rows(cast, Request)) == 1


def test_a_draft_keeps_the_request_id_for_the_retry(tmp_path):
    store = DraftStore(tmp_path)
    request_id, policy = uuid.uuid4(), uuid.uuid4()

    store.save(policy, "psych", {"scales": ["anxiety"]}, request_id)
    draft = store.load(policy, "psych")

    assert draft_request_id(draft) == request_id and draft["scales"] == ["anxiety"]
    assert draft_request_id({"scales": []}) is None
    assert draft_request_id(None) is None


async def test_the_form_retries_under_its_id_after_a_lost_answer_and_says_saved(callers_url, monkeypatch):
    """Saved, answer lost, desk closed; the restored draft retries and reads 已保存."""
    from textual.widgets import Input, Static

    import desk.use_cases.requests
    from screens.cards import BenefitCardsScreen
    from tests.pilot import desk_app, press_and_leave
    from tests.test_form_flow import fill, open_form

    working = desk.use_cases.requests.file_request

    def answer_lost(*args: object, **kwargs: object) -> Filed:
        working(*args, **kwargs)  # committed on the server...
        raise ConnectionError("server closed the connection unexpectedly")  # ...but desk never hears

    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "pharmacy")
        monkeypatch.setattr(desk.use_cases.requests, "file_request", answer_lost)
        await fill(pilot, screen, {"note": "降压药"})
        assert app.screen is screen and "草稿" in str(screen.query_one("#form-message", Static).render())
    request_id = screen.request_id
    assert draft_request_id(DraftStore().load(screen.policy_id, "pharmacy")) == request_id
    monkeypatch.setattr(desk.use_cases.requests, "file_request", working)

    again = desk_app(callers_url)  # after a restart
    async with again.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "pharmacy")
        assert screen.request_id == request_id
        assert screen.query_one("#field-note", Input).value == "降压药"
        await press_and_leave(pilot, "ctrl+s")
        assert isinstance(again.screen, BenefitCardsScreen)
        said = str(again.screen.query_one("#cards-title", Static).render())
    assert "已保存" in said
    database = open_database(callers_url)
    assert [r.id for r in rows(database, Request) if r.service_code == "pharmacy"] == [request_id]
    database.close()
    assert DraftStore().load(screen.policy_id, "pharmacy") is None


# --- Complaints, family members, call notes ------------------------------------------------


def test_a_complaint_filed_twice_under_one_id_is_filed_once(cast):
    customer, complaint_id = customer_id(cast), uuid.uuid4()

    def attempt() -> object:
        with cast.unit_of_work() as uow:
            return file_complaint(uow, customer, "导医迟到", request_id=None, agent_id=None, at=AT,
                                  complaint_id=complaint_id)

    first, retry = attempt(), attempt()

    assert (first.already_saved, retry.already_saved) == (False, True)
    assert retry.due_at == first.due_at
    assert [c.id for c in rows(cast, Complaint)] == [complaint_id]
    assert len([e for e in rows(cast, AuditEvent) if e.action == "complaint_filed"]) == 1


def test_a_family_member_added_twice_under_one_id_is_added_once_not_refused_as_a_twin(cast):
    customer, member_id = customer_id(cast), uuid.uuid4()
    typed = {"name": "张小明", "relation": "child", "id_number": resident_id("110105", date(2015, 6, 1), "135")}

    def attempt(member: uuid.UUID | None) -> object:
        with cast.unit_of_work() as uow:
            return add_family_member(uow, customer, typed, agent_id=None, at=AT, member_id=member)

    first, retry = attempt(member_id), attempt(member_id)

    assert (first.already_saved, retry.already_saved) == (False, True)
    assert retry.member_id == member_id and retry.name == "张小明"
    assert len([m for m in rows(cast, FamilyMember) if m.name == "张小明"]) == 1
    # Without the id the same retry would have been refused as a second member with that number.
    with pytest.raises(FamilyMemberRefused):
        attempt(uuid.uuid4())


def test_a_wrap_up_saved_twice_under_one_note_id_keeps_one_note(cast):
    note_id = uuid.uuid4()
    with cast.unit_of_work() as uow:
        call = open_call(uow, customer_id=customer_id(cast), agent_id=None, at=AT)

    def attempt() -> bool:
        with cast.unit_of_work() as uow:
            return end_call(uow, call, wrap_up_code="inquiry", note="咨询戒烟门诊", agent_id=None, at=AT,
                            note_id=note_id)

    assert (attempt(), attempt()) == (False, True)
    assert [n.id for n in rows(cast, CallNote)] == [note_id]


# --- The WeChat import ---------------------------------------------------------------------


def test_an_import_run_again_files_nothing_twice_even_when_it_missed_the_first_run(cast, tmp_path, monkeypatch):
    path = tmp_path / "wechat.csv"
    path.write_text(
        "policy_number,service_code,beneficiary,suspected_illness,details,submitted_at\n"
        f"{ZHANG},psych,,,\"{{\"\"scales\"\": [\"\"anxiety\"\"]}}\",2026-09-28 10:00\n"
        f"{ZHANG},escort,,S01,,2026-09-28 11:00\n",
        encoding="utf-8",
    )
    first = import_requests(cast, path)
    assert (first.written, first.inserted) == (True, 2)
    filed = {r.id for r in rows(cast, Request)}

    # A run that read the channel's requests before the first run's COMMIT landed (or
    # whose first try lost its answer) does not see them by their content.
    monkeypatch.setattr(_Lookups, "keys_filed", lambda self, policy: set())
    again = import_requests(cast, path)

    assert again.inserted == 0 and len(again.duplicates) == 2 and again.problems == []
    assert {r.id for r in rows(cast, Request)} == filed  # no second filing, no "quota used up"


# --- The real fault: a proxy loses the answer to COMMIT ------------------------------------


@pytest.fixture
def commit_loss_proxy() -> Iterator[CommitLossProxy]:
    url = make_url(PG_URL)
    probe = create_engine(url.set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 5})
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server
        message = f"PostgreSQL at {url.host}:{url.port or 5432} unreachable: {error}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        probe.dispose()
    with CommitLossProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def proxied(commit_loss_proxy: CommitLossProxy, pg_database_url: str) -> Iterator[Database]:
    """The cast on this session's PostgreSQL database, reached through the proxy."""
    from tests.callers import add_callers
    from tests.conftest import _empty_postgres

    direct = open_database(pg_database_url)
    _empty_postgres(direct)
    add_callers(direct)
    direct.close()
    url = make_url(pg_database_url).set(
        host="127.0.0.1", port=commit_loss_proxy.port,
        # A plain stream: the proxy reads it for the COMMIT.
        query={"sslmode": "disable", "gssencmode": "disable"},
    )
    database = open_database(url.render_as_string(hide_password=False), auto_upgrade=True)
    yield database
    database.close()


def test_a_lost_commit_answer_then_a_retry_files_the_psych_test_once(proxied, commit_loss_proxy):
    new = NewRequest(policy_id(proxied), "psych", details=PSYCH, request_id=uuid.uuid4())

    commit_loss_proxy.arm()
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver's error becomes
        file(proxied, new)
    assert commit_loss_proxy.dropped == 1
    # The server did commit: the request is there although the client was told nothing.
    assert len(rows(proxied, Request)) == 1

    retry = file(proxied, new, at=datetime(2026, 9, 28, 10, 1))  # a new connection

    requests = rows(proxied, Request)
    assert len(requests) == 1, "filed twice"
    assert requests[0].id == retry.request_id == new.request_id
    assert retry.already_saved
    assert len(rows(proxied, RequestEvent)) == 1


def test_a_lost_commit_answer_on_the_last_use_is_not_refused_as_quota_used_up(proxied, commit_loss_proxy):
    new = NewRequest(policy_id(proxied), "escort", suspected_illness="S01", request_id=uuid.uuid4())

    commit_loss_proxy.arm()
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver's error becomes
        file(proxied, new)
    assert commit_loss_proxy.dropped == 1
    assert len(rows(proxied, Request)) == 1

    retry = file(proxied, new, at=datetime(2026, 9, 28, 10, 5))  # once refused as "quota used up"

    assert retry.already_saved
    assert [r.id for r in rows(proxied, Request)] == [new.request_id]

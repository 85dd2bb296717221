"""Properties of every channel that takes text (issue #11): whatever is typed or imported,
the answer is a field or row problem or a stored record that reads back valid, never an
exception other than desk's own ``DeskError``, on SQLite and PostgreSQL alike.

The examples are few (``max_examples``) and have no deadline, so the suite stays quick;
hypothesis remembers failing examples and tries them first next time. The database
fixtures are per test, not per example: the form files in a transaction that is rolled
back, and the imports only add or update records that are re-checked after each example.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from db.tables import Customer, FamilyMember, Request
from desk.errors import DeskError
from desk.forms.request_forms import FORMS, INSURED, FieldKind, FormResult, read_form
from desk.rules.free_text import has_control_characters
from desk.rules.request_details import details_shape_problems
from desk.rules.validation import CustomerIn
from desk.use_cases.family_import import import_family
from desk.use_cases.form_context import load_form_context
from desk.use_cases.importing import import_customers, import_policies
from desk.use_cases.limits import BENEFICIARY_NAME, DETAIL_TEXT
from desk.use_cases.lookup import find_customers
from desk.use_cases.request_import import import_requests
from desk.use_cases.requests import NewRequest, file_request
from tests.callers import policy_of, resident_id, rows
from tests.test_request_forms import GOOD

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
AT = datetime(2026, 9, 28, 10, 0)
ZHANG_POLICY = "XK202601100001"
ZHANG_ID = resident_id("110105", date(1990, 3, 7), "123")

# What breaks text handling: NUL, escapes, C1, lone surrogates, private use, bidi marks,
# text longer than any column, times past year 9999, numbers JSON does not have.
NASTY = st.sampled_from([
    "", " ", "\x00", "张\x00三", "\x1b[31m李四", "\x1b]0;x\x07", "\x9b", "\ud800", "a\udfff", "\ue000",
    "\u202e", "\u200b", "\n", "甲" * 65, "因" * 513, "x" * 4001, "9999-12-31T23:59-12:00",
    "NaN", "1e999", "next tuesday", "2026-12-01", "08:30", "%", "_", "'; DROP TABLE customer; --",
])
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
TEXT = st.one_of(NASTY, ANY_TEXT, st.builds(lambda a, b: a + b, NASTY, ANY_TEXT))


# --- Lookup ----------------------------------------------------------------------------------


@PROPERTY
@given(query=TEXT)
def test_lookup_answers_any_query(cast, query):
    with cast.unit_of_work() as uow:
        hits = find_customers(uow, query)
    assert len(hits) <= 20


# --- Every form -----------------------------------------------------------------------------


# A filled form of each benefit (tests/test_request_forms.py), the insured as beneficiary:
# each field is either its good value or any text, so both answers are reached.
GOOD_FORMS = {code: {**values, **({"beneficiary": INSURED} if "beneficiary" in values else {})}
              for code, values in GOOD.items()}


def _form_values(draw: st.DrawFn, code: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for form_field in FORMS[code]:
        anything = st.lists(TEXT, max_size=3) if form_field.kind is FieldKind.MULTI else TEXT
        values[form_field.name] = draw(st.one_of(st.just(GOOD_FORMS[code][form_field.name]), anything))
    return values


@st.composite
def forms(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    code = draw(st.sampled_from(sorted(FORMS)))
    return code, _form_values(draw, code)


@PROPERTY
@given(form=forms())
def test_every_form_gives_field_problems_or_a_request_that_files(cast, form):
    code, values = form
    policy_id = policy_of(cast, ZHANG_POLICY)
    with cast.unit_of_work() as uow:
        context = load_form_context(uow, policy_id, AT.date())
    read = read_form(code, values, context)
    event("form refused" if isinstance(read, list) else "form accepted")
    if isinstance(read, list):
        names = {f.name for f in FORMS[code]} | {"details"}
        assert read and all(problem.field in names or problem.field for problem in read)
        return
    assert isinstance(read, FormResult)
    new = NewRequest(policy_id, code, beneficiary_member_id=read.beneficiary_member_id,
                     beneficiary_name="" if read.beneficiary_member_id else read.beneficiary_name,
                     details=read.details, suspected_illness=read.suspected_illness)
    # What the form accepts files; the transaction is rolled back, leaving the cast as it was.
    with cast.unit_of_work() as uow:
        try:
            file_request(uow, new, agent_id=None, at=AT, commit=False)
        except DeskError as refused:
            # Only the rules that need the database (quota, eligibility) may still refuse.
            assert type(refused).__name__ == "RequestRefused", str(refused)


# --- Every importer -------------------------------------------------------------------------


def _write(path: Path, header: list[str], lines: list[list[str]], encoding: str) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *lines])
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        # Lone surrogates: written as UTF-8 would write them, which is no valid encoding.
        data = buffer.getvalue().encode("utf-8", errors="surrogatepass")
    path.write_bytes(data)
    return path


def _spoiled(good: st.SearchStrategy[tuple[str, ...]]) -> st.SearchStrategy[list[str]]:
    """A good row with up to three of its cells replaced by any text: files of good and
    bad rows together are common, and a bad cell sits among good ones."""

    def spoil(row: tuple[str, ...], changes: list[tuple[int, str]]) -> list[str]:
        cells = list(row)
        for position, text in changes:
            cells[position % len(cells)] = text
        return cells

    return st.builds(spoil, good, st.lists(st.tuples(st.integers(0, 20), TEXT), max_size=3))


GOOD_BIRTHS = [date(1980 + n, 1 + n, 10 + n) for n in range(5)]
GOOD_IDS = [resident_id("110101", born, f"{n:02d}1") for n, born in enumerate(GOOD_BIRTHS)]
GOOD_BIRTHS = [born.isoformat() for born in GOOD_BIRTHS]
CUSTOMER_ROW = _spoiled(st.integers(0, len(GOOD_IDS) - 1).flatmap(lambda n: st.tuples(
    st.sampled_from(["张三", "李四", "欧阳娜娜"]), st.just("resident_id"),
    st.just(GOOD_IDS[n]), st.just(GOOD_BIRTHS[n]), st.sampled_from(["M", "男"]),
    st.just("13812345678"), st.just("a@b.cn"), TEXT, TEXT,
)))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])


def _stored_customers_are_valid(database) -> None:
    for customer in rows(database, Customer):
        values = customer.model_dump(include={"name", "id_type", "id_number", "birth_date", "sex",
                                              "mobile", "email", "region", "address"})
        CustomerIn(allow_legacy_id=True, **values)
        assert not has_control_characters(customer.address + customer.region)


def _imported(database, importer, path: Path) -> None:
    try:
        report = importer(database, path, skip_bad=True)
    except DeskError:
        return  # desk's own refusal, in words (a database failure says so too)
    # With --skip-bad, a file is written unless it (or every row of it) was reported bad.
    assert report.written or report.problems
    event("written" if report.written else "not written")


@PROPERTY
@given(lines=st.lists(CUSTOMER_ROW, min_size=1, max_size=4), encoding=ENCODINGS)
def test_the_customer_import_reports_or_imports_any_cells(database, tmp_path, lines, encoding):
    header = ["name", "id_type", "id_number", "birth_date", "sex", "mobile", "email", "region", "address"]
    _imported(database, import_customers, _write(tmp_path / "c.csv", header, lines, encoding))
    _stored_customers_are_valid(database)


POLICY_ROW = _spoiled(st.tuples(
    st.just("XK202699990001"), st.just("康宁重疾"), st.sampled_from([ZHANG_ID, GOOD_IDS[0]]),
    st.just(ZHANG_ID), st.just("2026-01-10"), st.just("active"), st.just(""),
    st.just("industry_2020"),
))


@PROPERTY
@given(lines=st.lists(POLICY_ROW, min_size=1, max_size=3), encoding=ENCODINGS)
def test_the_policy_import_reports_or_imports_any_cells(cast, tmp_path, lines, encoding):
    header = ["policy_number", "product", "insured_id_number", "holder_id_number", "effective_date",
              "status", "termination_date", "illness_list"]
    _imported(cast, import_policies, _write(tmp_path / "p.csv", header, lines, encoding))


FAMILY_ROW = _spoiled(st.tuples(
    st.just(ZHANG_ID), st.just(ZHANG_POLICY), st.sampled_from(["陈刚", "李丽"]),
    st.sampled_from(["spouse", "子女"]), st.just("resident_id"),
    st.just(resident_id("510104", date(1993, 6, 18), "031")), st.just(""), st.just(""),
))


@PROPERTY
@given(lines=st.lists(FAMILY_ROW, min_size=1, max_size=3), encoding=ENCODINGS)
def test_the_family_import_reports_or_imports_any_cells(cast, tmp_path, lines, encoding):
    header = ["insured_id_number", "policy_number", "name", "relation", "id_type", "id_number", "birth_date", "sex"]
    _imported(cast, import_family, _write(tmp_path / "f.csv", header, lines, encoding))
    for member in rows(cast, FamilyMember):
        assert not has_control_characters(member.name) and len(member.name) <= 64


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)


def _json_text(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


DETAILS = st.one_of(st.just(""), st.just('{"city": "北京"}'), TEXT, st.dictionaries(st.sampled_from(["note", "visit_at", "city", "times", "x"]),
                                          JSON_VALUE, max_size=3).map(_json_text),
                    st.just("[" * 5000 + "]" * 5000), st.just('{"x": 1e999}'))
REQUEST_ROW = _spoiled(st.tuples(
    st.just(ZHANG_ID), st.just(ZHANG_POLICY), st.sampled_from(["smoking", "ai_consult", "psych"]),
    st.sampled_from(["", "李丽", "路人甲"]), st.just(""), DETAILS,
    st.sampled_from(["2026-09-28 10:00", "2026-10-09T15:00+08:00", "9999-12-31T23:59-12:00"]),
))


@PROPERTY
@given(lines=st.lists(REQUEST_ROW, min_size=1, max_size=4), encoding=ENCODINGS)
def test_the_request_import_reports_or_files_any_row(cast, tmp_path, lines, encoding):
    header = ["id_number", "policy_number", "service_code", "beneficiary", "suspected_illness", "details",
              "submitted_at"]
    _imported(cast, import_requests, _write(tmp_path / "r.csv", header, lines, encoding))
    for request in rows(cast, Request):
        assert details_shape_problems(request.details, text_limit=DETAIL_TEXT) == []
        assert not has_control_characters(request.beneficiary_name)
        assert len(request.beneficiary_name) <= BENEFICIARY_NAME

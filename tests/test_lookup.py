"""Finding the caller by whatever they say first."""

from __future__ import annotations

from datetime import date

import pytest

from db.tables import Customer, Policy
from desk.rules.search_keys import customer_search_keys
from desk.use_cases.lookup import SearchKind, find_customers, normalize_query, search_keys_for


@pytest.mark.parametrize(
    ("typed", "kinds"),
    [
        ("张三", [SearchKind.NAME]),
        ("zs", [SearchKind.INITIALS, SearchKind.PINYIN]),
        ("zhangsan", [SearchKind.INITIALS, SearchKind.PINYIN]),
        ("5678", [SearchKind.MOBILE_TAIL, SearchKind.ID_TAIL4]),
        ("123x", [SearchKind.ID_TAIL4]),
        ("07123X", [SearchKind.ID_TAIL6]),
        ("071234", [SearchKind.ID_TAIL6, SearchKind.POLICY_NUMBER]),
        ("138 1234 5678", [SearchKind.MOBILE, SearchKind.POLICY_NUMBER]),
        ("+86 138-1234-5678", [SearchKind.MOBILE, SearchKind.POLICY_NUMBER]),
        ("11010519900307123x", [SearchKind.ID_NUMBER]),
        ("XK000000000001", [SearchKind.POLICY_NUMBER]),
        ("１３８１２３４５６７８", [SearchKind.MOBILE, SearchKind.POLICY_NUMBER]),
        ("   ", []),
    ],
)
def test_what_a_query_can_mean(typed, kinds):
    assert [key.kind for key in search_keys_for(typed)] == kinds


def test_a_name_keeps_its_middle_dot():
    assert normalize_query(" 阿卜杜·热合曼 ") == "阿卜杜·热合曼"


PEOPLE = [
    ("张三", "11010519900307123X", "13812345678", "XK000000000001"),
    ("张珊珊", "310104198512240026", "13900005678", "XK000000000002"),
    ("李四", "440106197001011234", "13700001111", "XK000000000003"),
]


@pytest.fixture
def three_customers(database):
    with database.unit_of_work() as uow:
        for name, id_number, mobile, policy_number in PEOPLE:
            customer = uow.customers.add(
                Customer(name=name, id_number=id_number, birth_date=date(1990, 3, 7), sex="M", mobile=mobile,
                         region="北京市", **customer_search_keys(name, id_number, mobile))
            )
            uow.policies.add(Policy(policy_number=policy_number, product="p", insured_id=customer.id,
                                    holder_id=customer.id, effective_date=date(2026, 1, 10)))
        uow.commit()
    return database


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("张", ["张三", "张珊珊"]),
        ("张三", ["张三"]),
        ("zs", ["张三", "张珊珊"]),
        ("zss", ["张珊珊"]),
        ("zhangs", ["张三", "张珊珊"]),
        ("lisi", ["李四"]),
        ("5678", ["张三", "张珊珊"]),
        ("13700001111", ["李四"]),
        ("123x", ["张三"]),
        ("240026", ["张珊珊"]),
        ("440106197001011234", ["李四"]),
        ("XK000000000003", ["李四"]),
        ("xk00000000000", ["张三", "张珊珊", "李四"]),
        ("王", []),
        ("%", []),
        # Pasted control characters and broken text: read as what is left (issue #11).
        ("张\x00三", ["张三"]),
        ("\x1b[31m李四", ["李四"]),
        ("\ud800", []),
        ("zs\udfff", ["张三", "张珊珊"]),
        ("\u200b5678", ["张三", "张珊珊"]),
    ],
)
def test_find_customers_by_every_kind_of_key(three_customers, typed, names):
    with three_customers.unit_of_work() as uow:
        hits = find_customers(uow, typed)
    assert sorted(hit.name for hit in hits) == sorted(names)


def test_a_hit_shows_masked_numbers_birth_year_and_policy_count(three_customers):
    with three_customers.unit_of_work() as uow:
        (hit,) = find_customers(uow, "13812345678")
    assert (hit.masked_mobile, hit.masked_id_number) == ("138****5678", "110105********123X")
    assert (hit.birth_year, hit.region, hit.policy_count) == (1990, "北京市", 1)
    assert hit.matched_by is SearchKind.MOBILE


def test_results_stop_at_the_limit(three_customers):
    with three_customers.unit_of_work() as uow:
        assert len(find_customers(uow, "z", limit=1)) == 1

"""Customer lookup: what the agent typed, what it can mean, and who matches.

An agent types whatever the caller says first: a name in characters, pinyin or its
initials, a mobile number or its last 4 digits, an ID number or its last 4 or 6, a
policy number. ``search_keys_for`` reads the query into the kinds of key it could be;
``find_customers`` asks the database for each and merges the answers.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from desk.rules.free_text import printable

if TYPE_CHECKING:
    # Kept out of the import path: the lookup screen imports this module before its
    # first frame, and the database stack loads later, in a worker.
    from db.tables import Customer
    from db.unit_of_work import UnitOfWork

RESULT_LIMIT = 20


class SearchKind(StrEnum):
    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"
    MOBILE = "mobile"
    MOBILE_TAIL = "mobile_tail"
    ID_NUMBER = "id_number"
    ID_TAIL4 = "id_tail4"
    ID_TAIL6 = "id_tail6"
    POLICY_NUMBER = "policy_number"


@dataclass(frozen=True, slots=True)
class SearchKey:
    kind: SearchKind
    value: str


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTERS = re.compile(r"[a-z]+")
_ID_TAIL = re.compile(r"\d{3}[\dx]|\d{5}[\dx]")
_POLICY = re.compile(r"[a-z]{1,4}\d{2,}")


def normalize_query(raw: str) -> str:
    # Full-width digits and letters from a Chinese IME become ASCII; spaces, hyphens and
    # the +86 prefix an agent copies from a caller display are dropped.
    # Control and format characters, lone surrogates and private-use code points can
    # be pasted but never match a stored key; PostgreSQL refuses NUL outright.
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", printable(raw))).lower()
    if _HAN.search(text):
        return text  # a name keeps its middle dot: 阿卜杜·热合曼
    text = re.sub(r"[\-·.()]", "", text)
    if re.fullmatch(r"(\+|00)861[3-9]\d{9}", text):
        text = text[-11:]
    return text


def search_keys_for(raw: str) -> list[SearchKey]:
    """Every reading of the query worth a database look, most specific first."""
    query = normalize_query(raw)
    if not query:
        return []
    keys: list[SearchKey] = []
    if _HAN.search(query):
        return [SearchKey(SearchKind.NAME, query)]
    if _LETTERS.fullmatch(query):
        keys += [SearchKey(SearchKind.INITIALS, query), SearchKey(SearchKind.PINYIN, query)]
    if _POLICY.fullmatch(query):
        keys.append(SearchKey(SearchKind.POLICY_NUMBER, query.upper()))
    if query.isdigit() or query[:-1].isdigit():
        upper = query.upper()
        if len(query) == 4:
            if query.isdigit():
                keys.append(SearchKey(SearchKind.MOBILE_TAIL, query))
            keys.append(SearchKey(SearchKind.ID_TAIL4, upper))
        elif len(query) == 6 and _ID_TAIL.fullmatch(query):
            keys.append(SearchKey(SearchKind.ID_TAIL6, upper))
        elif len(query) == 11 and re.fullmatch(r"1[3-9]\d{9}", query):
            keys.append(SearchKey(SearchKind.MOBILE, query))
        elif len(query) in (15, 18):
            keys.append(SearchKey(SearchKind.ID_NUMBER, upper))
        if query.isdigit() and len(query) >= 6:
            # Agents often read out a policy number without its letter prefix.
            keys.append(SearchKey(SearchKind.POLICY_NUMBER, query))
    return keys


@dataclass(frozen=True, slots=True)
class CustomerHit:
    """One line of the result list: enough to tell two callers apart, nothing in full."""

    customer_id: uuid.UUID
    name: str
    masked_mobile: str
    masked_id_number: str
    birth_year: int
    region: str
    policy_count: int
    matched_by: SearchKind


def _query(uow: UnitOfWork, key: SearchKey, limit: int) -> list[Customer]:
    lookup = uow.lookup
    match key.kind:
        case SearchKind.NAME:
            return lookup.by_name_prefix(key.value, limit)
        case SearchKind.PINYIN:
            return lookup.by_pinyin_prefix(key.value, limit)
        case SearchKind.INITIALS:
            return lookup.by_initials_prefix(key.value, limit)
        case SearchKind.MOBILE:
            return lookup.by_mobile(key.value, limit)
        case SearchKind.MOBILE_TAIL:
            return lookup.by_mobile_last4(key.value, limit)
        case SearchKind.ID_NUMBER:
            return lookup.by_id_number(key.value, limit)
        case SearchKind.ID_TAIL4:
            return lookup.by_id_last4(key.value, limit)
        case SearchKind.ID_TAIL6:
            return lookup.by_id_last6(key.value, limit)
        case SearchKind.POLICY_NUMBER:
            return lookup.by_policy_number_prefix(key.value, limit)


def find_customers(uow: UnitOfWork, raw: str, limit: int = RESULT_LIMIT) -> list[CustomerHit]:
    """The customers the query can mean, at most ``limit``, each once."""
    from desk.rules.masking import mask_id_number, mask_mobile

    found: dict[uuid.UUID, tuple[Customer, SearchKind]] = {}
    for key in search_keys_for(raw):
        if len(found) >= limit:
            break
        for customer in _query(uow, key, limit - len(found)):
            found.setdefault(customer.id, (customer, key.kind))
    counts = uow.lookup.policy_counts(found)
    return [
        CustomerHit(
            customer_id=customer.id,
            name=customer.name,
            masked_mobile=mask_mobile(customer.mobile) if customer.mobile else "",
            masked_id_number=mask_id_number(customer.id_number),
            birth_year=customer.birth_date.year,
            region=customer.region,
            policy_count=counts[customer.id],
            matched_by=kind,
        )
        for customer, kind in found.values()
    ]

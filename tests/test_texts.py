from __future__ import annotations

import pytest

from desk.texts import labels as texts


def test_the_english_catalogue_has_every_chinese_key():
    assert set(texts.EN) == set(texts.ZH)


def test_labels_follow_the_chosen_language():
    assert texts.t("home.title") == "客户查询"
    texts.use_language("en")
    try:
        assert texts.t("home.title") == "Find a customer"
        assert texts.t("db.ready", url="x.sqlite3") == "Database x.sqlite3"
    finally:
        texts.use_language("zh")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr"):
        texts.use_language("fr")

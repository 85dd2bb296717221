"""Full garbage collections wait for a pause in the typing (screens.collector)."""

from __future__ import annotations

import gc

import pytest

from screens.collector import FULL_AFTER, collect_if_due, freeze_start_up


@pytest.fixture
def collector_restored():
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def _middle_collections(count: int) -> None:
    gc.collect()  # the counts start from nothing
    for _ in range(count):
        gc.collect(1)


def test_start_up_is_frozen_and_full_collections_leave_the_allocation_counts(collector_restored):
    freeze_start_up()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[2] > 1_000_000


def test_a_full_collection_waits_for_a_pause_as_long_as_python_would_have_waited(collector_restored):
    _middle_collections(FULL_AFTER - 1)
    assert not collect_if_due(idle=True)
    gc.collect(1)
    assert collect_if_due(idle=True)
    assert gc.get_count()[2] == 0


def test_someone_who_never_pauses_still_gets_collections(collector_restored):
    _middle_collections(FULL_AFTER)
    assert not collect_if_due(idle=False)
    _middle_collections(FULL_AFTER * 10)
    assert collect_if_due(idle=False)

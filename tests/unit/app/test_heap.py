"""The start-up heap is left out of later garbage collections, once per process."""

from __future__ import annotations

import gc

from bot.app.web import freeze_start_up_heap


def test_start_up_is_frozen_once() -> None:
    freeze_start_up_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[object()] for _ in range(1000)]  # made after start-up: collected as ever
    freeze_start_up_heap()
    assert gc.get_freeze_count() == frozen
    assert all(gc.is_tracked(item) for item in later)

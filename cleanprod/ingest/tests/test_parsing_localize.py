"""Localisation of naive local timestamps across DST transitions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from cleanprod.ingest.parsing import InvalidValueError, TimestampLocalizer

BERLIN = ZoneInfo("Europe/Berlin")


def english(message: object) -> str:
    with translation.override("en"):
        return str(message)


def test_ordinary_time_gets_zone_offset():
    localizer = TimestampLocalizer(BERLIN)

    aware = localizer.localize(datetime(2016, 7, 1, 12, 0))

    assert aware.tzinfo is BERLIN
    assert aware.astimezone(UTC) == datetime(2016, 7, 1, 10, 0, tzinfo=UTC)


def test_skipped_local_time_rejected():
    localizer = TimestampLocalizer(BERLIN)

    with pytest.raises(InvalidValueError) as caught:
        localizer.localize(datetime(2016, 3, 27, 2, 30))

    assert caught.value.code == "nonexistent_local_time"
    issue = caught.value.to_issue(5, "time", "2016-03-27 02:30")
    message = english(issue.message)
    assert message.startswith("Row 5, column “time”: 2016-03-27 02:30 does not exist")
    assert "Europe/Berlin" in message


def test_skipped_local_time_is_value_error():
    localizer = TimestampLocalizer(BERLIN)

    with pytest.raises(ValueError):
        localizer.localize(datetime(2016, 3, 27, 2, 0))


def test_repeated_local_time_takes_fold_0_then_1():
    localizer = TimestampLocalizer(BERLIN)
    naive = datetime(2016, 10, 30, 2, 30)

    first = localizer.localize(naive, "M1")
    second = localizer.localize(naive, "M1")

    assert first.fold == 0
    assert second.fold == 1
    assert first.astimezone(UTC) == datetime(2016, 10, 30, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2016, 10, 30, 1, 30, tzinfo=UTC)


def test_repeated_local_time_state_per_series():
    localizer = TimestampLocalizer(BERLIN)
    naive = datetime(2016, 10, 30, 2, 30)

    first_m1 = localizer.localize(naive, "M1")
    first_m2 = localizer.localize(naive, "M2")
    second_m1 = localizer.localize(naive, "M1")

    assert (first_m1.fold, first_m2.fold, second_m1.fold) == (0, 0, 1)


def test_fall_back_hour_series_stays_increasing():
    localizer = TimestampLocalizer(BERLIN)
    local_times = [
        datetime(2016, 10, 30, 1, 45),
        datetime(2016, 10, 30, 2, 0),
        datetime(2016, 10, 30, 2, 30),
        datetime(2016, 10, 30, 2, 0),
        datetime(2016, 10, 30, 2, 30),
        datetime(2016, 10, 30, 3, 0),
    ]

    instants = [localizer.localize(stamp).astimezone(UTC) for stamp in local_times]

    assert instants == sorted(instants)
    assert len(set(instants)) == len(instants)


def test_aware_input_converted_to_zone():
    localizer = TimestampLocalizer(BERLIN)

    aware = localizer.localize(datetime(2016, 5, 1, 22, 0, tzinfo=UTC))

    assert aware.utcoffset() is not None
    assert aware.replace(tzinfo=None) == datetime(2016, 5, 2, 0, 0)

"""Conversion of naive local timestamps to aware datetimes in a site's time zone."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from .problems import InvalidValueError


class TimestampLocalizer:
    """Attaches a time zone to naive local timestamps and resolves DST transitions.

    A local time that the spring-forward transition skips does not exist and is
    rejected. A local time that the fall-back transition repeats is ambiguous: in
    each series, the first occurrence is taken as the earlier instant (fold=0) and
    any later occurrence of the same local time as the later instant (fold=1). The
    caller passes a series key, such as the meter code, because a long-format file
    repeats every timestamp once per meter.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._ambiguous_seen: dict[Hashable, set[datetime]] = {}

    def localize(self, naive: datetime, series: Hashable = None) -> datetime:
        """Return ``naive`` as an aware datetime in the zone.

        An aware input is converted to the zone. Raise InvalidValueError with code
        ``nonexistent_local_time`` for a local time that the zone skips.
        """
        if naive.tzinfo is not None:
            return naive.astimezone(self.zone)

        earlier = naive.replace(tzinfo=self.zone, fold=0)
        later = naive.replace(tzinfo=self.zone, fold=1)
        round_trip = earlier.astimezone(UTC).astimezone(self.zone)
        if round_trip.replace(tzinfo=None) != naive:
            raise InvalidValueError(
                "nonexistent_local_time",
                _(
                    "Row %(row)d, column “%(column)s”: %(value)s does not exist in time "
                    "zone %(zone)s, because the clocks were put forward at that time. "
                    "Check whether the export writes standard time all year, and correct "
                    "the timestamp or the data source's time zone."
                ),
                zone=self.zone.key,
            )
        if earlier.utcoffset() == later.utcoffset():
            return earlier

        seen = self._ambiguous_seen.setdefault(series, set())
        if naive in seen:
            return later
        seen.add(naive)
        return earlier

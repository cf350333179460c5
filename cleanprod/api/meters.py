"""GET /api/meters/{id}/daily and /hourly: a meter's series from the rollups, never from raw readings."""

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from ninja import Query, Router

from cleanprod.metering.buckets import local_day_bounds
from cleanprod.metering.queries import SeriesPoint, daily_series, hourly_series

from .errors import ErrorOut
from .lookups import meter_for
from .periods import PeriodQuery
from .schemas import DailyPointOut, DailySeriesOut, HourlyPointOut, HourlySeriesOut
from .sites import meter_out

router = Router(tags=["meters"])

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


@router.get("/meters/{meter_id}/daily", response={200: DailySeriesOut, **ERRORS}, summary="Daily series of a meter")
def meter_daily(request: HttpRequest, meter_id: int, query: Query[PeriodQuery]) -> DailySeriesOut:
    """Return one point per local day from start to end; a day without data has coverage 0.

    A virtual meter combines its terms, and is only as covered as its least-covered term.
    """
    meter = meter_for(request, meter_id)
    by_day = {point.key: point for point in daily_series(meter, query.start, query.end)}
    points = []
    day = query.start
    while day <= query.end:
        point = by_day.get(day) or SeriesPoint(day, 0.0, 0.0, 0.0, 0.0)
        points.append(DailyPointOut(day=day, **_measures(point)))
        day += timedelta(days=1)
    return DailySeriesOut(
        meter=meter_out(meter), start=query.start, end=query.end, unit=meter.resource.canonical_unit, points=points
    )


@router.get("/meters/{meter_id}/hourly", response={200: HourlySeriesOut, **ERRORS}, summary="Hourly series of a meter")
def meter_hourly(request: HttpRequest, meter_id: int, query: Query[PeriodQuery]) -> HourlySeriesOut:
    """Return one point per hour of the local days start..end, in the site's time zone.

    An hour without data has coverage 0. Days with a daylight-saving change have 23 or 25 points.
    """
    # NOTE: the period limit is the same three years as for daily series, which is up to
    # about 26,300 points in one response.
    meter = meter_for(request, meter_id)
    zone = meter.site.zone
    # Rollups are keyed by UTC hour starts, so a zone with a half-hour offset starts one earlier.
    first_hour = local_day_bounds(query.start, zone)[0].replace(minute=0, second=0, microsecond=0)
    period_end = local_day_bounds(query.end, zone)[1]
    by_hour: dict[date | datetime, SeriesPoint] = {
        point.key: point for point in hourly_series(meter, first_hour, period_end)
    }
    points = []
    hour = first_hour
    while hour < period_end:
        point = by_hour.get(hour) or SeriesPoint(hour, 0.0, 0.0, 0.0, 0.0)
        points.append(HourlyPointOut(hour_start=hour.astimezone(zone), **_measures(point)))
        hour += timedelta(hours=1)
    return HourlySeriesOut(
        meter=meter_out(meter),
        start=query.start,
        end=query.end,
        unit=meter.resource.canonical_unit,
        time_zone=meter.site.time_zone,
        points=points,
    )


def _measures(point: SeriesPoint) -> dict[str, float]:
    return {
        "quantity": point.quantity,
        "estimated": point.estimated,
        "suspect": point.suspect,
        "coverage": point.coverage,
    }

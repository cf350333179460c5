"""The steel plant demo, loaded from its own export, reproduces the file's monthly totals."""

import csv
from collections import defaultdict
from datetime import date, time
from decimal import Decimal

import pytest
from django.core.management import call_command

from cleanprod.alerts.models import AlertRule, WorkingCalendar
from cleanprod.demo.sites import STEEL_FILE
from cleanprod.indicators.services import compute_indicator_set
from cleanprod.metering.models import DailyRollup, Meter
from cleanprod.organization.models import Site
from cleanprod.production.models import ProductionRecord

pytestmark = pytest.mark.django_db


def monthly_totals_from_file() -> dict[tuple[int, int], float]:
    """Sum Usage_kWh per month as the file dates its rows.

    Rows are labelled at interval end and the 00:00 row carries the date of the day it closes,
    so every row's date text is the local day of its interval.
    """
    totals: dict[tuple[int, int], float] = defaultdict(float)
    with STEEL_FILE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            _day, month, year = (int(part) for part in row["date"].split(" ")[0].split("/"))
            totals[(year, month)] += float(row["Usage_kWh"])
    return dict(totals)


@pytest.fixture
def steel(settings, tmp_path) -> Site:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", "--site", "steel-gwangyang", verbosity=0)
    return Site.objects.get(code="steel-gwangyang")


def test_monthly_totals_match_the_export(steel):
    meter = Meter.objects.get(site=steel, code="STEEL-MAIN")
    stored: dict[tuple[int, int], float] = defaultdict(float)
    for day, quantity in DailyRollup.objects.filter(meter=meter).values_list("day", "quantity"):
        stored[(day.year, day.month)] += quantity

    expected = monthly_totals_from_file()

    assert sorted(stored) == sorted(expected)
    for month, total in expected.items():
        assert stored[month] == pytest.approx(total, rel=1e-9), month
    assert 120_000 < expected[(2018, 1)] < 130_000  # January is the plant's busiest month


def test_every_day_of_2018_is_complete(steel):
    meter = Meter.objects.get(site=steel, code="STEEL-MAIN")

    days = list(DailyRollup.objects.filter(meter=meter).values_list("day", "covered_seconds", "day_seconds"))

    assert len(days) == 365
    assert days[0][0] == date(2018, 1, 1)
    assert all(covered == pytest.approx(seconds) for _, covered, seconds in days)


def test_january_indicators_use_gbt_2589_and_generated_output(steel):
    indicators = compute_indicator_set(steel, date(2018, 1, 1), date(2018, 1, 31))

    january_kwh = monthly_totals_from_file()[(2018, 1)]
    assert indicators.comprehensive_energy_tce == pytest.approx(january_kwh * 0.1229 / 1000)
    assert indicators.partial is False
    assert any(factor.unit == "kgce/kWh" and factor.value == Decimal("0.1229") for factor in indicators.factors)
    assert ProductionRecord.objects.filter(site=steel, is_generated=True).count() == 365


def test_steel_site_has_plant_shifts_and_off_hours_rule(steel):
    calendar = WorkingCalendar.objects.get(site=steel)
    shifts = sorted(calendar.shifts.values_list("weekday", "start", "end"))

    assert shifts == [(day, time(8), time(21)) for day in range(5)] + [(5, time(8), time(17))]
    assert calendar.official_holidays is False
    assert AlertRule.objects.filter(site=steel, kind="off_hours", enabled=True).count() == 1

    call_command("load_demo", "--site", "steel-gwangyang", verbosity=0)

    assert calendar.shifts.count() == 6
    assert AlertRule.objects.filter(site=steel, kind="off_hours").count() == 1


def test_rolling_workshop_has_energy_per_tonne(steel):
    rolling = steel.units.get(code="rolling")
    record = ProductionRecord.objects.filter(site=steel).first()
    assert record is not None
    product = record.product
    indicators = compute_indicator_set(rolling, date(2018, 1, 1), date(2018, 1, 31), product=product)

    assert ProductionRecord.objects.filter(site=steel, is_generated=True, organization_unit=rolling).count() == 365
    assert indicators.net_output is not None
    assert indicators.net_output > 0
    assert isinstance(indicators.energy_intensity_kgce_per_unit, float)


def test_reload_moves_output_without_double_count(steel):
    """Output booked on the coil line by an earlier demo is replaced, not added to."""
    line = steel.units.get(code="coil-line")
    ProductionRecord.objects.filter(site=steel, is_generated=True).update(organization_unit=line)

    call_command("load_demo", "--site", "steel-gwangyang", verbosity=0)

    assert ProductionRecord.objects.filter(site=steel, is_generated=True).count() == 365
    assert not ProductionRecord.objects.filter(site=steel, organization_unit=line).exists()

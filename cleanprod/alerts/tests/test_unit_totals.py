"""Rules on an organisation unit's total: which meters count, the summed series, the trigger and the rule form."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cleanprod.alerts import services
from cleanprod.alerts.detectors import Period, sum_periods
from cleanprod.alerts.models import Alert, AlertRule, RuleTarget
from cleanprod.indicators.services import compute_indicator_set
from cleanprod.metering.models import Meter, MeterFlow, ReadingKind
from cleanprod.metering.signals import readings_stored
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Resource

from .helpers import interval_meter, store

MIDNIGHT = datetime(2025, 3, 2, 16, tzinfo=UTC)  # 2025-03-03 00:00 in Shanghai
FIRST_DAY = date(2025, 3, 3)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ClientFor = Callable[[User], Client]


@pytest.fixture
def immediate_tasks(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def air(site: Site) -> OrganizationUnit:
    """The compressed-air system of the fixture site, which has no meter of its own."""
    return site.units.get(code="air")


def total_rule(site: Site, kind: str, parameters: dict[str, object], resource: str = "electricity") -> AlertRule:
    rule = AlertRule(
        site=site,
        organization_unit=air(site),
        target=RuleTarget.UNIT_TOTAL,
        resource=Resource.objects.get(code=resource),
        kind=kind,
        name=f"air total {kind}",
        parameters=parameters,
    )
    rule.full_clean()
    rule.save()
    return rule


def run_totals(site: Site, meters: list[Meter], start: datetime, end: datetime, now: datetime) -> list[Alert]:
    window = services.Window(start, end)
    return services.SiteDetector(site, now).run_unit_totals({meter.pk: window for meter in meters})


# --- the summed series --------------------------------------------------------------------


def test_sum_periods_adds_and_takes_least_coverage() -> None:
    first, second = MIDNIGHT, MIDNIGHT + HOUR
    series = {
        1: [Period(first, second, 10.0, 1.0), Period(second, second + HOUR, 5.0, 1.0)],
        2: [Period(first, second, 7.0, 0.5)],
    }
    both = sum_periods(series, [1, 2])
    assert both == [Period(first, second, 17.0, 0.5), Period(second, second + HOUR, 5.0, 0.0)]
    # Meter 2 not required (inactive): the second hour is complete with meter 1 alone.
    assert sum_periods(series, [1])[1] == Period(second, second + HOUR, 5.0, 1.0)
    assert sum_periods({}, [1]) == []


# --- which meters count -------------------------------------------------------------------


def test_parent_counts_sub_meter_does_not(site_a: Site) -> None:
    """Incomer 90 kWh/h and sub-meter 50 kWh/h for a day: the total is 24 × 90 = 2160 kWh, not 3360."""
    incomer = interval_meter(site_a, "E-AIR-IN", organization_unit=air(site_a))
    sub = interval_meter(site_a, "E-AIR-C1", organization_unit=air(site_a), parent=incomer)
    store(incomer, MIDNIGHT, [90.0] * 48)
    store(sub, MIDNIGHT, [50.0] * 48)
    rule = total_rule(site_a, "threshold", {"period": "day", "above": 2000})
    assert services.unit_total_meters(rule) == [incomer]

    now = MIDNIGHT + 2 * DAY + HOUR
    raised = run_totals(site_a, [incomer], MIDNIGHT, MIDNIGHT + 2 * DAY, now)
    assert len(raised) == 1
    alert = raised[0]
    assert (alert.kind, alert.cause, alert.rule) == ("threshold", "above", rule)
    assert alert.meter is None
    assert alert.organization_unit == air(site_a)
    assert alert.evidence["actual"] == 2160.0
    assert alert.evidence["expected"] == 2000.0
    assert alert.evidence["meters"] == "E-AIR-IN"
    # The second day groups onto the same alert of this rule and unit.
    alert.refresh_from_db()
    assert (alert.occurrences, alert.last_seen) == (2, MIDNIGHT + DAY)
    # The indicators give the same total for the unit.
    indicators = compute_indicator_set(air(site_a), FIRST_DAY, FIRST_DAY, now=now)
    consumption = indicators.consumption_of("electricity")
    assert consumption is not None
    assert consumption.quantity == pytest.approx(2160.0)


def test_two_separate_meters_both_count(site_a: Site) -> None:
    """30 + 40 kWh/h for a day is 1680 kWh; each meter alone (720, 960) stays below the 1500 kWh limit."""
    unit = air(site_a)
    first = interval_meter(site_a, "E-AIR-1", organization_unit=unit)
    second = interval_meter(site_a, "E-AIR-2", organization_unit=unit)
    exported = interval_meter(site_a, "E-AIR-EXP", organization_unit=unit, flow=MeterFlow.EXPORT)
    generated = interval_meter(site_a, "E-AIR-PV", organization_unit=unit, flow=MeterFlow.GENERATION)
    Meter.objects.create(
        site=site_a,
        organization_unit=unit,
        code="E-AIR-V",
        name="virtual",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        is_virtual=True,
    )
    water = Meter.objects.create(
        site=site_a,
        organization_unit=unit,
        code="W-AIR",
        name="water",
        resource=Resource.objects.get(code="fresh_water"),
        unit="m3",
        reading_kind=ReadingKind.INTERVAL,
        interval_minutes=60,
    )
    store(first, MIDNIGHT, [30.0] * 24)
    store(second, MIDNIGHT, [40.0] * 24)
    store(exported, MIDNIGHT, [500.0] * 24)
    store(generated, MIDNIGHT, [500.0] * 24)
    store(water, MIDNIGHT, [500.0] * 24)
    rule = total_rule(site_a, "threshold", {"period": "day", "above": 1500})
    assert [meter.code for meter in services.unit_total_meters(rule)] == ["E-AIR-1", "E-AIR-2"]

    # Only the second meter was touched: the unit's total is still checked.
    raised = run_totals(site_a, [second], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR)
    assert [(alert.cause, alert.evidence["actual"]) for alert in raised] == [("above", 1680.0)]
    assert raised[0].evidence["meters"] == "E-AIR-1, E-AIR-2"
    # Readings of meters outside the total (export, water) do not run the rule.
    Alert.objects.all().delete()
    assert run_totals(site_a, [exported, water], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR) == []


def test_sub_meter_readings_do_not_trigger(site_a: Site) -> None:
    incomer = interval_meter(site_a, "E-AIR-IN", organization_unit=air(site_a))
    sub = interval_meter(site_a, "E-AIR-C1", organization_unit=air(site_a), parent=incomer)
    store(incomer, MIDNIGHT, [90.0] * 24)
    store(sub, MIDNIGHT, [50.0] * 24)
    total_rule(site_a, "threshold", {"period": "day", "above": 2000})
    assert run_totals(site_a, [sub], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR) == []


def test_unit_total_rule_not_a_per_meter_rule(site_a: Site) -> None:
    meter = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    total_rule(site_a, "threshold", {"period": "day", "above": 1500})
    assert "threshold" not in services.RuleBook(site_a).for_meter(meter)


def test_meter_without_data_leaves_total_partial(site_a: Site) -> None:
    """A counted active meter with no data for the day: the sum is partial, so no "below" finding."""
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [10.0] * 24)
    total_rule(site_a, "threshold", {"period": "day", "below": 500})
    assert run_totals(site_a, [first], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + 2 * DAY) == []


# --- per unit of product and rate of change -----------------------------------------------


def produce(site: Site, day: date, tonnes: str) -> None:
    ProductionRecord.objects.create(
        site=site,
        organization_unit=air(site),
        product=Resource.objects.get(code="product"),
        period_start=day,
        period_end=day,
        quantity=Decimal(tonnes),
        unit="t",
    )


def test_per_unit_total_with_and_without_production(site_a: Site) -> None:
    """1680 kWh a day: 10 t gives 168 kWh/t (above 150); 0 t leaves the ratio undefined."""
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    second = interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [30.0] * 48)
    store(second, MIDNIGHT, [40.0] * 48)
    produce(site_a, FIRST_DAY, "10")
    produce(site_a, FIRST_DAY + timedelta(days=1), "0")
    # Another unit's production is not the air system's.
    ProductionRecord.objects.create(
        site=site_a,
        organization_unit=site_a.units.get(code="ws1"),
        product=Resource.objects.get(code="product"),
        period_start=FIRST_DAY + timedelta(days=1),
        period_end=FIRST_DAY + timedelta(days=1),
        quantity=Decimal("100"),
        unit="t",
    )
    total_rule(site_a, "threshold_per_unit", {"product": "product", "above": 150})
    raised = run_totals(site_a, [first], MIDNIGHT, MIDNIGHT + 2 * DAY, MIDNIGHT + 2 * DAY + HOUR)
    by_cause = {alert.cause: alert for alert in raised}
    assert sorted(by_cause) == ["above", "without_production"]
    above = by_cause["above"]
    assert above.first_seen == MIDNIGHT
    assert above.evidence["actual"] == 168.0
    assert above.evidence["consumption"] == 1680.0
    assert above.evidence["production"] == 10.0
    idle = by_cause["without_production"]
    assert idle.first_seen == MIDNIGHT + DAY
    assert idle.evidence["actual"] == 1680.0
    assert idle.evidence["production"] == 0.0


def test_unit_total_zero_production_unflagged(site_a: Site) -> None:
    meter = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    store(meter, MIDNIGHT, [30.0] * 24)
    produce(site_a, FIRST_DAY, "0")
    total_rule(site_a, "threshold_per_unit", {"product": "product", "above": 150, "flag_without_production": False})
    assert run_totals(site_a, [meter], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR) == []


def test_rate_of_change_total_ignores_partial_day(site_a: Site) -> None:
    """Days of 960 and 1320 kWh (+37.5 %); a partial third day of 200 kWh is no drop until it is complete."""
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    second = interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [20.0] * 24 + [30.0] * 24 + [10.0] * 10)
    store(second, MIDNIGHT, [20.0] * 24 + [25.0] * 24 + [10.0] * 10)
    total_rule(site_a, "rate_of_change", {"period": "day", "max_increase_percent": 30, "max_decrease_percent": 20})
    total_rule(site_a, "threshold", {"period": "day", "below": 900})
    now = MIDNIGHT + 2 * DAY + 10 * HOUR
    raised = run_totals(site_a, [first, second], MIDNIGHT, now, now)
    assert [(alert.kind, alert.cause) for alert in raised] == [("rate_of_change", "increase")]
    increase = raised[0]
    assert increase.first_seen == MIDNIGHT + DAY
    assert increase.evidence["expected"] == 960.0
    assert increase.evidence["actual"] == 1320.0
    assert increase.evidence["change_percent"] == 37.5

    # The next morning the third day is complete: 2 × 24 × 10 = 480 kWh, −63.64 % and below 900.
    store(first, now, [10.0] * 14)
    store(second, now, [10.0] * 14)
    later = MIDNIGHT + 3 * DAY + HOUR
    raised = run_totals(site_a, [first, second], now - HOUR, MIDNIGHT + 3 * DAY, later)
    causes = sorted((alert.kind, alert.cause, alert.evidence["actual"]) for alert in raised)
    assert causes == [("rate_of_change", "decrease", 480.0), ("threshold", "below", 480.0)]
    drop = next(alert for alert in raised if alert.kind == "rate_of_change")
    assert drop.evidence["change_percent"] == -63.64


# --- the trigger --------------------------------------------------------------------------


def test_stored_readings_evaluate_unit_total(site_a: Site, immediate_tasks: None) -> None:
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    second = interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [30.0] * 24)
    start, end = store(second, MIDNIGHT, [40.0] * 24)
    rule = total_rule(site_a, "threshold", {"period": "day", "above": 1500})
    readings_stored.send(sender=None, site_id=site_a.pk, spans={second.pk: (start, end)})
    alert = Alert.objects.get(rule=rule)
    assert (alert.meter, alert.organization_unit, alert.cause) == (None, air(site_a), "above")
    assert alert.evidence["actual"] == 1680.0
    # The same readings again count nothing twice.
    readings_stored.send(sender=None, site_id=site_a.pk, spans={second.pk: (start, end)})
    assert Alert.objects.get(rule=rule).occurrences == 1


# --- the rule, its form and the pages -----------------------------------------------------


def test_rule_clean_checks_target(site_a: Site, meter_a: Meter) -> None:
    electricity = Resource.objects.get(code="electricity")
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"organization_unit": air(site_a)}, "resource", "Resource: choose the resource"),
        ({"resource": electricity}, "target", "needs an organisation unit"),
        ({"meter": meter_a, "resource": electricity}, "target", "needs an organisation unit"),
        ({"organization_unit": air(site_a), "resource": electricity, "kind": "stuck"}, "target", "only threshold"),
    ]
    for fields, field, message in cases:
        values: dict[str, object] = {"kind": "threshold", **fields}
        rule = AlertRule(site=site_a, target=RuleTarget.UNIT_TOTAL, name="x", parameters={"above": 1}, **values)
        with pytest.raises(ValidationError) as error:
            rule.full_clean()
        assert field in error.value.message_dict, fields
        assert message in " ".join(error.value.message_dict[field]), fields
    each = AlertRule(site=site_a, name="x", kind="threshold", parameters={"above": 1}, resource=electricity)
    with pytest.raises(ValidationError) as error:
        each.full_clean()
    assert "only a rule on the unit's total uses a resource" in error.value.message_dict["resource"][0]


def test_rule_form_unit_total(site_a: Site, alice: User, client_for: ClientFor) -> None:
    interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    client = english(client_for(alice))
    url = reverse("alerts:rules", args=[site_a.pk])
    post = {
        "name": "air daily",
        "kind": "threshold",
        "organization_unit": air(site_a).pk,
        "target": "unit_total",
        "parameters": '{"period": "day", "above": 5000}',
        "severity": 30,
        "enabled": "on",
    }
    missing = client.post(url, post)
    assert missing.status_code == 400
    assert "Resource: choose the resource whose total the rule checks." in missing.content.decode()
    assert not AlertRule.objects.filter(name="air daily").exists()

    electricity = Resource.objects.get(code="electricity")
    saved = client.post(url, {**post, "resource": electricity.pk})
    assert saved.status_code == 302
    rule = AlertRule.objects.get(name="air daily")
    assert (rule.target, rule.resource, rule.organization_unit) == ("unit_total", electricity, air(site_a))
    page = client.get(url).content.decode()
    assert f"total of {electricity}" in page

    # A form that sends no target keeps the per-meter meaning.
    plain = client.post(url, {**post, "name": "each", "target": ""})
    assert plain.status_code == 302
    assert AlertRule.objects.get(name="each").target == "each_meter"


def test_unit_total_rule_persona_checks(
    site_a: Site, alice: User, bob: User, carol: User, client_for: ClientFor
) -> None:
    rule = total_rule(site_a, "threshold", {"period": "day", "above": 5000})
    url = reverse("alerts:rule-edit", args=[rule.pk])
    page = english(client_for(carol)).get(url).content.decode()
    assert "Delete the rule" not in page
    assert "the unit&#x27;s total of one resource" in page
    assert client_for(bob).get(url).status_code == 404
    assert client_for(carol).post(url, {"name": "x", "kind": "threshold"}).status_code == 403
    assert client_for(bob).post(url, {"delete": "1"}).status_code == 404
    rule.refresh_from_db()
    assert rule.name == "air total threshold"
    assert client_for(alice).get(url).status_code == 200


def test_alert_pages_show_unit(site_a: Site, alice: User, bob: User, client_for: ClientFor) -> None:
    meter = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    store(meter, MIDNIGHT, [100.0] * 24)
    total_rule(site_a, "threshold", {"period": "day", "above": 1500})
    (alert,) = run_totals(site_a, [meter], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR)
    client = english(client_for(alice))
    detail = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert air(site_a).name in detail
    assert "total of" in detail
    assert "meters in the total" in detail
    listing = client.get(reverse("alerts:list")).content.decode()
    assert air(site_a).name in listing
    feed = client.get(reverse("alerts:feed")).json()["alerts"]
    assert [(row["meter"], row["unit"]) for row in feed] == [("", air(site_a).name)]
    assert client_for(bob).get(reverse("alerts:detail", args=[alert.pk])).status_code == 404


def test_per_meter_per_unit_uses_site_production(site_a: Site) -> None:
    """The per-meter rule keeps the site's production: 720 kWh over 4 t + 2 t of two units is 120 kWh/t."""
    meter = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    store(meter, MIDNIGHT, [30.0] * 24)
    produce(site_a, FIRST_DAY, "4")
    ProductionRecord.objects.create(
        site=site_a,
        organization_unit=site_a.units.get(code="ws1"),
        product=Resource.objects.get(code="product"),
        period_start=FIRST_DAY,
        period_end=FIRST_DAY,
        quantity=Decimal("2"),
        unit="t",
    )
    AlertRule.objects.create(
        site=site_a,
        meter=meter,
        kind="threshold_per_unit",
        name="line",
        parameters={"product": "product", "above": 100},
    )
    raised = services.SiteDetector(site_a, MIDNIGHT + DAY + HOUR).run(
        {meter.pk: services.Window(MIDNIGHT, MIDNIGHT + DAY)}
    )
    per_unit = [alert for alert in raised if alert.kind == "threshold_per_unit"]
    assert [(alert.cause, alert.meter) for alert in per_unit] == [("above", meter)]
    assert per_unit[0].evidence["actual"] == 120.0
    assert per_unit[0].evidence["production"] == 6.0


def test_hourly_total_above_limit(site_a: Site) -> None:
    """Hours of 30 + 40 = 70, 70 and 30 + 10 = 40 kWh against 65 kWh: the first two hours, on one alert."""
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    second = interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [30.0, 30.0, 30.0])
    store(second, MIDNIGHT, [40.0, 40.0, 10.0])
    total_rule(site_a, "threshold", {"period": "hour", "above": 65})
    raised = run_totals(site_a, [first], MIDNIGHT, MIDNIGHT + 3 * HOUR, MIDNIGHT + 4 * HOUR)
    assert len(raised) == 1
    alert = Alert.objects.get(pk=raised[0].pk)
    assert (alert.first_seen, alert.last_seen, alert.occurrences) == (MIDNIGHT, MIDNIGHT + HOUR, 2)
    assert alert.evidence["actual"] == 70.0


def chart_of(client: Client, alert: Alert) -> dict[str, object]:
    page = client.get(reverse("alerts:detail", args=[alert.pk]))
    assert page.status_code == 200
    chart: dict[str, object] = page.context["chart"]
    return chart


def test_unit_total_alert_chart_sums_meters(site_a: Site, alice: User, client_for: ClientFor) -> None:
    """A daily limit of 1,500 kWh on 30 + 40 kWh an hour: the chart has daily bars of the sum and the limit."""
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    second = interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [30.0] * 24)
    store(second, MIDNIGHT, [40.0] * 24)
    total_rule(site_a, "threshold", {"period": "day", "above": 1500})
    (alert,) = run_totals(site_a, [first], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR)
    chart = chart_of(english(client_for(alice)), alert)
    assert chart["labels"] == ["03-03"]
    assert chart["values"] == [1680.0]
    assert chart["expected"] == 1500
    assert chart["mark"] == "03-03"
    assert chart["unit"] == "kWh"
    assert chart["series_name"] == "Daily consumption"


def test_hourly_alert_chart_per_hour(site_a: Site, alice: User, client_for: ClientFor) -> None:
    first = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    second = interval_meter(site_a, "E-AIR-2", organization_unit=air(site_a))
    store(first, MIDNIGHT, [30.0, 30.0, 30.0])
    store(second, MIDNIGHT, [40.0, 40.0, 10.0])
    total_rule(site_a, "threshold", {"period": "hour", "above": 65})
    (alert,) = run_totals(site_a, [first], MIDNIGHT, MIDNIGHT + 3 * HOUR, MIDNIGHT + 4 * HOUR)
    chart = chart_of(english(client_for(alice)), alert)
    assert chart["labels"] == ["03-03 00:00", "03-03 01:00", "03-03 02:00"]
    assert chart["values"] == [70.0, 70.0, 40.0]
    assert chart["expected"] == 65
    assert chart["series_name"] == "Hourly consumption"


def test_per_unit_alert_chart_has_no_limit_line(site_a: Site, alice: User, client_for: ClientFor) -> None:
    """A limit in kWh per tonne is not drawn over bars in kWh."""
    meter = interval_meter(site_a, "E-AIR-1", organization_unit=air(site_a))
    store(meter, MIDNIGHT, [30.0] * 24)
    produce(site_a, FIRST_DAY, "4")
    total_rule(site_a, "threshold_per_unit", {"product": "product", "above": 100})
    (alert,) = run_totals(site_a, [meter], MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + DAY + HOUR)
    chart = chart_of(english(client_for(alice)), alert)
    assert chart["values"] == [720.0]
    assert chart["expected"] is None

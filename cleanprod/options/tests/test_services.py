"""Register services: numbering, status changes, expected CO2 and verification from the ledger."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cleanprod.metering.models import DailyRollup, Meter
from cleanprod.options.models import Option, OptionEffect, Verification
from cleanprod.options.services import change_status, effect_co2, option_register, verification_result
from cleanprod.options.verification import Basis
from cleanprod.options.workflow import CostClass, OptionStatus, TransitionError
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Resource

from .conftest import make_option

pytestmark = pytest.mark.django_db


def test_options_numbered_per_audit(audit_a, audit_b):
    first = make_option(audit_a, "one", "1")
    second = make_option(audit_a, "two", "1")
    other = make_option(audit_b, "other", "1")

    assert (first.code, second.code, other.code) == ("F1", "F2", "F1")


def test_cost_class_follows_audit_limits(audit_a):
    option = make_option(audit_a, "one", "20")
    assert option.cost_class == CostClass.MEDIUM

    audit_a.high_cost_limit = Decimal("10")
    audit_a.save()

    assert Option.objects.get(pk=option.pk).cost_class == CostClass.HIGH


def test_change_status_records_transition(option_a, alice):
    change_status(option_a, OptionStatus.SCREENED_IN, acting_user=alice, comment="good idea")

    option_a.refresh_from_db()
    transition = option_a.transitions.get()
    assert option_a.status == OptionStatus.SCREENED_IN
    assert (transition.from_status, transition.to_status) == (OptionStatus.PROPOSED, OptionStatus.SCREENED_IN)
    assert transition.user == alice
    assert transition.comment == "good idea"


def test_change_status_refuses_skipping_feasibility(option_a, alice):
    change_status(option_a, OptionStatus.SCREENED_IN, acting_user=alice)

    with pytest.raises(TransitionError):
        change_status(option_a, OptionStatus.IMPLEMENTING, acting_user=alice)

    option_a.refresh_from_db()
    assert option_a.status == OptionStatus.SCREENED_IN
    assert option_a.transitions.count() == 1


def test_effect_unit_must_convert(option_a):
    effect = OptionEffect(
        option=option_a, resource=Resource.objects.get(code="fresh_water"), annual_quantity=5, unit="kWh"
    )

    with pytest.raises(ValidationError) as raised:
        effect.full_clean()

    assert "m3" in str(raised.value.message_dict["unit"])


def test_effect_co2_uses_grid_factor_of_baseline_year(option_a):
    # 100 MWh × 0.5366 kgCO2/kWh (national 2022) = 53.66 t.
    result = effect_co2(option_a.effects.get(), option_a.audit.site, 2022)

    assert result.tco2 == pytest.approx(53.66)
    assert result.factors[0].data_year == 2022
    assert result.factors[0].version >= 1


def test_effect_co2_of_fuel(option_a):
    gas = OptionEffect.objects.create(
        option=option_a, resource=Resource.objects.get(code="natural_gas"), annual_quantity=10000, unit="Nm3"
    )
    result = effect_co2(gas, option_a.audit.site, 2022)

    assert result.tco2 is not None
    assert 15 < result.tco2 < 25  # about 2.1 kgCO2 per Nm3 with any published defaults
    assert len(result.factors) == 3


def test_effect_co2_undefined_for_water(option_a):
    water = OptionEffect.objects.create(
        option=option_a, resource=Resource.objects.get(code="fresh_water"), annual_quantity=100, unit="m3"
    )
    result = effect_co2(water, option_a.audit.site, 2022)

    assert result.tco2 is None
    assert "No CO2 factor" in result.reason


def test_register_rows_sum_co2(option_a, audit_a):
    rows = option_register(audit_a)

    assert [row.option.code for row in rows] == ["F1"]
    assert rows[0].co2_tonnes == pytest.approx(53.66)


def _fill_days(meter, start: date, days: int, quantity: float, skip: tuple[int, ...] = ()) -> None:
    DailyRollup.objects.bulk_create(
        DailyRollup(meter=meter, day=start + timedelta(days=offset), quantity=quantity, covered_seconds=86400.0)
        for offset in range(days)
        if offset not in skip
    )


def _set_up_verification(option: Option, meter, product: Resource | None) -> Verification:
    verification = Verification.objects.create(
        option=option,
        product=product,
        before_start=date(2023, 1, 1),
        before_end=date(2023, 1, 10),
        after_start=date(2023, 3, 1),
        after_end=date(2023, 3, 10),
    )
    verification.meters.add(meter)
    return verification


def _produce(site, product, start: date, end: date, quantity: str) -> None:
    ProductionRecord.objects.create(
        site=site,
        organization_unit=site.units.first(),
        product=product,
        period_start=start,
        period_end=end,
        quantity=Decimal(quantity),
        unit="t",
    )


def test_verification_with_production(option_a, meter_a):
    product = Resource.objects.get(code="product")
    site = option_a.audit.site
    _fill_days(meter_a, date(2023, 1, 1), 10, 1000.0)  # 10 000 kWh
    _fill_days(meter_a, date(2023, 3, 1), 10, 900.0, skip=(4,))  # 8100 kWh, one day missing
    _produce(site, product, date(2023, 1, 1), date(2023, 1, 10), "50")  # 200 kWh/t
    _produce(site, product, date(2023, 3, 1), date(2023, 3, 10), "54")  # 150 kWh/t
    _set_up_verification(option_a, meter_a, product)

    result = verification_result(option_a)

    # Saving = (200 − 150) kWh/t × 54 t × 365 / 10 = 98 550 kWh; expected 100 MWh → 98.55 %.
    assert result is not None
    assert result.outcome is not None
    assert result.outcome.basis == Basis.INTENSITY
    assert result.outcome.annual_saving == pytest.approx(98_550.0)
    assert result.expected == pytest.approx(100_000.0)
    assert result.outcome.achieved_percent == pytest.approx(98.55)
    assert result.outcome.missing_days_after == 1
    assert any("1 of its 10 days" in note for note in result.notes)


def test_verification_without_production_falls_back(option_a, meter_a):
    _fill_days(meter_a, date(2023, 1, 1), 10, 1000.0)
    _fill_days(meter_a, date(2023, 3, 1), 10, 800.0)
    _set_up_verification(option_a, meter_a, Resource.objects.get(code="product"))

    result = verification_result(option_a)

    assert result is not None
    assert result.outcome is not None
    assert result.outcome.basis == Basis.PER_DAY
    assert result.outcome.annual_saving == pytest.approx(200.0 * 365)
    assert any("No production" in note for note in result.notes)


def test_verification_default_windows(option_a, meter_a):
    from cleanprod.options.models import Implementation

    Implementation.objects.create(option=option_a, start_on=date(2023, 4, 1), in_service_on=date(2023, 5, 1))
    verification = Verification.objects.create(option=option_a)
    verification.meters.add(meter_a)

    result = verification_result(option_a)

    assert result is not None
    assert result.windows is not None
    assert (result.windows.before_start, result.windows.before_end) == (date(2023, 1, 1), date(2023, 3, 31))
    assert (result.windows.after_start, result.windows.after_end) == (date(2023, 5, 1), date(2023, 7, 29))
    assert "no metered day" in result.error


def test_verification_reports_partial_and_missing_meter_days(option_a, meter_a):
    second = Meter.objects.create(
        site=meter_a.site, code="E-A-AIR", name="空压站", resource=meter_a.resource, unit="kWh"
    )
    _fill_days(meter_a, date(2023, 1, 1), 10, 1000.0)
    _fill_days(second, date(2023, 1, 1), 10, 100.0, skip=(0, 1))  # two days without the second meter
    _fill_days(meter_a, date(2023, 3, 1), 10, 900.0)
    _fill_days(second, date(2023, 3, 1), 10, 90.0)
    DailyRollup.objects.filter(meter=second, day=date(2023, 3, 5)).update(covered_seconds=43200.0)
    verification = _set_up_verification(option_a, meter_a, None)
    verification.meters.add(second)

    result = verification_result(option_a)

    # Before: 10 800 kWh over 8 complete days = 1350/d; after: 9900 / 10 = 990/d.
    assert result is not None
    assert result.outcome is not None
    assert result.before is not None
    assert result.after is not None
    assert result.before.days_with_data == 8
    assert result.after.partial_days == 1
    assert result.outcome.before_value == pytest.approx(1350.0)
    assert result.outcome.annual_saving == pytest.approx(360.0 * 365)
    assert any("2 of its 10 days" in note for note in result.notes)
    assert any(
        "Days of the after window on which a meter covers only part of the day: 1." in note for note in result.notes
    )


def test_register_queries_do_not_grow_per_option(audit_a, django_assert_max_num_queries):
    electricity = Resource.objects.get(code="electricity")
    for number in range(12):
        option = make_option(audit_a, f"option {number}", "1")
        OptionEffect.objects.create(option=option, resource=electricity, annual_quantity=10, unit="MWh")

    # Options, effects and one grid factor look-up (region, then national) for all twelve.
    with django_assert_max_num_queries(6):
        rows = option_register(audit_a)

    assert len(rows) == 12
    assert rows[0].co2_tonnes == pytest.approx(5.366)

"""Indicators of a site whose meters include electricity export and on-site generation."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cleanprod.indicators.services import compute_indicator_set
from cleanprod.indicators.tests.test_services import (
    ELECTRICITY_TCE_PER_KWH,
    add_meter,
    import_file,
    indicator_site,  # noqa: F401 (fixture)
    write_csv,
)
from cleanprod.metering.models import MeterFlow
from cleanprod.organization.models import Site

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 1)
# East China has no 2024 factor in the seeded table, so its 2023 factor applies, in kgCO2/kWh.
EAST_CHINA_KG_CO2_PER_KWH = 0.55


def hourly_values(hour: int) -> dict[str, str]:
    """Return one hour of a day: 1,000 kWh consumed, 200 kWh exported and 300 kWh generated."""
    midday = 8 < hour <= 16
    return {
        "E-IN": "25" if midday else "50",
        "E-EXPORT": "25" if midday else "0",
        "E-PV": "30" if 7 < hour <= 17 else "0",
    }


@pytest.fixture
def flow_site(indicator_site: Site, tmp_path: Path) -> Site:  # noqa: F811 (fixture)
    add_meter(indicator_site, "E-IN", "electricity", "kWh")
    add_meter(indicator_site, "E-EXPORT", "electricity", "kWh", flow=MeterFlow.EXPORT)
    add_meter(indicator_site, "E-PV", "electricity", "kWh", flow=MeterFlow.GENERATION)
    start = datetime(DAY.year, DAY.month, DAY.day)
    rows: list[list[str]] = [["timestamp", "E-IN", "E-EXPORT", "E-PV"]]
    for hour in range(1, 25):
        values = hourly_values(hour)
        stamp = start + timedelta(hours=hour)
        rows.append([stamp.strftime("%Y-%m-%d %H:%M"), values["E-IN"], values["E-EXPORT"], values["E-PV"]])
    import_file(indicator_site, write_csv(tmp_path / "flows.csv", rows))
    return indicator_site


def test_export_deducted_from_energy(flow_site):
    result = compute_indicator_set(flow_site, DAY, DAY)

    assert result.comprehensive_energy_tce == pytest.approx(800 * ELECTRICITY_TCE_PER_KWH)
    assert [(part.quantity, part.year) for part in result.energy_parts] == [(1_000.0, 2024), (-200.0, 2024)]
    assert sum(part.result for part in result.energy_parts) == pytest.approx(result.comprehensive_energy_tce)


def test_export_deducted_from_scope2(flow_site):
    result = compute_indicator_set(flow_site, DAY, DAY)

    assert result.electricity_scope2_tco2 == pytest.approx(800 * EAST_CHINA_KG_CO2_PER_KWH / 1000)
    assert [part.quantity for part in result.scope2_parts] == [1_000.0, -200.0]
    assert result.total_co2_t == pytest.approx(800 * EAST_CHINA_KG_CO2_PER_KWH / 1000)
    assert result.notices == ()


def test_export_listed_apart_from_consumption(flow_site):
    result = compute_indicator_set(flow_site, DAY, DAY)

    electricity = result.consumption_of("electricity")
    assert electricity is not None
    assert electricity.meter_codes == ("E-IN",)
    assert electricity.quantity == pytest.approx(1_000.0)
    (exported,) = result.exported
    assert exported.meter_codes == ("E-EXPORT",)
    assert exported.quantity == pytest.approx(200.0)
    assert exported.unit == "kWh"


def test_generation_reported_not_purchased(flow_site):
    result = compute_indicator_set(flow_site, DAY, DAY)

    (generated,) = result.generated
    assert generated.resource_code == "electricity"
    assert generated.meter_codes == ("E-PV",)
    assert generated.quantity == pytest.approx(300.0)
    assert generated.unit == "kWh"
    assert all(part.quantity != 300.0 for part in result.scope2_parts)
    assert all(part.quantity != 300.0 for part in result.energy_parts)


def test_export_gap_makes_period_partial(indicator_site, tmp_path):  # noqa: F811 (fixture)
    add_meter(indicator_site, "E-IN", "electricity", "kWh")
    add_meter(indicator_site, "E-EXPORT", "electricity", "kWh", flow=MeterFlow.EXPORT)
    add_meter(indicator_site, "E-PV", "electricity", "kWh", flow=MeterFlow.GENERATION)
    start = datetime(DAY.year, DAY.month, DAY.day)
    rows: list[list[str]] = [["timestamp", "E-IN", "E-EXPORT", "E-PV"]]
    for hour in range(1, 25):
        stamp = (start + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M")
        # The export meter reports only the first half of the day, the others all of it.
        rows.append([stamp, "50", "10" if hour <= 12 else "", "0"])
    import_file(indicator_site, write_csv(tmp_path / "gap.csv", rows))

    result = compute_indicator_set(indicator_site, DAY, DAY)

    assert result.partial is True
    (exported,) = result.exported
    assert exported.coverage == pytest.approx(0.5)


def test_generation_gap_keeps_period_complete(indicator_site, tmp_path):  # noqa: F811 (fixture)
    add_meter(indicator_site, "E-IN", "electricity", "kWh")
    add_meter(indicator_site, "E-PV", "electricity", "kWh", flow=MeterFlow.GENERATION)
    start = datetime(DAY.year, DAY.month, DAY.day)
    rows: list[list[str]] = [["timestamp", "E-IN", "E-PV"]]
    for hour in range(1, 25):
        stamp = (start + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M")
        rows.append([stamp, "50", "30" if hour <= 12 else ""])
    import_file(indicator_site, write_csv(tmp_path / "gap.csv", rows))

    result = compute_indicator_set(indicator_site, DAY, DAY)

    assert result.partial is False
    (generated,) = result.generated
    assert generated.coverage == pytest.approx(0.5)

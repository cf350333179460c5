"""Diagnosis of the test ledger with an export meter and an on-site generation meter added."""

import pytest

from cleanprod.diagnosis.services import diagnose_site
from cleanprod.metering.models import MeterFlow

from .ledger import FIRST_DAY, LAST_DAY, add_meter, import_hourly

pytestmark = pytest.mark.django_db

# Large enough that either meter would lead the Pareto ranking if it counted as consumption.
EXPORT_KWH_PER_HOUR = 400.0
PV_KWH_PER_HOUR = 500.0


@pytest.fixture
def baseline(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger()
    return diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)


@pytest.fixture
def with_flows(diagnosis_site, baseline, tmp_path):
    main = diagnosis_site.meters.get(code="E-MAIN")
    add_meter(diagnosis_site, "E-EXPORT", "ws", flow=MeterFlow.EXPORT)
    # A generation meter with a consumption parent must not enter that parent's balance either.
    add_meter(diagnosis_site, "E-PV", "air", flow=MeterFlow.GENERATION, parent=main)
    values = {"E-EXPORT": EXPORT_KWH_PER_HOUR, "E-PV": PV_KWH_PER_HOUR}
    import_hourly(diagnosis_site, tmp_path / "flows.csv", FIRST_DAY, 48, values)
    return diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)


def test_flow_meters_not_diagnosed(with_flows):
    codes = {meter.code for meter in with_flows.meters}

    assert "E-EXPORT" not in codes
    assert "E-PV" not in codes


def test_flow_meters_not_in_pareto(baseline, with_flows):
    assert with_flows.unit_ranking == baseline.unit_ranking
    assert with_flows.process_ranking == baseline.process_ranking
    assert with_flows.equipment_ranking == baseline.equipment_ranking
    assert with_flows.priorities == baseline.priorities
    assert with_flows.total_tce == pytest.approx(baseline.total_tce)
    assert with_flows.total_co2_t == pytest.approx(baseline.total_co2_t)


def test_flow_meters_not_in_sankey(baseline, with_flows):
    assert with_flows.sankey == baseline.sankey
    assert not any("E-EXPORT" in node or "E-PV" in node for node in with_flows.sankey.nodes)


def test_flow_meters_not_in_balances(baseline, with_flows):
    assert with_flows.balances == baseline.balances

"""The site diagnosis on a ledger built through the import pipeline; expected values computed by hand."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cleanprod.diagnosis.analysis import FindingCode, loss_node_name
from cleanprod.diagnosis.services import Diagnosis, DiagnosisFindingCode, diagnose_site
from cleanprod.resources.models import Factor

from .ledger import FIRST_DAY, LAST_DAY, add_meter, import_hourly

pytestmark = pytest.mark.django_db

KGCE_PER_KWH = 0.1229  # GB/T 2589 electricity, calorific equivalent
KGCE_PER_NM3_GAS = 1.2143  # GB/T 2589 gas-field natural gas
KG_CO2_PER_KWH_EAST_2023 = 0.5500  # MEE/NBS East China grid 2023, provisional for 2024

# Two days of the ledger in ledger.py, in kWh and Nm3.
MAIN, MELT, FURNACE, AIR, GAS = 4800.0, 2400.0, 2304.0, 1440.0, 480.0


def tce_of_kwh(kwh: float) -> float:
    return kwh * KGCE_PER_KWH / 1000


def co2_t_of_kwh(kwh: float) -> float:
    return kwh * KG_CO2_PER_KWH_EAST_2023 / 1000


@pytest.fixture
def diagnosis(diagnosis_site, diagnosis_ledger) -> Diagnosis:
    diagnosis_ledger()
    return diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)


def units_by_code(diagnosis: Diagnosis) -> dict:
    return {unit.code: unit for unit in diagnosis.units}


def test_meter_energy_in_tce_and_co2(diagnosis):
    meters = {meter.code: meter for meter in diagnosis.meters}

    assert meters["E-MAIN"].quantity == pytest.approx(MAIN)
    assert meters["E-MAIN"].energy_tce == pytest.approx(tce_of_kwh(MAIN))
    assert meters["E-MAIN"].electricity_co2_t == pytest.approx(co2_t_of_kwh(MAIN))
    assert meters["E-MAIN"].coverage_percent == pytest.approx(100.0)
    assert meters["G-FURNACE"].quantity == pytest.approx(GAS)
    assert meters["G-FURNACE"].energy_tce == pytest.approx(GAS * KGCE_PER_NM3_GAS / 1000)
    assert meters["G-FURNACE"].electricity_co2_t == 0.0
    assert meters["E-MELT"].parent_id == meters["E-MAIN"].meter_id


def test_units_count_each_meter_once(diagnosis):
    units = units_by_code(diagnosis)
    gas_tce = GAS * KGCE_PER_NM3_GAS / 1000

    assert units["ws"].direct_tce == pytest.approx(tce_of_kwh(MAIN - MELT - AIR))
    assert units["melt"].direct_tce == pytest.approx(tce_of_kwh(MELT - FURNACE))
    assert units["furnace"].direct_tce == pytest.approx(tce_of_kwh(FURNACE) + gas_tce)
    assert units["air"].direct_tce == pytest.approx(tce_of_kwh(AIR))
    assert units["line"].direct_tce == 0.0
    assert units["melt"].total_tce == pytest.approx(tce_of_kwh(MELT) + gas_tce)
    assert units["ws"].total_tce == pytest.approx(tce_of_kwh(MAIN - AIR) + gas_tce)
    assert diagnosis.total_tce == pytest.approx(tce_of_kwh(MAIN) + gas_tce)
    assert diagnosis.total_co2_t == pytest.approx(co2_t_of_kwh(MAIN))


def test_unit_pareto_of_energy_and_co2(diagnosis):
    energy = diagnosis.unit_ranking.energy
    co2 = diagnosis.unit_ranking.co2

    # Energy: furnace 73.8 %, air 15.1 % (crosses 80 %), ws 10.1 %, melt 1.0 %, line 0.
    assert [ranked.item.key for ranked in energy.ranking.items] == ["furnace", "air", "ws", "melt", "line"]
    assert [ranked.item.key for ranked in energy.vital_few] == ["furnace", "air"]
    assert energy.vital_few[0].share_percent == pytest.approx(
        100 * (tce_of_kwh(FURNACE) + GAS * KGCE_PER_NM3_GAS / 1000) / diagnosis.total_tce
    )
    # Electricity CO2: furnace 48 %, air 30 %, ws 20 % (crosses 80 %), melt 2 %.
    assert [ranked.item.key for ranked in co2.vital_few] == ["furnace", "air", "ws"]
    assert [ranked.share_percent for ranked in co2.vital_few] == pytest.approx([48.0, 30.0, 20.0])


def test_process_and_equipment_rankings(diagnosis):
    gas_tce = GAS * KGCE_PER_NM3_GAS / 1000

    processes = diagnosis.process_ranking.energy.ranking.items
    equipment = diagnosis.equipment_ranking.energy.ranking.items

    assert [(ranked.item.key, ranked.item.value) for ranked in processes] == [
        ("melt", pytest.approx(tce_of_kwh(MELT) + gas_tce))
    ]
    assert [(ranked.item.key, ranked.item.value) for ranked in equipment] == [
        ("furnace", pytest.approx(tce_of_kwh(FURNACE) + gas_tce))
    ]


def test_priority_list_of_energy_or_co2(diagnosis):
    priorities = diagnosis.priorities

    assert [item.code for item in priorities] == ["furnace", "air", "ws"]
    assert [item.rank for item in priorities] == [1, 2, 3]
    assert [item.in_energy_pareto for item in priorities] == [True, True, False]
    assert [item.in_co2_pareto for item in priorities] == [True, True, True]
    assert priorities[2].energy_share_percent == pytest.approx(100 * tce_of_kwh(960) / diagnosis.total_tce)
    assert priorities[2].electricity_co2_t == pytest.approx(co2_t_of_kwh(960))
    assert priorities[0].reason == ""
    assert {factor.resource_code for factor in priorities[0].factors} == {"electricity", "natural_gas"}


def test_factors_carry_versions(diagnosis):
    factors = {(factor.kind, factor.resource_code): factor for factor in diagnosis.factors}

    assert set(factors) == {
        ("standard_coal", "electricity"),
        ("standard_coal", "natural_gas"),
        ("grid_emission", "electricity"),
    }
    grid = factors[("grid_emission", "electricity")]
    assert (grid.region, grid.data_year, grid.provisional) == ("east_china", 2023, True)
    assert grid.series == "mee_nbs_average"
    assert float(grid.value) == pytest.approx(KG_CO2_PER_KWH_EAST_2023)


def test_sankey_from_incomers_with_losses(diagnosis):
    echarts = diagnosis.sankey.as_echarts()
    links = {(link["source"], link["target"]): link["value"] for link in echarts["links"]}

    assert diagnosis.sankey.unit == "tce"
    assert {node["name"] for node in echarts["nodes"]} == {
        "E-MAIN E-MAIN meter",
        "E-AIR E-AIR meter",
        "E-MELT E-MELT meter",
        "E-FURNACE E-FURNACE meter",
        "G-FURNACE G-FURNACE meter",
        loss_node_name("E-MAIN E-MAIN meter"),
        loss_node_name("E-MELT E-MELT meter"),
    }
    assert links == pytest.approx(
        {
            ("E-MAIN E-MAIN meter", "E-AIR E-AIR meter"): tce_of_kwh(AIR),
            ("E-MAIN E-MAIN meter", "E-MELT E-MELT meter"): tce_of_kwh(MELT),
            ("E-MELT E-MELT meter", "E-FURNACE E-FURNACE meter"): tce_of_kwh(FURNACE),
            ("E-MELT E-MELT meter", loss_node_name("E-MELT E-MELT meter")): tce_of_kwh(MELT - FURNACE),
            ("E-MAIN E-MAIN meter", loss_node_name("E-MAIN E-MAIN meter")): tce_of_kwh(MAIN - MELT - AIR),
        }
    )


def test_balance_checks_of_parent_meters(diagnosis):
    balances = {balance.parent: balance for balance in diagnosis.balances}

    assert set(balances) == {"E-MAIN E-MAIN meter", "E-MELT E-MELT meter"}
    main = balances["E-MAIN E-MAIN meter"]
    assert main.unit == "kWh"
    assert main.difference == pytest.approx(960.0)
    assert main.difference_percent == pytest.approx(20.0)
    assert main.finding is not None
    assert main.finding.code == FindingCode.UNMETERED_OVER_TOLERANCE
    melt = balances["E-MELT E-MELT meter"]
    assert melt.difference_percent == pytest.approx(4.0)
    assert melt.finding is None
    assert [finding.code for finding in diagnosis.findings] == [FindingCode.UNMETERED_OVER_TOLERANCE]


def test_missing_hours_are_incomplete_data(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger(36)

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    incomplete = [finding for finding in diagnosis.findings if finding.code == DiagnosisFindingCode.INCOMPLETE_DATA]
    assert len(incomplete) == 5
    assert incomplete[0].evidence["coverage_percent"] == pytest.approx(75.0)


def test_grid_factor_falls_back_to_national(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger()
    Factor.objects.filter(kind="grid_emission", region="east_china").delete()

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    grid = next(factor for factor in diagnosis.factors if factor.kind == "grid_emission")
    assert (grid.region, grid.data_year, grid.provisional) == ("national", 2023, True)
    assert diagnosis.total_co2_t == pytest.approx(MAIN * 0.5306 / 1000)
    codes = [finding.code for finding in diagnosis.findings]
    assert DiagnosisFindingCode.GRID_FACTOR_NATIONAL_FALLBACK in codes


def test_missing_grid_factor_leaves_co2_undefined(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger()
    Factor.objects.filter(kind="grid_emission").delete()

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    assert diagnosis.total_co2_t is None
    assert diagnosis.unit_ranking.co2.vital_few == ()
    assert [item.code for item in diagnosis.priorities] == ["furnace", "air"]
    assert all(item.electricity_co2_t is None for item in diagnosis.priorities)
    assert "No grid emission factor for 2024" in diagnosis.priorities[0].reason
    assert diagnosis.total_tce is not None


def test_missing_coal_factor_leaves_energy_undefined(diagnosis_site, diagnosis_ledger, tmp_path):
    diagnosis_ledger()
    add_meter(diagnosis_site, "S-AIR", "air", resource="steam", unit="t")
    import_hourly(diagnosis_site, tmp_path / "steam.csv", FIRST_DAY, 48, {"S-AIR": 0.5})

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    units = units_by_code(diagnosis)
    assert units["air"].direct_tce is None
    assert "No standard coal factor for steam in 2024" in units["air"].energy_reason
    assert diagnosis.total_tce is None
    assert [item.item.key for item in diagnosis.unit_ranking.energy.ranking.items] == ["furnace", "ws", "melt", "line"]
    codes = [finding.code for finding in diagnosis.findings]
    assert DiagnosisFindingCode.MISSING_STANDARD_COAL_FACTOR in codes


def test_meter_without_unit_is_own_item(diagnosis_site, diagnosis_ledger, tmp_path):
    diagnosis_ledger()
    add_meter(diagnosis_site, "E-CANTEEN", None)
    import_hourly(diagnosis_site, tmp_path / "canteen.csv", FIRST_DAY, 48, {"E-CANTEEN": 5.0})

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    unassigned = units_by_code(diagnosis)[""]
    assert unassigned.unit_id is None
    assert unassigned.name == "Meters without an organisation unit"
    assert unassigned.direct_tce == pytest.approx(tce_of_kwh(240.0))


def test_virtual_meters_are_not_counted(diagnosis_site, diagnosis_ledger):
    meters = diagnosis_ledger()
    virtual = add_meter(diagnosis_site, "E-REST", "ws", is_virtual=True)
    virtual.terms.create(source=meters["E-MAIN"], sign=1)
    virtual.terms.create(source=meters["E-MELT"], sign=-1)

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    assert "E-REST" not in {meter.code for meter in diagnosis.meters}
    assert diagnosis.total_tce == pytest.approx(tce_of_kwh(MAIN) + GAS * KGCE_PER_NM3_GAS / 1000)


def test_parent_cycle_is_broken_with_finding(diagnosis_site, diagnosis_ledger):
    meters = diagnosis_ledger()
    # Meter.clean does not look for cycles, so an edit can close one.
    meters["E-MAIN"].parent = meters["E-FURNACE"]
    meters["E-MAIN"].save()

    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    cycle = [finding for finding in diagnosis.findings if finding.code == DiagnosisFindingCode.METER_TREE_CYCLE]
    assert len(cycle) == 1
    assert diagnosis.total_tce is not None


def test_period_must_not_be_reversed(diagnosis_site):
    with pytest.raises(ValueError, match="after it ends"):
        diagnose_site(diagnosis_site, LAST_DAY, FIRST_DAY)


def test_empty_period_has_empty_rankings(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger()

    diagnosis = diagnose_site(diagnosis_site, date(2024, 4, 1), date(2024, 4, 30))

    assert diagnosis.total_tce == 0.0
    assert diagnosis.unit_ranking.energy.reason == "zero_total"
    assert diagnosis.priorities == ()
    assert diagnosis.sankey.links == ()


def test_query_count_does_not_grow_with_days(diagnosis_site, diagnosis_ledger, django_assert_max_num_queries):
    diagnosis_ledger()

    with CaptureQueriesContext(connection) as one_day:
        diagnose_site(diagnosis_site, FIRST_DAY, FIRST_DAY)
    with CaptureQueriesContext(connection) as two_days:
        diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)
    # Meters, units, the grouped rollup sum, and one factor per resource and kind (coal ×2, grid).
    with django_assert_max_num_queries(6):
        diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    assert len(one_day.captured_queries) == len(two_days.captured_queries)

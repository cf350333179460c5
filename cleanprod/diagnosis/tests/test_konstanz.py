"""The demo's Konstanz industrial3 building: an incomer whose 17 sub-meters measure about 89 % of it.

The data are the real OPSD registers loaded by `load_demo`. Over the two weeks the data set's
SOURCE.md gives grid import 25,437 kWh and a sub-meter sum of 22,717 kWh.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from cleanprod.diagnosis.analysis import FindingCode, loss_node_name
from cleanprod.diagnosis.services import DiagnosisFindingCode, diagnose_site
from cleanprod.organization.models import Site

pytestmark = pytest.mark.django_db

INCOMER = "DE_KN_industrial3_grid_import"


@pytest.fixture
def konstanz_site(media_root) -> Site:
    call_command("load_demo", site=["konstanz-industrial3"], stdout=StringIO())
    return Site.objects.get(code="konstanz-industrial3")


def test_konstanz_sankey_has_one_loss_node(konstanz_site):
    diagnosis = diagnose_site(konstanz_site, date(2016, 5, 2), date(2016, 5, 15))

    incomer = next(meter for meter in diagnosis.meters if meter.code == INCOMER)
    assert len(diagnosis.sankey.losses) == 1
    loss = diagnosis.sankey.losses[0]
    assert loss.source == incomer.label
    assert loss.target == loss_node_name(incomer.label)
    assert incomer.energy_tce is not None
    assert loss.value / incomer.energy_tce == pytest.approx(1 - 22_717 / 25_437, abs=0.005)
    assert incomer.quantity == pytest.approx(25_437, rel=0.001)
    # The virtual remainder meter of the demo is not counted a second time.
    assert "DE_KN_industrial3_unmetered" not in {meter.code for meter in diagnosis.meters}


def test_konstanz_balance_and_missing_co2(konstanz_site):
    diagnosis = diagnose_site(konstanz_site, date(2016, 5, 2), date(2016, 5, 15))

    (balance,) = diagnosis.balances
    assert balance.difference_percent == pytest.approx(100 * (1 - 22_717 / 25_437), abs=0.5)
    assert balance.finding is not None
    assert balance.finding.code == FindingCode.UNMETERED_OVER_TOLERANCE
    # The MEE/NBS series starts in 2021, and a later year's factor never applies to 2016.
    assert diagnosis.total_co2_t is None
    codes = {finding.code for finding in diagnosis.findings}
    assert DiagnosisFindingCode.MISSING_GRID_FACTOR in codes
    assert DiagnosisFindingCode.INCOMPLETE_DATA not in codes


def test_konstanz_priorities_without_pv(konstanz_site):
    diagnosis = diagnose_site(konstanz_site, date(2016, 5, 2), date(2016, 5, 15))

    # The PV meters are on-site generation, not consumption, so they are not ranked. Utilities
    # (44 %) and machining (37 %) then cross 80 % together, and the building's unmetered
    # remainder (11 %) falls just outside the vital few.
    assert [item.code for item in diagnosis.priorities] == ["utilities", "machining"]
    assert [round(item.energy_share_percent or 0) for item in diagnosis.priorities] == [44, 37]
    assert all(item.in_energy_pareto for item in diagnosis.priorities)
    assert all(item.electricity_co2_t is None for item in diagnosis.priorities)
    assert "No grid emission factor for 2016" in diagnosis.priorities[0].reason


def test_konstanz_pv_not_counted_as_consumption(konstanz_site):
    diagnosis = diagnose_site(konstanz_site, date(2016, 5, 2), date(2016, 5, 15))

    assert not any("_pv_" in meter.code for meter in diagnosis.meters)
    units = {unit.code: unit for unit in diagnosis.units}
    assert units["pv"].direct_tce == 0.0
    assert units["building"].direct_tce == pytest.approx(diagnosis.sankey.losses[0].value)
    shares = {ranked.item.key: ranked.share_percent or 0.0 for ranked in diagnosis.unit_ranking.energy.ranking.items}
    assert round(shares["building"]) == 11

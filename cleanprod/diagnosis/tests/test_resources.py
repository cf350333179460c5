"""Rankings of organisation units by fresh water and by waste."""

from datetime import date
from pathlib import Path

import pytest

from cleanprod.diagnosis.resources import rank_units_by_waste, rank_units_by_water
from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def water_site(tmp_path: Path) -> Site:
    enterprise = Enterprise.objects.create(name="Water", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="water", name="Water site")
    dyeing = OrganizationUnit.objects.create(site=site, code="dyeing", name="Dyeing", kind="workshop")
    finishing = OrganizationUnit.objects.create(site=site, code="finishing", name="Finishing", kind="workshop")
    fresh = Resource.objects.get(code="fresh_water")
    waste = Resource.objects.get(code="general_solid_waste")
    main = Meter.objects.create(
        site=site,
        code="W-MAIN",
        name="Main",
        resource=fresh,
        unit="m3",
        reading_kind="interval",
        interval_minutes=1440,
        organization_unit=dyeing,
    )
    Meter.objects.create(
        site=site,
        code="W-SUB",
        name="Sub",
        resource=fresh,
        unit="m3",
        reading_kind="interval",
        interval_minutes=1440,
        organization_unit=dyeing,
        parent=main,
    )
    Meter.objects.create(
        site=site,
        code="W-FIN",
        name="Finishing",
        resource=fresh,
        unit="m3",
        reading_kind="interval",
        interval_minutes=1440,
        organization_unit=finishing,
    )
    Meter.objects.create(
        site=site,
        code="SW-DYE",
        name="Sludge",
        resource=waste,
        unit="t",
        reading_kind="interval",
        interval_minutes=1440,
        organization_unit=dyeing,
    )
    Meter.objects.create(
        site=site,
        code="SW-FIN",
        name="Scrap",
        resource=waste,
        unit="kg",
        reading_kind="interval",
        interval_minutes=1440,
        organization_unit=finishing,
    )
    path = tmp_path / "water.csv"
    path.write_text("timestamp,W-MAIN,W-SUB,W-FIN,SW-DYE,SW-FIN\n2024-03-02 00:00,300,100,100,2,500\n")
    import_readings(ImportRequest(site=site, path=path, layout=WideLayout(("timestamp",)), dry_run=False))
    return site


def test_water_ranking_counts_each_meter_once(water_site):
    result = rank_units_by_water(water_site, date(2024, 3, 1), date(2024, 3, 1))

    values = {ranked.item.key: ranked.item.value for ranked in result.ranking.items}
    # The sub-meter W-SUB is inside W-MAIN, so dyeing has 300 m3, not 400.
    assert values == {"dyeing": pytest.approx(300.0), "finishing": pytest.approx(100.0)}
    assert result.ranking.unit == "m3"
    assert [ranked.item.key for ranked in result.vital_few] == ["dyeing", "finishing"]


def test_waste_ranking_converts_to_tonnes(water_site):
    result = rank_units_by_waste(water_site, date(2024, 3, 1), date(2024, 3, 1))

    values = {ranked.item.key: ranked.item.value for ranked in result.ranking.items}
    assert values == {"dyeing": pytest.approx(2.0), "finishing": pytest.approx(0.5)}
    assert result.ranking.unit == "t"
    assert result.ranking.items[0].share_percent == pytest.approx(80.0)

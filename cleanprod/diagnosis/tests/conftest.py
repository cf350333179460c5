"""Fixtures of the diagnosis tests: the site and ledger described in ledger.py."""

from collections.abc import Callable
from pathlib import Path

import pytest

from cleanprod.metering.models import Meter
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind

from .ledger import FIRST_DAY, HOURLY_GAS_NM3, HOURLY_KWH, HOURS, add_meter, import_hourly


@pytest.fixture
def diagnosis_site(db: None) -> Site:
    enterprise = Enterprise.objects.create(name="Diagnosis group", uscc="91310000MA1FL5LX3K", industry_code="C3391")
    site = Site.objects.create(
        enterprise=enterprise, code="diag", name="Diagnosis plant", time_zone="Asia/Shanghai", grid_region="east_china"
    )
    workshop = OrganizationUnit.objects.create(site=site, code="ws", name="Casting workshop", kind=UnitKind.WORKSHOP)
    line = OrganizationUnit.objects.create(
        site=site, code="line", name="Line 1", kind=UnitKind.PRODUCTION_LINE, parent=workshop
    )
    melt = OrganizationUnit.objects.create(site=site, code="melt", name="Melting", kind=UnitKind.PROCESS, parent=line)
    OrganizationUnit.objects.create(site=site, code="furnace", name="Furnace", kind=UnitKind.EQUIPMENT, parent=melt)
    OrganizationUnit.objects.create(site=site, code="air", name="Compressed air", kind=UnitKind.UTILITY_SYSTEM)
    return site


@pytest.fixture
def diagnosis_meters(diagnosis_site: Site) -> dict[str, Meter]:
    main = add_meter(diagnosis_site, "E-MAIN", "ws")
    melt = add_meter(diagnosis_site, "E-MELT", "melt", parent=main)
    return {
        "E-MAIN": main,
        "E-MELT": melt,
        "E-FURNACE": add_meter(diagnosis_site, "E-FURNACE", "furnace", parent=melt),
        "E-AIR": add_meter(diagnosis_site, "E-AIR", "air", parent=main),
        "G-FURNACE": add_meter(diagnosis_site, "G-FURNACE", "furnace", resource="natural_gas", unit="Nm3"),
    }


@pytest.fixture
def diagnosis_ledger(
    diagnosis_site: Site, diagnosis_meters: dict[str, Meter], tmp_path: Path
) -> Callable[[int], dict[str, Meter]]:
    """Return a loader of the ledger's hourly values for a number of hours from 2024-03-01 00:00."""

    def load(hours: int = HOURS) -> dict[str, Meter]:
        values = {**HOURLY_KWH, "G-FURNACE": HOURLY_GAS_NM3}
        import_hourly(diagnosis_site, tmp_path / f"ledger-{hours}.csv", FIRST_DAY, hours, values)
        return diagnosis_meters

    return load

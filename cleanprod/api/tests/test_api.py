"""The JSON API end to end: a ledger loaded through the real import pipeline, read by the persona users.

Site A's ledger over the local days 2024-03-01 and 2024-03-02 (Asia/Shanghai, national grid):

    E-A-MAIN (on workshop ws1, 100 kWh/h) ── E-A-MELT (on process ws1-line1-melt, 60 kWh/h)
    G-A-FURNACE (on equipment ws1-line1-melt-furnace, natural gas, 10 Nm3/h, no parent)

and 12 t of product on the workshop. So the site uses 4,800 kWh (the sub-meter is not added)
and 480 Nm3, and E-A-MAIN leaves 40 % of its electricity unmetered by sub-meters.
"""

import csv
import re
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.forms import MAX_PERIOD_DAYS
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2024-03-01", "end": "2024-03-02"}
HOURLY_VALUES = {"E-A-MAIN": 100.0, "E-A-MELT": 60.0, "G-A-FURNACE": 10.0}
HOURS = 48

# GB/T 2589 coefficients as seeded, in tce per canonical unit.
ELECTRICITY_TCE_PER_KWH = 0.1229e-3
NATURAL_GAS_TCE_PER_NM3 = 1.2143e-3
SITE_TCE = 4_800 * ELECTRICITY_TCE_PER_KWH + 480 * NATURAL_GAS_TCE_PER_NM3

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def add_meter(site: Site, code: str, unit_code: str, resource: str = "electricity", **extra) -> Meter:
    meter = Meter(
        site=site,
        code=code,
        name=f"{code} meter",
        organization_unit=site.units.get(code=unit_code),
        resource=Resource.objects.get(code=resource),
        unit=extra.pop("unit", "kWh"),
        reading_kind="interval",
        interval_minutes=60,
        **extra,
    )
    meter.full_clean()
    meter.save()
    return meter


def import_hourly(site: Site, path: Path) -> None:
    """Write one interval value per meter and hour, labelled at the hour's end, and import it."""
    rows: list[list[object]] = [["timestamp", *HOURLY_VALUES]]
    for hour in range(1, HOURS + 1):
        day = date(2024, 3, 1).toordinal() + hour // 24
        rows.append([f"{date.fromordinal(day).isoformat()} {hour % 24:02d}:00", *HOURLY_VALUES.values()])
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    report = import_readings(
        ImportRequest(site=site, path=path, layout=WideLayout(timestamp_columns=("timestamp",)), dry_run=False)
    )
    assert report["rejected"] == 0, report


@pytest.fixture
def ledger(site_a: Site, meter_a: Meter, tmp_path: Path) -> dict[str, Meter]:
    meter_a.reading_kind = "interval"
    meter_a.interval_minutes = 60
    meter_a.save()
    meters = {
        "E-A-MAIN": meter_a,
        "E-A-MELT": add_meter(site_a, "E-A-MELT", "ws1-line1-melt", parent=meter_a),
        "G-A-FURNACE": add_meter(site_a, "G-A-FURNACE", "ws1-line1-melt-furnace", resource="natural_gas", unit="Nm3"),
    }
    import_hourly(site_a, tmp_path / "ledger.csv")
    ProductionRecord.objects.create(
        site=site_a,
        organization_unit=site_a.units.get(code="ws1"),
        product=Resource.objects.get(code="product"),
        period_start=date(2024, 3, 1),
        period_end=date(2024, 3, 2),
        quantity=Decimal("12"),
        unit="t",
        reference="MES-0301",
    )
    return meters


def endpoints(site: Site, meter: Meter) -> list[str]:
    """Return the URL of every data endpoint for objects of one site, period included."""
    unit = site.units.get(code="ws1")
    query = "?start=2024-03-01&end=2024-03-02"
    return [
        f"/api/sites/{site.pk}/indicators{query}",
        f"/api/units/{unit.pk}/indicators{query}",
        f"/api/meters/{meter.pk}/daily{query}",
        f"/api/meters/{meter.pk}/hourly{query}",
        f"/api/sites/{site.pk}/diagnosis{query}",
        f"/api/sites/{site.pk}/diagnosis/priorities.xlsx{query}",
    ]


def consumption(body: dict, resource: str) -> dict:
    return next(item for item in body["consumption"] if item["resource"] == resource)


# -- Sites -----------------------------------------------------------------------------


def test_sites_lists_callers_sites(client_for, alice, site_a, site_b):
    response = client_for(alice).get("/api/sites")

    assert response.status_code == 200
    (site,) = response.json()
    assert site["id"] == site_a.pk
    assert site["code"] == "site-a"
    assert site["enterprise"] == "华东精密铸造有限公司"
    assert [unit["code"] for unit in site["units"]] == [
        "air",
        "ws1",
        "ws1-line1",
        "ws1-line1-melt",
        "ws1-line1-melt-furnace",
    ]
    assert [meter["code"] for meter in site["meters"]] == ["E-A-MAIN"]
    assert site["meters"][0]["unit"] == "kWh"


def test_sites_of_ehs_manager_cover_all(client_for, erin, site_a, site_b):
    codes = [site["code"] for site in client_for(erin).get("/api/sites").json()]

    assert codes == ["site-a", "site-b"]


def test_sites_of_bob_are_site_b_only(client_for, bob, site_a, site_b):
    codes = [site["code"] for site in client_for(bob).get("/api/sites").json()]

    assert codes == ["site-b"]


def test_sites_of_charlie_are_empty(client_for, charlie, site_a, site_b):
    response = client_for(charlie).get("/api/sites")

    assert response.status_code == 200
    assert response.json() == []


def test_sites_query_count_is_fixed(client_for, erin, ledger, site_b, django_assert_max_num_queries):
    client = client_for(erin)

    # Session, user, membership check, sites, and one prefetch each for units and meters.
    with django_assert_max_num_queries(6):
        response = client.get("/api/sites")

    assert response.status_code == 200


# -- Indicators ------------------------------------------------------------------------


def test_site_indicators_from_ledger(client_for, alice, site_a, ledger):
    response = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", PERIOD)

    assert response.status_code == 200
    body = response.json()
    assert body["site_id"] == site_a.pk
    assert body["organization_unit_id"] is None
    assert body["start"] == "2024-03-01"
    assert body["end"] == "2024-03-02"
    assert body["partial"] is False
    assert body["coverage"] == pytest.approx(1.0)
    assert body["completeness"]["period_seconds"] == 2 * 86_400
    electricity = consumption(body, "electricity")
    assert electricity["quantity"] == pytest.approx(4_800.0)
    assert electricity["meter_codes"] == ["E-A-MAIN"]
    assert electricity["by_year"] == [{"year": 2024, "quantity": pytest.approx(4_800.0)}]
    assert consumption(body, "natural_gas")["quantity"] == pytest.approx(480.0)
    assert body["comprehensive_energy_tce"]["value"] == pytest.approx(SITE_TCE)
    assert body["comprehensive_energy_tce"]["undefined"] is None
    assert body["energy_intensity_kgce_per_unit"] is None


def test_site_indicators_scope2_uses_listed_factor(client_for, alice, site_a, ledger):
    body = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", PERIOD).json()

    (part,) = body["scope2_parts"]
    factor = next(item for item in body["factors"] if item["factor_id"] == part["factor_id"])
    assert factor["kind"] == "grid_emission"
    assert factor["region"] == "national"
    assert isinstance(factor["value"], float)
    assert body["electricity_scope2_tco2"]["value"] == pytest.approx(part["result"])
    assert [(item["kind"], item["resource"]) for item in body["factors"]] == [
        ("standard_coal", "electricity"),
        ("standard_coal", "natural_gas"),
        ("grid_emission", "electricity"),
        ("fuel_ncv", "natural_gas"),
        ("fuel_carbon_content", "natural_gas"),
        ("fuel_oxidation", "natural_gas"),
    ]


def test_site_indicators_per_product(client_for, alice, site_a, ledger):
    body = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", {**PERIOD, "product": "product"}).json()

    assert body["product"] == "product"
    assert body["product_unit"] == "t"
    assert body["net_output"] == pytest.approx(12.0)
    assert body["energy_intensity_kgce_per_unit"]["value"] == pytest.approx(SITE_TCE * 1000 / 12)
    electricity = next(item for item in body["resource_intensities"] if item["resource"] == "electricity")
    assert electricity["unit"] == "kWh/t"
    assert electricity["value"] == {"value": pytest.approx(400.0), "undefined": None}


def test_undefined_intensity_is_null_with_reason(client_for, alice, site_a, ledger):
    query = {**PERIOD, "product": "product_pieces"}

    body = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", query, **EN).json()

    assert body["energy_intensity_kgce_per_unit"] == {
        "value": None,
        "undefined": {
            "reason": "no_production",
            "message": "No production in the period, so there is no intensity.",
        },
    }


def test_site_indicators_partial_period(client_for, alice, site_a, ledger):
    query = {"start": "2024-03-01", "end": "2024-03-03"}

    body = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", query).json()

    assert body["partial"] is True
    assert body["coverage"] == pytest.approx(2 / 3)


def test_unit_indicators_count_subtree(client_for, alice, site_a, ledger):
    melt = site_a.units.get(code="ws1-line1-melt")

    body = client_for(alice).get(f"/api/units/{melt.pk}/indicators", PERIOD).json()

    assert body["organization_unit_id"] == melt.pk
    assert consumption(body, "electricity")["quantity"] == pytest.approx(2_880.0)
    assert consumption(body, "electricity")["meter_codes"] == ["E-A-MELT"]
    assert consumption(body, "natural_gas")["quantity"] == pytest.approx(480.0)


def test_indicators_query_count_is_fixed(client_for, alice, site_a, ledger, django_assert_max_num_queries):
    client = client_for(alice)
    url = f"/api/sites/{site_a.pk}/indicators"

    # Session, user, membership check, site, product, meters, rollup totals, six factor
    # look-ups (coal and grid, and three for the gas's combustion), the production records and
    # the output value records: none of them grows with the number of days.
    with django_assert_max_num_queries(15):
        response = client.get(url, {**PERIOD, "product": "product"})

    assert response.status_code == 200


def test_unknown_product_is_rejected(client_for, alice, site_a, ledger):
    response = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", {**PERIOD, "product": "steam"}, **EN)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_product"
    assert error["message"] == "steam is not the code of a product resource; use a code from the resource list."


# -- Meter series ----------------------------------------------------------------------


def test_daily_series_from_rollups(client_for, alice, ledger):
    meter = ledger["E-A-MAIN"]

    response = client_for(alice).get(f"/api/meters/{meter.pk}/daily", {"start": "2024-03-01", "end": "2024-03-03"})

    assert response.status_code == 200
    body = response.json()
    assert body["meter"]["code"] == "E-A-MAIN"
    assert body["unit"] == "kWh"
    assert [point["day"] for point in body["points"]] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert [point["quantity"] for point in body["points"]] == [pytest.approx(2_400.0), pytest.approx(2_400.0), 0.0]
    assert [point["coverage"] for point in body["points"]] == [pytest.approx(1.0), pytest.approx(1.0), 0.0]
    assert [point["estimated"] for point in body["points"]] == [0.0, 0.0, 0.0]
    assert [point["suspect"] for point in body["points"]] == [0.0, 0.0, 0.0]


def test_daily_query_count_is_fixed(client_for, alice, ledger, django_assert_max_num_queries):
    client = client_for(alice)
    url = f"/api/meters/{ledger['E-A-MAIN'].pk}/daily"

    # Session, user, membership check, meter and rollups, for a whole year of days.
    with django_assert_max_num_queries(5):
        response = client.get(url, {"start": "2024-01-01", "end": "2024-12-31"})

    assert response.status_code == 200
    assert len(response.json()["points"]) == 366


def test_hourly_series_in_site_time(client_for, alice, ledger):
    meter = ledger["E-A-MELT"]

    response = client_for(alice).get(f"/api/meters/{meter.pk}/hourly", {"start": "2024-03-02", "end": "2024-03-03"})

    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "Asia/Shanghai"
    points = body["points"]
    assert len(points) == 48
    assert points[0]["hour_start"] == "2024-03-02T00:00:00+08:00"
    assert points[23]["hour_start"] == "2024-03-02T23:00:00+08:00"
    assert [point["quantity"] for point in points[:24]] == [pytest.approx(60.0)] * 24
    assert [point["coverage"] for point in points[:24]] == [pytest.approx(1.0)] * 24
    assert [point["coverage"] for point in points[24:]] == [0.0] * 24


# -- Diagnosis -------------------------------------------------------------------------


def test_diagnosis_totals_and_balance(client_for, alice, site_a, ledger):
    response = client_for(alice).get(f"/api/sites/{site_a.pk}/diagnosis", PERIOD)

    assert response.status_code == 200
    body = response.json()
    assert body["site_id"] == site_a.pk
    assert body["total_tce"] == pytest.approx(SITE_TCE)
    assert [meter["code"] for meter in body["meters"]] == ["E-A-MAIN", "E-A-MELT", "G-A-FURNACE"]
    (balance,) = body["balances"]
    assert balance["parent"] == "E-A-MAIN A 总进线电表"
    assert balance["parent_quantity"] == pytest.approx(4_800.0)
    assert balance["children_quantity"] == pytest.approx(2_880.0)
    assert balance["difference_percent"] == pytest.approx(40.0)
    assert balance["finding"]["code"] == "unmetered_over_tolerance"


def test_diagnosis_rankings_and_priorities(client_for, alice, site_a, ledger):
    body = client_for(alice).get(f"/api/sites/{site_a.pk}/diagnosis", PERIOD).json()

    energy = body["rankings"]["units"]["energy"]
    assert energy["unit"] == "tce"
    assert energy["total"] == pytest.approx(SITE_TCE)
    # The line and the compressed-air system have no meters of their own, so they rank last with 0 tce.
    assert [item["key"] for item in energy["items"]] == [
        "ws1-line1-melt-furnace",
        "ws1-line1-melt",
        "ws1",
        "ws1-line1",
        "air",
    ]
    assert energy["items"][0]["value"] == pytest.approx(480 * NATURAL_GAS_TCE_PER_NM3)
    assert energy["items"][2]["cumulative_percent"] == pytest.approx(100.0)
    # Furnace and melting make up 79.9 %, just short of 80 %, so the workshop is in the vital few too.
    assert [item["vital"] for item in energy["items"]] == [True, True, True, False, False]
    assert [item["code"] for item in body["priorities"]] == ["ws1-line1-melt-furnace", "ws1-line1-melt", "ws1"]
    assert body["priorities"][1]["energy_tce"] == pytest.approx(2_880 * ELECTRICITY_TCE_PER_KWH)
    assert body["rankings"]["equipment"]["energy"]["items"][0]["key"] == "ws1-line1-melt-furnace"


def test_diagnosis_sankey_and_factors(client_for, alice, site_a, ledger):
    body = client_for(alice).get(f"/api/sites/{site_a.pk}/diagnosis", PERIOD, **EN).json()

    sankey = body["sankey"]
    assert sankey["unit"] == "tce"
    names = [node["name"] for node in sankey["nodes"]]
    assert names[:2] == ["E-A-MAIN A 总进线电表", "E-A-MELT E-A-MELT meter"]
    (loss,) = sankey["losses"]
    assert loss["source"] == "E-A-MAIN A 总进线电表"
    assert loss["value"] == pytest.approx(1_920 * ELECTRICITY_TCE_PER_KWH)
    assert loss in sankey["links"]
    assert {(factor["kind"], factor["resource"]) for factor in body["factors"]} == {
        ("standard_coal", "electricity"),
        ("standard_coal", "natural_gas"),
        ("grid_emission", "electricity"),
    }


def test_priorities_workbook_download(client_for, alice, site_a, ledger):
    response = client_for(alice).get(f"/api/sites/{site_a.pk}/diagnosis/priorities.xlsx", PERIOD)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="priorities-site-a-2024-03-01-2024-03-02.xlsx"'
    workbook = load_workbook(BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["ws1-line1-melt-furnace", "ws1-line1-melt", "ws1"]
    assert rows[0][4] == pytest.approx(480 * NATURAL_GAS_TCE_PER_NM3)


# -- Site isolation and authentication --------------------------------------------------


def test_other_site_objects_are_not_found(client_for, alice, ledger, site_b, meter_b):
    client = client_for(alice)

    for url in endpoints(site_b, meter_b):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found", url


def test_missing_objects_look_like_other_sites(client_for, alice, site_b, meter_b):
    other = client_for(alice).get(f"/api/sites/{site_b.pk}/indicators", PERIOD, **EN).json()
    missing = client_for(alice).get("/api/sites/999999/indicators", PERIOD, **EN).json()

    assert other["error"]["message"] == f"No site with id {site_b.pk} exists on the sites you can see."
    assert missing["error"]["message"] == "No site with id 999999 exists on the sites you can see."


def test_charlie_finds_no_objects(client_for, charlie, ledger, site_a):
    client = client_for(charlie)

    for url in endpoints(site_a, ledger["E-A-MAIN"]):
        assert client.get(url).status_code == 404, url


def test_bob_reads_own_site(client_for, bob, site_b, meter_b):
    client = client_for(bob)

    for url in endpoints(site_b, meter_b):
        assert client.get(url).status_code == 200, url


def test_anonymous_gets_401(client, ledger, site_a):
    urls = ["/api/sites", *endpoints(site_a, ledger["E-A-MAIN"])]

    for url in urls:
        response = client.get(url, **EN)
        assert response.status_code == 401, url
        assert response.json() == {"error": {"code": "not_authenticated", "message": "Log in to use the API."}}


def test_unknown_path_is_json_404(client_for, alice):
    response = client_for(alice).get("/api/no-such-endpoint")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_id_is_400(client_for, alice):
    response = client_for(alice).get("/api/sites/abc/indicators", PERIOD, **EN)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == "site_id"


# -- Period validation -----------------------------------------------------------------


PERIOD_ERRORS = [
    ({"end": "2024-03-02"}, "missing_parameter", "The query parameter start is missing; give it as YYYY-MM-DD."),
    (
        {"start": "2024-3-1", "end": "2024-03-02"},
        "invalid_date",
        "start=2024-3-1 is not a date; give it as YYYY-MM-DD, e.g. 2024-03-01.",
    ),
    (
        {"start": "2024-03-01", "end": "2024-02-30"},
        "invalid_date",
        "end=2024-02-30 is not a date; give it as YYYY-MM-DD, e.g. 2024-03-01.",
    ),
    (
        {"start": "1709251200", "end": "2024-03-02"},
        "invalid_date",
        "start=1709251200 is not a date; give it as YYYY-MM-DD, e.g. 2024-03-01.",
    ),
    (
        {"start": "2024-03-02", "end": "2024-03-01"},
        "period_reversed",
        "The last day 2024-03-01 is before the first day 2024-03-02; swap the two dates.",
    ),
    (
        {"start": "2021-01-01", "end": "2024-01-02"},
        "period_too_long",
        f"The period from 2021-01-01 to 2024-01-02 has 1097 days; choose at most {MAX_PERIOD_DAYS} days.",
    ),
]


@pytest.mark.parametrize(("query", "code", "message"), PERIOD_ERRORS)
def test_invalid_period_is_400(client_for, alice, ledger, site_a, query, code, message):
    client = client_for(alice)

    for url in endpoints(site_a, ledger["E-A-MAIN"]):
        response = client.get(url.split("?")[0], query, **EN)
        assert response.status_code == 400, url
        error = response.json()["error"]
        assert error["code"] == code, url
        assert error["message"] == message, url


def test_three_years_are_accepted(client_for, alice, ledger):
    query = {"start": "2021-01-01", "end": "2024-01-01"}

    response = client_for(alice).get(f"/api/meters/{ledger['E-A-MAIN'].pk}/daily", query)

    assert response.status_code == 200
    assert len(response.json()["points"]) == MAX_PERIOD_DAYS


def test_error_code_independent_of_language(client_for, alice, site_a):
    url = f"/api/sites/{site_a.pk}/indicators"
    client = client_for(alice)

    chinese = client.get(url, {"end": "2024-03-02"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["error"]
    english = client.get(url, {"end": "2024-03-02"}, **EN).json()["error"]

    assert chinese["code"] == "missing_parameter"
    assert english["code"] == "missing_parameter"
    assert chinese["message"] != ""


# -- OpenAPI schema and docs -----------------------------------------------------------


def test_openapi_schema_lists_endpoints(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) == {
        "/api/sites",
        "/api/sites/{site_id}/indicators",
        "/api/sites/{site_id}/waste",
        "/api/units/{unit_id}/indicators",
        "/api/meters/{meter_id}/daily",
        "/api/meters/{meter_id}/hourly",
        "/api/sites/{site_id}/diagnosis",
        "/api/sites/{site_id}/diagnosis/priorities.xlsx",
        "/api/v1/readings/batch",
    }
    start = next(p for p in paths["/api/sites/{site_id}/indicators"]["get"]["parameters"] if p["name"] == "start")
    assert start["schema"]["format"] == "date"


def test_docs_page_uses_local_assets(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []


def test_site_indicators_include_co2_water_and_output_value(client_for, alice, site_a, ledger):
    body = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", {**PERIOD, "product": "product"}).json()

    assert body["total_co2_t"]["value"] is None or body["total_co2_t"]["value"] >= 0
    assert "fuel_scope1_tco2" in body
    assert body["energy_per_10k_cny"]["value"] is None
    assert body["energy_per_10k_cny"]["undefined"]["reason"] == "no_output_value"
    assert body["water_reuse_rate"]["undefined"]["reason"] == "no_data"
    assert body["exported"] == []
    assert body["co2_per_unit_product_t"] is not None


def test_equivalent_basis_without_factor_is_undefined(client_for, alice, site_a, ledger):
    body = (
        client_for(alice)
        .get(f"/api/sites/{site_a.pk}/indicators", {**PERIOD, "electricity_basis": "equivalent"})
        .json()
    )

    assert body["electricity_basis"] == "equivalent"
    assert body["comprehensive_energy_tce"]["value"] is None
    assert body["comprehensive_energy_tce"]["undefined"]["reason"] == "missing_factor"


def test_unknown_electricity_basis_is_rejected(client_for, alice, site_a, ledger):
    response = client_for(alice).get(f"/api/sites/{site_a.pk}/indicators", {**PERIOD, "electricity_basis": "primary"})

    assert response.status_code == 400


def test_diagnosis_includes_water_and_waste_rankings(client_for, alice, site_a, ledger):
    body = client_for(alice).get(f"/api/sites/{site_a.pk}/diagnosis", PERIOD).json()

    assert body["rankings"]["water"]["unit"] in {"m3", ""}
    assert "waste" in body["rankings"]


def test_site_waste_indicators(client_for, alice, site_a, ledger):
    from decimal import Decimal

    from cleanprod.production.models import DisposalRoute, WasteRecord
    from cleanprod.resources.models import Resource

    WasteRecord.objects.create(
        site=site_a,
        resource=Resource.objects.get(code="general_solid_waste"),
        period_start=PERIOD["start"],
        period_end=PERIOD["start"],
        generated_t=Decimal("100"),
        utilised_t=Decimal("70"),
        prior_stock_utilised_t=Decimal("10"),
        disposed_t=Decimal("20"),
        stored_t=Decimal("20"),
        disposal_route=DisposalRoute.choices[0][0],
    )

    body = client_for(alice).get(f"/api/sites/{site_a.pk}/waste", PERIOD).json()

    assert body["general"]["generated_t"] == pytest.approx(100.0)
    assert body["utilisation_rate"]["value"] == pytest.approx(70 / 110)


def test_site_waste_of_other_site_is_not_found(client_for, alice, site_b):
    response = client_for(alice).get(f"/api/sites/{site_b.pk}/waste", PERIOD)

    assert response.status_code == 404

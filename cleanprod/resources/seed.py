"""Seed rows for resources and factors, loaded by a data migration and editable afterwards.

Each factor names the document it comes from and a confidence mark: V when the value was
checked against a retrieved page of the source, C when only secondary reproductions agree,
U for defaults that users must confirm.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Model

# (code, Chinese name, English name, category, canonical unit, is_energy, HW category)
RESOURCES: list[tuple[str, str, str, str, str, bool, str]] = [
    ("electricity", "电力", "Electricity", "electricity", "kWh", True, ""),
    ("natural_gas", "天然气", "Natural gas", "fuel", "Nm3", True, ""),
    ("raw_coal", "原煤", "Raw coal", "fuel", "t", True, ""),
    ("anthracite", "无烟煤", "Anthracite", "fuel", "t", True, ""),
    ("bituminous_coal", "烟煤", "Bituminous coal", "fuel", "t", True, ""),
    ("washed_coal", "洗精煤", "Washed coal", "fuel", "t", True, ""),
    ("coke", "焦炭", "Coke", "fuel", "t", True, ""),
    ("diesel", "柴油", "Diesel oil", "fuel", "t", True, ""),
    ("gasoline", "汽油", "Gasoline", "fuel", "t", True, ""),
    ("lpg", "液化石油气", "Liquefied petroleum gas", "fuel", "t", True, ""),
    ("fuel_oil", "燃料油", "Fuel oil", "fuel", "t", True, ""),
    ("steam", "蒸汽", "Steam", "heat", "t", True, ""),
    ("heat", "热力", "Heat", "heat", "GJ", True, ""),
    ("fresh_water", "新水", "Fresh water", "water", "m3", False, ""),
    ("recycled_water", "回用水", "Recycled water", "water", "m3", False, ""),
    ("compressed_air", "压缩空气", "Compressed air", "energy_medium", "m3", False, ""),
    ("raw_material", "原辅材料", "Raw and auxiliary materials", "raw_material", "t", False, ""),
    ("limestone", "石灰石", "Limestone (CaCO3)", "raw_material", "t", False, ""),
    ("dolomite", "白云石", "Dolomite (CaMg(CO3)2)", "raw_material", "t", False, ""),
    ("product", "产品", "Product", "product", "t", False, ""),
    ("product_pieces", "产品（件）", "Product (pieces)", "product", "pcs", False, ""),
    ("general_solid_waste", "一般工业固体废物", "General industrial solid waste", "solid_waste", "t", False, ""),
    ("hw08_waste_mineral_oil", "废矿物油", "Waste mineral oil", "hazardous_waste", "t", False, "HW08"),
    ("hw17_surface_treatment_waste", "表面处理废物", "Surface treatment waste", "hazardous_waste", "t", False, "HW17"),
    ("hw49_other_waste", "其他危险废物", "Other hazardous waste", "hazardous_waste", "t", False, "HW49"),
    ("hw50_spent_catalyst", "废催化剂", "Spent catalyst", "hazardous_waste", "t", False, "HW50"),
    ("wastewater", "废水", "Wastewater", "wastewater", "m3", False, ""),
    ("so2", "二氧化硫", "Sulphur dioxide", "air_emission", "kg", False, ""),
    ("nox", "氮氧化物", "Nitrogen oxides", "air_emission", "kg", False, ""),
    ("particulate_matter", "颗粒物", "Particulate matter", "air_emission", "kg", False, ""),
    ("co2", "二氧化碳", "Carbon dioxide", "air_emission", "t", False, ""),
]

GBT_2589 = "GB/T 2589-2020 综合能耗计算通则, Appendix A (values as in the 2008 table layout)"
MEE_NBS = "生态环境部、国家统计局 电力二氧化碳排放因子公告"
CARBON_MARKET = "关于做好2023—2025年发电行业企业温室气体排放报告管理有关工作的通知 (2023-02)"
GBT_32151_22 = "GB/T 32151.22-2024 Table C.1 (as transcribed by secondary sources)"

_COAL_COEFFICIENTS = [
    # resource, kgce per unit, unit, confidence. Coefficients are kcal ÷ 7000 as tabulated.
    ("electricity", "0.1229", "kgce/kWh", "V"),
    ("raw_coal", "0.7143", "kgce/kg", "C"),
    ("washed_coal", "0.9000", "kgce/kg", "C"),
    ("coke", "0.9714", "kgce/kg", "C"),
    ("fuel_oil", "1.4286", "kgce/kg", "C"),
    ("gasoline", "1.4714", "kgce/kg", "C"),
    ("diesel", "1.4571", "kgce/kg", "C"),
    ("lpg", "1.7143", "kgce/kg", "C"),
    # Gas-field natural gas; oil-field gas is 1.3300. A site with the supplier's measured
    # calorific value should add its own version.
    ("natural_gas", "1.2143", "kgce/Nm3", "C"),
    ("heat", "0.03412", "kgce/MJ", "C"),
    # 耗能工质 (Appendix B): 0.0857 as commonly cited for the 2008 edition; 0.2571 also circulates.
    ("fresh_water", "0.0857", "kgce/t", "U"),
    ("compressed_air", "0.0400", "kgce/m3", "C"),
]

_GRID_MEE_NBS = [
    # (region, data year, kgCO2/kWh, confidence)
    ("national", 2021, "0.5568", "V"),
    ("national", 2022, "0.5366", "V"),
    ("national", 2023, "0.5306", "V"),
    ("north_china", 2022, "0.6776", "V"),
    ("north_china", 2023, "0.6361", "V"),
    ("northeast_china", 2022, "0.5564", "V"),
    ("northeast_china", 2023, "0.5122", "V"),
    ("east_china", 2022, "0.5617", "V"),
    ("east_china", 2023, "0.5500", "V"),
    ("central_china", 2022, "0.5395", "V"),
    ("central_china", 2023, "0.5271", "V"),
    ("northwest_china", 2022, "0.5857", "V"),
    ("northwest_china", 2023, "0.5543", "V"),
    ("south_china", 2022, "0.3869", "V"),
    ("southwest_china", 2022, "0.2268", "V"),
]

_CARBONATE_FACTORS = [
    # resource, tCO2 per t of pure carbonate: 44.0095 / 100.0869 for CaCO3, 2 × 44.0095 / 184.4008 for CaMg(CO3)2
    ("limestone", "0.43971"),
    ("dolomite", "0.47732"),
]

_FUEL_DEFAULTS = [
    # resource, NCV, NCV unit, carbon content (tC/TJ), oxidation rate
    ("anthracite", "26.7", "GJ/t", "27.4", "0.94"),
    ("bituminous_coal", "19.570", "GJ/t", "26.1", "0.93"),
    ("coke", "28.435", "GJ/t", "29.5", "0.93"),
    ("diesel", "42.652", "GJ/t", "20.2", "0.98"),
    ("gasoline", "43.070", "GJ/t", "18.9", "0.98"),
    ("lpg", "50.179", "GJ/t", "17.2", "0.98"),
    ("natural_gas", "389.31", "GJ/(万 * Nm3)", "15.3", "0.99"),
]


def factor_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for resource, value, unit, confidence in _COAL_COEFFICIENTS:
        rows.append(
            {
                "kind": "standard_coal",
                "resource": resource,
                "series": "gbt2589",
                "region": "national",
                "data_year": None,
                "value": Decimal(value),
                "unit": unit,
                "source": GBT_2589,
                "edition": "2020",
                "confidence": confidence,
            }
        )
    for region, year, value, confidence in _GRID_MEE_NBS:
        rows.append(
            {
                "kind": "grid_emission",
                "resource": "electricity",
                "series": "mee_nbs_average",
                "region": region,
                "data_year": year,
                "value": Decimal(value),
                "unit": "kgCO2/kWh",
                "source": MEE_NBS,
                "edition": str(year),
                "confidence": confidence,
            }
        )
    rows.append(
        {
            "kind": "grid_emission",
            "resource": "electricity",
            "series": "national_grid_carbon_market",
            "region": "national",
            "data_year": 2022,
            "value": Decimal("0.5703"),
            "unit": "tCO2/MWh",
            "source": CARBON_MARKET,
            "edition": "2023",
            "confidence": "V",
            "note": "全国电网平均排放因子 for carbon-market reporting; not the MEE/NBS series.",
        }
    )
    rows.append(
        {
            "kind": "heat_emission",
            "resource": "heat",
            "series": "ndrc_guidelines",
            "region": "national",
            "data_year": None,
            "value": Decimal("0.11"),
            "unit": "tCO2/GJ",
            "source": "企业温室气体排放核算方法与报告指南 default for purchased heat",
            "edition": "2015",
            "confidence": "C",
        }
    )
    for resource, value in _CARBONATE_FACTORS:
        rows.append(
            {
                "kind": "carbonate_emission",
                "resource": resource,
                "series": "stoichiometric",
                "region": "national",
                "data_year": None,
                "value": Decimal(value),
                "unit": "tCO2/t",
                "source": "stoichiometric M(CO2)/M(carbonate)",
                "edition": "",
                "confidence": "C",
            }
        )
    for resource, ncv, ncv_unit, carbon, oxidation in _FUEL_DEFAULTS:
        for kind, value, unit in (
            ("fuel_ncv", ncv, ncv_unit),
            ("fuel_carbon_content", carbon, "tC/TJ"),
            ("fuel_oxidation", oxidation, "1"),
        ):
            rows.append(
                {
                    "kind": kind,
                    "resource": resource,
                    "series": "gbt32151_22_2024",
                    "region": "national",
                    "data_year": None,
                    "value": Decimal(value),
                    "unit": unit,
                    "source": GBT_32151_22,
                    "edition": "2024",
                    "confidence": "C",
                }
            )
    return rows


def load_seed(resource_model: type[Model], factor_model: type[Model]) -> None:
    """Create the seeded resources and factors that are missing; existing rows are left as edited.

    The data migration calls this with historical models; tests that flush the database call
    it with the real ones.
    """
    by_code: dict[str, Model] = {}
    for code, name_zh, name_en, category, unit, is_energy, hw in RESOURCES:
        resource, _ = resource_model._default_manager.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "category": category,
                "canonical_unit": unit,
                "is_energy": is_energy,
                "hw_category": hw,
            },
        )
        by_code[code] = resource
    for row in factor_rows():
        values = dict(row)
        resource = by_code[values.pop("resource")]
        key = {name: values.pop(name) for name in ("kind", "series", "region", "data_year")}
        factor_model._default_manager.get_or_create(resource=resource, version=1, **key, defaults=values)

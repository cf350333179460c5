"""The demo's sites, organisation trees, meters and data sources, built on real public data."""

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

STEEL_FILE = DATA_DIR / "steel_industry" / "Steel_industry_data.csv"
HOUSEHOLD_FILE = DATA_DIR / "uci_household_power" / "household_power_consumption_2006-12-16_to_2006-12-27.txt"
KONSTANZ_FILE = DATA_DIR / "opsd_industrial_konstanz" / "opsd_household_industrial_60min_2016-05-02_to_2016-05-16.csv"


@dataclass(frozen=True)
class MeterSpec:
    code: str
    name: str
    unit_code: str | None
    unit: str
    reading_kind: str
    interval_minutes: int
    convention: str = "end"
    parent: str | None = None
    virtual_terms: tuple[tuple[str, int], ...] = ()
    flow: str = "consumption"  # a metering.models.MeterFlow value


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    time_zone: str
    note: str
    units: tuple[tuple[str, str, str, str | None], ...]  # code, name, kind, parent code
    meters: tuple[MeterSpec, ...]
    file: Path
    source_name: str
    mapping: dict[str, Any] = field(default_factory=dict)
    production_unit: str | None = None
    production_per_day: tuple[float, float] = (0.0, 0.0)  # mean and spread of generated output
    production_unit_of_measure: str = "t"
    product_code: str = "product"
    # Working calendar (weekday 0 = Monday, start, end); empty keeps the standard Mon–Fri 08:00–17:00.
    shifts: tuple[tuple[int, time, time], ...] = ()
    official_holidays: bool = True  # the Chinese official holidays and adjusted working days
    off_hours_rule: bool = False  # add a site-wide rule for consumption outside working time


# The steel plant's shifts as its load profile shows them, the same the alert evaluation uses.
STEEL_SHIFTS = (*((weekday, time(8), time(21)) for weekday in range(5)), (5, time(8), time(17)))

STEEL = SiteSpec(
    code="steel-gwangyang",
    name="DAEWOO Steel 光阳工厂 (Gwangyang plant)",
    time_zone="Asia/Seoul",
    note="15-minute electricity data from the KEPCO portal: UCI data set 851, CC BY 4.0 "
    "(Sathishkumar V E, Changsun Shin, Yongyun Cho). Production records are generated demo data.",
    units=(
        ("rolling", "轧钢车间 Rolling mill", "workshop", None),
        ("coil-line", "卷板生产线 Coil line", "production_line", "rolling"),
    ),
    meters=(MeterSpec("STEEL-MAIN", "工厂总进线 Plant incomer (KEPCO)", "rolling", "kWh", "interval", 15),),
    shifts=STEEL_SHIFTS,
    official_holidays=False,  # a Korean plant
    off_hours_rule=True,
    file=STEEL_FILE,
    source_name="KEPCO customer portal export",
    mapping={
        "layout": "wide",
        "timestamp_columns": ["date"],
        "meter_columns": {"Usage_kWh": "STEEL-MAIN"},
        "ignore_columns": [
            "Lagging_Current_Reactive.Power_kVarh",
            "Leading_Current_Reactive_Power_kVarh",
            "CO2(tCO2)",
            "Lagging_Current_Power_Factor",
            "Leading_Current_Power_Factor",
            "NSM",
            "WeekStatus",
            "Day_of_week",
            "Load_Type",
        ],
        "options": {"date_order": "dmy", "midnight_is_previous_day": True},
    },
    # Output is booked on the workshop that carries the meter, so its energy per tonne is defined.
    production_unit="rolling",
    production_per_day=(95.0, 20.0),
)

HOUSEHOLD = SiteSpec(
    code="sceaux-building",
    name="Sceaux 分项计量建筑 (sub-metered building)",
    time_zone="Europe/Paris",
    note="One house in Sceaux with three sub-meters: UCI data set 235, CC BY 4.0 (Hébrail, Bérard). "
    "Used as a small sub-metered building; the remainder is a virtual meter.",
    units=(
        ("house", "建筑 Building", "building", None),
        ("kitchen", "厨房 Kitchen", "equipment", "house"),
        ("laundry", "洗衣房 Laundry", "equipment", "house"),
        ("water-heating", "热水与空调 Water heater and air conditioning", "utility_system", "house"),
    ),
    meters=(
        MeterSpec("HH-MAIN", "总表 Whole-house meter (mean kW per minute)", "house", "kW", "interval", 1, "start"),
        MeterSpec("HH-SUB1", "分表1 厨房 Kitchen", "kitchen", "Wh", "interval", 1, "start", parent="HH-MAIN"),
        MeterSpec("HH-SUB2", "分表2 洗衣房 Laundry", "laundry", "Wh", "interval", 1, "start", parent="HH-MAIN"),
        MeterSpec(
            "HH-SUB3",
            "分表3 热水与空调 Water heater and AC",
            "water-heating",
            "Wh",
            "interval",
            1,
            "start",
            parent="HH-MAIN",
        ),
        MeterSpec(
            "HH-REST",
            "未分项计量 Unmetered remainder",
            "house",
            "kWh",
            "interval",
            1,
            "start",
            virtual_terms=(("HH-MAIN", 1), ("HH-SUB1", -1), ("HH-SUB2", -1), ("HH-SUB3", -1)),
        ),
    ),
    file=HOUSEHOLD_FILE,
    source_name="Household power logger",
    mapping={
        "layout": "wide",
        "timestamp_columns": ["Date", "Time"],
        "meter_columns": {
            "Global_active_power": "HH-MAIN",
            "Sub_metering_1": "HH-SUB1",
            "Sub_metering_2": "HH-SUB2",
            "Sub_metering_3": "HH-SUB3",
        },
        "ignore_columns": ["Global_reactive_power", "Voltage", "Global_intensity"],
        "options": {"date_order": "dmy", "delimiter": ";"},
    },
)

_KONSTANZ_LOADS = (
    # column suffix, name, organisation unit
    ("area_offices", "办公区 Offices", "areas"),
    ("area_room_1", "1号房间 Room 1", "areas"),
    ("area_room_2", "2号房间 Room 2", "areas"),
    ("area_room_3", "3号房间 Room 3", "areas"),
    ("area_room_4", "4号房间 Room 4", "areas"),
    ("compressor", "空压机 Compressor", "utilities"),
    ("cooling_aggregate", "制冷机组 Cooling aggregate", "utilities"),
    ("cooling_pumps", "冷却泵 Cooling pumps", "utilities"),
    ("ventilation", "通风 Ventilation", "utilities"),
    ("machine_1", "1号机床 Machine 1", "machining"),
    ("machine_2", "2号机床 Machine 2", "machining"),
    ("machine_3", "3号机床 Machine 3", "machining"),
    ("machine_4", "4号机床 Machine 4", "machining"),
    ("machine_5", "5号机床 Machine 5", "machining"),
    ("dishwasher", "洗碗机 Dishwasher", "areas"),
    ("refrigerator", "冰箱 Refrigerator", "areas"),
    ("ev", "电动汽车充电 EV charging", "utilities"),
)


def _konstanz(
    site: str,
    name: str,
    meters: tuple[MeterSpec, ...],
    units: tuple[tuple[str, str, str, str | None], ...],
    **extra: Any,
) -> SiteSpec:
    prefix = f"DE_KN_{site}_"
    return SiteSpec(
        code=f"konstanz-{site}",
        name=name,
        time_zone="Europe/Berlin",
        note="Hourly cumulative registers from the CoSSMic trial, Open Power System Data household_data "
        "2020-04-15, CC BY 4.0 (primary data: ISC Konstanz). Production records, where present, are "
        "generated demo data.",
        units=units,
        meters=meters,
        file=KONSTANZ_FILE,
        source_name="OPSD household_data 60 min",
        mapping={
            "layout": "wide",
            "timestamp_columns": ["utc_timestamp"],
            "meter_columns": {
                f"{prefix}{meter.code.removeprefix(prefix)}": meter.code for meter in meters if not meter.virtual_terms
            },
            "ignore_columns": ["cet_cest_timestamp", "interpolated"],
            "ignore_other_columns": True,
            "options": {},
        },
        **extra,
    )


def _counter(code: str, name: str, unit_code: str, parent: str | None = None, flow: str = "consumption") -> MeterSpec:
    return MeterSpec(code, name, unit_code, "kWh", "cumulative", 60, parent=parent, flow=flow)


KONSTANZ_3 = _konstanz(
    "industrial3",
    "Konstanz 3号工业楼 (research institute building)",
    meters=(
        _counter("DE_KN_industrial3_grid_import", "电网进线 Grid import (incomer)", "building"),
        _counter("DE_KN_industrial3_pv_facade", "光伏立面 PV facade", "pv", flow="generation"),
        _counter("DE_KN_industrial3_pv_roof", "光伏屋顶 PV roof", "pv", flow="generation"),
        *(
            _counter(f"DE_KN_industrial3_{suffix}", name, unit, parent="DE_KN_industrial3_grid_import")
            for suffix, name, unit in _KONSTANZ_LOADS
        ),
        # Grid import plus on-site PV is what the building used, assuming all PV is used on site,
        # because the data set has no export meter. Without the PV terms the remainder turns
        # negative on sunny weekends.
        MeterSpec(
            "DE_KN_industrial3_unmetered",
            "未分项计量 Unmetered remainder",
            "building",
            "kWh",
            "interval",
            60,
            virtual_terms=(
                ("DE_KN_industrial3_grid_import", 1),
                ("DE_KN_industrial3_pv_facade", 1),
                ("DE_KN_industrial3_pv_roof", 1),
                *((f"DE_KN_industrial3_{suffix}", -1) for suffix, _, _ in _KONSTANZ_LOADS),
            ),
        ),
    ),
    units=(
        ("building", "工业楼 Building", "building", None),
        ("areas", "办公与实验区 Offices and rooms", "workshop", "building"),
        ("machining", "机加工车间 Machining", "workshop", "building"),
        ("utilities", "公用工程 Utilities", "utility_system", "building"),
        ("pv", "光伏 On-site PV", "utility_system", "building"),
    ),
    production_unit="machining",
    production_per_day=(300.0, 60.0),
    production_unit_of_measure="pcs",
    product_code="product_pieces",
)

KONSTANZ_1 = _konstanz(
    "industrial1",
    "Konstanz 1号工业楼 (warehouse)",
    meters=(
        _counter("DE_KN_industrial1_grid_import", "电网进线 Grid import", "warehouse"),
        _counter("DE_KN_industrial1_pv_1", "光伏1 PV 1", "warehouse", flow="generation"),
        _counter("DE_KN_industrial1_pv_2", "光伏2 PV 2", "warehouse", flow="generation"),
    ),
    units=(("warehouse", "仓库 Warehouse", "building", None),),
)

KONSTANZ_2 = _konstanz(
    "industrial2",
    "Konstanz 2号工业楼 (crafts business)",
    meters=(
        _counter("DE_KN_industrial2_grid_import", "电网进线 Grid import", "workshop"),
        _counter("DE_KN_industrial2_pv", "光伏 PV", "workshop", flow="generation"),
        _counter("DE_KN_industrial2_storage_charge", "储能充电 Battery charge", "workshop"),
        _counter("DE_KN_industrial2_storage_decharge", "储能放电 Battery discharge", "workshop"),
    ),
    units=(("workshop", "手工业车间 Crafts workshop", "workshop", None),),
)

SITES = (STEEL, HOUSEHOLD, KONSTANZ_3, KONSTANZ_1, KONSTANZ_2)

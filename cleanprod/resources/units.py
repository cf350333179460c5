"""Units of measure: one pint registry for the whole product.

Every stored quantity carries a unit, and conversions go through this module so that a
value in Wh is never read as kWh and kWh is never multiplied by a t/MWh factor unconverted.
Standard coal (kgce, tce) and normal cubic metres (Nm³) are dimensions of their own: turning
kWh into kgce needs a GB/T 2589 coefficient, and Nm³ into m³ needs gas conditions, so pint
rejects both instead of converting blindly.
"""

from functools import lru_cache

import pint
from django.utils.translation import gettext_lazy as _

REGISTRY: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)  # type: ignore[type-arg]
REGISTRY.define("kilogram_coal_equivalent = [coal_equivalent] = kgce")
REGISTRY.define("tonne_coal_equivalent = 1000 * kilogram_coal_equivalent = tce")
REGISTRY.define("normal_cubic_meter = [normal_volume] = Nm3")
REGISTRY.define("volt_ampere_reactive_hour = [reactive_energy] = varh")
REGISTRY.define("kilovolt_ampere_reactive_hour = 1000 * varh = kvarh = kVArh")
REGISTRY.define("tonne_CO2 = [co2_mass] = tCO2")
REGISTRY.define("kilogram_CO2 = tonne_CO2 / 1000 = kgCO2")
REGISTRY.define("tonne_carbon = [carbon_mass] = tC")
REGISTRY.define("m3 = meter ** 3")
REGISTRY.define("m2 = meter ** 2")
REGISTRY.define("piece = [count] = pcs")
REGISTRY.define("wan = 10000 = 万")

# Spellings found in Chinese and European meter exports, mapped to registry symbols.
ALIASES = {
    "nm3": "Nm3",
    "度": "kWh",
    "千瓦时": "kWh",
    "万千瓦时": "万 * kWh",
    "兆瓦时": "MWh",
    "吨": "t",
    "千克": "kg",
    "公斤": "kg",
    "立方米": "m3",
    "方": "m3",
    "升": "L",
    "吉焦": "GJ",
    "兆焦": "MJ",
    "千克标准煤": "kgce",
    "吨标准煤": "tce",
    "t": "metric_ton",
    "kVArh": "kvarh",
    "kvarh": "kvarh",
    "件": "pcs",
    "个": "pcs",
}


class UnitError(ValueError):
    """A unit that is unknown, or that cannot be converted to the one asked for."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit:
    cleaned = text.strip().replace("³", "3").replace("²", "2")
    expression = ALIASES.get(cleaned, ALIASES.get(cleaned.lower(), cleaned))
    try:
        unit = REGISTRY.parse_units(expression)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError) as error:
        raise UnitError(
            "unknown_unit",
            str(
                _("Unknown unit %(unit)r; use a symbol such as kWh, MWh, m3, Nm3, L, kg, t, GJ, kgce or tce.")
                % {"unit": text}
            ),
        ) from error
    return unit


def is_valid_unit(text: str) -> bool:
    try:
        parse_unit(text)
    except UnitError:
        return False
    return True


@lru_cache(maxsize=2048)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Return f such that value [from_unit] × f = value [to_unit]; raise UnitError if incompatible."""
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    try:
        magnitude = REGISTRY.Quantity(1.0, source).to(target).magnitude
        # Round away binary noise such as m³ → L = 999.9999999999999.
        return float(f"{magnitude:.15g}")
    except pint.errors.DimensionalityError as error:
        raise UnitError(
            "incompatible_unit",
            str(
                _("%(source)s cannot be converted to %(target)s: they measure different things.")
                % {"source": from_unit, "target": to_unit}
            ),
        ) from error


def convert(value: float, from_unit: str, to_unit: str) -> float:
    return value * conversion_factor(from_unit, to_unit)


@lru_cache(maxsize=512)
def rate_conversion_factor(rate_unit: str, quantity_unit: str) -> float | None:
    """Return f such that rate [rate_unit] × seconds × f = quantity [quantity_unit].

    Meter exports often give mean power over an interval (kW) instead of energy (kWh);
    energy is power × time. Returns None when rate_unit is not quantity_unit per time.
    """
    try:
        quantity = REGISTRY.Quantity(1.0, parse_unit(rate_unit)) * REGISTRY.Quantity(1.0, "second")
        return float(f"{quantity.to(parse_unit(quantity_unit)).magnitude:.15g}")
    except pint.errors.DimensionalityError:
        return None

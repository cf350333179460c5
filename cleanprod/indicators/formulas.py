"""Indicator arithmetic: plain functions without database access, logging or rounding.

Each function names the standard it follows and carries units in its parameter names.
A value that cannot be computed (no production, an empty denominator, a zero base) is
returned as ``Undefined`` with a stable reason code, never as 0, inf or NaN. Rounding
happens only in ``display``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

UNDEFINED_REASONS: dict[str, Promise] = {
    "no_production": _("No production in the period, so there is no intensity."),
    "no_output_value": _("No output value in the period, so there is no intensity per 10,000 CNY."),
    "zero_base": _("The base value is zero, so a relative change is not defined."),
    "no_data": _("No data in the period for the denominator."),
    "partial_period": _("The period is not complete, so it is not compared with a complete one."),
    "missing_factor": _("A factor needed for the calculation is missing from the factor table."),
}

# Mass ratio of CO2 to carbon as the NDRC accounting guidelines and GB/T 32151 print it.
CO2_PER_CARBON = 44 / 12

UNDEFINED_DISPLAY = "—"


@dataclass(frozen=True, slots=True)
class Undefined:
    """A value that has no meaning for the period, with the reason code that explains why."""

    reason: str

    def __post_init__(self) -> None:
        if self.reason not in UNDEFINED_REASONS:
            raise ValueError(f"Unknown reason {self.reason!r}; use one of {', '.join(UNDEFINED_REASONS)}.")

    @property
    def message(self) -> Promise:
        return UNDEFINED_REASONS[self.reason]


Result = float | Undefined


def _require_non_negative(**values: float) -> None:
    for name, value in values.items():
        if value < 0 or math.isnan(value):
            raise ValueError(f"{name} must be a non-negative number, got {value!r}.")


# -- Energy: GB/T 2589-2020 ------------------------------------------------------------


def comprehensive_energy_tce(
    consumed: Iterable[tuple[float, float]], exported: Iterable[tuple[float, float]] = ()
) -> float:
    """Compute comprehensive energy consumption E = Σ eᵢ·kᵢ in tce (GB/T 2589-2020).

    Each pair is (eᵢ, kᵢ): the physical amount of energy i in its unit, and its standard
    coal coefficient in tce per that unit. Energy exported across the boundary, such as
    electricity or by-product energy sold, is given as the same pairs and deducted.
    """
    consumed_tce = sum(amount * coefficient for amount, coefficient in consumed)
    exported_tce = sum(amount * coefficient for amount, coefficient in exported)
    return consumed_tce - exported_tce


def intensity(quantity: float, production: float) -> Result:
    """Divide a quantity by the net production of the period, e.g. kWh/t or tce/t (GB/T 2589-2020 e_j = E_j/P_j).

    The result is in the quantity's unit per production unit. Zero or negative net
    production (all output reversed) gives Undefined("no_production"). Energy used in a
    period without production still counts in totals, and so in a longer period's intensity.
    """
    if production <= 0:
        return Undefined("no_production")
    return quantity / production


def intensity_per_10k_cny(quantity: float, output_value_10k_cny: float) -> Result:
    """Divide a quantity by the output value in 10,000 CNY (万元) at comparable prices (GB/T 2589-2020 e_g = E/G)."""
    if output_value_10k_cny <= 0:
        return Undefined("no_output_value")
    return quantity / output_value_10k_cny


def relative_change(
    current: Result, base: Result, *, current_complete: bool = True, base_complete: bool = True
) -> Result:
    """Return (current − base) / base as a fraction, e.g. −0.05 for a 5 % decrease.

    A base of zero gives Undefined("zero_base"), which display() shows as "—", never as infinity.
    A partial period on either side gives Undefined("partial_period"), because a day with
    10 hours of data is not a drop against a whole day. An undefined input is returned as is.
    """
    if isinstance(current, Undefined):
        return current
    if isinstance(base, Undefined):
        return base
    if not (current_complete and base_complete):
        return Undefined("partial_period")
    if base == 0:
        return Undefined("zero_base")
    return (current - base) / base


# -- Greenhouse gases: GB/T 32150-2015 and the NDRC accounting guidelines ------------------


def fuel_combustion_co2_t(
    fuel_consumption: float,
    net_calorific_value_gj_per_unit: float,
    carbon_content_tc_per_gj: float,
    oxidation_fraction: float,
) -> float:
    """Compute CO2 from fuel combustion in t: FC × NCV × CC × OF × 44/12 (NDRC guidelines, GB/T 32151).

    ``fuel_consumption`` is in the unit that the calorific value refers to (t, or 10⁴ Nm³
    for gases). The carbon content is per GJ: a table value printed in tC/TJ (×10⁻³ tC/GJ)
    must be divided by 1000 first. The oxidation rate is a fraction, e.g. 0.93 for 93 %.
    """
    activity_gj = fuel_consumption * net_calorific_value_gj_per_unit
    emission_factor_tco2_per_gj = carbon_content_tc_per_gj * oxidation_fraction * CO2_PER_CARBON
    return activity_gj * emission_factor_tco2_per_gj


def carbonate_process_co2_t(carbonate_t: float, emission_factor_tco2_per_t: float, purity_fraction: float) -> float:
    """Compute process CO2 from carbonate decomposition in t: AD × EF × PUR (NDRC guidelines).

    EF is the stoichiometric ratio M(CO2)/M(carbonate), e.g. 0.43971 t/t for CaCO3, and
    the purity is a fraction of the carbonate consumed.
    """
    return carbonate_t * emission_factor_tco2_per_t * purity_fraction


def purchased_electricity_co2_t(electricity_mwh: float, grid_factor_tco2_per_mwh: float) -> float:
    """Compute CO2 of purchased (or exported) electricity in t: AD [MWh] × EF [tCO2/MWh] (GB/T 32150-2015)."""
    return electricity_mwh * grid_factor_tco2_per_mwh


def purchased_heat_co2_t(heat_gj: float, heat_factor_tco2_per_gj: float) -> float:
    """Compute CO2 of purchased (or exported) heat in t: AD [GJ] × EF [tCO2/GJ] (GB/T 32150-2015)."""
    return heat_gj * heat_factor_tco2_per_gj


def total_co2_t(
    *,
    combustion_t: float = 0.0,
    process_t: float = 0.0,
    purchased_electricity_t: float = 0.0,
    purchased_heat_t: float = 0.0,
    exported_electricity_t: float = 0.0,
    exported_heat_t: float = 0.0,
    recovered_t: float = 0.0,
) -> float:
    """Compute total CO2 emissions in t (GB/T 32150-2015 and the NDRC guidelines).

    E = combustion + process + purchased electricity + purchased heat − exported electricity
    − exported heat − CO2 recovered and used. Biomass combustion is reported separately
    and is not a term of this total.
    """
    added = combustion_t + process_t + purchased_electricity_t + purchased_heat_t
    deducted = exported_electricity_t + exported_heat_t + recovered_t
    return added - deducted


# -- Water: CJ 42-1999 and GB/T 7119-2018 ------------------------------------------------


def water_reuse_rate(reused_m3: float, fresh_m3: float) -> Result:
    """Compute the water reuse rate R = Vr / (Vf + Vr) as a fraction (重复利用率, CJ 42-1999).

    Vr is the reused water and Vf the fresh water taken in, so Vf + Vr is the total water use.
    No water use at all gives Undefined("no_data").
    """
    _require_non_negative(reused_m3=reused_m3, fresh_m3=fresh_m3)
    total_m3 = fresh_m3 + reused_m3
    if total_m3 == 0:
        return Undefined("no_data")
    return reused_m3 / total_m3


def wastewater_reuse_rate(reused_m3: float, discharged_m3: float) -> Result:
    """Compute the wastewater reuse rate Kw = Vw / (Vd + Vw) as a fraction (废水回用率, GB/T 7119).

    Vw is the treated wastewater reused and Vd the wastewater discharged. No wastewater at
    all gives Undefined("no_data").
    """
    _require_non_negative(reused_m3=reused_m3, discharged_m3=discharged_m3)
    total_m3 = discharged_m3 + reused_m3
    if total_m3 == 0:
        return Undefined("no_data")
    return reused_m3 / total_m3


def fresh_water_per_unit_product(fresh_m3: float, production: float) -> Result:
    """Compute fresh water intake per unit of product, Vuf = Vyf / Q, in m³ per production unit (CJ 42-1999)."""
    _require_non_negative(fresh_m3=fresh_m3)
    return intensity(fresh_m3, production)


# -- Solid waste: National Bureau of Statistics definition -------------------------------


def solid_waste_utilisation_rate(utilised_t: float, generated_t: float, prior_stock_utilised_t: float) -> Result:
    """Compute the comprehensive utilisation rate of industrial solid waste as a fraction (NBS).

    Rate = utilised / (generated + prior-year stock utilised). ``utilised_t`` includes the
    prior-year stock utilised in the period, which is why that stock is in the denominator
    too. Nothing generated and no stock utilised gives Undefined("no_data").
    """
    _require_non_negative(utilised_t=utilised_t, generated_t=generated_t, prior_stock_utilised_t=prior_stock_utilised_t)
    base_t = generated_t + prior_stock_utilised_t
    if base_t == 0:
        return Undefined("no_data")
    return utilised_t / base_t


# -- Partial periods -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodCompleteness:
    """How much of a period the data covers, and whether the period may be treated as complete.

    ``coverage`` is covered / period seconds, capped at 1. A period is complete only when
    it is over and fully covered, so a running day or month is always partial.
    """

    covered_seconds: float
    period_seconds: float
    period_over: bool
    coverage: float
    complete: bool


@dataclass(frozen=True, slots=True)
class Estimate:
    """A projected value, not a measured one, with ``coverage``, the share of the period it is based on."""

    value: float
    coverage: float


def assess_period(covered_seconds: float, period_seconds: float, *, period_over: bool) -> PeriodCompleteness:
    """Compare the seconds covered by data with the length of the period.

    Raise ValueError when the period has no length or a value is negative.
    """
    _require_non_negative(covered_seconds=covered_seconds)
    if period_seconds <= 0:
        raise ValueError(f"period_seconds must be positive, got {period_seconds!r}.")
    coverage = min(covered_seconds / period_seconds, 1.0)
    return PeriodCompleteness(
        covered_seconds=covered_seconds,
        period_seconds=period_seconds,
        period_over=period_over,
        coverage=coverage,
        complete=period_over and coverage >= 1.0,
    )


def project_to_full_period(quantity: float, completeness: PeriodCompleteness) -> Estimate | Undefined:
    """Project a partial period's quantity to the whole period at the same rate, as an estimate.

    The projection is quantity / coverage, e.g. 420 kWh over 10 of 24 hours gives 1008 kWh.
    A period without any covered seconds gives Undefined("no_data").
    """
    if completeness.coverage == 0:
        return Undefined("no_data")
    return Estimate(value=quantity / completeness.coverage, coverage=completeness.coverage)


# -- Display ---------------------------------------------------------------------------


def display(value: Result | Estimate, places: int = 2, *, percent: bool = False) -> str:
    """Format a value for pages and exports, rounded to ``places``.

    Undefined is shown as "—", and an estimate ends in "(estimate)". With ``percent``, a
    fraction such as 0.417 is shown as "41.7 %" (with places=1).
    """
    if isinstance(value, Undefined):
        return UNDEFINED_DISPLAY
    number = value.value if isinstance(value, Estimate) else value
    text = f"{number * 100:.{places}f} %" if percent else f"{number:.{places}f}"
    if isinstance(value, Estimate):
        return f"{text} ({_('estimate')})"
    return text

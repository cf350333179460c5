"""Savings of an implemented option from metered consumption before and after it.

The saving is normalised by production when both windows have some: intensity = consumption
/ production, and annual saving = (before intensity − after intensity) × after-window
production scaled to 365 days. Without production in either window the intensity is
undefined (not zero), so the comparison falls back to consumption per day with data, and
the annual saving is the drop in that daily mean × 365. Windows with days missing are
reported with the count of days lacking data; they are not filled.
"""

from dataclasses import dataclass
from enum import StrEnum

DAYS_PER_YEAR = 365


class Basis(StrEnum):
    INTENSITY = "intensity"  # consumption per unit of product
    PER_DAY = "per_day"  # absolute consumption per day with data


@dataclass(frozen=True, slots=True)
class WindowData:
    """Metered consumption and production over one window of whole local days.

    ``consumption`` is in the resource's unit, summed over every metered day of the window.
    ``days_with_data`` counts the days on which every affected meter has data, and
    ``partial_days`` those of them on which some meter covers only part of the day.
    ``production`` is None when no production record covers the window.
    """

    days: int
    days_with_data: int
    consumption: float
    production: float | None
    partial_days: int = 0


@dataclass(frozen=True, slots=True)
class VerificationOutcome:
    basis: Basis
    before_value: float  # intensity or consumption per day, in the resource's unit (per product unit)
    after_value: float
    annual_saving: float  # in the resource's unit per year
    annual_production: float | None
    achieved_percent: float | None  # of the expected annual saving; None when none is expected
    missing_days_before: int
    missing_days_after: int


class VerificationError(ValueError):
    """Input that gives no comparison: an empty window or a window without any metered day."""


def _has_production(window: WindowData) -> bool:
    return window.production is not None and window.production > 0


def compare_windows(before: WindowData, after: WindowData, expected_annual_saving: float | None) -> VerificationOutcome:
    """Compute the annual saving of the after window against the before window.

    ``expected_annual_saving`` is in the same unit as the consumption. Raise
    VerificationError when a window has no day or no day with data.
    """
    for name, window in (("before", before), ("after", after)):
        if window.days <= 0:
            raise VerificationError(f"The {name} window has no day.")
        if window.days_with_data <= 0:
            raise VerificationError(f"The {name} window has no day with metered data.")
        if window.days_with_data > window.days:
            raise VerificationError(f"The {name} window has more days with data than days.")

    annual_production: float | None
    if _has_production(before) and _has_production(after):
        assert before.production is not None and after.production is not None
        basis = Basis.INTENSITY
        before_value = before.consumption / before.production
        after_value = after.consumption / after.production
        annual_production = after.production * DAYS_PER_YEAR / after.days
        annual_saving = (before_value - after_value) * annual_production
    else:
        basis = Basis.PER_DAY
        before_value = before.consumption / before.days_with_data
        after_value = after.consumption / after.days_with_data
        annual_production = None
        annual_saving = (before_value - after_value) * DAYS_PER_YEAR

    achieved = None
    if expected_annual_saving is not None and expected_annual_saving > 0:
        achieved = annual_saving / expected_annual_saving * 100
    return VerificationOutcome(
        basis=basis,
        before_value=before_value,
        after_value=after_value,
        annual_saving=annual_saving,
        annual_production=annual_production,
        achieved_percent=achieved,
        missing_days_before=before.days - before.days_with_data,
        missing_days_after=after.days - after.days_with_data,
    )

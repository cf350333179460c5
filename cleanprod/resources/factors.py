"""Choosing which version of a factor applies to a period (pure functions, no database)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FactorCandidate:
    id: int
    data_year: int | None
    version: int
    value: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class FactorChoice:
    factor: FactorCandidate
    # True when no factor exists for the requested year and an earlier year's is used instead,
    # as carbon accounting does until the authority publishes the year's value.
    provisional: bool


class FactorNotFound(LookupError):
    pass


def latest_versions(candidates: Sequence[FactorCandidate]) -> dict[int | None, FactorCandidate]:
    """Keep the highest version per data year: a correction supersedes, it does not add a year."""
    latest: dict[int | None, FactorCandidate] = {}
    for candidate in candidates:
        current = latest.get(candidate.data_year)
        if current is None or candidate.version > current.version:
            latest[candidate.data_year] = candidate
    return latest


def select_for_year(candidates: Sequence[FactorCandidate], year: int) -> FactorChoice:
    """Pick the factor of `year`, else the latest earlier year marked provisional.

    Undated factors (e.g. a GB/T 2589 coefficient) apply to every year. A later year's
    factor is never used for an earlier year, because that changes past results.
    """
    latest = latest_versions(candidates)
    if year in latest:
        return FactorChoice(latest[year], provisional=False)
    earlier = [data_year for data_year in latest if data_year is not None and data_year < year]
    if earlier:
        return FactorChoice(latest[max(earlier)], provisional=True)
    if None in latest:
        return FactorChoice(latest[None], provisional=False)
    raise FactorNotFound(year)

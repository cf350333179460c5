"""Option register, status changes, expected CO2 and savings verification, for pages, exports and the Word report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from cleanprod.audits.models import AuditProject
from cleanprod.indicators import formulas
from cleanprod.indicators.services import GRID_SERIES, HEAT, NATIONAL_REGION
from cleanprod.metering.models import DailyRollup
from cleanprod.organization.models import Site
from cleanprod.production.services import net_output
from cleanprod.resources.factors import FactorNotFound
from cleanprod.resources.models import Category, FactorKind, Resource
from cleanprod.resources.services import FactorUse, apply_factor, select_factor
from cleanprod.resources.units import UnitError, conversion_factor

from .models import Option, OptionEffect, OptionTransition, Verification
from .verification import Basis, VerificationError, VerificationOutcome, WindowData, compare_windows
from .workflow import check_transition

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 90


# -- Register ---------------------------------------------------------------------------


@transaction.atomic
def create_option(option: Option, *, acting_user: User | None) -> Option:
    """Save a new option with the next free number of its audit (F1, F2, …)."""
    # Lock the audit row so two simultaneous creations do not take the same number.
    AuditProject.objects.select_for_update().filter(pk=option.audit_id).first()
    last = Option.objects.filter(audit_id=option.audit_id).aggregate(last=Max("number"))["last"]
    option.number = (last or 0) + 1
    option.created_by = acting_user
    option.save()
    return option


@transaction.atomic
def change_status(option: Option, target: str, *, acting_user: User | None, comment: str = "") -> None:
    """Move the option to ``target`` and record who did it and why; raise TransitionError if not allowed."""
    locked = Option.objects.select_for_update().select_related("audit").get(pk=option.pk)
    check_transition(locked.status, target, locked.cost_class, comment)
    OptionTransition.objects.create(
        option=locked, from_status=locked.status, to_status=target, comment=comment.strip(), user=acting_user
    )
    locked.status = target
    locked.save(update_fields=["status"])
    option.status = target


# -- Expected CO2 ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EffectCO2:
    """Expected CO2 reduction of one effect in t/a, with the factor versions used, or why there is none."""

    tco2: float | None
    factors: tuple[FactorUse, ...] = ()
    reason: str = ""


FactorCache = dict[tuple[str, int, int, str | None, str], FactorUse | FactorNotFound]


def _select(
    cache: FactorCache, kind: str, resource: Resource, year: int, *, series: str | None = None, region: str = "national"
) -> FactorUse:
    """Call select_factor once per factor for a whole register, remembering misses too."""
    key = (kind, resource.pk, year, series, region)
    if key not in cache:
        try:
            cache[key] = select_factor(kind, resource, year, series=series, region=region)
        except FactorNotFound as error:
            cache[key] = error
    found = cache[key]
    if isinstance(found, FactorNotFound):
        raise found
    return found


def _grid_factor(cache: FactorCache, site: Site, electricity: Resource, year: int) -> FactorUse:
    try:
        return _select(cache, FactorKind.GRID_EMISSION, electricity, year, series=GRID_SERIES, region=site.grid_region)
    except FactorNotFound:
        if site.grid_region == NATIONAL_REGION:
            raise
    return _select(cache, FactorKind.GRID_EMISSION, electricity, year, series=GRID_SERIES, region=NATIONAL_REGION)


def effect_co2(effect: OptionEffect, site: Site, year: int, cache: FactorCache | None = None) -> EffectCO2:
    """Compute the CO2 that an effect avoids per year, with the factors of ``year`` (GB/T 32150-2015).

    Saved electricity uses the site's grid factor (national when the region has none), saved fuel
    the NDRC combustion formula FC × NCV × CC × OF × 44/12, and saved heat in GJ the heat factor.
    Other resources have no emission factor here, so the result is undefined with a reason.
    """
    cache = {} if cache is None else cache
    resource = effect.resource
    try:
        quantity = effect.quantity_in_canonical_unit()
    except UnitError as error:
        return EffectCO2(None, reason=error.message)
    unit = resource.canonical_unit
    try:
        if resource.category == Category.ELECTRICITY:
            factor = _grid_factor(cache, site, resource, year)
            return EffectCO2(apply_factor(quantity, unit, factor, "tCO2"), (factor,))
        if resource.category == Category.FUEL:
            ncv = _select(cache, FactorKind.FUEL_NCV, resource, year)
            carbon = _select(cache, FactorKind.FUEL_CARBON_CONTENT, resource, year)
            oxidation = _select(cache, FactorKind.FUEL_OXIDATION, resource, year)
            ncv_gj_per_unit = apply_factor(1.0, unit, ncv, "GJ")
            carbon_tc_per_gj = apply_factor(1.0, "GJ", carbon, "tC")
            oxidation_fraction = float(oxidation.value) * conversion_factor(oxidation.unit, "dimensionless")
            tco2 = formulas.fuel_combustion_co2_t(quantity, ncv_gj_per_unit, carbon_tc_per_gj, oxidation_fraction)
            return EffectCO2(tco2, (ncv, carbon, oxidation))
        if resource.code == HEAT:
            factor = _select(cache, FactorKind.HEAT_EMISSION, resource, year)
            heat_gj = quantity * conversion_factor(unit, "GJ")
            return EffectCO2(formulas.purchased_heat_co2_t(heat_gj, apply_factor(1.0, "GJ", factor, "tCO2")), (factor,))
    except FactorNotFound as error:
        logger.warning("emission factor missing for option effect %s: %s", effect.pk, error)
        return EffectCO2(
            None, reason=_("No emission factor for %(resource)s in %(year)s.") % {"resource": resource, "year": year}
        )
    return EffectCO2(None, reason=_("No CO2 factor applies to %(resource)s.") % {"resource": resource})


@dataclass(frozen=True, slots=True)
class EffectRow:
    effect: OptionEffect
    co2: EffectCO2


def effect_rows(option: Option, cache: FactorCache | None = None) -> list[EffectRow]:
    audit = option.audit
    cache = {} if cache is None else cache
    # The prefetched effects of option_register keep their primary-key order.
    return [
        EffectRow(effect, effect_co2(effect, audit.site, audit.baseline_year, cache)) for effect in option.effects.all()
    ]


def total_co2(rows: list[EffectRow]) -> float | None:
    """Sum the CO2 of the effects that have one; None when no effect has a CO2 value."""
    values = [row.co2.tco2 for row in rows if row.co2.tco2 is not None]
    return sum(values) if values else None


@dataclass(frozen=True, slots=True)
class RegisterRow:
    option: Option
    effects: list[EffectRow]
    co2_tonnes: float | None


def option_register(audit: AuditProject, options: QuerySet[Option] | None = None) -> list[RegisterRow]:
    """List the audit's options with their expected effects and CO2, for the register page, exports and reports."""
    queryset = options if options is not None else audit.options.all()
    rows = []
    cache: FactorCache = {}
    effects_in_order = Prefetch("effects", queryset=OptionEffect.objects.select_related("resource").order_by("pk"))
    for option in queryset.select_related("audit__site").prefetch_related(effects_in_order).order_by("number"):
        effects = effect_rows(option, cache)
        rows.append(RegisterRow(option, effects, total_co2(effects)))
    return rows


# -- Verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Windows:
    before_start: date
    before_end: date
    after_start: date
    after_end: date


def verification_windows(verification: Verification) -> Windows | None:
    """Return the stored windows, or the defaults around the implementation; None when a date is missing.

    The defaults are the 90 days before the implementation start and the 90 days from the date in service.
    """
    implementation = getattr(verification.option, "implementation", None)
    start = implementation.start_on if implementation is not None else None
    in_service = implementation.in_service_on if implementation is not None else None
    before_end = verification.before_end or (start - timedelta(days=1) if start else None)
    before_start = verification.before_start or (
        before_end - timedelta(days=DEFAULT_WINDOW_DAYS - 1) if before_end else None
    )
    after_start = verification.after_start or in_service
    after_end = verification.after_end or (
        after_start + timedelta(days=DEFAULT_WINDOW_DAYS - 1) if after_start else None
    )
    if before_start is None or before_end is None or after_start is None or after_end is None:
        return None
    return Windows(before_start, before_end, after_start, after_end)


def _window_data(verification: Verification, start: date, end: date) -> WindowData:
    meter_ids = list(verification.meters.values_list("pk", flat=True))
    rows = DailyRollup.objects.filter(meter_id__in=meter_ids, day__gte=start, day__lte=end).values_list(
        "day", "meter_id", "quantity", "covered_seconds", "day_seconds"
    )
    meters_by_day: dict[date, set[int]] = {}
    partial: set[date] = set()
    consumption = 0.0
    for day, meter_id, quantity, covered_seconds, day_seconds in rows:
        meters_by_day.setdefault(day, set()).add(meter_id)
        consumption += quantity
        if covered_seconds < day_seconds:
            partial.add(day)
    complete_days = {day for day, meters in meters_by_day.items() if len(meters) == len(meter_ids)}
    production: float | None = None
    if verification.product is not None:
        output = net_output(site=verification.option.audit.site, product=verification.product, start=start, end=end)
        production = float(output.quantity) if output.record_count else None
    return WindowData((end - start).days + 1, len(complete_days), consumption, production, len(partial & complete_days))


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The comparison of the two windows, or the reason it cannot be made (``outcome`` None)."""

    windows: Windows | None
    resource: Resource | None
    unit: str
    before: WindowData | None = None
    after: WindowData | None = None
    outcome: VerificationOutcome | None = None
    expected: float | None = None  # expected annual saving in ``unit``
    notes: list[str] = field(default_factory=list)
    error: str = ""
    product_unit: str = ""  # unit of the product's production when the outcome is per unit of product, e.g. t


def verification_result(option: Option) -> VerificationResult | None:
    """Compare the affected meters' consumption before and after the option; None when nothing is set up.

    Every affected meter must measure the same resource; the saving is in its canonical unit
    and compared with the expected effect of that resource.
    """
    verification = getattr(option, "verification", None)
    if verification is None:
        return None
    meters = list(verification.meters.select_related("resource"))
    windows = verification_windows(verification)
    resources = {meter.resource_id: meter.resource for meter in meters}
    if not meters:
        return VerificationResult(windows, None, "", error=_("Choose at least one affected meter."))
    if len(resources) > 1:
        return VerificationResult(
            windows,
            None,
            "",
            error=_("The affected meters measure different resources; choose meters of one resource."),
        )
    resource = next(iter(resources.values()))
    unit = resource.canonical_unit
    if windows is None:
        return VerificationResult(
            None,
            resource,
            unit,
            error=_(
                "Set the windows, or record the implementation start and the date in service for the default windows."
            ),
        )

    effect = option.effects.filter(resource=resource).first()
    expected = effect.quantity_in_canonical_unit() if effect is not None else None
    before = _window_data(verification, windows.before_start, windows.before_end)
    after = _window_data(verification, windows.after_start, windows.after_end)
    notes: list[str] = []
    try:
        outcome = compare_windows(before, after, expected)
    except VerificationError:
        return VerificationResult(
            windows,
            resource,
            unit,
            before,
            after,
            expected=expected,
            error=_("A window has no metered day, so no saving can be computed. Import readings for both windows."),
        )
    if verification.product is not None and outcome.basis == Basis.PER_DAY:
        notes.append(
            _(
                "No production of %(product)s is recorded in one of the windows (or it is zero), so the intensity "
                "is undefined and the saving compares consumption per day without normalising by production."
            )
            % {"product": verification.product}
        )
    for label, missing, window in (
        (_("before"), outcome.missing_days_before, before),
        (_("after"), outcome.missing_days_after, after),
    ):
        if missing:
            notes.append(
                _("The %(window)s window lacks data on %(missing)s of its %(days)s days; the result may be biased.")
                % {"window": label, "missing": missing, "days": window.days}
            )
    for label, window in ((_("before"), before), (_("after"), after)):
        if window.partial_days:
            notes.append(
                _("Days of the %(window)s window on which a meter covers only part of the day: %(partial)s.")
                % {"window": label, "partial": window.partial_days}
            )
    if effect is None:
        notes.append(_("The option has no expected effect for %(resource)s to compare with.") % {"resource": resource})
    product_unit = verification.product.canonical_unit if verification.product is not None else ""
    return VerificationResult(
        windows, resource, unit, before, after, outcome, expected, notes, product_unit=product_unit
    )

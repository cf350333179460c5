"""Meters, their readings, and what is derived from readings: interval consumption and rollups.

Reading is the only raw truth. Each reading row also carries the consumption of the interval
that ends at it (for counters) or that it labels (for interval meters), in the resource's
canonical unit. Hourly and local-day rollups are kept from those, so pages never scan raw
readings.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Resource
from cleanprod.resources.units import UnitError, conversion_factor, rate_conversion_factor


class ReadingKind(models.TextChoices):
    # Values equal those of counters.ReadingKind, which the arithmetic uses.
    CUMULATIVE = "cumulative", _("cumulative counter")
    INTERVAL = "interval", _("interval quantity")
    DAILY_RESET = "daily_reset", _("counter that resets daily")


class TimestampConvention(models.TextChoices):
    INTERVAL_END = "end", _("label at interval end")
    INTERVAL_START = "start", _("label at interval start")


class MeterFlow(models.TextChoices):
    """Direction of what a meter measures relative to the boundary of the site."""

    CONSUMPTION = "consumption", pgettext_lazy("meter flow", "consumption")
    EXPORT = "export", pgettext_lazy("meter flow", "export")
    GENERATION = "generation", pgettext_lazy("meter flow", "on-site generation")


meter_code_validator = RegexValidator(
    r"^[\w.\-]+$",
    _("Use letters, digits, '.', '-' and '_' only."),
    code="invalid_meter_code",
)


class Meter(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="meters", verbose_name=_("site"))
    organization_unit = models.ForeignKey(
        OrganizationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
        verbose_name=_("organisation unit"),
    )
    code = models.CharField(_("code"), max_length=100, validators=[meter_code_validator])
    name = models.CharField(_("name"), max_length=200)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="meters", verbose_name=_("resource"))
    unit = models.CharField(
        _("unit"),
        max_length=30,
        help_text=_("Unit of the values the meter reports, e.g. kWh, Wh, m3; kW for mean power per interval."),
    )
    reading_kind = models.CharField(
        _("reading kind"),
        max_length=20,
        choices=ReadingKind.choices,
        default=ReadingKind.CUMULATIVE,
    )
    flow = models.CharField(
        _("flow direction"),
        max_length=20,
        choices=MeterFlow.choices,
        default=MeterFlow.CONSUMPTION,
        help_text=_(
            "Consumption: energy or a resource used in the site. Export: energy delivered out of the site, "
            "such as electricity fed to the grid or steam sold. It is deducted from comprehensive energy "
            "and scope 2 CO2. On-site generation: energy generated and used in the site, such as PV. "
            "It is not purchased, so it is reported apart from consumption."
        ),
    )
    multiplier = models.DecimalField(
        _("multiplier"),
        max_digits=12,
        decimal_places=4,
        default=1,
        validators=[MinValueValidator(0.0001)],
        help_text=_("CT/PT ratio or pulse constant; the register value is multiplied by it."),
    )
    rollover_value = models.FloatField(
        _("rollover value"),
        null=True,
        blank=True,
        help_text=_("Register modulus at which the counter wraps to zero, in the meter's unit."),
    )
    timestamp_convention = models.CharField(
        _("timestamp convention"),
        max_length=10,
        choices=TimestampConvention.choices,
        default=TimestampConvention.INTERVAL_END,
    )
    interval_minutes = models.PositiveIntegerField(
        _("expected interval (minutes)"),
        default=15,
        validators=[MinValueValidator(1)],
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent meter"),
        help_text=_("The meter upstream of this one, for sub-metering balances."),
    )
    is_virtual = models.BooleanField(
        _("virtual meter"),
        default=False,
        help_text=_("Computed as a sum and difference of other meters; takes no readings."),
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["site_id", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="meter_code_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def canonical_factor(self) -> float:
        """Return the factor from one register unit × multiplier to the canonical unit."""
        return float(self.multiplier) * conversion_factor(self.unit, self.resource.canonical_unit)

    def rate_factor(self) -> float | None:
        """For meters that report mean rate (kW), the factor from rate × seconds to canonical unit."""
        factor = rate_conversion_factor(self.unit, self.resource.canonical_unit)
        return None if factor is None else factor * float(self.multiplier)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.resource_id is not None and self.unit:
            canonical = self.resource.canonical_unit
            try:
                conversion_factor(self.unit, canonical)
            except UnitError as error:
                is_rate = self.reading_kind == ReadingKind.INTERVAL and rate_conversion_factor(self.unit, canonical)
                if error.code == "unknown_unit" or not is_rate:
                    errors["unit"] = ValidationError(error.message, code=error.code, params={"value": self.unit})
        unit = self.organization_unit if self.organization_unit_id is not None else None
        if unit is not None and unit.site_id != self.site_id:
            errors["organization_unit"] = ValidationError(
                _("The organisation unit belongs to another site."), code="unit_other_site"
            )
        if self.parent_id is not None:
            parent = self.parent
            assert parent is not None
            if parent.site_id != self.site_id:
                errors["parent"] = ValidationError(
                    _("The parent meter belongs to another site."), code="parent_other_site"
                )
            elif parent.resource_id != self.resource_id:
                errors["parent"] = ValidationError(
                    _("The parent meter measures another resource."), code="parent_other_resource"
                )
        if self.rollover_value is not None and self.reading_kind == ReadingKind.INTERVAL:
            errors["rollover_value"] = ValidationError(
                _("Only counters roll over; interval meters have no rollover value."), code="rollover_not_counter"
            )
        if self.rollover_value is not None and self.rollover_value <= 0:
            errors["rollover_value"] = ValidationError(
                _("The rollover value must be positive."), code="rollover_positive"
            )
        if errors:
            raise ValidationError(errors)


class VirtualMeterTerm(models.Model):
    """One term of a virtual meter: + or − the consumption of another meter."""

    virtual_meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="terms", verbose_name=_("virtual meter")
    )
    source = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="used_in_terms", verbose_name=_("source meter")
    )
    sign = models.SmallIntegerField(_("sign"), choices=[(1, "+"), (-1, "−")], default=1)

    class Meta:
        verbose_name = _("virtual meter term")
        verbose_name_plural = _("virtual meter terms")
        constraints = [models.UniqueConstraint(fields=["virtual_meter", "source"], name="virtual_term_unique")]

    def __str__(self) -> str:
        return f"{self.virtual_meter_id} {'+' if self.sign > 0 else '−'} {self.source_id}"

    def clean(self) -> None:
        if not self.virtual_meter.is_virtual:
            raise ValidationError(_("Terms can only be added to a virtual meter."), code="not_virtual")
        if self.source.site_id != self.virtual_meter.site_id:
            raise ValidationError(_("The source meter belongs to another site."), code="source_other_site")
        if self.source.resource.canonical_unit != self.virtual_meter.resource.canonical_unit:
            raise ValidationError(_("The source meter measures in another unit."), code="source_other_unit")
        if self.source_id == self.virtual_meter_id:
            raise ValidationError(_("A virtual meter cannot contain itself."), code="self_reference")


class MeterReplacement(models.Model):
    """Exchange of the physical meter at a measuring point, with both register values."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="replacements", verbose_name=_("meter"))
    replaced_at = models.DateTimeField(_("replaced at"))
    old_final_reading = models.FloatField(_("final reading of the removed meter"))
    new_initial_reading = models.FloatField(_("initial reading of the installed meter"))
    old_serial = models.CharField(_("serial number removed"), max_length=60, blank=True)
    new_serial = models.CharField(_("serial number installed"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meter replacement")
        verbose_name_plural = _("meter replacements")
        ordering = ["meter_id", "replaced_at"]
        constraints = [models.UniqueConstraint(fields=["meter", "replaced_at"], name="replacement_unique")]

    def __str__(self) -> str:
        return f"{self.meter_id} @ {self.replaced_at:%Y-%m-%d %H:%M}"


class BatchKind(models.TextChoices):
    READINGS = "readings", _("meter readings")
    PRODUCTION = "production", _("production records")


class ImportBatch(models.Model):
    """Provenance of stored rows: one committed import of a file or an API/MQTT batch."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=20, choices=BatchKind.choices, default=BatchKind.READINGS)
    source_name = models.CharField(_("source"), max_length=300)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rows_inserted = models.PositiveIntegerField(_("rows inserted"), default=0)
    rows_replaced = models.PositiveIntegerField(_("rows replaced"), default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name}"


class Flag(models.IntegerChoices):
    OK = 0, _("ok")
    SUSPECT = 1, _("suspect, held for review")


class ConsumptionQuality(models.IntegerChoices):
    MEASURED = 0, _("measured")
    ESTIMATED = 1, _("estimated")
    SUSPECT = 2, _("suspect")


class Reading(models.Model):
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings", verbose_name=_("meter"))
    timestamp = models.DateTimeField(_("timestamp"))
    value = models.FloatField(_("value"), help_text=_("As reported, in the meter's unit, before the multiplier."))
    flag = models.SmallIntegerField(_("flag"), choices=Flag.choices, default=Flag.OK)
    # No database constraint: checking it doubled the foreign-key work of every imported row,
    # which the meter key already pays. The ORM still refuses to delete a batch with readings.
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="readings",
        verbose_name=_("batch"),
        db_constraint=False,
    )
    # Derived, recomputed when neighbouring readings arrive late or change.
    consumption = models.FloatField(_("interval consumption"), null=True, blank=True)
    consumption_quality = models.SmallIntegerField(
        _("consumption quality"), choices=ConsumptionQuality.choices, null=True, blank=True
    )
    period_seconds = models.IntegerField(_("interval length (s)"), null=True, blank=True)
    event = models.CharField(_("event"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [models.UniqueConstraint(fields=["meter", "timestamp"], name="reading_unique_per_timestamp")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.timestamp.isoformat()} = {self.value}"


class ReadingChange(models.Model):
    """History of a stored reading whose value was replaced by a later import."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="reading_changes", verbose_name=_("meter"))
    timestamp = models.DateTimeField(_("timestamp"))
    old_value = models.FloatField(_("old value"))
    new_value = models.FloatField(_("new value"))
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, verbose_name=_("batch"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reading change")
        verbose_name_plural = _("reading changes")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.timestamp.isoformat()}: {self.old_value} → {self.new_value}"


class HourlyRollup(models.Model):
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="hourly", verbose_name=_("meter"))
    hour_start = models.DateTimeField(_("hour start"))
    quantity = models.FloatField(_("quantity"))
    estimated = models.FloatField(_("estimated part"), default=0.0)
    suspect = models.FloatField(_("suspect, not included"), default=0.0)
    covered_seconds = models.FloatField(_("covered seconds"), default=0.0)

    class Meta:
        verbose_name = _("hourly rollup")
        verbose_name_plural = _("hourly rollups")
        constraints = [models.UniqueConstraint(fields=["meter", "hour_start"], name="hourly_unique")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.hour_start.isoformat()}: {self.quantity}"


class DailyRollup(models.Model):
    """Consumption per local day of the site (days of 23, 24 or 25 hours)."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="daily", verbose_name=_("meter"))
    day = models.DateField(_("local day"))
    quantity = models.FloatField(_("quantity"))
    estimated = models.FloatField(_("estimated part"), default=0.0)
    suspect = models.FloatField(_("suspect, not included"), default=0.0)
    covered_seconds = models.FloatField(_("covered seconds"), default=0.0)
    day_seconds = models.FloatField(_("length of the day (s)"), default=86400.0)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [models.UniqueConstraint(fields=["meter", "day"], name="daily_unique")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.day}: {self.quantity}"

    @property
    def coverage(self) -> float:
        return self.covered_seconds / self.day_seconds if self.day_seconds else 0.0


class FindingStatus(models.TextChoices):
    OPEN = "open", _("open")
    REVIEWED = "reviewed", _("reviewed")


class Finding(models.Model):
    """A data-quality finding on a meter's series, with its evidence, shown beside the chart."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="findings", verbose_name=_("meter"))
    timestamp = models.DateTimeField(_("timestamp"))
    code = models.CharField(_("code"), max_length=50)
    evidence = models.JSONField(_("evidence"), default=dict)
    blocking = models.BooleanField(_("held for review"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-quality finding")
        verbose_name_plural = _("data-quality findings")
        ordering = ["meter_id", "timestamp"]
        constraints = [models.UniqueConstraint(fields=["meter", "timestamp", "code"], name="finding_unique")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.timestamp.isoformat()} {self.code}"

"""Production output: the denominators of every intensity indicator."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cleanprod.metering.models import ImportBatch
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Category, Resource
from cleanprod.resources.units import UnitError, conversion_factor


class ProductionRecord(models.Model):
    """Output of one product by one organisation unit over a period of local days.

    A reversal is a record with negative quantity and its own reference; records are netted
    when summed, never edited in place by an import.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="production_records", verbose_name=_("site"))
    organization_unit = models.ForeignKey(
        OrganizationUnit,
        on_delete=models.PROTECT,
        related_name="production_records",
        verbose_name=_("organisation unit"),
    )
    product = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="production_records",
        limit_choices_to={"category": Category.PRODUCT},
        verbose_name=_("product"),
    )
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"), help_text=_("Inclusive."))
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=30)
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Document number from the MES/ERP, needed to keep several records of one period apart."),
    )
    is_generated = models.BooleanField(
        _("generated demo data"),
        default=False,
        help_text=_("Generated from a fixed seed for the demo; not measured."),
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("batch"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        ordering = ["site_id", "period_start", "organization_unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization_unit", "product", "period_start", "period_end", "reference"],
                name="production_record_unique",
            )
        ]

    def __str__(self) -> str:
        period = f"{self.period_start}–{self.period_end}"
        return f"{self.organization_unit} {self.product} {period}: {self.quantity} {self.unit}"

    def clean(self) -> None:
        if self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The last day is before the first day.")}, code="invalid_period")
        if self.organization_unit_id is not None and self.organization_unit.site_id != self.site_id:
            raise ValidationError(
                {"organization_unit": _("The organisation unit belongs to another site.")}, code="unit_other_site"
            )
        if self.product_id is not None:
            try:
                conversion_factor(self.unit, self.product.canonical_unit)
            except UnitError as error:
                raise ValidationError({"unit": error.message}, code=error.code) from error

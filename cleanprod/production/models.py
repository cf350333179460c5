"""Production output and output value, the denominators of every intensity indicator, and the waste ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cleanprod.metering.models import ImportBatch
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Category, Resource
from cleanprod.resources.units import UnitError, conversion_factor

if TYPE_CHECKING:
    # django-stubs-ext is a development dependency, needed only by the type checker.
    from django_stubs_ext import StrOrPromise


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


class OutputValueBasis(models.TextChoices):
    """Kind of output value, as defined in the national industrial statistics."""

    GROSS_OUTPUT = "gross_output", _("gross output value")
    VALUE_ADDED = "value_added", _("value added")


class OutputValueRecord(models.Model):
    """Output value of a site or one of its organisation units over a period of local days.

    The value is in 10,000 CNY (万元) at the comparable prices of ``price_base_year``, the
    denominator G of the energy per output value of GB/T 2589-2020 (e_g = E / G). A record
    without an organisation unit is the figure of the whole site. A correction is a record
    with a negative value and its own reference, netted when records are summed.
    """

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="output_value_records", verbose_name=_("site")
    )
    organization_unit = models.ForeignKey(
        OrganizationUnit,
        on_delete=models.PROTECT,
        related_name="output_value_records",
        null=True,
        blank=True,
        verbose_name=_("organisation unit"),
        help_text=_("Leave empty for the output value of the whole site."),
    )
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"), help_text=_("Inclusive."))
    value_10k_cny = models.DecimalField(
        _("output value (10,000 CNY)"),
        max_digits=18,
        decimal_places=4,
        help_text=_("In 10,000 CNY at the comparable prices of the price base year."),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=OutputValueBasis.choices)
    price_base_year = models.PositiveSmallIntegerField(
        _("price base year"),
        # Rejects two-digit typos such as 20 for 2020. The NBS comparable-price series start at base year 1952.
        validators=[MinValueValidator(1952)],
        help_text=_("Year whose prices the value is expressed in (comparable prices)."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Statistical report or ledger number, needed to keep several records of one period apart."),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("output value record")
        verbose_name_plural = _("output value records")
        ordering = ["site_id", "period_start", "organization_unit_id", "basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "organization_unit", "basis", "period_start", "period_end", "reference"],
                name="output_value_record_unique",
            ),
            # SQL treats NULLs as distinct, so site-level records need their own constraint.
            models.UniqueConstraint(
                fields=["site", "basis", "period_start", "period_end", "reference"],
                condition=models.Q(organization_unit__isnull=True),
                name="output_value_record_site_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.organization_unit if self.organization_unit_id is not None else self.site
        period = f"{self.period_start}–{self.period_end}"
        return f"{scope} {self.get_basis_display()} {period}: {self.value_10k_cny} × 10,000 CNY"

    def clean(self) -> None:
        if self.period_start is not None and self.period_end is not None and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": ValidationError(_("The last day is before the first day."), code="invalid_period")}
            )
        if self.organization_unit is not None and self.organization_unit.site_id != self.site_id:
            message = _("The organisation unit belongs to another site.")
            raise ValidationError({"organization_unit": ValidationError(message, code="unit_other_site")})
        if (
            self.price_base_year is not None
            and self.period_end is not None
            and self.price_base_year > self.period_end.year
        ):
            message = _("The price base year is after the period; enter a year up to %(year)s.")
            error = ValidationError(message, code="base_year_after_period", params={"year": self.period_end.year})
            raise ValidationError({"price_base_year": error})


class DisposalRoute(models.TextChoices):
    """Route by which the waste of a record left the site, as in the solid waste statistics."""

    UTILISED_OWN = "utilised_own", _("comprehensive utilisation on site")  # 综合利用（自行）
    UTILISED_EXTERNAL = "utilised_external", _("comprehensive utilisation by another company")  # 综合利用（外委）
    INCINERATION = "incineration", _("incineration")  # 焚烧
    LANDFILL = "landfill", _("landfill")  # 填埋
    LICENSED_CONTRACTOR = "licensed_contractor", _("disposal by a licensed contractor")  # 委托有资质单位处置
    OTHER = "other", _("other")  # 其他


WASTE_CATEGORIES = (Category.SOLID_WASTE, Category.HAZARDOUS_WASTE)

# Relative tolerance of the balance check, because ledgers round each quantity separately.
WASTE_BALANCE_TOLERANCE = Decimal("0.001")
# Absolute tolerance in tonnes, the precision of the stored quantities, for records with little or no waste generated.
WASTE_BALANCE_MIN_TOLERANCE_T = Decimal("0.0001")


def _tonnes_field(
    verbose_name: StrOrPromise, help_text: StrOrPromise = ""
) -> models.DecimalField[str | float | Decimal, Decimal]:
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=help_text,
    )


class WasteRecord(models.Model):
    """Generation and handling of one solid or hazardous waste over a period of local days (固体废物台账).

    All quantities are in tonnes. They must satisfy the balance of the National Bureau of
    Statistics solid waste report: generated = utilised − utilised from prior-year stock
    + stored + disposed + dumped, within 0.1 %.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="waste_records", verbose_name=_("site"))
    organization_unit = models.ForeignKey(
        OrganizationUnit,
        on_delete=models.PROTECT,
        related_name="waste_records",
        null=True,
        blank=True,
        verbose_name=_("organisation unit"),
        help_text=_("Leave empty for waste recorded for the whole site."),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="waste_records",
        limit_choices_to={"category__in": WASTE_CATEGORIES},
        verbose_name=_("waste"),
    )
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"), help_text=_("Inclusive."))
    generated_t = _tonnes_field(_("generated (t)"))
    utilised_t = _tonnes_field(
        _("utilised (t)"), _("Comprehensive utilisation, including the prior-year stock utilised in the period.")
    )
    prior_stock_utilised_t = _tonnes_field(
        _("of which prior-year stock utilised (t)"), _("Part of the utilised quantity taken from prior-year storage.")
    )
    disposed_t = _tonnes_field(_("disposed (t)"))
    stored_t = _tonnes_field(_("stored (t)"), _("Generated in the period and still stored at its end."))
    dumped_t = _tonnes_field(_("dumped (t)"), _("Dumped or discarded without permitted handling."))
    disposal_route = models.CharField(
        _("disposal route"),
        max_length=20,
        choices=DisposalRoute.choices,
        blank=True,
        help_text=_("Leave empty when the waste of this record is only stored."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_(
            "Transfer manifest (转移联单) or ledger number, needed to keep several records of one period apart."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waste record")
        verbose_name_plural = _("waste records")
        ordering = ["site_id", "period_start", "resource_id"]

    def __str__(self) -> str:
        scope = self.organization_unit if self.organization_unit_id is not None else self.site
        period = f"{self.period_start}–{self.period_end}"
        return f"{scope} {self.resource} {period}: {self.generated_t} t"

    def balance_difference_t(self) -> Decimal:
        """Return generated minus the handled quantities of the NBS balance, in tonnes."""
        handled = self.utilised_t - self.prior_stock_utilised_t + self.stored_t + self.disposed_t + self.dumped_t
        difference: Decimal = self.generated_t - handled
        return difference

    def clean(self) -> None:
        if self.period_start is not None and self.period_end is not None and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": ValidationError(_("The last day is before the first day."), code="invalid_period")}
            )
        if self.organization_unit is not None and self.organization_unit.site_id != self.site_id:
            message = _("The organisation unit belongs to another site.")
            raise ValidationError({"organization_unit": ValidationError(message, code="unit_other_site")})
        if self.resource_id is not None and self.resource.category not in WASTE_CATEGORIES:
            message = _("%(resource)s is not a general solid waste or a hazardous waste. Choose a waste resource.")
            error = ValidationError(message, code="not_waste", params={"resource": self.resource})
            raise ValidationError({"resource": error})
        quantities = [
            self.generated_t,
            self.utilised_t,
            self.prior_stock_utilised_t,
            self.disposed_t,
            self.stored_t,
            self.dumped_t,
        ]
        if any(quantity is None for quantity in quantities):
            return
        if self.prior_stock_utilised_t > self.utilised_t:
            message = _(
                "The prior-year stock utilised (%(prior)s t) is more than the quantity utilised (%(utilised)s t). "
                "Enter at most the utilised quantity, because the stock utilised is part of it."
            )
            params = {"prior": self.prior_stock_utilised_t, "utilised": self.utilised_t}
            error = ValidationError(message, code="prior_stock_above_utilised", params=params)
            raise ValidationError({"prior_stock_utilised_t": error})
        difference = self.balance_difference_t()
        tolerance = max(self.generated_t * WASTE_BALANCE_TOLERANCE, WASTE_BALANCE_MIN_TOLERANCE_T)
        if abs(difference) > tolerance:
            message = _(
                "Generated waste does not balance: generated − (utilised − prior-year stock utilised + stored + "
                "disposed + dumped) = %(difference)s t, more than 0.1 %% of the generated quantity. Correct the "
                "quantities so that the handled waste adds up to the generated waste."
            )
            raise ValidationError(message, code="unbalanced", params={"difference": difference})

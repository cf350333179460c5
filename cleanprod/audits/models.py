"""A cleaner production audit (清洁生产审核) of one site: its kind, scope, team and parameters.

The procedure follows the 《清洁生产审核办法》 (NDRC/MEE Order No. 38 of 2016) and the
seven phases of the audit handbook; the report follows the HJ 469-2009 layout.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cleanprod.organization.models import OrganizationUnit, Site


class AuditKind(models.TextChoices):
    MANDATORY = "mandatory", _("mandatory (强制性)")
    VOLUNTARY = "voluntary", _("voluntary (自愿性)")


class MandatoryTrigger(models.TextChoices):
    """The three statutory conditions of Article 8 of the 2016 办法; any one makes the audit mandatory."""

    EMISSIONS = "emissions", _("emissions exceed discharge standards or total-load limits")
    ENERGY = "energy", _("energy use exceeds the energy consumption quota of the product")
    TOXIC = "toxic", _("toxic or hazardous raw materials used or substances discharged")


class AuditStatus(models.TextChoices):
    ACTIVE = "active", _("in progress")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class AuditProject(models.Model):
    """One round of cleaner production audit of a site.

    The economic parameters (tax rate, depreciation life, discount rate) and the cost-class
    thresholds belong to the audit: no national value exists for the thresholds, and the
    rates are those the audit team agrees with the enterprise.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="audits", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AuditKind.choices, default=AuditKind.VOLUNTARY)
    trigger = models.CharField(
        _("statutory trigger"),
        max_length=20,
        choices=MandatoryTrigger.choices,
        blank=True,
        help_text=_("Required for a mandatory audit: the condition that put the enterprise on the list."),
    )
    listed_on = models.DateField(
        _("listed on"),
        null=True,
        blank=True,
        help_text=_("Date the list of enterprises under mandatory audit was published; deadlines count from it."),
    )
    scope_units = models.ManyToManyField(
        OrganizationUnit, blank=True, related_name="audits", verbose_name=_("organisation units in scope")
    )
    baseline_year = models.PositiveIntegerField(
        _("baseline year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.ACTIVE)
    # Options cheaper than the low-cost limit are no/low cost (无/低费); above the high-cost
    # limit they are high cost. Amounts in 10,000 CNY (万元), as audit reports state them.
    low_cost_limit = models.DecimalField(
        _("no/low cost limit (10,000 CNY)"), max_digits=12, decimal_places=2, default=Decimal("5")
    )
    high_cost_limit = models.DecimalField(
        _("high cost limit (10,000 CNY)"), max_digits=12, decimal_places=2, default=Decimal("50")
    )
    tax_rate = models.DecimalField(
        _("income tax rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    depreciation_years = models.PositiveIntegerField(
        _("depreciation life (years)"), default=10, validators=[MinValueValidator(1)]
    )
    discount_rate = models.DecimalField(
        _("discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.08"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="audits_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cleaner production audit")
        verbose_name_plural = _("cleaner production audits")
        ordering = ["-started_on", "pk"]

    def __str__(self) -> str:
        return self.name

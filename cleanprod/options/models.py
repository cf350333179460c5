"""Cleaner production options of an audit: register, effects, screening, feasibility, implementation, verification.

Amounts of money are in 10,000 CNY (万元), as audit reports state them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cleanprod.audits.models import AuditProject, CriterionScore, WeightedCriterion
from cleanprod.metering.models import Meter
from cleanprod.resources.models import Resource
from cleanprod.resources.units import UnitError, conversion_factor

from .workflow import CostClass, OptionStatus, cost_class


class OptionSource(models.TextChoices):
    AUDIT_TEAM = "audit_team", _("audit team")
    EMPLOYEE = "employee", _("employee suggestion")
    EXPERT = "expert", _("expert")
    OTHER = "other", _("other")


class Aspect(models.TextChoices):
    """The eight aspects along which audits analyse waste causes and classify options."""

    MATERIALS_ENERGY = "materials_energy", _("raw and auxiliary materials and energy")
    TECHNOLOGY = "technology", _("technology and process")
    EQUIPMENT = "equipment", _("equipment")
    PROCESS_CONTROL = "process_control", _("process control")
    PRODUCT = "product", _("product")
    WASTE = "waste", _("waste streams")
    MANAGEMENT = "management", _("management")
    EMPLOYEES = "employees", _("employees")


class Option(models.Model):
    """One cleaner production option (清洁生产方案) of an audit, numbered F1, F2, … per audit."""

    audit = models.ForeignKey(AuditProject, on_delete=models.CASCADE, related_name="options", verbose_name=_("audit"))
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=OptionSource.choices, default=OptionSource.AUDIT_TEAM)
    aspect = models.CharField(_("aspect"), max_length=20, choices=Aspect.choices)
    investment = models.DecimalField(
        _("estimated investment (10,000 CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OptionStatus.choices, default=OptionStatus.PROPOSED, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cleaner production option")
        verbose_name_plural = _("cleaner production options")
        ordering = ["audit_id", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="option_number_unique_per_audit")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"F{self.number}"

    @property
    def cost_class(self) -> CostClass:
        return cost_class(self.investment, self.audit.low_cost_limit, self.audit.high_cost_limit)

    def get_cost_class_display(self) -> str:
        return str(self.cost_class.label)


class OptionEffect(models.Model):
    """The expected annual saving of one resource, in a unit the resource's quantities convert to."""

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="effects", verbose_name=_("option"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="+", verbose_name=_("resource"))
    annual_quantity = models.DecimalField(_("annual quantity saved"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("e.g. kWh, MWh, t, m3"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expected effect")
        verbose_name_plural = _("expected effects")
        ordering = ["option_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["option", "resource"], name="option_effect_unique_resource")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.annual_quantity} {self.unit}"

    def clean(self) -> None:
        if self.resource_id is None or not self.unit:
            return
        try:
            conversion_factor(self.unit, self.resource.canonical_unit)
        except UnitError as error:
            raise ValidationError(
                {
                    "unit": _("%(error)s The unit must convert to %(canonical)s, the unit of %(resource)s.")
                    % {"error": error.message, "canonical": self.resource.canonical_unit, "resource": self.resource}
                },
                code="unit_incompatible",
            ) from error

    def quantity_in_canonical_unit(self) -> float:
        return float(self.annual_quantity) * conversion_factor(self.unit, self.resource.canonical_unit)


class OptionTransition(models.Model):
    """One status change of an option, with who made it, when and why."""

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("option"))
    from_status = models.CharField(_("from status"), max_length=20, choices=OptionStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=OptionStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["option_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.option_id}: {self.from_status} → {self.to_status}"


class ScreeningCriterion(WeightedCriterion):
    """A weighted criterion of the audit's option screening."""

    audit = models.ForeignKey(
        AuditProject, on_delete=models.CASCADE, related_name="screening_criteria", verbose_name=_("audit")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening criterion")
        verbose_name_plural = _("screening criteria")
        ordering = ["audit_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "key"], name="screening_criterion_unique_key")]


class OptionScore(CriterionScore):
    """The score R of one option on one screening criterion."""

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="scores", verbose_name=_("option"))
    criterion = models.ForeignKey(
        ScreeningCriterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening score")
        verbose_name_plural = _("screening scores")
        constraints = [models.UniqueConstraint(fields=["option", "criterion"], name="option_score_unique")]

    def __str__(self) -> str:
        return f"{self.option_id}/{self.criterion_id}: {self.score}"


class Conclusion(models.TextChoices):
    FEASIBLE = "feasible", _("feasible")
    NOT_FEASIBLE = "not_feasible", _("not feasible")


class Feasibility(models.Model):
    """The feasibility analysis of a medium or high cost option: technical, environmental and economic.

    The economic inputs are stored; the results are computed on display and frozen into
    ``frozen_result`` when the conclusion is recorded. Empty rates take the audit's values.
    """

    option = models.OneToOneField(
        Option, on_delete=models.CASCADE, related_name="feasibility", verbose_name=_("option")
    )
    technical_assessment = models.TextField(_("technical assessment"), blank=True)
    environmental_assessment = models.TextField(_("environmental assessment"), blank=True)
    investment = models.DecimalField(
        _("total investment (10,000 CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    subsidy = models.DecimalField(
        _("subsidy (10,000 CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    revenue_increase = models.DecimalField(
        _("annual revenue increase (10,000 CNY)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    cost_saving = models.DecimalField(
        _("annual operating cost saving (10,000 CNY)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    tax_rate = models.DecimalField(
        _("income tax rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Empty: the audit's rate. A fraction, e.g. 0.25 for 25 %."),
    )
    depreciation_years = models.PositiveIntegerField(
        _("depreciation life (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Empty: the audit's depreciation life."),
    )
    discount_rate = models.DecimalField(
        _("discount rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Empty: the audit's rate. A fraction, e.g. 0.08 for 8 %."),
    )
    life_years = models.PositiveIntegerField(
        _("economic life (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Empty: the depreciation life."),
    )
    override_note = models.TextField(
        _("reason for rates differing from the audit's"),
        blank=True,
    )
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=Conclusion.choices, blank=True)
    conclusion_reason = models.TextField(_("reason for the conclusion"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    frozen_result = models.JSONField(_("results when concluded"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feasibility analysis")
        verbose_name_plural = _("feasibility analyses")

    def __str__(self) -> str:
        return str(self.option)

    def clean(self) -> None:
        audit = self.option.audit
        overridden = (
            (self.tax_rate is not None and self.tax_rate != audit.tax_rate)
            or (self.depreciation_years is not None and self.depreciation_years != audit.depreciation_years)
            or (self.discount_rate is not None and self.discount_rate != audit.discount_rate)
        )
        if overridden and not self.override_note.strip():
            raise ValidationError(
                {"override_note": _("Give the reason why this option uses rates other than the audit's.")},
                code="override_note_missing",
            )
        # A negative investment has its own error; comparing the subsidy with it would add a misleading one.
        investment_valid = self.investment is not None and self.investment >= 0
        if self.subsidy is not None and investment_valid and self.subsidy > self.investment:
            raise ValidationError(
                {"subsidy": _("The subsidy cannot exceed the total investment.")}, code="subsidy_too_large"
            )


class ExtraCashFlow(models.Model):
    """A one-off cash flow added to one year of the regular flows, e.g. an overhaul cost (negative)."""

    feasibility = models.ForeignKey(
        Feasibility, on_delete=models.CASCADE, related_name="extra_flows", verbose_name=_("feasibility analysis")
    )
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    amount = models.DecimalField(
        _("amount (10,000 CNY)"), max_digits=14, decimal_places=2, help_text=_("Negative for a cost.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("irregular cash flow")
        verbose_name_plural = _("irregular cash flows")
        ordering = ["feasibility_id", "year", "pk"]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class Implementation(models.Model):
    """The implementation plan and progress of an option."""

    option = models.OneToOneField(
        Option, on_delete=models.CASCADE, related_name="implementation", verbose_name=_("option")
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    planned_completion_on = models.DateField(_("planned completion"), null=True, blank=True)
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    progress_percent = models.PositiveIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    notes = models.TextField(_("progress notes"), blank=True)
    actual_investment = models.DecimalField(
        _("actual investment (10,000 CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    in_service_on = models.DateField(_("in service since"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("implementation")
        verbose_name_plural = _("implementations")

    def __str__(self) -> str:
        return str(self.option)

    def clean(self) -> None:
        if self.start_on and self.planned_completion_on and self.planned_completion_on < self.start_on:
            raise ValidationError(
                {"planned_completion_on": _("The planned completion is before the start.")}, code="completion_early"
            )
        if self.start_on and self.in_service_on and self.in_service_on < self.start_on:
            raise ValidationError(
                {"in_service_on": _("The date in service is before the start.")}, code="service_early"
            )


class Verification(models.Model):
    """The verification set-up of an option: affected meters, the product to normalise by, and the two windows.

    Empty window dates take the defaults: the 90 days before the implementation start and
    the 90 days from the date in service.
    """

    option = models.OneToOneField(
        Option, on_delete=models.CASCADE, related_name="verification", verbose_name=_("option")
    )
    meters = models.ManyToManyField(Meter, related_name="+", verbose_name=_("affected meters"))
    product = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
        help_text=_("Empty: compare consumption per day."),
    )
    before_start = models.DateField(_("before window from"), null=True, blank=True)
    before_end = models.DateField(_("before window to"), null=True, blank=True)
    after_start = models.DateField(_("after window from"), null=True, blank=True)
    after_end = models.DateField(_("after window to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("savings verification")
        verbose_name_plural = _("savings verifications")

    def __str__(self) -> str:
        return str(self.option)

    def clean(self) -> None:
        for start, end, field in (
            (self.before_start, self.before_end, "before_end"),
            (self.after_start, self.after_end, "after_end"),
        ):
            if start and end and end < start:
                raise ValidationError({field: _("The window ends before it starts.")}, code="window_reversed")

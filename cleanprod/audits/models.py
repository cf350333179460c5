"""A cleaner production audit (清洁生产审核) of one site: its kind, scope, team and parameters.

The procedure follows the 《清洁生产审核办法》 (NDRC/MEE Order No. 38 of 2016) and the
seven phases of the audit handbook; the report follows the HJ 469-2009 layout.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
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
    finished_on = models.DateField(
        _("finished on"),
        null=True,
        blank=True,
        help_text=_("Date the audit report was submitted; the next audit of a toxic-substance site counts from it."),
    )
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
    # The texts the auditors write for the report (HJ 469-2009 chapters 前言, 企业概况,
    # 持续清洁生产 and 结论); the tables around them come from the data.
    report_overview = models.TextField(_("foreword of the report"), blank=True)
    enterprise_description = models.TextField(
        _("production, products and processes"),
        blank=True,
        help_text=_("For the company profile chapter of the report."),
    )
    continuous_plan = models.TextField(
        _("continuous cleaner production"),
        blank=True,
        help_text=_("The cleaner production organisation and system kept after the audit, and the next round."),
    )
    conclusions = models.TextField(_("conclusions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="audits_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Scope changes are part of the audit trail, so the many-to-many field is tracked too.
    history = HistoricalRecords(m2m_fields=[scope_units])

    class Meta:
        verbose_name = _("cleaner production audit")
        verbose_name_plural = _("cleaner production audits")
        ordering = ["-started_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.kind == AuditKind.MANDATORY and not self.trigger:
            errors["trigger"] = ValidationError(
                _("A mandatory audit needs the statutory trigger that put the enterprise on the list; choose one."),
                code="trigger_missing",
            )
        if self.kind == AuditKind.MANDATORY and self.listed_on is None:
            errors["listed_on"] = ValidationError(
                _(
                    "A mandatory audit needs the date the list was published, because the statutory start and "
                    "finish deadlines count from it; enter the listing date."
                ),
                code="listed_on_missing",
            )
        if self.kind == AuditKind.VOLUNTARY and self.trigger:
            errors["trigger"] = ValidationError(
                _("A voluntary audit has no statutory trigger; clear the trigger or make the audit mandatory."),
                code="trigger_forbidden",
            )
        limits = (self.low_cost_limit, self.high_cost_limit)
        if None not in limits and self.low_cost_limit > self.high_cost_limit:
            errors["high_cost_limit"] = ValidationError(
                _("The high cost limit must not be below the no/low cost limit."), code="limits_inverted"
            )
        if self.finished_on is not None and self.started_on is not None and self.finished_on < self.started_on:
            errors["finished_on"] = ValidationError(
                _("The audit cannot finish before it started; correct one of the dates."), code="finished_before_start"
            )
        if errors:
            raise ValidationError(errors)


class TeamRole(models.TextChoices):
    LEADER = "leader", _("team leader")
    MEMBER = "member", _("team member")
    CONSULTANT = "consultant", _("external consultant")


class TeamMember(models.Model):
    """A member of the audit team: a user of the site, or an external person named here."""

    audit = models.ForeignKey(AuditProject, on_delete=models.CASCADE, related_name="team", verbose_name=_("audit"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_memberships",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Needed for a person without a user."))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role in the team"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit team member")
        verbose_name_plural = _("audit team members")
        ordering = ["audit", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit"], condition=models.Q(role="leader"), name="audits_one_leader_per_audit"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name entered for the member, else the user's full name, else the login name."""
        if self.name.strip() or self.user is None:
            return self.name.strip()
        return self.user.get_full_name() or self.user.get_username()


class PhaseCode(models.TextChoices):
    """The seven phases of the audit handbook procedure, in order."""

    PREPARATION = "preparation", _("Audit preparation (审核准备)")
    PRE_ASSESSMENT = "pre_assessment", _("Pre-assessment (预审核)")
    ASSESSMENT = "assessment", _("Assessment (审核)")
    OPTIONS = "options", _("Option generation and screening (方案的产生和筛选)")
    FEASIBILITY = "feasibility", _("Feasibility analysis (可行性分析)")
    IMPLEMENTATION = "implementation", _("Implementation (方案实施)")
    CONTINUOUS = "continuous", _("Continuous cleaner production (持续清洁生产)")


class Phase(models.Model):
    audit = models.ForeignKey(AuditProject, on_delete=models.CASCADE, related_name="phases", verbose_name=_("audit"))
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1), MaxValueValidator(7)])
    code = models.CharField(_("phase"), max_length=20, choices=PhaseCode.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit phase")
        verbose_name_plural = _("audit phases")
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "code"], name="audits_phase_once_per_audit")]

    def __str__(self) -> str:
        return f"{self.number}. {self.get_code_display()}"


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


CLOSED_STEP_STATUSES = (StepStatus.DONE, StepStatus.NOT_APPLICABLE)


class Step(models.Model):
    """One item of a phase's checklist."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("phase"))
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_steps",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.NOT_STARTED)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit step")
        verbose_name_plural = _("audit steps")
        ordering = ["phase", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STEP_STATUSES


class StepComment(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="comments", verbose_name=_("step"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("step comment")
        verbose_name_plural = _("step comments")
        ordering = ["step", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The audit id in the path keeps each audit's files together; the name is chosen by Django's storage.
    return f"audits/{instance.step.phase.audit_id}/evidence/{filename}"


class Evidence(models.Model):
    """A file that documents a step (minutes, training records, photos), stored under MEDIA_ROOT."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("step"))
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["step", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class PreAssessmentSnapshot(models.Model):
    """The baseline-year numbers of the pre-assessment, frozen so the report keeps them.

    ``numbers`` is the JSON of services.pre_assessment_numbers, and ``factor_versions``
    lists every factor version those numbers used.
    """

    audit = models.ForeignKey(AuditProject, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("audit"))
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by")
    )
    numbers = models.JSONField(_("numbers"))
    factor_versions = models.JSONField(_("factor versions"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pre-assessment snapshot")
        verbose_name_plural = _("pre-assessment snapshots")
        ordering = ["audit", "-taken_at", "-pk"]
        get_latest_by = ["taken_at", "pk"]

    def __str__(self) -> str:
        return f"{self.audit} · {self.taken_at:%Y-%m-%d %H:%M}"


class WeightedCriterion(models.Model):
    """A criterion W of a weighted-sum ranking (权重总和计分排序法): S_j = Σ W_i × R_ij.

    The audit focus and the option screening each keep their own criteria per audit.
    """

    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("criterion"), max_length=100)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label


class FocusCriterion(WeightedCriterion):
    """A factor of the ranking of audit focus candidates."""

    audit = models.ForeignKey(
        AuditProject, on_delete=models.CASCADE, related_name="focus_criteria", verbose_name=_("audit")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus criterion")
        verbose_name_plural = _("focus criteria")
        ordering = ["audit", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "key"], name="audits_focus_criterion_key_unique")]


class FocusCandidate(models.Model):
    """An organisation unit considered as audit focus (备选审核重点)."""

    audit = models.ForeignKey(
        AuditProject, on_delete=models.CASCADE, related_name="focus_candidates", verbose_name=_("audit")
    )
    unit = models.ForeignKey(
        OrganizationUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation unit")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus candidate")
        verbose_name_plural = _("focus candidates")
        ordering = ["audit", "unit__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "unit"], name="audits_focus_candidate_unique")]

    def __str__(self) -> str:
        return str(self.unit)


class CriterionScore(models.Model):
    """A score R (0–10) of one candidate on one weighted criterion."""

    score = models.DecimalField(
        _("score"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )

    class Meta:
        abstract = True


class FocusScore(CriterionScore):
    candidate = models.ForeignKey(
        FocusCandidate, on_delete=models.CASCADE, related_name="scores", verbose_name=_("candidate")
    )
    criterion = models.ForeignKey(
        FocusCriterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus score")
        verbose_name_plural = _("focus scores")
        constraints = [models.UniqueConstraint(fields=["candidate", "criterion"], name="audits_focus_score_unique")]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.criterion}: {self.score}"


class FocusDecision(models.Model):
    """The chosen audit focus (审核重点), with the ranking as it stood when it was chosen."""

    audit = models.OneToOneField(AuditProject, on_delete=models.CASCADE, related_name="focus", verbose_name=_("audit"))
    unit = models.ForeignKey(
        OrganizationUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("audit focus")
    )
    ranking = models.JSONField(_("ranking"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chosen by")
    )
    chosen_at = models.DateTimeField(_("chosen at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit focus")
        verbose_name_plural = _("audit focuses")

    def __str__(self) -> str:
        return str(self.unit)


class TargetIndicator(models.TextChoices):
    """Indicators of the pre-assessment snapshot that a cleaner production target can refer to."""

    ENERGY_TCE = "energy_tce", _("comprehensive energy consumption (tce)")
    CO2_T = "co2_t", _("total CO2 emissions (t)")
    FRESH_WATER_M3 = "fresh_water_m3", _("fresh water use (m³)")
    SOLID_WASTE_T = "solid_waste_t", _("general solid waste generated (t)")
    HAZARDOUS_WASTE_T = "hazardous_waste_t", _("hazardous waste generated (t)")
    ENERGY_INTENSITY = "energy_intensity", _("energy per unit of product (kgce/unit)")
    WATER_INTENSITY = "water_intensity", _("fresh water per unit of product (m³/unit)")
    OTHER = "other", _("other (baseline entered by hand)")


class Target(models.Model):
    """A cleaner production target (清洁生产目标) with near-term and long-term values."""

    audit = models.ForeignKey(AuditProject, on_delete=models.CASCADE, related_name="targets", verbose_name=_("audit"))
    indicator = models.CharField(_("indicator"), max_length=30, choices=TargetIndicator.choices)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Needed for the indicator “other”."))
    unit = models.CharField(_("unit"), max_length=30)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=18, decimal_places=4)
    near_term_value = models.DecimalField(_("near-term target"), max_digits=18, decimal_places=4)
    near_term_year = models.PositiveIntegerField(_("near-term year"))
    long_term_value = models.DecimalField(_("long-term target"), max_digits=18, decimal_places=4, null=True, blank=True)
    long_term_year = models.PositiveIntegerField(_("long-term year"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cleaner production target")
        verbose_name_plural = _("cleaner production targets")
        ordering = ["audit", "indicator", "pk"]

    def __str__(self) -> str:
        return self.name or self.get_indicator_display()


class BalanceKind(models.TextChoices):
    MATERIAL = "material", _("material balance (物料平衡)")
    WATER = "water", _("water balance (水平衡)")
    ENERGY = "energy", _("energy balance (能量平衡)")


class Balance(models.Model):
    """A material, water or energy balance of the audit focus, closed per process step and overall."""

    audit = models.ForeignKey(AuditProject, on_delete=models.CASCADE, related_name="balances", verbose_name=_("audit"))
    kind = models.CharField(_("kind"), max_length=20, choices=BalanceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("Unit of every flow of this balance, e.g. t or m³."))
    # No standard sets an allowed input-output difference, so 5 % is only an editable default.
    tolerance_percent = models.DecimalField(
        _("tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        ordering = ["audit", "kind", "pk"]

    def __str__(self) -> str:
        return self.name


class FlowDirection(models.TextChoices):
    INPUT = "input", _("input")
    OUTPUT = "output", _("output")
    TRANSFER = "transfer", _("transfer to another step")


class BalanceFlow(models.Model):
    """A flow of a balance: into a process step, out of it, or from one step to another."""

    balance = models.ForeignKey(Balance, on_delete=models.CASCADE, related_name="flows", verbose_name=_("balance"))
    step = models.CharField(_("process step"), max_length=100)
    direction = models.CharField(_("direction"), max_length=20, choices=FlowDirection.choices)
    to_step = models.CharField(_("to step"), max_length=100, blank=True, help_text=_("Needed for a transfer."))
    name = models.CharField(_("flow"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    estimated = models.BooleanField(_("estimated"), default=False)
    meter = models.ForeignKey(
        "metering.Meter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filled from meter"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("balance flow")
        verbose_name_plural = _("balance flows")
        ordering = ["balance", "pk"]  # entry order, which is also the order of the steps in the closure table

    def __str__(self) -> str:
        return self.name


class Aspect(models.TextChoices):
    """The eight aspects along which waste causes are analysed and options classified."""

    MATERIALS = "materials", _("raw and auxiliary materials, energy (原辅材料和能源)")
    TECHNOLOGY = "technology", _("technology and process (技术工艺)")
    EQUIPMENT = "equipment", _("equipment (设备)")
    PROCESS_CONTROL = "process_control", _("process control (过程控制)")
    PRODUCT = "product", _("product (产品)")
    WASTE = "waste", _("waste (废弃物)")
    MANAGEMENT = "management", _("management (管理)")
    EMPLOYEES = "employees", _("employees (员工)")


class WasteStream(models.Model):
    audit = models.ForeignKey(
        AuditProject, on_delete=models.CASCADE, related_name="waste_streams", verbose_name=_("audit")
    )
    name = models.CharField(_("waste stream"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waste stream")
        verbose_name_plural = _("waste streams")
        ordering = ["audit", "pk"]

    def __str__(self) -> str:
        return self.name


class Cause(models.Model):
    stream = models.ForeignKey(
        WasteStream, on_delete=models.CASCADE, related_name="causes", verbose_name=_("waste stream")
    )
    aspect = models.CharField(_("aspect"), max_length=20, choices=Aspect.choices)
    description = models.TextField(_("cause"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waste cause")
        verbose_name_plural = _("waste causes")
        ordering = ["stream", "aspect", "pk"]

    def __str__(self) -> str:
        return self.description[:50]

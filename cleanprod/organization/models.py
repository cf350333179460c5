"""Enterprise, sites, the organisation tree under each site, and who may see which site."""

from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .codes import PROVINCES, industry_code_problem, uscc_problem


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_uscc", params={"value": value})


def validate_industry_code(value: str) -> None:
    problem = industry_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_industry_code", params={"value": value})


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone name such as Asia/Shanghai."),
            code="invalid_time_zone",
            params={"value": value},
        )


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("18 characters per GB 32100-2015, including the check character."),
    )
    industry_code = models.CharField(
        _("industry code"),
        max_length=5,
        validators=[validate_industry_code],
        help_text=_("GB/T 4754-2017 classification, e.g. C3110 for steelmaking."),
    )
    province = models.CharField(_("province"), max_length=20, choices=PROVINCES, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


GRID_REGIONS = [
    ("national", _("national average")),
    ("north_china", _("North China grid")),
    ("northeast_china", _("Northeast China grid")),
    ("east_china", _("East China grid")),
    ("central_china", _("Central China grid")),
    ("northwest_china", _("Northwest China grid")),
    ("south_china", _("China Southern grid")),
    ("southwest_china", _("Southwest China grid")),
]


class Site(models.Model):
    """A plant (厂区) of an enterprise; every reading and record belongs to one site."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="sites", verbose_name=_("enterprise")
    )
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_time_zone],
        help_text=_("Local days, shifts and tariff periods are cut in this zone."),
    )
    grid_region = models.CharField(
        _("grid region"),
        max_length=20,
        choices=GRID_REGIONS,
        default="national",
        help_text=_("Regional power grid whose emission factor applies to purchased electricity."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["enterprise_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class UnitKind(models.TextChoices):
    WORKSHOP = "workshop", _("workshop")
    PRODUCTION_LINE = "production_line", _("production line")
    PROCESS = "process", _("process")  # 工序
    EQUIPMENT = "equipment", _("equipment")
    UTILITY_SYSTEM = "utility_system", _("utility system")
    BUILDING = "building", _("building")


class OrganizationUnit(models.Model):
    """A node of a site's organisation tree; the tree may be of any depth."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="units", verbose_name=_("site"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="unit_code_unique_per_site")]
        ordering = ["site_id", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        parent = self.parent
        assert parent is not None
        if parent.site_id != self.site_id:
            raise ValidationError({"parent": _("The parent unit belongs to another site.")}, code="parent_other_site")
        ancestor: OrganizationUnit | None = parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A unit cannot be placed under itself or one of its descendants.")},
                    code="tree_cycle",
                )
            ancestor = ancestor.parent


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    EHS_MANAGER = "ehs_manager", _("EHS manager")
    SITE_MANAGER = "site_manager", _("site manager")
    DATA_ENTRY = "data_entry", _("data entry operator")
    # An external cleaner production consultant (清洁生产审核咨询机构) on the audit team:
    # works on the audits of the site, reads its data, changes nothing else.
    CONSULTANT = "cp_consultant", _("cleaner production consultant")
    AUDITOR = "auditor", _("auditor (read-only)")


# Roles that see every site; the others see only the site named in their membership.
ALL_SITE_ROLES = frozenset({Role.ADMINISTRATOR, Role.EHS_MANAGER})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("site"),
        help_text=_("Empty for administrators and EHS managers, who see every site."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "site"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.site or _('all sites')}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.role in ALL_SITE_ROLES and self.site_id is not None:
            raise ValidationError(
                {"site": _("This role covers all sites; leave the site empty.")}, code="site_not_allowed"
            )
        if self.role not in ALL_SITE_ROLES and self.site_id is None:
            raise ValidationError({"site": _("This role needs a site.")}, code="site_required")

"""Resources that are metered, and the versioned factors that turn them into tce and CO2."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .units import UnitError, parse_unit


def validate_unit(value: str) -> None:
    try:
        parse_unit(value)
    except UnitError as error:
        raise ValidationError(error.message, code=error.code, params={"value": value}) from error


class Category(models.TextChoices):
    ELECTRICITY = "electricity", _("electricity")
    FUEL = "fuel", _("fuel")
    HEAT = "heat", _("heat and steam")
    WATER = "water", _("water")
    ENERGY_MEDIUM = "energy_medium", _("energy-carrying medium")  # 耗能工质
    RAW_MATERIAL = "raw_material", _("raw material")
    PRODUCT = "product", _("product")
    SOLID_WASTE = "solid_waste", _("general solid waste")
    HAZARDOUS_WASTE = "hazardous_waste", _("hazardous waste")
    WASTEWATER = "wastewater", _("wastewater")
    AIR_EMISSION = "air_emission", _("air emission")


HW_CATEGORIES = [(f"HW{number:02d}", f"HW{number:02d}") for number in [*range(1, 41), *range(45, 51)]]


class Resource(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    canonical_unit = models.CharField(
        _("canonical unit"),
        max_length=30,
        validators=[validate_unit],
        help_text=_("Rollups and indicators store this resource in this unit."),
    )
    hw_category = models.CharField(
        _("HW category"),
        max_length=4,
        choices=HW_CATEGORIES,
        blank=True,
        help_text=_("National Catalogue of Hazardous Wastes (国家危险废物名录) category, for hazardous waste only."),
    )
    is_energy = models.BooleanField(
        _("counts as energy"),
        default=False,
        help_text=_("Included in comprehensive energy consumption (GB/T 2589)."),
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        language = get_language() or "zh-hans"
        return self.name_zh if language.startswith("zh") else self.name_en

    def clean(self) -> None:
        if self.hw_category and self.category != Category.HAZARDOUS_WASTE:
            raise ValidationError({"hw_category": _("Only hazardous waste has an HW category.")}, code="hw_not_allowed")


class FactorKind(models.TextChoices):
    # GB/T 2589 折标准煤系数, calorific equivalent (当量值)
    STANDARD_COAL = "standard_coal", _("standard coal coefficient (calorific equivalent)")
    # GB/T 2589 electricity at primary-energy equivalent (等价值), set per year
    STANDARD_COAL_EQUIVALENT_VALUE = (
        "standard_coal_equivalent_value",
        _("standard coal coefficient (primary-energy equivalent)"),
    )
    GRID_EMISSION = "grid_emission", _("grid emission factor")
    HEAT_EMISSION = "heat_emission", _("heat emission factor")
    FUEL_NCV = "fuel_ncv", _("net calorific value")
    FUEL_CARBON_CONTENT = "fuel_carbon_content", _("carbon content per unit heat")
    FUEL_OXIDATION = "fuel_oxidation", _("carbon oxidation rate")
    # Stoichiometric M(CO2)/M(carbonate), tCO2 per t of carbonate
    CARBONATE_EMISSION = "carbonate_emission", _("carbonate emission factor")


class Confidence(models.TextChoices):
    VERIFIED = "V", _("verified against the source")
    CORROBORATED = "C", _("corroborated by secondary sources")
    UNVERIFIED = "U", _("unverified default")


class Factor(models.Model):
    """One version of one factor. Corrections add a new version; old versions stay for reports."""

    kind = models.CharField(_("kind"), max_length=40, choices=FactorKind.choices)
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="factors", verbose_name=_("resource")
    )
    series = models.CharField(
        _("series"),
        max_length=60,
        blank=True,
        help_text=_(
            "Which family the value belongs to, e.g. the MEE/NBS electricity factors versus the "
            "carbon-market national grid factor, or a guideline's default table."
        ),
    )
    region = models.CharField(_("region"), max_length=40, default="national")
    data_year = models.PositiveSmallIntegerField(_("data year"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=10)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("e.g. kgce/kWh, tCO2/MWh, GJ/t, tC/GJ, 1"))
    source = models.CharField(_("source document"), max_length=300)
    edition = models.CharField(_("edition"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("factor")
        verbose_name_plural = _("factors")
        ordering = ["kind", "resource_id", "series", "region", "data_year", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "resource", "series", "region", "data_year", "version"],
                name="factor_version_unique",
            )
        ]

    def __str__(self) -> str:
        year = f" {self.data_year}" if self.data_year else ""
        return f"{self.get_kind_display()} {self.resource or ''}{year} = {self.value} {self.unit} (v{self.version})"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")}, code="invalid_validity")

"""Saved column mappings per data source, and import jobs with their reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import BatchKind, ImportBatch
from cleanprod.organization.models import Site


class Layout(models.TextChoices):
    LONG = "long", _("long: one value per row (meter code, timestamp, value)")
    WIDE = "wide", _("wide: one row per timestamp, one column per meter")


class DataSource(models.Model):
    """A system whose exports a site imports (an MES, a SCADA, the utility's portal ...).

    The mapping is saved so next month's export from the same system imports in one step.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="data_sources", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=BatchKind.choices, default=BatchKind.READINGS)
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices, default=Layout.WIDE)
    timestamp_columns = models.JSONField(
        _("timestamp columns"), default=list, help_text=_("One column, or a date column and a time column.")
    )
    meter_column = models.CharField(_("meter code column"), max_length=100, blank=True)
    value_column = models.CharField(_("value column"), max_length=100, blank=True)
    unit_column = models.CharField(_("unit column"), max_length=100, blank=True)
    meter_columns = models.JSONField(
        _("meter columns"),
        default=dict,
        blank=True,
        help_text=_("Wide layout: column header → meter code. Empty means every other column is a meter code."),
    )
    ignore_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    options = models.JSONField(
        _("file options"),
        default=dict,
        blank=True,
        help_text=_("Declared encoding, delimiter, decimal separator, date order, Excel date system, sheet."),
    )

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="data_source_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class ImportJob(models.Model):
    """One run of the import pipeline on one file: a dry run or a commit."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("site"))
    data_source = models.ForeignKey(
        DataSource, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("data source")
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        help_text=_("Layout, columns and declared file options used for this run."),
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    replace_conflicts = models.BooleanField(
        _("replace conflicting readings"),
        default=False,
        help_text=_("Overwrite stored values that differ from the file; every replacement is kept in the history."),
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("batch"))
    report = models.JSONField(_("report"), default=dict, blank=True)
    rejected_file = models.FileField(_("rejected rows (CSV)"), upload_to="import-reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

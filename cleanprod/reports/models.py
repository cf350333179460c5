"""Issued energy and emissions reports and their revisions, each revision frozen with the numbers it shows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cleanprod.organization.models import Enterprise, Site


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    ANNUAL = "annual", _("annual")


class Report(models.Model):
    """A monthly or annual energy and emissions report of one site, or of several sites of an enterprise.

    ``site`` is empty for an enterprise report. ``sites`` lists the sites whose numbers the
    report sums: the one site of a site report, or the sites the issuer could issue for. A
    user sees a report only when every site in ``sites`` is one of the user's sites.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="reports", verbose_name=_("enterprise")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("site"),
        help_text=_("Empty for a report of the enterprise."),
    )
    sites = models.ManyToManyField(Site, related_name="covering_reports", verbose_name=_("sites covered"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"), help_text=_("Inclusive."))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "kind", "enterprise_id", "site_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "period_start"],
                condition=models.Q(site__isnull=False),
                name="report_unique_per_site_period",
            ),
        ]

    def __str__(self) -> str:
        scope = self.site.name if self.site is not None else self.enterprise.name
        return f"{scope} {self.get_kind_display()} {self.period_start:%Y-%m}"

    @property
    def latest_revision(self) -> "ReportRevision | None":
        return self.revisions.order_by("-number").first()


class ReportRevision(models.Model):
    """One computation of a report, never changed after it is stored.

    ``numbers`` contains every value the outputs show (see reports.snapshot for its layout).
    An undefined value is stored as null with its reason code. ``factor_versions`` lists each
    factor version used, with its id, version and value as a decimal string.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("report"))
    number = models.PositiveIntegerField(_("revision"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_revisions",
        verbose_name=_("created by"),
    )
    numbers = models.JSONField(_("computed numbers"))
    factor_versions = models.JSONField(_("factor versions"))

    class Meta:
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        ordering = ["report_id", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_revision_unique")]

    def __str__(self) -> str:
        return f"{self.report} r{self.number}"

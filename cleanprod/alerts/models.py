"""Alert rules, working calendars, alerts with their history, and notification channels."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cleanprod.metering.models import Meter
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Resource

from .parameters import clean_parameters, parameter_items


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("threshold")
    THRESHOLD_PER_UNIT = "threshold_per_unit", _("threshold per unit of product")
    RATE_OF_CHANGE = "rate_of_change", _("rate of change")
    OFF_HOURS = "off_hours", _("consumption outside working time")
    STATISTICAL = "statistical", _("deviation from the usual pattern")
    STUCK = "stuck", _("stuck meter")
    DRIFT = "drift", _("drift (CUSUM)")
    OFFLINE = "offline", _("meter offline")
    COMPLETENESS = "completeness", _("incomplete day")


# Kinds that can check the total of an organisation unit: they compare consumption per period
# with a limit or with the previous period, which means the same for a sum of meters.
UNIT_TOTAL_KINDS = (AlertKind.THRESHOLD, AlertKind.THRESHOLD_PER_UNIT, AlertKind.RATE_OF_CHANGE)


class RuleTarget(models.TextChoices):
    EACH_METER = "each_meter", _("each meter below the unit")
    UNIT_TOTAL = "unit_total", _("the unit's total of one resource")


class Severity(models.IntegerChoices):
    INFO = 10, _("information")
    WARNING = 20, _("warning")
    CRITICAL = 30, _("critical")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert status", "acknowledged")
    RESOLVED = "resolved", pgettext_lazy("alert status", "resolved")


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("generic JSON")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class NotificationChannel(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alert_channels", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    webhook_format = models.CharField(
        _("webhook format"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )
    target = models.CharField(
        _("target"),
        max_length=500,
        help_text=_("E-mail addresses separated by commas, or the webhook URL (http or https)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    min_severity = models.PositiveSmallIntegerField(
        _("minimum severity"), choices=Severity.choices, default=Severity.WARNING
    )

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["site_id", "name"]

    def __str__(self) -> str:
        return self.name

    def addresses(self) -> list[str]:
        return [part.strip() for part in self.target.split(",") if part.strip()]

    def clean(self) -> None:
        if self.kind == ChannelKind.EMAIL:
            addresses = self.addresses()
            if not addresses:
                raise ValidationError({"target": _("Enter at least one e-mail address.")})
            for address in addresses:
                try:
                    validate_email(address)
                except ValidationError:
                    raise ValidationError(
                        {"target": _("“%(address)s” is not an e-mail address.") % {"address": address}}
                    ) from None
        elif self.kind == ChannelKind.WEBHOOK:
            try:
                URLValidator(schemes=["http", "https"])(self.target.strip())
            except ValidationError:
                raise ValidationError(
                    {"target": _("Enter the full webhook URL, starting with http:// or https://.")}
                ) from None


class AlertRule(models.Model):
    """What to check and how; a rule without meter and unit applies to every meter of the site.

    For one kind the most specific rule wins: the meter's own, then its organisation unit's
    (nearest first), then the site's. A disabled specific rule switches the kind off for
    that meter. A unit rule with ``target`` UNIT_TOTAL takes no part in that choice: it
    checks the sum of the unit's meters of ``resource``, as the indicators count them.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alert_rules", verbose_name=_("site"))
    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_rules", verbose_name=_("meter")
    )
    organization_unit = models.ForeignKey(
        OrganizationUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("organisation unit"),
    )
    target = models.CharField(
        _("apply to"),
        max_length=12,
        choices=RuleTarget.choices,
        default=RuleTarget.EACH_METER,
        help_text=_(
            "For a rule on an organisation unit: check each meter below the unit separately, "
            "or the unit's total consumption of one resource (threshold, per unit of product "
            "and rate of change rules only)."
        ),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("resource"),
        help_text=_("For a rule on the unit's total: the resource whose consumption is summed."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(_("enabled"), default=True)
    channels = models.ManyToManyField(
        NotificationChannel, blank=True, related_name="rules", verbose_name=_("notification channels")
    )

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["site_id", "kind", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_rank(self) -> int:
        return 2 if self.meter_id else 1 if self.organization_unit_id else 0

    @property
    def is_unit_total(self) -> bool:
        return self.target == RuleTarget.UNIT_TOTAL

    def params(self) -> dict[str, Any]:
        return clean_parameters(self.kind, self.parameters)

    @property
    def parameter_items(self) -> list[tuple[str, str]]:
        """The parameters that are set, as (name, value) texts for display."""
        return parameter_items(self.kind, self.parameters or {})

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            self.parameters = clean_parameters(self.kind, self.parameters)
        except ValidationError as error:
            errors["parameters"] = error
        if self.meter_id and self.organization_unit_id:
            errors["organization_unit"] = _("Choose a meter or an organisation unit, not both.")
        if self.meter_id and self.meter is not None and self.meter.site_id != self.site_id:
            errors["meter"] = _("The meter belongs to another site.")
        unit = self.organization_unit if self.organization_unit_id else None
        if unit is not None and unit.site_id != self.site_id:
            errors["organization_unit"] = _("The organisation unit belongs to another site.")
        errors.update(self._target_errors())
        if errors:
            raise ValidationError(errors)

    def _target_errors(self) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if not self.is_unit_total:
            if self.resource_id is not None:
                errors["resource"] = _(
                    "Resource: only a rule on the unit's total uses a resource. Clear the field, "
                    "or set “apply to” to the unit's total."
                )
            return errors
        if not self.organization_unit_id or self.meter_id:
            errors["target"] = _(
                "Apply to: the unit's total needs an organisation unit and no meter. "
                "Choose the unit, or apply the rule to each meter."
            )
        if self.kind not in UNIT_TOTAL_KINDS:
            errors["target"] = _(
                "Apply to: only threshold, threshold per unit of product and rate of change rules "
                "can check the unit's total. Apply this rule to each meter."
            )
        if self.resource_id is None:
            errors["resource"] = _("Resource: choose the resource whose total the rule checks.")
        return errors


class WorkingCalendar(models.Model):
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="working_calendar", verbose_name=_("site"))
    official_holidays = models.BooleanField(
        _("follow the official Chinese holidays and adjusted working days"), default=True
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return str(self.site)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Shift(models.Model):
    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("calendar")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("An end before the start is a night shift into the next day."))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["calendar_id", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start == self.end:
            raise ValidationError({"end": _("The shift must not end when it starts.")})


class CalendarOverride(models.Model):
    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("calendar")
    )
    day = models.DateField(_("day"))
    working = models.BooleanField(_("working day"))
    start = models.TimeField(_("shift start"), null=True, blank=True)
    end = models.TimeField(_("shift end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["calendar_id", "day"]
        constraints = [models.UniqueConstraint(fields=["calendar", "day"], name="calendar_override_unique_day")]

    def __str__(self) -> str:
        return f"{self.day} {'+' if self.working else '−'}"

    def clean(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValidationError({"end": _("Give both the shift start and end, or neither.")})
        if self.start is not None and not self.working:
            raise ValidationError({"working": _("Shift times apply only to a working day.")})
        if self.start is not None and self.start == self.end:
            raise ValidationError({"end": _("The shift must not end when it starts.")})


class Alert(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("site"))
    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts", verbose_name=_("meter")
    )
    organization_unit = models.ForeignKey(
        OrganizationUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("organisation unit"),
    )
    rule = models.ForeignKey(
        AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts", verbose_name=_("rule")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    cause = models.CharField(_("cause"), max_length=60)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.WARNING)
    status = models.CharField(_("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    evidence = models.JSONField(_("evidence of the latest occurrence"), default=dict)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["rule", "meter", "kind", "cause", "status"], name="alert_cause_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}/{self.cause}"


class EventAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("acknowledged")
    COMMENT = "comment", _("commented")
    RESOLVE = "resolve", _("resolved")
    REOPEN = "reopen", _("reopened")
    REPEAT = "repeat", _("occurred again")


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events", verbose_name=_("alert"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=15, choices=EventAction.choices)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["alert_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class NotificationDelivery(models.Model):
    # Without an alert the delivery is a test notification sent from the channels page.
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert"), null=True, blank=True
    )
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("channel")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.alert_id or 'test'} → {self.channel_id}: {self.status}"


class NotificationReadMark(models.Model):
    """In-app notifications: alerts raised after ``read_up_to`` are unread for the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_read_mark", verbose_name=_("user")
    )
    read_up_to = models.DateTimeField(_("read up to"))

    class Meta:
        verbose_name = _("notification read mark")
        verbose_name_plural = _("notification read marks")

    def __str__(self) -> str:
        return f"{self.user_id} {self.read_up_to.isoformat()}"

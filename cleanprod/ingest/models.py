"""Saved column mappings per data source, and import jobs with their reports."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import BatchKind, ImportBatch, Meter
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


# -- real-time collection ------------------------------------------------------------------


class ApiToken(models.Model):
    """A bearer token that lets a data logger or SCADA system write readings of one site.

    Only the SHA-256 of the secret is stored. The secret is shown once when the token is
    created; ``prefix`` (the first characters of the secret) identifies a token in lists and logs.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100, help_text=_("What sends with this token, e.g. “SCADA line 2”."))
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    token_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["site_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PayloadFormat(models.TextChoices):
    JSON_OBJECT = "json_object", _("JSON object {meter, timestamp, value, unit}")
    JSON_LIST = "json_list", _("JSON list of such objects")
    NUMBER = "number", _("plain number; meter from the topic, time of receipt")


class MqttSubscription(models.Model):
    """A topic filter that `cleanprod mqtt` subscribes to (QoS 1) for one site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="mqtt_subscriptions", verbose_name=_("site"))
    topic_filter = models.CharField(
        _("topic filter"),
        max_length=200,
        help_text=_("MQTT topic filter, with + and # wildcards, e.g. plant/+/energy."),
    )
    payload_format = models.CharField(
        _("payload format"), max_length=20, choices=PayloadFormat.choices, default=PayloadFormat.JSON_OBJECT
    )
    meter_level = models.PositiveSmallIntegerField(
        _("meter code topic level"),
        null=True,
        blank=True,
        help_text=_(
            "Position (from 1) of the topic level that is the meter code, e.g. 2 for plant/+/energy. "
            "Used when the payload names no meter and the topic mapping has no entry."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set by the collector once the broker confirmed its topic filter (SUBACK); cleared by every save, so
    # a changed or new subscription reads as not yet subscribed. scripts/replay.py waits for it.
    subscribed_at = models.DateTimeField(_("subscribed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("MQTT subscription")
        verbose_name_plural = _("MQTT subscriptions")
        ordering = ["site_id", "topic_filter"]
        constraints = [models.UniqueConstraint(fields=["site", "topic_filter"], name="mqtt_topic_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.site} · {self.topic_filter}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.subscribed_at = None
        super().save(*args, **kwargs)


class MqttTopicMeter(models.Model):
    """An explicit topic → meter code entry of a subscription, for topics that do not contain the code."""

    subscription = models.ForeignKey(
        MqttSubscription, on_delete=models.CASCADE, related_name="topic_meters", verbose_name=_("subscription")
    )
    topic = models.CharField(_("topic"), max_length=200)
    meter_code = models.CharField(_("meter code"), max_length=100)

    class Meta:
        verbose_name = _("MQTT topic mapping")
        verbose_name_plural = _("MQTT topic mappings")
        constraints = [models.UniqueConstraint(fields=["subscription", "topic"], name="mqtt_topic_meter_unique")]

    def __str__(self) -> str:
        return f"{self.topic} → {self.meter_code}"


class RegisterKind(models.TextChoices):
    HOLDING = "holding", _("holding register (function 03)")
    INPUT = "input", _("input register (function 04)")


class RegisterType(models.TextChoices):
    UINT16 = "uint16", "uint16"
    INT16 = "int16", "int16"
    UINT32 = "uint32", "uint32"
    INT32 = "int32", "int32"
    FLOAT32 = "float32", "float32"
    UINT64 = "uint64", "uint64"


class WordOrder(models.TextChoices):
    HIGH_FIRST = "high_first", _("high word first (big-endian)")
    LOW_FIRST = "low_first", _("low word first (word-swapped)")


class ModbusDevice(models.Model):
    """A Modbus TCP device (meter, gateway or PLC) that `cleanprod modbus` polls."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="modbus_devices", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=502)
    unit_id = models.PositiveSmallIntegerField(_("unit id"), default=1, help_text=_("Modbus unit (slave) id, 0–247."))
    poll_seconds = models.PositiveIntegerField(_("poll interval (s)"), default=60)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("Modbus device")
        verbose_name_plural = _("Modbus devices")
        ordering = ["site_id", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="modbus_device_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.name} ({self.host}:{self.port}/{self.unit_id})"


class RegisterMap(models.Model):
    """Where a device holds one meter's counter, and how to decode it."""

    device = models.ForeignKey(
        ModbusDevice, on_delete=models.CASCADE, related_name="registers", verbose_name=_("device")
    )
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="modbus_registers", verbose_name=_("meter"))
    address = models.PositiveIntegerField(_("register address"), help_text=_("Zero-based address of the first word."))
    register_kind = models.CharField(
        _("register kind"), max_length=10, choices=RegisterKind.choices, default=RegisterKind.HOLDING
    )
    data_type = models.CharField(
        _("data type"), max_length=10, choices=RegisterType.choices, default=RegisterType.UINT32
    )
    word_order = models.CharField(
        _("word order"), max_length=12, choices=WordOrder.choices, default=WordOrder.HIGH_FIRST
    )
    scale = models.FloatField(_("scale"), default=1.0, help_text=_("The decoded integer is multiplied by it."))
    unit = models.CharField(_("unit"), max_length=30, help_text=_("Unit after scaling, e.g. Wh or kWh."))
    rated_power_kw = models.FloatField(
        _("rated power (kW)"),
        null=True,
        blank=True,
        help_text=_("A step larger than rated power × elapsed time is held as “check register mapping”."),
    )

    class Meta:
        verbose_name = _("register map")
        verbose_name_plural = _("register maps")
        ordering = ["device_id", "address"]

    def __str__(self) -> str:
        return f"{self.meter_id} @ {self.address} {self.data_type}"

    def clean(self) -> None:
        if self.meter_id is not None and self.device_id is not None and self.meter.site_id != self.device.site_id:
            raise ValidationError({"meter": _("The meter belongs to another site than the device.")})


class CollectionSource(models.TextChoices):
    HTTP = "http", "HTTP"
    MQTT = "mqtt", "MQTT"
    MODBUS = "modbus", "Modbus"


class RejectedMessage(models.Model):
    """A collected message or value that could not be stored, kept so a user can see why."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rejected_messages", verbose_name=_("site"))
    source = models.CharField(_("source"), max_length=10, choices=CollectionSource.choices)
    origin = models.CharField(
        _("origin"), max_length=300, help_text=_("MQTT topic, token name or Modbus device and address.")
    )
    payload = models.TextField(_("payload"), blank=True)
    code = models.CharField(_("code"), max_length=50)
    message = models.TextField(_("reason"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("rejected message")
        verbose_name_plural = _("rejected messages")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.origin}: {self.code}"

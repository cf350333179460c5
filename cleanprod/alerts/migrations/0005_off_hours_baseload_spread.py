"""Replace the off-hours rules' baseload quantile by the spread above the median idle hour.

The learned baseload is now the median idle rest hour plus a number of robust standard
deviations, so the stored ``baseload_quantile`` has no meaning any more. Each rule gets the
default spread; its margin and every other parameter stay as stored.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


DEFAULT_SPREAD = 5.0


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rule_model = apps.get_model("alerts", "AlertRule")
    for rule in rule_model.objects.filter(kind="off_hours"):
        parameters = dict(rule.parameters or {})
        if "baseload_quantile" not in parameters and "baseload_spread" in parameters:
            continue
        parameters.pop("baseload_quantile", None)
        parameters.setdefault("baseload_spread", DEFAULT_SPREAD)
        rule.parameters = parameters
        rule.save(update_fields=["parameters"])


def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rule_model = apps.get_model("alerts", "AlertRule")
    for rule in rule_model.objects.filter(kind="off_hours"):
        parameters = dict(rule.parameters or {})
        parameters.pop("baseload_spread", None)
        parameters.setdefault("baseload_quantile", 0.9)
        rule.parameters = parameters
        rule.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_test_notification_delivery")]

    operations = [migrations.RunPython(forwards, backwards)]

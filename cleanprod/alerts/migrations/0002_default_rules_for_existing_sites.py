"""Give every existing site the default statistical, stuck and offline rules (new sites get them on creation)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULTS = (
    ("statistical", "Deviation from the usual pattern (every meter)", 20, {"weeks": 4, "threshold": 7.0, "mad_floor_fraction": 0.05}),
    ("stuck", "Stuck meter (every meter)", 20, {"intervals": 8, "tolerance": 0.0}),
    ("offline", "Meter offline (every meter)", 30, {"missed_intervals": 4}),
)


def add_defaults(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Site = apps.get_model("organization", "Site")
    AlertRule = apps.get_model("alerts", "AlertRule")
    for site in Site.objects.all():
        if AlertRule.objects.filter(site=site).exists():
            continue
        for kind, name, severity, parameters in DEFAULTS:
            AlertRule.objects.create(site=site, kind=kind, name=name, severity=severity, parameters=parameters)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

"""Data migrations of the alert rules, run forwards and backwards with the historical models."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

BEFORE = ("alerts", "0004_test_notification_delivery")
SPREAD = import_module("cleanprod.alerts.migrations.0005_off_hours_baseload_spread")


def test_off_hours_quantile_becomes_spread() -> None:
    # Between 0004 and 0005 only data changes, so the historical models of 0004 match the tables.
    apps = MigrationLoader(connection).project_state(BEFORE).apps
    enterprise = apps.get_model("organization", "Enterprise").objects.create(name="E")
    site = apps.get_model("organization", "Site").objects.create(enterprise=enterprise, name="S", code="s-migration")
    rule_model = apps.get_model("alerts", "AlertRule")
    night = rule_model.objects.create(
        site=site,
        kind="off_hours",
        name="night",
        parameters={"baseload": None, "margin_percent": 10.0, "baseload_quantile": 0.9, "min_hours": 6},
    )
    fixed = rule_model.objects.create(site=site, kind="off_hours", name="fixed", parameters={"baseload": 12.0})
    limit = rule_model.objects.create(site=site, kind="threshold", name="limit", parameters={"above": 5.0})

    SPREAD.forwards(apps, connection.schema_editor())

    night.refresh_from_db()
    assert night.parameters == {"baseload": None, "margin_percent": 10.0, "baseload_spread": 5.0, "min_hours": 6}
    fixed.refresh_from_db()
    assert fixed.parameters == {"baseload": 12.0, "baseload_spread": 5.0}
    limit.refresh_from_db()
    assert limit.parameters == {"above": 5.0}

    SPREAD.backwards(apps, connection.schema_editor())

    night.refresh_from_db()
    assert night.parameters["baseload_quantile"] == 0.9
    assert "baseload_spread" not in night.parameters

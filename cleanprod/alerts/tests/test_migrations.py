"""Data migrations of the alert rules, run forwards and backwards on a real schema."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("alerts", "0004_test_notification_delivery")]
AFTER = [("alerts", "0005_off_hours_baseload_spread")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Migrate back to the latest state after the test, also when it fails halfway."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_off_hours_quantile_becomes_spread(latest_schema_after: None) -> None:
    executor = migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    site = apps.get_model("organization", "Site").objects.create(
        enterprise=apps.get_model("organization", "Enterprise").objects.create(name="E"),
        name="S",
        code="s-migration",
    )
    rule_model = apps.get_model("alerts", "AlertRule")
    night = rule_model.objects.create(
        site=site,
        kind="off_hours",
        name="night",
        parameters={"baseload": None, "margin_percent": 10.0, "baseload_quantile": 0.9, "min_hours": 6},
    )
    fixed = rule_model.objects.create(site=site, kind="off_hours", name="fixed", parameters={"baseload": 12.0})
    limit = rule_model.objects.create(site=site, kind="threshold", name="limit", parameters={"above": 5.0})

    executor = migrate(AFTER)
    rule_model = executor.loader.project_state(AFTER).apps.get_model("alerts", "AlertRule")

    assert rule_model.objects.get(pk=night.pk).parameters == {
        "baseload": None,
        "margin_percent": 10.0,
        "baseload_spread": 5.0,
        "min_hours": 6,
    }
    assert rule_model.objects.get(pk=fixed.pk).parameters == {"baseload": 12.0, "baseload_spread": 5.0}
    assert rule_model.objects.get(pk=limit.pk).parameters == {"above": 5.0}

    executor = migrate(BEFORE)
    rule_model = executor.loader.project_state(BEFORE).apps.get_model("alerts", "AlertRule")
    assert rule_model.objects.get(pk=night.pk).parameters["baseload_quantile"] == 0.9

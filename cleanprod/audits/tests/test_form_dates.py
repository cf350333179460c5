"""Saved dates render as ISO values in zh-hans, so <input type="date"> shows them and saving again keeps them."""

import re
from datetime import date

from django.urls import reverse
from django.utils import timezone

from cleanprod.audits.models import AuditProject

from .conftest import first_step


def _date_value(page: str, name: str) -> str:
    match = re.search(rf'<input type="date" name="{name}" value="([^"]*)"', page)
    assert match is not None, f"no date input {name} with a value"
    return match.group(1)


def _edit_form(audit: AuditProject, page: str) -> dict[str, object]:
    return {
        "name": audit.name,
        "kind": audit.kind,
        "trigger": audit.trigger,
        "listed_on": _date_value(page, "listed_on"),
        "scope_units": list(audit.scope_units.values_list("pk", flat=True)),
        "baseline_year": str(audit.baseline_year),
        "started_on": _date_value(page, "started_on"),
        "finished_on": _date_value(page, "finished_on"),
        "status": audit.status,
        "low_cost_limit": str(audit.low_cost_limit),
        "high_cost_limit": str(audit.high_cost_limit),
        "tax_rate": str(audit.tax_rate),
        "depreciation_years": str(audit.depreciation_years),
        "discount_rate": str(audit.discount_rate),
    }


def test_audit_edit_keeps_dates_in_chinese(audit_a, alice, client_for):
    AuditProject.objects.filter(pk=audit_a.pk).update(listed_on=date(2019, 1, 15), finished_on=date(2024, 12, 31))
    audit_a.refresh_from_db()
    client = client_for(alice)
    url = reverse("audits:edit", args=[audit_a.pk])

    page = client.get(url).content.decode()
    assert 'name="listed_on" value="2019-01-15"' in page
    assert 'name="started_on" value="2024-04-01"' in page
    assert 'name="finished_on" value="2024-12-31"' in page

    response = client.post(url, _edit_form(audit_a, page))
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.listed_on == date(2019, 1, 15)
    assert audit_a.started_on == date(2024, 4, 1)
    assert audit_a.finished_on == date(2024, 12, 31)


def test_audit_create_default_start_is_iso(site_a, alice, client_for):
    page = client_for(alice).get(reverse("audits:create")).content.decode()

    assert _date_value(page, "started_on") == timezone.localdate().isoformat()


def test_step_due_date_kept_in_chinese(audit_a, alice, client_for):
    step = first_step(audit_a)
    step.due_on = date(2019, 1, 15)
    step.save()
    client = client_for(alice)
    url = reverse("audits:step", args=[step.pk])

    page = client.get(url).content.decode()
    assert 'name="due_on" value="2019-01-15"' in page

    data = {"title": step.title, "owner": "", "due_on": _date_value(page, "due_on"), "status": step.status}
    response = client.post(url, data)
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.due_on == date(2019, 1, 15)

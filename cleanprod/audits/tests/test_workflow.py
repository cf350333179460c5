"""Creating and editing audits, the team leader rule, and the phase checklists, through the pages."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cleanprod.audits.models import AuditKind, AuditProject, MandatoryTrigger, PhaseCode, Step, StepStatus, TeamMember
from cleanprod.audits.services import DEFAULT_STEPS, phase_progress
from cleanprod.organization.models import Site

from .conftest import first_step

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _create_form(audit_site: Site, **overrides: object) -> dict[str, object]:
    site = audit_site
    data: dict[str, object] = {
        "site": site.pk,
        "name": "2024 年清洁生产审核",
        "kind": "mandatory",
        "trigger": "toxic",
        "listed_on": "2024-03-15",
        "scope_units": [site.units.get(code="ws1").pk],
        "baseline_year": "2023",
        "started_on": "2024-04-01",
        "status": "active",
        "low_cost_limit": "5",
        "high_cost_limit": "50",
        "tax_rate": "0.25",
        "depreciation_years": "10",
        "discount_rate": "0.08",
    }
    data.update(overrides)
    return data


def test_create_page_makes_seven_phases(site_a, alice, client_for):
    response = client_for(alice).post(reverse("audits:create"), _create_form(site_a))

    audit = AuditProject.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("audits:overview", args=[audit.pk])
    assert audit.created_by == alice
    assert list(audit.scope_units.values_list("code", flat=True)) == ["ws1"]
    assert list(audit.phases.values_list("code", flat=True)) == list(PhaseCode.values)
    for phase in audit.phases.all():
        assert phase.steps.count() == len(DEFAULT_STEPS[phase.code])
    assert audit.focus_criteria.count() == 7


def test_mandatory_audit_requires_trigger(site_a, alice, client_for):
    response = client_for(alice).post(reverse("audits:create"), _create_form(site_a, trigger=""), **ENGLISH)

    assert response.status_code == 400
    assert "A mandatory audit needs the statutory trigger" in response.content.decode()
    assert AuditProject.objects.count() == 0


def test_voluntary_audit_rejects_trigger(site_a, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:create"), _create_form(site_a, kind="voluntary", trigger="energy"), **ENGLISH
    )

    assert response.status_code == 400
    assert "A voluntary audit has no statutory trigger" in response.content.decode()
    assert AuditProject.objects.count() == 0


def test_scope_units_of_other_site_rejected(site_a, site_b, erin, client_for):
    response = client_for(erin).post(
        reverse("audits:create"), _create_form(site_a, scope_units=[site_b.units.get(code="ws1").pk]), **ENGLISH
    )

    assert response.status_code == 400
    assert "belong to another site" in response.content.decode()
    assert AuditProject.objects.count() == 0


def test_model_clean_checks_trigger(site_a):
    audit = AuditProject(
        site=site_a,
        name="x",
        kind=AuditKind.VOLUNTARY,
        trigger=MandatoryTrigger.TOXIC,
        baseline_year=2023,
        started_on=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        audit.full_clean()
    assert "trigger" in error.value.message_dict


def test_edit_keeps_site(audit_a, site_b, alice, erin, client_for):
    data = _create_form(audit_a.site, site=site_b.pk, name="改名后的审核", trigger="energy")
    response = client_for(erin).post(reverse("audits:edit", args=[audit_a.pk]), data)

    audit_a.refresh_from_db()
    assert response.status_code == 302
    assert audit_a.name == "改名后的审核"
    assert audit_a.site_id != site_b.pk


def test_team_has_only_one_leader(audit_a, alice, erin, client_for):
    client = client_for(alice)
    url = reverse("audits:team", args=[audit_a.pk])
    first = client.post(url, {"user": alice.pk, "role": "leader", "responsibilities": "全面负责"})
    second = client.post(url, {"name": "王工", "organisation": "咨询公司", "role": "leader"}, **ENGLISH)

    assert first.status_code == 302
    assert second.status_code == 400
    assert "already has a leader" in second.content.decode()
    assert TeamMember.objects.filter(audit=audit_a).count() == 1


def test_team_external_member_needs_name(audit_a, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:team", args=[audit_a.pk]), {"role": "consultant", "organisation": "咨询公司"}, **ENGLISH
    )

    assert response.status_code == 400
    assert "enter the name of an external person" in response.content.decode()


def test_team_user_of_other_site_rejected(audit_a, alice, bob, client_for):
    response = client_for(alice).post(reverse("audits:team", args=[audit_a.pk]), {"user": bob.pk, "role": "member"})

    assert response.status_code == 400
    assert TeamMember.objects.count() == 0


def test_leader_role_can_move_to_another_member(audit_a, alice, client_for):
    leader = TeamMember.objects.create(audit=audit_a, user=alice, role="leader")
    other = TeamMember.objects.create(audit=audit_a, name="王工", role="member")
    client = client_for(alice)

    client.post(reverse("audits:team-member", args=[leader.pk]), {"user": alice.pk, "role": "member"})
    response = client.post(reverse("audits:team-member", args=[other.pk]), {"name": "王工", "role": "leader"})

    assert response.status_code == 302
    assert list(TeamMember.objects.filter(role="leader").values_list("name", flat=True)) == ["王工"]


def test_overview_warns_without_leader(audit_a, alice, client_for):
    page = client_for(alice).get(reverse("audits:overview", args=[audit_a.pk]), **ENGLISH).content.decode()

    assert "The team needs exactly one leader." in page


def test_step_update_and_progress(audit_a, alice, client_for):
    step = first_step(audit_a)
    response = client_for(alice).post(
        reverse("audits:step", args=[step.pk]),
        {"title": step.title, "owner": alice.pk, "due_on": "2024-05-01", "status": StepStatus.DONE},
    )

    step.refresh_from_db()
    assert response.status_code == 302
    assert (step.owner, step.due_on, step.status) == (alice, date(2024, 5, 1), StepStatus.DONE)
    first = phase_progress(audit_a)[0]
    assert (first.closed, first.total, first.percent) == (1, 5, 20)


def test_add_and_reorder_steps(audit_a, alice, client_for):
    phase = audit_a.phases.get(number=7)
    client = client_for(alice)
    client.post(reverse("audits:step-add", args=[phase.pk]), {"title": "编制下一轮审核计划表"})
    new = phase.steps.get(title="编制下一轮审核计划表")
    assert list(phase.steps.order_by("position").values_list("pk", flat=True))[-1] == new.pk

    client.post(reverse("audits:step-move", args=[new.pk]), {"direction": "up"})
    client.post(reverse("audits:step-move", args=[new.pk]), {"direction": "up"})
    client.post(reverse("audits:step-move", args=[new.pk]), {"direction": "up"})

    ordered = list(phase.steps.order_by("position").values_list("pk", "position"))
    assert ordered[0] == (new.pk, 1)
    assert [position for _pk, position in ordered] == [1, 2, 3]


def test_comment_records_author(audit_a, alice, client_for):
    step = first_step(audit_a)
    client_for(alice).post(reverse("audits:step-comment", args=[step.pk]), {"text": "已召开动员会"})

    comment = step.comments.get()
    assert comment.author == alice
    assert comment.text == "已召开动员会"


def test_history_lists_changes_with_user(audit_a, alice, client_for):
    step = first_step(audit_a)
    client = client_for(alice)
    client.post(reverse("audits:step", args=[step.pk]), {"title": step.title, "status": "in_progress"})

    page = client.get(reverse("audits:history", args=[audit_a.pk]), **ENGLISH).content.decode()
    assert step.title in page
    assert "status" in page
    assert "Alice" in page or "alice" in page


def test_default_steps_recorded_as_created(audit_a, alice):
    history = Step.history.filter(phase__audit=audit_a)

    assert history.count() == sum(len(steps) for steps in DEFAULT_STEPS.values())
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    assert set(history.values_list("history_user", flat=True)) == {alice.pk}


def test_scope_change_in_history(audit_a, alice, client_for):
    data = _create_form(audit_a.site, trigger="energy", scope_units=[audit_a.site.units.get(code="air").pk])
    client = client_for(alice)

    client.post(reverse("audits:edit", args=[audit_a.pk]), data)

    assert list(audit_a.scope_units.values_list("code", flat=True)) == ["air"]
    page = client.get(reverse("audits:history", args=[audit_a.pk]), **ENGLISH).content.decode()
    assert "organisation units in scope" in page


def test_admin_added_audit_gets_phases(site_a, client_for, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="x-long-admin-password-1")
    client = client_for(admin_user)
    data = _create_form(site_a, trigger="energy")
    data.pop("scope_units")

    response = client.post(reverse("admin:audits_auditproject_add"), data)

    audit = AuditProject.objects.get()
    assert response.status_code == 302
    assert audit.created_by == admin_user
    assert audit.phases.count() == 7
    assert Step.objects.filter(phase__audit=audit).count() == sum(len(steps) for steps in DEFAULT_STEPS.values())


def test_mandatory_audit_requires_listing_date(site_a, alice, client_for):
    response = client_for(alice).post(reverse("audits:create"), _create_form(site_a, listed_on=""), **ENGLISH)

    assert response.status_code == 400
    assert "A mandatory audit needs the date the list was published" in response.content.decode()
    assert AuditProject.objects.count() == 0


def test_voluntary_audit_needs_no_listing_date(site_a, alice, client_for):
    form = _create_form(site_a, kind="voluntary", trigger="", listed_on="")

    response = client_for(alice).post(reverse("audits:create"), form)

    assert response.status_code == 302
    assert AuditProject.objects.get().listed_on is None


def test_audit_tax_rate_as_percent_names_fix(site_a, alice, client_for):
    response = client_for(alice).post(reverse("audits:create"), _create_form(site_a, tax_rate="25"), **ENGLISH)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Income tax rate must be a fraction from 0 to 1; enter 25 % as 0.25." in page
    assert AuditProject.objects.count() == 0

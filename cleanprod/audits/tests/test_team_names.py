"""Team members and step owners show the name entered in the team, and a user joins a team once."""

from django.urls import reverse

from cleanprod.audits import services
from cleanprod.audits.models import TeamMember, TeamRole

from .conftest import first_step


def test_team_page_shows_entered_name(audit_a, alice, client_for):
    TeamMember.objects.create(audit=audit_a, user=alice, name="王丽", role=TeamRole.LEADER)

    url = reverse("audits:team", args=[audit_a.pk])
    page = client_for(alice).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<td>王丽" in page
    assert "<td>alice" not in page
    assert "return confirm('Remove 王丽 from the audit team?')" in page


def test_member_without_name_shows_full_name(audit_a, alice):
    alice.first_name, alice.last_name = "Li", "Alice"
    alice.save()
    member = TeamMember.objects.create(audit=audit_a, user=alice, role=TeamRole.LEADER)

    assert member.display_name == "Li Alice"


def test_report_uses_entered_name_for_team_and_owners(audit_a, alice, carol, client_for):
    TeamMember.objects.create(audit=audit_a, user=alice, name="王丽", role=TeamRole.LEADER)
    step = first_step(audit_a)
    step.owner = alice
    step.save()

    assert [row["name"] for row in services.team_table(audit_a)] == ["王丽"]
    owners = [s["owner"] for phase in services.work_plan(audit_a) for s in phase["steps"] if s["title"] == step.title]
    assert owners == ["王丽"]
    phases_page = client_for(alice).get(reverse("audits:phases", args=[audit_a.pk])).content.decode()
    assert "<td>王丽</td>" in phases_page
    step_page = client_for(carol).get(reverse("audits:step", args=[step.pk])).content.decode()
    assert "<dd>王丽</dd>" in step_page


def test_same_user_added_twice_rejected(audit_a, alice, client_for):
    TeamMember.objects.create(audit=audit_a, user=alice, role=TeamRole.LEADER)

    response = client_for(alice).post(
        reverse("audits:team", args=[audit_a.pk]), {"user": alice.pk, "role": "member"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "is already in the audit team" in response.content.decode()
    assert audit_a.team.count() == 1

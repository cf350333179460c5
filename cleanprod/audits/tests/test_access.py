"""Site isolation and read-only roles on every audit page, and access to evidence files."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cleanprod.audits.models import (
    AuditProject,
    Balance,
    BalanceFlow,
    Cause,
    Evidence,
    FocusCandidate,
    FocusCriterion,
    FocusScore,
    PreAssessmentSnapshot,
    Step,
    StepComment,
    Target,
    TeamMember,
    WasteStream,
)
from cleanprod.organization.models import Membership, Role

from .conftest import first_step

# (url name, key of the object in filled_audit)
GET_PAGES = [
    ("audits:overview", "audit"),
    ("audits:team", "audit"),
    ("audits:phases", "audit"),
    ("audits:pre-assessment", "audit"),
    ("audits:focus", "audit"),
    ("audits:targets", "audit"),
    ("audits:balances", "audit"),
    ("audits:causes", "audit"),
    ("audits:history", "audit"),
    ("audits:step", "step"),
    ("audits:balance", "balance"),
    ("audits:evidence", "evidence"),
]

CHANGE_ONLY_PAGES = [
    ("audits:edit", "audit"),
    ("audits:team-member", "member"),
]

POSTS = [
    ("audits:edit", "audit", {"name": "changed"}),
    ("audits:team", "audit", {"name": "外部专家", "role": "member"}),
    ("audits:team-member", "member", {"name": "x", "role": "member"}),
    ("audits:team-member-delete", "member", {}),
    ("audits:step-add", "phase", {"title": "extra step"}),
    ("audits:step", "step", {"title": "renamed", "status": "done"}),
    ("audits:step-move", "step", {"direction": "down"}),
    ("audits:step-comment", "step", {"text": "comment"}),
    ("audits:evidence-delete", "evidence", {}),
    ("audits:snapshot", "audit", {}),
    ("audits:focus", "audit", {}),
    ("audits:criterion-add", "audit", {"label": "extra", "weight": "3"}),
    ("audits:criterion", "criterion", {"label": "renamed", "weight": "1"}),
    ("audits:candidate-add", "audit", {}),
    ("audits:candidates-from-priorities", "audit", {}),
    ("audits:candidate-delete", "candidate", {}),
    ("audits:focus-choose", "candidate", {}),
    ("audits:targets", "audit", {"indicator": "other", "name": "x", "unit": "t", "baseline_value": "1"}),
    ("audits:target-delete", "target", {}),
    ("audits:balances", "audit", {"kind": "water", "name": "x", "unit": "m³", "tolerance_percent": "5"}),
    ("audits:balance", "balance", {"step": "a", "direction": "input", "name": "x", "quantity": "1"}),
    ("audits:balance-edit", "balance", {"kind": "water", "name": "x", "unit": "m³", "tolerance_percent": "9"}),
    ("audits:flow-delete", "flow", {}),
    ("audits:causes", "audit", {"form": "stream", "name": "x"}),
    ("audits:cause-delete", "cause", {}),
    ("audits:stream-delete", "stream", {}),
]

COUNTED_MODELS = [
    AuditProject,
    TeamMember,
    Step,
    StepComment,
    Evidence,
    PreAssessmentSnapshot,
    FocusCriterion,
    FocusCandidate,
    FocusScore,
    Target,
    Balance,
    BalanceFlow,
    WasteStream,
    Cause,
]


def _state() -> dict[str, Any]:
    counts: dict[str, Any] = {model.__name__: model._default_manager.count() for model in COUNTED_MODELS}
    counts["steps"] = list(Step.objects.values_list("pk", "title", "status", "position").order_by("pk"))
    counts["balances"] = list(Balance.objects.values_list("pk", "tolerance_percent"))
    counts["criteria"] = list(FocusCriterion.objects.values_list("pk", "label", "weight"))
    counts["audits"] = list(AuditProject.objects.values_list("pk", "name"))
    return counts


def _url(name: str, key: str, objects: dict[str, Any]) -> str:
    return reverse(name, args=[objects[key].pk])


@pytest.mark.parametrize(("name", "key"), GET_PAGES + CHANGE_ONLY_PAGES)
def test_site_manager_opens_page(name, key, filled_audit, alice, client_for):
    assert client_for(alice).get(_url(name, key, filled_audit)).status_code == 200


@pytest.mark.parametrize(("name", "key"), GET_PAGES)
def test_auditor_reads_page(name, key, filled_audit, carol, client_for):
    assert client_for(carol).get(_url(name, key, filled_audit)).status_code == 200


@pytest.mark.parametrize(("name", "key"), CHANGE_ONLY_PAGES)
def test_auditor_cannot_open_edit_page(name, key, filled_audit, carol, client_for):
    assert client_for(carol).get(_url(name, key, filled_audit)).status_code == 403


@pytest.mark.parametrize(("name", "key"), GET_PAGES + CHANGE_ONLY_PAGES)
def test_other_site_user_gets_404(name, key, filled_audit, bob, charlie, client_for):
    url = _url(name, key, filled_audit)
    assert client_for(bob).get(url).status_code == 404
    assert client_for(charlie).get(url).status_code == 404


@pytest.mark.parametrize(("name", "key", "data"), POSTS)
def test_auditor_cannot_change(name, key, data, filled_audit, carol, client_for):
    before = _state()
    response = client_for(carol).post(_url(name, key, filled_audit), data)
    assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize(("name", "key", "data"), POSTS)
def test_other_site_user_cannot_change(name, key, data, filled_audit, bob, client_for):
    before = _state()
    response = client_for(bob).post(_url(name, key, filled_audit), data)
    assert response.status_code == 404
    assert _state() == before


def test_data_entry_cannot_change_own_site_audit(audit_b, bob, client_for):
    before = _state()
    response = client_for(bob).post(reverse("audits:team", args=[audit_b.pk]), {"name": "x", "role": "member"})
    assert response.status_code == 403
    assert _state() == before
    assert client_for(bob).get(reverse("audits:overview", args=[audit_b.pk])).status_code == 200


def test_audit_list_shows_only_visible_audits(audit_a, audit_b, alice, erin, client_for):
    page = client_for(alice).get(reverse("audits:list")).content.decode()
    assert audit_a.name in page
    assert audit_b.name not in page
    page = client_for(erin).get(reverse("audits:list")).content.decode()
    assert audit_a.name in page
    assert audit_b.name in page


def test_auditor_cannot_create_audit(site_a, carol, client_for):
    assert client_for(carol).get(reverse("audits:create")).status_code == 403
    response = client_for(carol).post(reverse("audits:create"), {"site": site_a.pk, "name": "x"})
    assert response.status_code == 403
    assert AuditProject.objects.count() == 0


def test_create_rejects_site_without_audit_right(site_a, site_b, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:create"),
        {"site": site_b.pk, "name": "x", "kind": "voluntary", "baseline_year": "2023", "started_on": "2024-01-01"},
    )
    assert response.status_code == 400
    assert AuditProject.objects.count() == 0


def test_evidence_upload_and_download(audit_a, alice, carol, bob, charlie, client_for, media_root):
    step = first_step(audit_a)
    upload = SimpleUploadedFile("培训签到表.pdf", b"%PDF-1.4 training record", content_type="application/pdf")
    response = client_for(alice).post(
        reverse("audits:step-evidence", args=[step.pk]), {"file": upload, "description": "培训记录"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "培训签到表.pdf"
    assert evidence.uploaded_by == alice
    assert evidence.file.path.startswith(str(media_root))

    url = reverse("audits:evidence", args=[evidence.pk])
    for user in (alice, carol):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 training record"
        assert "attachment" in response["Content-Disposition"]
    assert client_for(bob).get(url).status_code == 404
    assert client_for(charlie).get(url).status_code == 404


def test_evidence_upload_rejected_for_auditor(audit_a, carol, client_for, media_root):
    step = first_step(audit_a)
    upload = SimpleUploadedFile("x.txt", b"x")
    response = client_for(carol).post(reverse("audits:step-evidence", args=[step.pk]), {"file": upload})
    assert response.status_code == 403
    assert Evidence.objects.count() == 0
    assert not any(media_root.rglob("x*.txt"))


def test_evidence_upload_without_file_keeps_page(audit_a, alice, client_for, media_root):
    step = first_step(audit_a)
    response = client_for(alice).post(
        reverse("audits:step-evidence", args=[step.pk]), {"description": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert Evidence.objects.count() == 0


def test_consultant_changes_own_site_only(audit_a, audit_b, site_a, client_for, django_user_model):
    consultant = django_user_model.objects.create_user("dave", password="a-long-test-password-1")
    Membership.objects.create(user=consultant, role=Role.CONSULTANT, site=site_a)
    client = client_for(consultant)

    added = client.post(reverse("audits:team", args=[audit_a.pk]), {"name": "王工", "role": "consultant"})
    other = client.post(reverse("audits:team", args=[audit_b.pk]), {"name": "王工", "role": "consultant"})

    assert added.status_code == 302
    assert other.status_code == 404
    assert list(TeamMember.objects.values_list("audit_id", flat=True)) == [audit_a.pk]


def test_evidence_missing_file_gives_404(filled_audit, alice, client_for):
    evidence = filled_audit["evidence"]
    evidence.file.delete(save=False)

    response = client_for(alice).get(reverse("audits:evidence", args=[evidence.pk]))

    assert response.status_code == 404

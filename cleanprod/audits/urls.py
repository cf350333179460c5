from django.urls import URLPattern, URLResolver, path

from . import analysis_views, views

app_name = "audits"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_create, name="create"),
    path("<int:pk>/", views.audit_overview, name="overview"),
    path("<int:pk>/edit/", views.audit_edit, name="edit"),
    path("<int:pk>/team/", views.team, name="team"),
    path("team/<int:pk>/", views.team_member_edit, name="team-member"),
    path("team/<int:pk>/delete/", views.team_member_delete, name="team-member-delete"),
    path("<int:pk>/phases/", views.phases, name="phases"),
    path("phases/<int:pk>/steps/add/", views.step_add, name="step-add"),
    path("steps/<int:pk>/", views.step_detail, name="step"),
    path("steps/<int:pk>/move/", views.step_move, name="step-move"),
    path("steps/<int:pk>/comment/", views.step_comment, name="step-comment"),
    path("steps/<int:pk>/evidence/", views.step_evidence, name="step-evidence"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/pre-assessment/", analysis_views.pre_assessment, name="pre-assessment"),
    path("<int:pk>/pre-assessment/snapshot/", analysis_views.snapshot_take, name="snapshot"),
    path("<int:pk>/focus/", analysis_views.focus, name="focus"),
    path("<int:pk>/focus/criteria/", analysis_views.focus_criterion_add, name="criterion-add"),
    path("criteria/<int:pk>/", analysis_views.focus_criterion_edit, name="criterion"),
    path("<int:pk>/focus/candidates/", analysis_views.focus_candidate_add, name="candidate-add"),
    path(
        "<int:pk>/focus/candidates/from-priorities/",
        analysis_views.focus_candidates_from_priorities,
        name="candidates-from-priorities",
    ),
    path("candidates/<int:pk>/delete/", analysis_views.focus_candidate_delete, name="candidate-delete"),
    path("candidates/<int:pk>/choose/", analysis_views.focus_choose, name="focus-choose"),
    path("<int:pk>/targets/", analysis_views.targets, name="targets"),
    path("targets/<int:pk>/delete/", analysis_views.target_delete, name="target-delete"),
    path("<int:pk>/balances/", analysis_views.balances, name="balances"),
    path("balances/<int:pk>/", analysis_views.balance_detail, name="balance"),
    path("balances/<int:pk>/edit/", analysis_views.balance_edit, name="balance-edit"),
    path("flows/<int:pk>/delete/", analysis_views.flow_delete, name="flow-delete"),
    path("<int:pk>/causes/", analysis_views.causes, name="causes"),
    path("causes/<int:pk>/delete/", analysis_views.cause_delete, name="cause-delete"),
]

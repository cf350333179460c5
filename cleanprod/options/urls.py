from django.urls import path

from . import analysis_views, views

app_name = "options"
urlpatterns = [
    path("audit/<int:audit_pk>/", views.option_list, name="list"),
    path("audit/<int:audit_pk>/new/", views.option_create, name="create"),
    path("audit/<int:audit_pk>/options.xlsx", views.register_xlsx, name="register-xlsx"),
    path("audit/<int:audit_pk>/screening/", analysis_views.screening, name="screening"),
    path("audit/<int:audit_pk>/economics.xlsx", analysis_views.economics_xlsx, name="economics-xlsx"),
    path("<int:pk>/", views.option_detail, name="detail"),
    path("<int:pk>/edit/", views.option_edit, name="edit"),
    path("<int:pk>/status/", views.option_transition, name="transition"),
    path("<int:pk>/feasibility/", analysis_views.feasibility, name="feasibility"),
    path("<int:pk>/feasibility/conclude/", analysis_views.feasibility_conclude, name="feasibility-conclude"),
    path("<int:pk>/feasibility/reopen/", analysis_views.feasibility_reopen, name="feasibility-reopen"),
    path("<int:pk>/implementation/", views.implementation_edit, name="implementation"),
    path("<int:pk>/verification/", views.verification_edit, name="verification"),
]

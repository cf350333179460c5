from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("new/", views.job_new, name="job-new"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/progress.json", views.job_progress, name="job-progress"),
    path("<int:pk>/commit/", views.job_commit, name="job-commit"),
    path("<int:pk>/rejected.csv", views.job_rejected, name="job-rejected"),
]

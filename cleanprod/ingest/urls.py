from django.urls import path

from . import collection_views, views

app_name = "ingest"
urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("new/", views.job_new, name="job-new"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/progress.json", views.job_progress, name="job-progress"),
    path("<int:pk>/commit/", views.job_commit, name="job-commit"),
    path("<int:pk>/rejected.csv", views.job_rejected, name="job-rejected"),
    path("collection/", collection_views.collection_index, name="collection-index"),
    path("collection/<int:site_pk>/", collection_views.collection, name="collection"),
    path("collection/<int:site_pk>/tokens/", collection_views.token_create, name="token-create"),
    path("collection/<int:site_pk>/tokens/<int:pk>/revoke/", collection_views.token_revoke, name="token-revoke"),
    path("collection/<int:site_pk>/mqtt/", collection_views.subscription_create, name="subscription-create"),
    path(
        "collection/<int:site_pk>/mqtt/<int:pk>/delete/",
        collection_views.subscription_delete,
        name="subscription-delete",
    ),
    path("collection/<int:site_pk>/mqtt/<int:pk>/topics/", collection_views.topic_meter_create, name="topic-create"),
    path("collection/<int:site_pk>/modbus/", collection_views.device_create, name="device-create"),
    path("collection/<int:site_pk>/modbus/<int:pk>/delete/", collection_views.device_delete, name="device-delete"),
    path(
        "collection/<int:site_pk>/modbus/<int:pk>/registers/", collection_views.register_create, name="register-create"
    ),
]

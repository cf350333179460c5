from django.urls import path

from . import views

app_name = "metering"
urlpatterns = [
    path("<int:pk>/", views.meter_detail, name="meter-detail"),
    path("<int:pk>/daily.json", views.meter_daily_json, name="meter-daily-json"),
    path(
        "<int:pk>/findings/<int:finding_pk>/review/",
        views.finding_review,
        name="finding-review",
    ),
]

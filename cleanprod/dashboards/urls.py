from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.enterprise_overview, name="enterprise"),
    path("overview.xlsx", views.enterprise_overview_xlsx, name="enterprise-xlsx"),
    path("sites/<int:pk>/", views.site_dashboard, name="site"),
    path("sites/<int:pk>/priorities.xlsx", views.site_priorities_xlsx, name="site-priorities-xlsx"),
    path("sites/<int:pk>/completeness.xlsx", views.site_completeness_xlsx, name="site-completeness-xlsx"),
    path("sites/<int:pk>/indicators.xlsx", views.site_indicators_xlsx, name="site-indicators-xlsx"),
    path("units/<int:pk>/", views.unit_dashboard, name="unit"),
    path("units/<int:pk>/completeness.xlsx", views.unit_completeness_xlsx, name="unit-completeness-xlsx"),
    path("units/<int:pk>/indicators.xlsx", views.unit_indicators_xlsx, name="unit-indicators-xlsx"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="organization:site-list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("organization/", include("cleanprod.organization.urls")),
    path("meters/", include("cleanprod.metering.urls")),
    path("imports/", include("cleanprod.ingest.urls")),
    path("dashboards/", include("cleanprod.dashboards.urls")),
    path("alerts/", include("cleanprod.alerts.urls")),
    path("audits/", include("cleanprod.audits.urls")),
    path("options/", include("cleanprod.options.urls")),
    path("reports/", include("cleanprod.reports.urls")),
    path("api/", include("cleanprod.api.urls")),
]

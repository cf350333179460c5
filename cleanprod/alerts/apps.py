from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "cleanprod.alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "cleanprod.metering"
    verbose_name = _("Metering")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "cleanprod.audits"
    verbose_name = _("Cleaner production audits")

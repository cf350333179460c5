from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OptionsConfig(AppConfig):
    name = "cleanprod.options"
    verbose_name = _("Improvement options")

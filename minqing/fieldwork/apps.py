from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minqing.fieldwork"
    verbose_name = _("走访与民情日记")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "minqing.org"
    label = "org"
    verbose_name = _("组织与辖区")

    def ready(self) -> None:
        from minqing.org import db_checks  # noqa: F401  (connects the start-up check)

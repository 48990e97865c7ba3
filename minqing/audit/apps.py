from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "minqing.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from minqing.audit import signals  # noqa: F401  (auth and lockout receivers)

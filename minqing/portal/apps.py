from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "minqing.portal"
    verbose_name = _("群众端")

    def ready(self) -> None:
        from minqing.cases.case_page import PANELS as CASE_PANELS
        from minqing.portal.board_views import board_context

        # The case page shows the case on the public board to those who may publish it.
        CASE_PANELS.register("portal/_case_board.html", board_context, order=10)

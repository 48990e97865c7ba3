from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "minqing.cases"
    label = "cases"
    verbose_name = _("民情事项")

    def ready(self) -> None:
        from minqing.cases.panels import household_cases_context
        from minqing.cases.selectors import cases_user_may_open
        from minqing.households.household_page import PANELS as HOUSEHOLD_PANELS
        from minqing.notify.access import register

        # Messages about a case reach only those who may open it (by its number).
        register("cases.case", cases_user_may_open, key="number")
        # A household's page lists the matters that name it, below its fieldwork.
        HOUSEHOLD_PANELS.register("cases/_household_cases.html", household_cases_context, order=20)

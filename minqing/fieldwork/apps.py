from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minqing.fieldwork"
    verbose_name = _("走访与民情日记")

    def ready(self) -> None:
        from minqing.cases.case_page import PANELS as CASE_PANELS
        from minqing.fieldwork.diary_selectors import visible_entries
        from minqing.fieldwork.panels import case_sources_context, household_fieldwork_context
        from minqing.households.household_page import PANELS as HOUSEHOLD_PANELS
        from minqing.notify.access import register

        # Review notes on a diary entry reach its author and reviewers in scope only.
        register("fieldwork.diaryentry", visible_entries)
        # The case page shows the visits and diary entries the case came from, after the
        # public board; a household's page those that name it, before its cases.
        CASE_PANELS.register("fieldwork/_case_sources.html", case_sources_context, order=20)
        HOUSEHOLD_PANELS.register(
            "fieldwork/_household_fieldwork.html", household_fieldwork_context, order=10
        )

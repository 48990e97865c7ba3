from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minqing.fieldwork"
    verbose_name = _("走访与民情日记")

    def ready(self) -> None:
        from minqing.fieldwork.diary_selectors import visible_entries
        from minqing.notify.access import register

        # Review notes on a diary entry reach its author and reviewers in scope only.
        register("fieldwork.diaryentry", visible_entries)

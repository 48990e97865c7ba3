from django.contrib import admin

from minqing.fieldwork.models import FieldworkRules
from minqing.kit.admin import CountyConfigAdmin


@admin.register(FieldworkRules)
class FieldworkRulesAdmin(CountyConfigAdmin):
    """Diary, visit, residence-day and talk-day quotas: the county's own, defaults otherwise."""

    list_display = ["county", "diary_per_week", "visits_township_leader", "talk_days_per_month"]

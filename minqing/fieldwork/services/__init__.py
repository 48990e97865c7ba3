"""Writes of fieldwork, one module per entity; import them from here.

diary   民情日记: entries, follow-ups, results, raising a case, review
visits  走访: the visit log, cases from what was heard, public visit plans
talk    说事点: talk days and their rota, the register and its sorting, quarter-end
        evaluation; deputies' receptions
photos  photos on a visit or a diary entry, and copying them onto a case
"""

from minqing.fieldwork.services.diary import (
    diary_follow_up_add,
    diary_raise_case,
    diary_record,
    diary_record_result,
    diary_review,
    diary_update,
)
from minqing.fieldwork.services.photos import (
    MAX_PHOTOS,
    check_photo,
    may_add_photos,
    photos_add,
    photos_copy_to_case,
)
from minqing.fieldwork.services.talk import (
    reception_record,
    reception_to_case,
    talk_day_add,
    talk_day_note_set,
    talk_days_generate,
    talk_item_add,
    talk_item_sort,
    talk_item_to_case,
    talk_item_to_meeting,
    talk_items_rate,
    talk_rota_set,
)
from minqing.fieldwork.services.visits import (
    may_cancel,
    may_plan_for_others,
    visit_case_create,
    visit_plan_cancel,
    visit_plan_create,
    visit_record,
)

__all__ = [
    "MAX_PHOTOS",
    "check_photo",
    "diary_follow_up_add",
    "diary_raise_case",
    "diary_record",
    "diary_record_result",
    "diary_review",
    "diary_update",
    "may_add_photos",
    "may_cancel",
    "may_plan_for_others",
    "photos_add",
    "photos_copy_to_case",
    "reception_record",
    "reception_to_case",
    "talk_day_add",
    "talk_day_note_set",
    "talk_days_generate",
    "talk_item_add",
    "talk_item_sort",
    "talk_item_to_case",
    "talk_item_to_meeting",
    "talk_items_rate",
    "talk_rota_set",
    "visit_case_create",
    "visit_plan_cancel",
    "visit_plan_create",
    "visit_record",
]

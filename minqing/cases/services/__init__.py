"""Writes of the case loop, one module per entity; import them from here.

case           registration (one matter, or a suggestion box's slips), detail corrections,
               and `case_transition`: the only door through which a case changes state
               or gains a timeline event
transitions    what each workflow action does to a case (one handler per action)
supervision    挂账督办: the tracked list and its follow-ups
deadline_scan  the worker's reminders, overdue marks and automatic supervision
attachments    storing checked files on a case
categories     a county's category tree: seed defaults and CSV import
numbering      gap-free registration numbers
"""

from minqing.cases.services.attachments import attachment_add, attachment_store
from minqing.cases.services.case import (
    box_slips_register,
    case_register,
    case_transition,
    case_update_details,
)
from minqing.cases.services.categories import categories_ensure_default, categories_import_csv
from minqing.cases.services.deadline_scan import ScanReport, deadlines_scan
from minqing.cases.services.numbering import number_allocate
from minqing.cases.services.supervision import supervision_open, supervision_record
from minqing.cases.services.transitions import TransitionError

__all__ = [
    "ScanReport",
    "TransitionError",
    "attachment_add",
    "attachment_store",
    "box_slips_register",
    "case_register",
    "case_transition",
    "case_update_details",
    "categories_ensure_default",
    "categories_import_csv",
    "deadlines_scan",
    "number_allocate",
    "supervision_open",
    "supervision_record",
]

"""Writes of the household registry and the liaison network, one module per entity; import
them from here.

household  tags and the 四知四清 profile
ledger     importing a village's household ledger, all or nothing
cards      contact cards: making, printing, issuing, voiding, reissuing
contacts   contact households: assignment and release
liaisons   liaison officers and each group's network posts
"""

from minqing.households.services.cards import (
    IssueResult,
    card_reissue,
    card_void,
    cards_ensure,
    cards_issue,
    cards_mark_printed,
)
from minqing.households.services.contacts import contact_assign, contact_end
from minqing.households.services.household import (
    household_set_tags,
    household_update_profile,
    tags_ensure_default,
)
from minqing.households.services.ledger import households_import
from minqing.households.services.liaisons import (
    DEFAULT_DUTIES,
    group_post_add,
    group_post_remove,
    liaison_appoint,
    liaison_dismiss,
)

__all__ = [
    "DEFAULT_DUTIES",
    "IssueResult",
    "card_reissue",
    "card_void",
    "cards_ensure",
    "cards_issue",
    "cards_mark_printed",
    "contact_assign",
    "contact_end",
    "group_post_add",
    "group_post_remove",
    "household_set_tags",
    "household_update_profile",
    "households_import",
    "liaison_appoint",
    "liaison_dismiss",
    "tags_ensure_default",
]

"""How the phones of the liaison network's people are shown.

Group leaders, members, linked Party members and liaison officers are residents of their
group. The contact card exists to publish their numbers, and the county decides whether it
does (`ContactRules.card_shows_network_phones`); every other page, PDF and export shows
them in full only to roles that may reveal residents' numbers, masked to everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minqing.lib.masking import mask_phone
from minqing.org.roles import Cap, has_cap


def _full(phone: str) -> str:
    return phone


def network_phone_for(user: Any) -> Callable[[str], str]:
    """The function that turns a network member's phone into what `user` may see."""
    return _full if has_cap(user, Cap.REVEAL_RESIDENT) else mask_phone


def network_phone_on_card(card_shows_phones: bool) -> Callable[[str], str]:
    """The same for the card and its public landing page, by the county's choice."""
    return _full if card_shows_phones else mask_phone

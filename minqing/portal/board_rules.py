"""The public board's (公开栏) rules: who may publish (what a public text may not contain is
`minqing.lib.public_text`, shared with the fieldwork pages).

Who may publish: staff who can see the case in their scope and whose job includes telling
the public about results — county admins and supervisors, township leaders and staff,
village cadres. Deputies (两代表) and liaisons (联络员) collect matters but do not speak
for the handling offices; a department handler's reach is the department's cases, not a
territory's board. Publishing and withdrawing (audited) are `board_publish` and
`board_withdraw` in minqing.portal.services.
"""

from __future__ import annotations

from minqing.cases.models import Case
from minqing.org.models import User
from minqing.org.roles import Cap, Role, has_cap

NOT_PUBLISHERS = frozenset({Role.DEPUTY, Role.LIAISON, Role.DEPT_HANDLER})
SUMMARY_MAX = 200
RESULT_MAX = 1000


def may_publish(user: User, case: Case) -> bool:
    """The role rule; the caller has already fetched `case` through the user's scope."""
    return has_cap(user, Cap.VIEW_CASES) and user.role not in NOT_PUBLISHERS

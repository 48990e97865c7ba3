"""Pagination that never counts more than it must.

COUNT(*) over a scoped, filtered million-row table costs more than the page itself, and
nobody reads "第 1 页，共 31,415 页". We count at most CAP rows and show "1000+" beyond.
"""

from functools import cached_property

from django.core.paginator import Paginator

CAP = 1000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined,no-any-return]

    @property
    def capped(self) -> bool:
        return self.count > self.cap

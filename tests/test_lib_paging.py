"""The capped paginator counts at most `cap` rows and says so."""

import pytest

from minqing.lib.paging import CappedPaginator
from minqing.org.models import Node


@pytest.mark.django_db
def test_count_stops_at_the_cap(county):
    paginator = CappedPaginator(Node.objects.order_by("code"), 2)
    paginator.cap = 3
    assert Node.objects.count() > 4
    assert paginator.count == 4  # cap + 1: "more than 3"
    assert paginator.capped
    assert [n.code for n in paginator.page(1)] == list(
        Node.objects.order_by("code").values_list("code", flat=True)[:2]
    )


@pytest.mark.django_db
def test_small_sets_are_counted_exactly(county):
    paginator = CappedPaginator(Node.objects.filter(level="township"), 10)
    assert paginator.count == 3
    assert not paginator.capped

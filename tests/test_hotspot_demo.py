"""The demo's hot spots: `load_demo_insight` registers two believable clusters through the
case services and runs the hot-spot job, so the dashboard card is live at once; loading it
again changes nothing."""

from __future__ import annotations

import random

from minqing.cases.models import Case
from minqing.demo.insight import load_demo_insight
from minqing.notify.models import Outbox
from minqing.textanalysis.models import HotSpot, HotSpotStatus
from tests.conftest import County


def test_the_demo_well_cluster_becomes_an_alerting_hot_spot(county: County, client_for) -> None:
    result = load_demo_insight(county=county.county, rng=random.Random("t"))
    assert result["hot_case"] == 14
    assert Case.objects.filter(idempotency_key__startswith="demo-insight-").count() == 14
    [well] = [s for s in HotSpot.objects.filter(node=county.v1) if "水井" in s.keywords]
    assert well.case_count == 7
    assert well.support == 1  # the neighbour's call, merged into the first matter (并单)
    assert well.status == HotSpotStatus.ALERT
    assert "水井" in well.topic
    # The township sees it on its dashboard.
    card = client_for("township_staff").get("/").context["hot_spots"]
    assert well in card


def test_loading_the_demo_insight_twice_changes_nothing(county: County) -> None:
    load_demo_insight(county=county.county, rng=random.Random("t"))
    spots = list(HotSpot.objects.order_by("pk").values())
    outbox = Outbox.objects.count()
    again = load_demo_insight(county=county.county, rng=random.Random("t"))
    assert again["hot_case"] == 0
    assert list(HotSpot.objects.order_by("pk").values()) == spots
    assert Outbox.objects.count() == outbox

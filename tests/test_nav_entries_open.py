"""Every navigation entry a role is shown opens for that role (no link to a 404)."""

import pytest
from django.urls import reverse

from minqing.web.nav import nav_for

PERSONAS = ["cadre", "township_staff", "county_admin", "county_supervisor", "dept_handler",
            "liaison", "deputy"]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_nav_entry_opens(county, client_for, persona):
    client = client_for(persona)
    items = nav_for(county.users[persona])
    assert items
    for item in items:
        response = client.get(reverse(item.url_name), follow=True)
        assert response.status_code == 200, (persona, item.key, response.status_code)

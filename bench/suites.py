"""The benchmark cases. Each later feature adds its own function to `collect()`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from django.core.management import call_command
from django.db import connection
from django.test import Client


def load_demo(scale: str) -> float:
    start = time.perf_counter()
    call_command("demo", scale=scale, seed=1, verbosity=0)
    return time.perf_counter() - start


def baseline() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _signed_in(username: str) -> Client:
    from minqing.org.models import User

    client = Client(SERVER_NAME="localhost")  # ALLOWED_HOSTS has no "testserver"
    client.force_login(User.objects.get(username=username))
    return client


def _get(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


def collect() -> Iterator[tuple[str, Callable[[], object]]]:
    from minqing.org.models import Level, Node, User
    from minqing.org.selectors import children_with_counts, scope_counts

    admin = User.objects.get(username="admin")
    cadre = User.objects.get(username="cun_ganbu")
    yield "scope_counts: county administrator (whole county)", lambda: scope_counts(admin)
    yield "scope_counts: village cadre", lambda: scope_counts(cadre)
    county = Node.objects.filter(level=Level.COUNTY).order_by("code").first()
    yield "tree children counts: county node", lambda: children_with_counts(admin, county)

    admin_client = _signed_in("admin")
    cadre_client = _signed_in("cun_ganbu")
    yield "GET / (home) as county administrator", lambda: _get(admin_client, "/")
    yield "GET / (home) as village cadre", lambda: _get(cadre_client, "/")
    yield "GET /households/ as county administrator", lambda: _get(admin_client, "/households/")
    yield from _network(admin_client, cadre)


def _network(admin_client: Client, cadre: object) -> Iterator[tuple[str, Callable[[], object]]]:
    """The liaison network at county scale: coverage of 30,000 households, a township's
    map, a village's contact screen and its contact cards as one PDF."""
    village = cadre.node  # type: ignore[attr-defined]
    township = village.parent
    yield (
        "GET /network/ (coverage of every village) as admin",
        lambda: _get(admin_client, "/network/"),
    )
    yield (
        "GET village contact-household screen",
        lambda: _get(admin_client, f"/network/contacts/{village.code}/"),
    )
    yield (
        "GET township network map page",
        lambda: _get(admin_client, f"/network/map/{township.code}/"),
    )
    yield (
        "GET township network map A3 PDF",
        lambda: _get(admin_client, f"/network/map/{township.code}/a3.pdf"),
    )
    yield (
        "GET village card page (issuance rate)",
        lambda: _get(admin_client, f"/network/cards/{village.code}/"),
    )
    yield (
        "GET village contact cards as one A4 PDF",
        lambda: _get(admin_client, f"/network/cards/{village.code}/print.pdf"),
    )

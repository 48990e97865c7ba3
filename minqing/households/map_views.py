"""The liaison network map of a township (一张联络服务网络图): page, JSON and A3 PDF.

All three read the same scoped selector (`network_map.build_network_map`): a user outside
the township, or without VIEW_RESIDENTS, gets a 404; a village cadre or liaison opening
their own township sees only their part of it, and the page and PDF say so.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minqing.households.map_pdf import render_network_pdf
from minqing.households.network_map import build_network_map, township_for
from minqing.kit.guards import requires
from minqing.org.roles import Cap
from minqing.org.selectors import breadcrumb


def _labels() -> dict[str, str]:
    """The words the chart script prints, in the user's language."""
    return {
        "leaders": _("组长"),
        "members": _("成员"),
        "party_links": _("联户党员"),
        "liaisons": _("联络员"),
        "households": _("户数"),
        "hardship": _("困难户"),
        "party_members": _("党员"),
        "villages": _("村(社区)"),
        "groups": _("村民小组"),
        "none": _("未设"),
        "expand": _("点击展开或收起"),
        # Between a label and its value: full-width in Chinese, ": " in English.
        "colon": _("："),
    }


def _private(response: HttpResponse) -> HttpResponse:
    # Names and phones of the network: keep copies out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@requires(Cap.VIEW_RESIDENTS)
def network_map(request: HttpRequest, township: str) -> HttpResponse:
    node = township_for(request, township)
    network = build_network_map(request.user, node)
    context = {
        "network": network,
        "township": node,
        "crumbs": breadcrumb(request.user, node),  # type: ignore[arg-type]
        "chart": {"tree": network.as_dict(), "labels": _labels()},
    }
    return _private(render(request, "households/network_map.html", context))


@require_GET
@requires(Cap.VIEW_RESIDENTS)
def map_data(request: HttpRequest, township: str) -> HttpResponse:
    node = township_for(request, township)
    network = build_network_map(request.user, node)
    return _private(JsonResponse(network.as_dict(), json_dumps_params={"ensure_ascii": False}))


@require_GET
@requires(Cap.VIEW_RESIDENTS)
def map_pdf(request: HttpRequest, township: str) -> HttpResponse:
    node = township_for(request, township)
    # An official document: Chinese labels whatever the language of the user's pages.
    with translation.override("zh-hans"):
        content = render_network_pdf(build_network_map(request.user, node))
    response = HttpResponse(content, content_type="application/pdf")
    # Inline so the browser opens its viewer; an ASCII name for old clients, the Chinese
    # one (RFC 5987) for everyone else.
    fallback = f"network-map-{node.code}.pdf"
    name = quote(f"{node.name}民情民意联络服务网络图.pdf")
    response["Content-Disposition"] = f"inline; filename=\"{fallback}\"; filename*=utf-8''{name}"
    return _private(response)

"""A village cadre signs in through a real browser and sees their village; nothing loads
from outside the deployment."""

from urllib.parse import urlparse

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_village_cadre_signs_in_and_sees_home(county, live_server, page, artifacts):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "cadre")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    counts = page.locator("[data-testid=scope-counts]")
    assert "村民小组(网格)" in counts.inner_text()
    assert "东风村 的下级辖区" in page.inner_text("body")
    # The village cadre's navigation offers what the role may use, and not the admin.
    nav = page.locator("#mq-nav").inner_text()
    assert "户籍档案" in nav
    assert "管理后台" not in nav
    page.screenshot(path=str(artifacts / "home-village-cadre.png"), full_page=True)

    # Every request the browser made went to the test server: no CDN, no web fonts.
    server = urlparse(live_server.url).netloc
    outside = [url for url in requested if urlparse(url).netloc not in {server, ""}]
    assert outside == []
    assert any(url.endswith("tabler.min.css") for url in requested)


def test_stylesheets_and_icon_font_really_load(county, live_server, page):
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "cadre")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    # Tabler styled the page: the top bar has a colour, not the browser default.
    assert page.eval_on_selector(".mq-topbar", "e => getComputedStyle(e).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )
    assert page.evaluate("document.fonts.check('16px bootstrap-icons')")
    assert [url for url in failed if not url.endswith("favicon.ico")] == []

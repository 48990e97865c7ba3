"""Portal submissions per second over HTTP (gunicorn, 127.0.0.1): each resident loads the
form (for its CSRF cookie and idempotency token) and posts it; every receipt's number is
checked as acknowledged == stored == unique. Rate limits are lifted for the run (all
clients share one address); the submit page's size is reported too."""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request

from bench.case_bench import RUNS, _check_numbers, gunicorn

NO_LIMITS = {
    "MINQING_PORTAL_SUBMIT_FREE": "1000000",
    "MINQING_PORTAL_SUBMIT_PER_HOUR": "1000000",
    "MINQING_PORTAL_TRACK_PER_HOUR": "1000000",
}


def _village_code() -> str:
    from minqing.org.models import Level, Node

    return Node.objects.filter(level=Level.VILLAGE).order_by("code").first().code


class _Resident:
    def __init__(self, base: str, village: str) -> None:
        self.base, self.village = base, village
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def submit(self, i: int) -> str | None:
        url = f"{self.base}/portal/submit/?village={self.village}"
        with self.opener.open(url, timeout=30) as response:
            page = response.read().decode()
        fields = {
            name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            for name in ("csrfmiddlewaretoken", "token")
        }
        body = urllib.parse.urlencode({
            **fields, "village": self.village, "text": f"基准测试：村口路灯不亮了 {i}",
            "nature": "help", "anonymous": "on",
        }).encode()  # fmt: skip
        request = urllib.request.Request(
            f"{self.base}/portal/submit/", data=body, headers={"Referer": url}
        )
        with self.opener.open(request, timeout=30) as response:
            receipt = response.read().decode()
        match = re.search(r'data-testid="number">([^<]+)<', receipt)
        return match.group(1) if match else None


def portal_rate(base: str, n: int = 300, threads: int = 8) -> tuple[float, dict[str, int]]:
    village = _village_code()
    residents = [_Resident(base, village) for _ in range(threads)]
    numbers: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        for i in range(index, n, threads):
            number = residents[index].submit(i)
            if number:
                with lock:
                    numbers.append(number)

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(numbers) / (time.perf_counter() - start), _check_numbers(numbers)


def submit_page_bytes(base: str) -> dict[str, int]:
    """Transferred bytes of the submit page and what it links, plain and gzip-accepting."""
    sizes = {}
    for label, headers in (("plain", {}), ("gzip", {"Accept-Encoding": "gzip"})):
        url = f"{base}/portal/submit/?village={_village_code()}"
        html = urllib.request.urlopen(urllib.request.Request(url, headers=headers)).read()
        total = len(html)
        for link in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
            request = urllib.request.Request(base + link.decode(), headers=headers)
            total += len(urllib.request.urlopen(request).read())
        sizes[label] = total
    return sizes


def run() -> list[dict[str, object]]:
    rates, checks = [], []
    with gunicorn(NO_LIMITS) as base:
        sizes = submit_page_bytes(base)
        for _ in range(RUNS):
            rate, check = portal_rate(base)
            rates.append(rate)
            checks.append(check)
    return [
        {"name": "portal submissions/s, HTTP via gunicorn (GET form + POST, 8 residents)",
         "median": statistics.median(rates), "unit": "per s", "checks": checks},
        {"name": "portal submit page weight incl. CSS and icon (bytes)", "median": sizes["plain"],
         "unit": "bytes", "gzip_bytes": sizes["gzip"]},
    ]  # fmt: skip

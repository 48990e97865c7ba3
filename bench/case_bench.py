"""Case-loop benchmarks: registrations per second (service layer and HTTP through gunicorn
with 2 workers), checked as acknowledged == stored == unique gap-free numbers; and p50/p95
latency of the work-queue and filtered list pages with BENCH_CASES cases loaded."""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def _village():
    from minqing.org.models import Level, Node

    return Node.objects.filter(level=Level.GROUP).order_by("code").first()


def _check_numbers(numbers: list[str]) -> dict[str, int]:
    from minqing.cases.models import Case

    stored = set(Case.objects.filter(number__in=numbers).values_list("number", flat=True))
    return {
        "acknowledged": len(numbers),
        "stored": len(stored),
        "unique": len(set(numbers)),
    }


def service_rate(n: int = 300) -> tuple[float, dict[str, int]]:
    from minqing.cases.services import case_register

    node = _village()
    numbers = []
    start = time.perf_counter()
    for i in range(n):
        case, _ = case_register(
            actor=None, node=node, channel="hotline", nature="help",
            original_text=f"基准测试登记 {i} 路灯不亮", reporter_name="测试",
            idempotency_key=uuid.uuid4().hex,
        )  # fmt: skip
        numbers.append(case.number)
    elapsed = time.perf_counter() - start
    return n / elapsed, _check_numbers(numbers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Session:
    """A signed-in staff browser session over urllib (CSRF handled like a browser)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )
        page = self.get("/accounts/login/")
        self.post("/accounts/login/", {"username": username, "password": password}, page)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str], page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.headers.get("Location", "")
        except urllib.error.HTTPError as redirect:
            if redirect.code in (301, 302, 303):
                return redirect.headers.get("Location", "")
            raise


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@contextmanager
def gunicorn(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve the app with gunicorn (2 workers × 4 threads) on a free port; yield its URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", ""), **(extra_env or {})}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "minqing.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)


def http_rate(n: int = 400, threads: int = 8) -> tuple[float, dict[str, int]]:
    """POST the staff registration form through gunicorn (2 workers) from `threads` clients."""
    with gunicorn() as base:
        node_pk = str(_village().pk)
        sessions = [
            _Session(base, "zhen_ganbu", settings.MINQING_DEMO_PASSWORD) for _ in range(threads)
        ]
        pages = [s.get("/cases/new/") for s in sessions]
        numbers: list[str] = []
        lock = threading.Lock()

        def worker(index: int) -> None:
            session, page = sessions[index], pages[index]
            for i in range(index, n, threads):
                location = session.post(
                    "/cases/new/",
                    {
                        "idempotency_key": uuid.uuid4().hex, "channel": "hotline",
                        "node": node_pk, "reporter_name": "测试", "nature": "help",
                        "urgency": "normal", "original_text": f"HTTP 基准登记 {i}",
                        "confirm_new": "1",
                    },
                    page,
                )  # fmt: skip
                match = re.search(r"/cases/(\d+)/", location)
                if match:
                    with lock:
                        numbers.append(match.group(1))

        start = time.perf_counter()
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - start
    return len(numbers) / elapsed, _check_numbers(numbers)


def load_cases(total: int, seed: int = 7) -> float:
    """Bulk-load `total` cases spread over the first county's groups (raw inserts)."""
    from minqing.cases.models import Case
    from minqing.cases.workflow import Status
    from minqing.org.models import Level, Node, Unit

    existing = Case.objects.count()
    if existing >= total:
        return 0.0
    rng = random.Random(seed)
    county = Node.objects.filter(level=Level.COUNTY).order_by("code").first()
    groups = list(
        Node.objects.filter(level=Level.GROUP, path__startswith=county.path).values_list(
            "id", "path"
        )
    )
    stations = dict(Unit.objects.filter(kind="station").values_list("node__path", "id"))
    ids = dict(
        Node.objects.filter(
            level__in=[Level.TOWNSHIP, Level.VILLAGE], path__startswith=county.path
        ).values_list("path", "id")
    )
    # A year of a county's matters: most are long closed; what is live is recent.
    statuses = [Status.CLOSED] * 850 + [Status.RATED] * 50 + [Status.ANSWERED] * 30 + [
        Status.IN_PROGRESS] * 30 + [Status.ACCEPTED] * 20 + [Status.ASSIGNED] * 15 + [
        Status.REGISTERED] * 5  # fmt: skip
    live = {Status.REGISTERED, Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS}
    words = [
        "路灯不亮",
        "道路破损",
        "饮水困难",
        "低保申请",
        "邻里纠纷",
        "垃圾清运",
        "小区停车",
        "医保报销",
    ]
    now = timezone.now()
    columns = (
        "number, county_id, node_id, channel, reporter_name, reporter_address, "
        "reporter_work_unit, reporter_phone, anonymous, confidential, reported_at, "
        "original_text, title, description, proposal, deadline, address, nature, urgency, "
        "must_report, status, unit_id, answer, answer_method, rating, rating_comment, "
        "reopen_count, created_at, updated_at, is_live, township_id, village_id"
    )
    sql = f"INSERT INTO cases_case ({columns}) VALUES ({', '.join(['%s'] * 32)})"
    start = time.perf_counter()
    batch: list[tuple[object, ...]] = []
    for i in range(existing, total):
        node_id, path = rng.choice(groups)
        status = rng.choice(statuses)
        age_days = 30 if status in live else 365
        created = now - timezone.timedelta(minutes=rng.randrange(0, age_days * 24 * 60))
        text = f"{rng.choice(words)}，第{i}号基准事项"
        batch.append((
            f"B{i:09d}", county.id, node_id, "hotline", "测试", "", "", "", False, False, created,
            text, text, text, "", created + timezone.timedelta(days=7), "", "help", "normal", "",
            status, None if status == Status.REGISTERED else stations.get(path[:12]), "", "", "",
            "", 0, created, created, status in live, ids[path[:9]], ids[path[:12]],
        ))  # fmt: skip
        if len(batch) == 20000:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch = []
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    with connection.cursor() as cursor:
        # Fresh statistics, as the scheduler's optimize_database job keeps them in service.
        cursor.execute("ANALYZE cases_case" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - start


def page_latency(path: str, username: str, n: int = 30) -> tuple[float, float]:
    from minqing.org.models import User

    client = Client(SERVER_NAME="localhost")  # ALLOWED_HOSTS has no "testserver"
    client.force_login(User.objects.get(username=username))
    client.get(path)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    rates, checks = [], []
    for _ in range(RUNS):
        rate, check = service_rate()
        rates.append(rate)
        checks.append(check)
    rows.append({"name": "registrations/s, service layer", "median": statistics.median(rates),
                 "unit": "per s", "checks": checks})  # fmt: skip
    rates, checks = [], []
    for _ in range(RUNS):
        rate, check = http_rate()
        rates.append(rate)
        checks.append(check)
    rows.append({"name": "registrations/s, HTTP form via gunicorn (2 workers, 8 clients)",
                 "median": statistics.median(rates), "unit": "per s", "checks": checks})  # fmt: skip
    total = int(os.environ.get("BENCH_CASES", "1000000"))
    load_s = load_cases(total)
    rows.append({"name": f"bulk load to {total:,} cases", "median": load_s, "unit": "s"})
    for label, path, user in [
        ("work queue, township staff", "/cases/", "zhen_ganbu"),
        ("work queue, village cadre", "/cases/", "cun_ganbu"),
        ("all cases, county admin", "/cases/all/", "admin"),
        ("filtered list: open + overdue, county admin", "/cases/all/?open=1&overdue=1", "admin"),
        ("search 路灯, county admin", "/cases/all/?q=%E8%B7%AF%E7%81%AF", "admin"),
        ("filtered: status=assigned, township staff", "/cases/all/?status=assigned", "zhen_ganbu"),
    ]:
        p50, p95 = page_latency(path, user)
        rows.append({"name": f"GET {label} @ {total:,} cases", "p50_ms": p50 * 1000,
                     "p95_ms": p95 * 1000, "unit": "ms"})  # fmt: skip
    return rows

"""Household ledger import: a 50,000-row file into one village, timed (issue 4 asks < 1 min)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time

from minqing.households.importer import read_rows
from minqing.households.services import households_import
from minqing.lib.idcard import make_id_number
from minqing.org.models import Level, Node

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))


def ledger_bytes(village: Node, rows: int) -> bytes:
    groups = list(
        Node.objects.filter(parent=village, level=Level.GROUP).values_list("name", flat=True)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["户号", "组别", "家庭住址", "姓名", "与户主关系", "性别", "身份证号", "联系电话"]
    )
    region = "990101"  # a made-up region: never collides with the demo's residents
    for i in range(rows):
        head = i % 3 == 0
        code = f"X{village.code}{i // 3:06d}"
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i // 1000)  # (date, seq) unique
        writer.writerow([
            code, groups[(i // 3) % len(groups)], f"基准地址{i // 3}号", f"基准{i}",
            "户主" if head else "子女", "", make_id_number(region, birth, i % 1000), "",
        ])  # fmt: skip
    return out.getvalue().encode("utf-8")


def run() -> list[dict[str, object]]:
    village = Node.objects.filter(level=Level.VILLAGE).order_by("code").first()
    data = ledger_bytes(village, ROWS)
    start = time.perf_counter()
    rows = read_rows(io.BytesIO(data), filename="ledger.csv")
    report = households_import(village=village, rows=rows, actor=None)
    seconds = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    return [{"name": f"import {ROWS:,}-row ledger (read + validate + write)", "median": seconds,
             "unit": "s", "checks": {"households": report.households, "residents": report.residents}}]  # fmt: skip

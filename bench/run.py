"""`make bench`: MinQing's benchmarks.

Each benchmark is timed several times and reported as the median, together with its ratio
to a baseline measured in the same process (a trivial database round trip), so figures
from different machines can be compared by ratio. Results go to bench/results/latest.json
and bench/results/latest.md.

Data: a scratch database (SQLite under a temporary MINQING_VAR_DIR, or the PostgreSQL
named by BENCH_DATABASE_URL) loaded with the demo county at BENCH_SCALE (default county),
then BENCH_CASES cases (default 1,000,000) for the case-loop page latencies.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def _setup_django() -> None:
    scratch = tempfile.mkdtemp(prefix="minqing-bench-")
    os.environ["MINQING_VAR_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The HTTP benchmarks run gunicorn in production mode, which serves hashed static names.
    call_command("collectstatic", "--no-input", verbosity=0)


def median_seconds(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm caches and connections; the first run is not a measurement
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    _setup_django()
    from bench import suites

    scale = os.environ.get("BENCH_SCALE", "county")
    load_seconds = suites.load_demo(scale)
    baseline = median_seconds(suites.baseline)
    rows = []
    for name, fn in suites.collect():
        seconds = median_seconds(fn)
        rows.append({"name": name, "median_s": seconds, "ratio_to_baseline": seconds / baseline})
        print(f"{name:<55} {seconds * 1000:10.2f} ms  ×{seconds / baseline:10.1f}")
    from django.db import connection

    from bench import (
        case_bench,
        hotspot_bench,
        import_bench,
        keyword_trends_bench,
        portal_bench,
        similar_bench,
        textanalysis_bench,
    )

    extra = [] if os.environ.get("BENCH_SKIP_CASES") else case_bench.run()
    extra += portal_bench.run()
    extra += textanalysis_bench.run()
    extra += import_bench.run()
    # 民情分析 at 100,000 matters: similar-matter lookups, the hot-spot job, keyword trends.
    extra += similar_bench.run()
    extra += hotspot_bench.run()
    extra += keyword_trends_bench.run()
    for row in extra:
        print(row)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "database": connection.vendor,
        "scale": scale,
        "demo_load_s": load_seconds,
        "repeats": REPEATS,
        "baseline": {"name": "SELECT 1 round trip", "median_s": baseline},
        "results": rows,
        "case_loop": extra,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (RESULTS / "latest.md").write_text(markdown(report))
    print(f"written: {RESULTS / 'latest.json'}")
    return 0


def _value(row: dict) -> str:  # type: ignore[type-arg]
    if "p50_ms" in row:
        return f"p50 {row['p50_ms']:.1f} ms · p95 {row['p95_ms']:.1f} ms"
    median = row["median"]
    return f"{median:.3f} {row['unit']}" if abs(median) < 10 else f"{median:.1f} {row['unit']}"


def markdown(report: dict) -> str:  # type: ignore[type-arg]
    """The report as the Markdown table kept next to the JSON (also: `--render FILE.json`)."""
    rows, extra = report["results"], report["case_loop"]
    load_seconds, baseline = report["demo_load_s"], report["baseline"]["median_s"]
    lines = [
        f"# Bench {report['when']} — {report['database']}, scale {report['scale']}, "
        f"{report['machine']}, Python {report['python']}",
        "",
        f"Demo load: {load_seconds:.1f} s. Baseline (SELECT 1): {baseline * 1e6:.1f} µs. "
        f"Median of {report['repeats']} runs.",
        "",
        "| benchmark | median | × baseline |",
        "|---|---:|---:|",
        *(
            f"| {r['name']} | {r['median_s'] * 1000:.2f} ms | {r['ratio_to_baseline']:.1f} |"
            for r in rows
        ),
    ]
    lines += [
        "",
        "## Case loop, portal, import and insight",
        "",
        "| measure | value | checks |",
        "|---|---:|---|",
    ]
    lines += [f"| {row['name']} | {_value(row)} | {row.get('checks', '')} |" for row in extra]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--render"]:
        source = Path(sys.argv[2])
        source.with_suffix(".md").write_text(markdown(json.loads(source.read_text())))
        raise SystemExit(0)
    raise SystemExit(main())

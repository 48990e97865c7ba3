"""Time `python -m minqing demo` at each scale, each into a fresh scratch database.

    .venv/bin/python bench/demo_scales.py                        # small, county, province on SQLite
    .venv/bin/python bench/demo_scales.py --sqlite small county --postgres county

SQLite databases live in a temporary MINQING_VAR_DIR (never ./var). PostgreSQL runs create a
scratch database with `createdb -h 127.0.0.1 -U postgres` (UTF-8, C.UTF-8 ctype, as the app
requires) and drop it afterwards; --pg-url is the server URL the app connects to (without
the database name). Times are wall-clock seconds of the `demo` command alone, start-up
included (migrations run beforehand and are not timed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("small", "county", "province")


def manage(args: list[str], env: dict[str, str], *, echo: bool = False) -> str:
    """Run `python -m minqing ARGS`; return its summary line (and stream progress if echo)."""
    command = [sys.executable, "-m", "minqing", *args]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    assert process.stdout is not None
    summary = ""
    for line in process.stdout:
        if echo:
            print(f"    {line.rstrip()}", flush=True)
        if line.startswith("演示数据 scale="):
            summary = line.strip()
    if process.wait() != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return summary


def timed_demo(scale: str, seed: int, env: dict[str, str], echo: bool) -> tuple[float, str]:
    manage(["migrate", "-v0"], env)
    started = time.perf_counter()
    summary = manage(["demo", "--scale", scale, "--seed", str(seed)], env, echo=echo)
    return time.perf_counter() - started, summary


def bench_sqlite(scale: str, seed: int, echo: bool) -> tuple[float, str, int]:
    with tempfile.TemporaryDirectory(prefix=f"minqing-bench-{scale}-") as var_dir:
        env = {**os.environ, "MINQING_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        seconds, summary = timed_demo(scale, seed, env, echo)
        size = sum(p.stat().st_size for p in Path(var_dir).glob("minqing.sqlite3*"))
    return seconds, summary, size


def bench_postgres(scale: str, seed: int, echo: bool, pg_url: str) -> tuple[float, str]:
    name = f"minqing_demo_bench_{os.getpid()}_{scale}"
    host_args = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(
        ["createdb", *host_args, "-E", "UTF8", "-T", "template0",
         "--lc-ctype=C.UTF-8", "--lc-collate=C.UTF-8", name],
        check=True,
    )  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="minqing-bench-pg-") as var_dir:
            env = {**os.environ, "DATABASE_URL": f"{pg_url.rstrip('/')}/{name}"}
            env["MINQING_VAR_DIR"] = var_dir  # secret key etc., never ./var
            return timed_demo(scale, seed, env, echo)
    finally:
        subprocess.run(["dropdb", *host_args, "--if-exists", name], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", nargs="*", choices=SCALES, default=list(SCALES))
    parser.add_argument("--postgres", nargs="*", choices=SCALES, default=[])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quiet", action="store_true", help="do not stream progress lines")
    options = parser.parse_args()
    results: list[str] = []
    for scale in options.sqlite:
        print(f"== SQLite, --scale {scale}", flush=True)
        seconds, summary, size = bench_sqlite(scale, options.seed, not options.quiet)
        results.append(f"sqlite    {scale:9} {seconds:8.1f} s  {size / 2**20:8.0f} MiB  {summary}")
        print(results[-1], flush=True)
    for scale in options.postgres:
        print(f"== PostgreSQL, --scale {scale}", flush=True)
        seconds, summary = bench_postgres(scale, options.seed, not options.quiet, options.pg_url)
        results.append(f"postgres  {scale:9} {seconds:8.1f} s  {'':12}  {summary}")
        print(results[-1], flush=True)
    print("\n".join(["", "backend   scale       seconds", *results]))


if __name__ == "__main__":
    main()

"""A baseline that only shrinks: the shared half of scripts/mypy-check and complexity-check.

A check reduces its findings to keys without line numbers (so an unrelated edit above a
finding does not churn the baseline), each with a number: how many times a mypy error
occurs, how complex a function is. The committed baseline holds what the code had when the
check came in. A key the baseline lacks, or a number above the baseline's, fails: that is
new debt. A key that is gone, or a number below the baseline's, fails too, until the
baseline is rewritten with --update: a fix is recorded and cannot quietly come back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "make lint-baseline"


@dataclass(frozen=True)
class Finding:
    key: str  # what the baseline stores
    where: str  # where it is now (path:line), printed so it can be found


@dataclass(frozen=True)
class Check:
    name: str
    baseline: Path
    header: str  # comment lines written at the top of the baseline
    # -> (each key's number now, every finding with where it is)
    run: Callable[[], tuple[dict[str, int], list[Finding]]]
    load: Callable[[list[str]], dict[str, int]]
    dump: Callable[[Mapping[str, int]], list[str]]


def compare(current: Mapping[str, int], baseline: Mapping[str, int]) -> tuple[list[str], list[str]]:
    """(keys that got worse or are new, keys that got better or are gone)."""
    worse = sorted(k for k, n in current.items() if n > baseline.get(k, 0))
    better = sorted(k for k, n in baseline.items() if current.get(k, 0) < n)
    return worse, better


def read_baseline(check: Check) -> dict[str, int]:
    if not check.baseline.exists():
        return {}
    lines = check.baseline.read_text(encoding="utf-8").splitlines()
    return check.load([ln for ln in lines if ln.strip() and not ln.startswith("#")])


def main(check: Check, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"{check.name} against {check.baseline.name}")
    parser.add_argument(
        "--update", action="store_true", help="rewrite the baseline from the current findings"
    )
    args = parser.parse_args(argv)

    current, found = check.run()
    rel = check.baseline.relative_to(ROOT)

    if args.update:
        check.baseline.parent.mkdir(parents=True, exist_ok=True)
        lines = check.dump(current)
        text = "\n".join([*check.header.splitlines(), *lines]) + "\n"
        check.baseline.write_text(text, encoding="utf-8")
        print(f"{check.name}: wrote {len(lines)} entries to {rel}")
        return 0

    baseline = read_baseline(check)
    worse, better = compare(current, baseline)
    if worse:
        print(f"{check.name}: {len(worse)} finding(s) not covered by {rel}:")
        for key in worse:
            was, now = baseline.get(key, 0), current[key]
            print(f"  {key}" + (f"   [baseline {was}, now {now}]" if was else ""))
            for finding in found:
                if finding.key == key:
                    print(f"      at {finding.where}")
        print("Fix them: the baseline only records what was there before; it does not grow.")
    if better:
        print(f"{check.name}: {len(better)} baseline entr(y/ies) in {rel} no longer occur:")
        for key in better:
            print(f"  {key}   [baseline {baseline[key]}, now {current.get(key, 0)}]")
        print(f"Good - record it so it stays fixed: run `{REGENERATE}` and commit {rel}.")
    if not worse and not better:
        print(f"{check.name}: ok ({len(check.dump(current))} known, none new)")
    return 1 if worse or better else 0


def exit_with(check: Check) -> None:
    sys.exit(main(check))

"""`python -m minqing textanalysis hotspots --input FILE.csv`: the top hot issues of any
message file with the columns of the real messages_unlabeled.csv, without a database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURE = Path(__file__).parent / "fixtures" / "textanalysis" / "hotspot_messages.csv"
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("textanalysis", "hotspots", "--input", str(FIXTURE), *args, stdout=out)
    return out.getvalue()


def test_json_output_is_one_parseable_object_with_the_hottest_issue_first() -> None:
    result = json.loads(run("--json"))
    assert (result["messages"], result["skipped"], result["windows"]) == (15, 1, 2)
    first = result["hot_spots"][0]
    assert "水井" in first["topic"]
    assert first["count"] == 6
    assert first["households"] == 6
    assert first["support"] == 19  # 2 + 5 + 3 + 0 + 8 + 1
    assert first["previous_count"] == 0
    assert first["window_start"] == "2025-03-15"
    assert first["window_end"] == "2025-03-28"
    # base 6 + log2(20), doubled by growth (none in the 14 days before)
    assert first["heat"] == pytest.approx(2 * (6 + 4.3219), abs=0.01)
    assert sorted(first["ids"], key=int) == ["4", "5", "6", "7", "8", "9"]
    assert "近14天有6户群众反映" in first["agenda"]
    heats = [s["heat"] for s in result["hot_spots"]]
    assert heats == sorted(heats, reverse=True)


def test_an_older_window_has_no_invented_growth() -> None:
    result = json.loads(run("--json"))
    lamps = next(s for s in result["hot_spots"] if "路灯" in s["topic"])
    assert lamps["window_end"] == "2025-03-14"
    assert lamps["previous_count"] is None
    assert lamps["growth"] is None
    assert "2025-03-01至2025-03-14" in lamps["agenda"]


def test_top_limits_the_list() -> None:
    assert len(json.loads(run("--json", "--top", "1"))["hot_spots"]) == 1


def test_a_wider_window_puts_everything_in_one_window() -> None:
    result = json.loads(run("--json", "--window-days", "60"))
    assert result["windows"] == 1


def test_the_table_names_each_issue_with_its_figures() -> None:
    text = run()
    assert "15 条留言(跳过 1 条)" in text
    assert " 1. [" in text
    assert "水井" in text
    assert "6件 6户" in text
    assert "议题：" in text


def test_a_file_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        call_command("textanalysis", "hotspots", "--input", str(bad), stdout=io.StringIO())


def test_the_command_needs_no_database(tmp_path: Path) -> None:
    env = {
        **os.environ,
        # Nothing listens here: any query would fail the command.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "MINQING_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "minqing", "textanalysis", "hotspots", "--input", str(FIXTURE),
         "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hot_spots"][0]["count"] == 6
